"""Analytics report exports (beyond the reference, docs/COVERAGE.md): an export is a job
that is created, polled until it leaves PENDING, then downloaded from a presigned URL.

:meth:`Analytics.wait_export` polls within a time budget; :meth:`Analytics.download_export`
streams the file to disk. Both take the clock and the sleep they use, so that tests can
drive time. The download never sends the API credentials: the URL is presigned, and its
query (the signature) never appears in an error message.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any

import aiohttp
from yarl import URL

from ..errors import AircallError, APIError, TransportError
from ..models import RELATIVE_DATE_RANGES, REPORT_NAMES, AnalyticsExport
from ._base import Resource, body_of, check_choice, check_text, check_url

__all__ = ["Analytics", "ExportFailedError", "ExportTimeoutError", "download_to", "export_input"]

#: Seconds between two polls of a pending export (Aircall suggests about a minute).
DEFAULT_POLL_INTERVAL = 60.0
_CHUNK = 64 * 1024


class ExportFailedError(AircallError):
    """The export ended FAILED; ``export`` is the job (see its ``errorMessage``)."""

    def __init__(self, export: AnalyticsExport) -> None:
        super().__init__(
            f"export {export.exportID} failed: {export.errorMessage or 'no reason given'}"
        )
        self.export = export


class ExportTimeoutError(AircallError, TimeoutError):
    """The export was still pending when the time budget ran out."""


def _day(value: date | str, name: str) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(check_text(value, name)).isoformat()
    except ValueError:
        raise ValueError(f"{name} must be a date or YYYY-MM-DD, got {value!r}") from None


def export_input(
    report_name: str,
    *,
    timezone: str,
    relative_range: str | None = None,
    from_date: date | str | None = None,
    to_date: date | str | None = None,
    filters: Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | None = None,
    export_options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``input`` of an export request; raises ValueError naming what is wrong.

    Exactly one date window: ``relative_range`` or ``from_date`` with ``to_date``.
    """
    check_choice(report_name, "report_name", REPORT_NAMES)
    if (relative_range is None) == (from_date is None and to_date is None):
        raise ValueError("give either relative_range or from_date and to_date")
    if relative_range is not None:
        date_filter: dict[str, Any] = {
            "relative": check_choice(relative_range, "relative_range", RELATIVE_DATE_RANGES)
        }
    else:
        if from_date is None or to_date is None:
            raise ValueError("give both from_date and to_date")
        window = {"fromDate": _day(from_date, "from_date"), "toDate": _day(to_date, "to_date")}
        if window["fromDate"] > window["toDate"]:
            raise ValueError("from_date must not be after to_date")
        date_filter = {"absoluteRange": window}
    for name, value in (
        ("filters", filters),
        ("options", options),
        ("export_options", export_options),
    ):
        if value is not None and not isinstance(value, Mapping):
            raise ValueError(f"{name} must be a dict")
    return body_of(
        reportName=report_name,
        filter={
            "dateFilter": date_filter,
            "timezone": check_text(timezone, "timezone"),
            **(filters or {}),
        },
        options=None if options is None else dict(options),
        exportOptions=None if export_options is None else dict(export_options),
    )


def _export_id(value: str) -> str:
    text = check_text(value, "export_id")
    if "/" in text or "?" in text or "#" in text:
        raise ValueError("export_id must not contain '/', '?' or '#'")
    return text


