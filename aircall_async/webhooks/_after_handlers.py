"""``ack="after_handlers"``: run the handlers, then answer 200 (all succeeded) or 500.

A delivery identical to one already handled (same body) is answered 200 and runs
nothing; a failed one is not remembered. When an identical delivery arrives while the
first is still running, it runs nothing and waits for the first's outcome: 200 if it
succeeded, 500 otherwise (Aircall then redelivers, and the redelivery runs if the first
failed).
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from aircall_async._loops import running_loop
from aircall_async.webhooks._dedupe import DeliveryMemory, memory_key
from aircall_async.webhooks._handlers import InlineDeadlines, TaskSet, run_handlers
from aircall_async.webhooks._intake import DUPLICATE, HANDLER_FAILED, OK, Delivery, json_response
from aircall_async.webhooks.events import build_event
from aircall_async.webhooks.router import WebhookRouter
from aircall_async.webhooks.stats import WebhookStats

__all__ = ["AfterHandlers"]


class AfterHandlers:
    """Answers each verified delivery once its handlers ran (module docstring)."""

    def __init__(
        self,
        router: WebhookRouter,
        memory: DeliveryMemory,
        *,
        handler_timeout: float,
    ) -> None:
        self._router = router
        self._memory = memory
        self._timeout = handler_timeout
        self._deadlines = InlineDeadlines(handler_timeout)
        self._inflight: dict[int, asyncio.Future[bool] | None] = {}
        self.stats = WebhookStats(depth=self.depth)
        self._stats = self.stats
        self.tasks = TaskSet()

    def depth(self) -> int:
        """Deliveries whose handlers are running."""
        return len(self._inflight)

    async def answer(self, delivery: Delivery) -> web.Response:
        """Run the handlers of ``delivery`` unless it is a duplicate; 200 or 500."""
        key = memory_key(delivery.body)
        if key in self._memory:
            self._stats.duplicates += 1
            return json_response(DUPLICATE)
        if key in self._inflight:
            return await self._outcome_of(key)
        handlers = self._router.handlers_for(delivery.envelope[0])
        if not handlers:
            self._stats.handled += 1
            return json_response(OK)
        # The future a copy waits on is made by the copy, if one comes (rarely).
        self._inflight[key] = None
        succeeded = False
        try:
            event = build_event(delivery.payload, delivery.envelope)
            result = await run_handlers(
                event, handlers, self._timeout, spawn=self.tasks.spawn, deadlines=self._deadlines
            )
            succeeded = result.ok
        finally:
            outcome = self._inflight.pop(key)
            if outcome is not None:
                outcome.set_result(succeeded)
        if not succeeded:
            self._stats.handler_failures += 1
            return json_response(HANDLER_FAILED, 500)
        self._memory.add(key)
        self._stats.handled += 1
        return json_response(OK)

    async def _outcome_of(self, key: int) -> web.Response:
        """The answer for a copy of a delivery still running: the first's outcome."""
        first = self._inflight[key]
        if first is None:
            first = self._inflight[key] = running_loop().create_future()
        try:
            succeeded = await asyncio.wait_for(asyncio.shield(first), self._timeout + 1.0)
        except asyncio.TimeoutError:
            succeeded = False
        if succeeded:
            self._stats.duplicates += 1
            return json_response(DUPLICATE)
        return json_response(HANDLER_FAILED, 500)

    async def drain(self, timeout: float) -> None:
        """Wait up to ``timeout`` s for running handlers, then cancel them."""
        await self.tasks.settle(timeout)