class Analytics(Resource):
    """``client.analytics``: Analytics report exports (the Analytics+ entitlement)."""

    __slots__ = ()

    async def create_export(
        self,
        report_name: str,
        *,
        timezone: str,
        relative_range: str | None = None,
        from_date: date | str | None = None,
        to_date: date | str | None = None,
        filters: Mapping[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
        export_options: Mapping[str, Any] | None = None,
    ) -> AnalyticsExport:
        """Start an export (``POST /v1/analytics/report/export``); it begins PENDING.

        ``report_name`` is one of :data:`~aircall_async.models.REPORT_NAMES`; the window is
        ``relative_range`` (one of :data:`~aircall_async.models.RELATIVE_DATE_RANGES`) or
        ``from_date``/``to_date``; ``timezone`` (IANA) resolves it. ``filters`` merge into
        the filter object (``userIDs``, ``teamIDs``...), ``options`` and ``export_options``
        go as ``options``/``exportOptions``.

        Raises ValueError for an unknown report, not exactly one window, a bad date, a
        blank timezone, before sending; ForbiddenError without Analytics+.
        """
        payload = export_input(
            report_name,
            timezone=timezone,
            relative_range=relative_range,
            from_date=from_date,
            to_date=to_date,
            filters=filters,
            options=options,
            export_options=export_options,
        )
        return await self._send(
            "POST", "/analytics/report/export", None, AnalyticsExport, {"input": payload}
        )

    async def get_export(self, export_id: str) -> AnalyticsExport:
        """The current state of an export (``GET /v1/analytics/report/export/:id``); a
        fresh ``downloadUrl`` each time once COMPLETED.

        Raises ValueError for a blank id; NotFoundError for an unknown export.
        """
        path = f"/analytics/report/export/{_export_id(export_id)}"
        return await self._send("GET", path, None, AnalyticsExport)

    async def wait_export(
        self,
        export_id: str,
        *,
        timeout: float,
        interval: float = DEFAULT_POLL_INTERVAL,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
    ) -> str:
        """Poll an export every ``interval`` seconds until it is done; returns its
        download URL. Never waits past ``timeout`` seconds: the last poll is at the
        deadline.

        Raises ValueError for a bad id, ``timeout`` or ``interval``; ExportFailedError when
        it failed; ExportTimeoutError when still pending at the deadline; AircallError when
        a completed export has no download URL; the client's errors otherwise. ``clock``
        and ``sleep`` default to :func:`time.monotonic` and :func:`asyncio.sleep`.
        """
        clock = clock or time.monotonic
        sleep = sleep or asyncio.sleep
        _export_id(export_id)
        if not timeout > 0 or not interval > 0:
            raise ValueError("timeout and interval must be positive numbers of seconds")
        deadline = clock() + timeout
        while True:
            export = await self.get_export(export_id)
            if export.is_failed:
                raise ExportFailedError(export)
            if export.is_complete:
                if not export.downloadUrl:
                    raise AircallError(f"export {export_id} completed without a downloadUrl")
                return export.downloadUrl
            left = deadline - clock()
            if left <= 0:
                raise ExportTimeoutError(
                    f"export {export_id} still {export.status} after {timeout:g}s"
                )
            await sleep(min(interval, left))

    async def download_export(
        self,
        export_id: str,
        path: str | PathLike[str],
        *,
        timeout: float,
        interval: float = DEFAULT_POLL_INTERVAL,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
    ) -> Path:
        """Wait for an export (:meth:`wait_export`) and stream its file to ``path``.

        The file is written next to ``path`` and renamed into place once complete, so
        ``path`` never holds a partial download. Returns ``path``.

        Raises what :meth:`wait_export` raises; ValueError for a download URL that is not
        https (off loopback); APIError for a failed download; OSError for the file.
        """
        url = await self.wait_export(
            export_id, timeout=timeout, interval=interval, clock=clock, sleep=sleep
        )
        return await download_to(url, Path(path))


async def download_to(url: str, path: Path, *, chunk_size: int = _CHUNK) -> Path:
    """Stream ``url`` to ``path`` (through ``path`` + ``.part``); no credentials are sent.

    Raises ValueError for a URL that is not https (off loopback); APIError for an error
    status and TransportError when no answer came, both naming the URL without its query
    (the signature); OSError for the file.
    """
    check_url(url, "downloadUrl", https_only=True)
    shown = str(URL(url).with_query(None))
    partial = path.with_name(path.name + ".part")
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            if response.status != 200:
                raise APIError(response.status, error="download failed", method="GET", path=shown)
            with partial.open("wb") as out:
                async for chunk in response.content.iter_chunked(chunk_size):
                    out.write(chunk)
        os.replace(partial, path)
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        raise TransportError(
            f"download failed: {type(exc).__name__}", method="GET", path=shown
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return path
