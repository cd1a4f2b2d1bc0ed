"""Messages (beyond the reference, docs/COVERAGE.md): SMS/MMS in an agent conversation or
skipping the inbox, group messages, WhatsApp, templates, line status and the messaging
configuration of a Number.

Every input is checked before anything is sent: numbers in E.164, a body of 1 to 1,600
characters (4,096 for WhatsApp text), media as a non-empty list of https URLs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..models import (
    GroupMessage,
    Message,
    MessagingConfiguration,
    SmsTemplate,
    WhatsAppLineStatus,
    WhatsAppTemplatePage,
)
from ..pagination import Paginator
from ._base import (
    MAX_PER_PAGE,
    Resource,
    body_of,
    check_e164,
    check_id,
    check_query_text,
    check_sequence,
    check_text,
    check_url,
)

__all__ = ["MAX_BODY", "MAX_WHATSAPP_TEXT", "Messages"]

#: Longest SMS/MMS body Aircall accepts, in characters.
MAX_BODY = 1600
#: Longest WhatsApp text Aircall accepts, in characters.
MAX_WHATSAPP_TEXT = 4096


def _number_path(number_id: int, tail: str) -> str:
    return f"/numbers/{check_id(number_id, 'number_id')}{tail}"


def _media(urls: Sequence[str] | None) -> list[str] | None:
    if urls is None:
        return None
    items = check_sequence(urls, "media_urls", "a non-empty list of https URLs", non_empty=True)
    return [check_url(url, f"media_urls[{i}]", https_only=True) for i, url in enumerate(items)]


def _participants(numbers: Sequence[str]) -> list[str]:
    what = "a non-empty list of phone numbers in E.164 format"
    items = check_sequence(numbers, "participants", what, non_empty=True)
    return [check_e164(n, f"participants[{i}]") for i, n in enumerate(items)]


def _agent(agent_id: int | None) -> int | None:
    return None if agent_id is None else int(check_id(agent_id, "agent_id"))


def _whatsapp(
    number_id: int,
    recipient_field: str,
    to: str,
    text: str | None,
    template_params: Mapping[str, Any] | None,
) -> dict[str, Any]:
    if (text is None) == (template_params is None):
        raise ValueError("give exactly one of text or template_params")
    if template_params is not None and not isinstance(template_params, Mapping):
        raise ValueError("template_params must be a dict of the template's values")
    return body_of(
        lineId=int(check_id(number_id, "number_id")),
        **{recipient_field: check_e164(to, "to")},
        text=None if text is None else check_text(text, "text", limit=MAX_WHATSAPP_TEXT),
        templateParams=None if template_params is None else dict(template_params),
    )


class Messages(Resource):
    """``client.messages``: send SMS/MMS/WhatsApp messages and read templates and status."""

    __slots__ = ()

    async def create_configuration(
        self, number_id: int, *, callback_url: str, type: str
    ) -> MessagingConfiguration:
        """Register a Number for sending outside the inbox
        (``POST /v1/numbers/:id/messages/configuration``), needed by
        :meth:`send_skipping_inbox`.

        Raises ValueError for a bad id, a ``callback_url`` that is not https or a blank
        ``type``, before sending; NotFoundError for an unknown Number.
        """
        body = {
            "callbackUrl": check_url(callback_url, "callback_url", https_only=True),
            "type": check_text(type, "type"),
        }
        path = _number_path(number_id, "/messages/configuration")
        return await self._object("POST", path, MessagingConfiguration, body)

    async def get_configuration(self, number_id: int) -> MessagingConfiguration:
        """The messaging configuration of a Number
        (``GET /v1/numbers/:id/messages/configuration``).

        Raises ValueError for a bad id; NotFoundError when there is none.
        """
        path = _number_path(number_id, "/messages/configuration")
        return await self._object("GET", path, MessagingConfiguration)

    async def delete_configuration(self, number_id: int) -> None:
        """Remove the messaging configuration of a Number
        (``DELETE /v1/numbers/:id/messages/configuration``).

        Raises ValueError for a bad id; NotFoundError when there is none.
        """
        await self._do("DELETE", _number_path(number_id, "/messages/configuration"))

    async def send_in_conversation(
        self,
        number_id: int,
        *,
        to: str,
        body: str,
        media_urls: Sequence[str] | None = None,
        agent_id: int | None = None,
    ) -> Message:
        """Send an SMS/MMS that agents see in their Aircall inbox and can answer
        (``POST /v1/numbers/:id/messages/native/send``).

        Raises ValueError for a ``to`` not in E.164, a blank or too long ``body``, media
        URLs that are not https, a bad id, before sending; the API's errors otherwise.
        """
        payload = body_of(
            to=check_e164(to, "to"),
            body=check_text(body, "body", limit=MAX_BODY),
            mediaUrl=_media(media_urls),
            agentId=_agent(agent_id),
        )
        path = _number_path(number_id, "/messages/native/send")
        return await self._send("POST", path, None, Message, payload)

    async def send_skipping_inbox(
        self, number_id: int, *, to: str, body: str, media_urls: Sequence[str] | None = None
    ) -> Message:
        """Send an SMS/MMS that does not appear in the inbox, for automated traffic
        (``POST /v1/numbers/:id/messages/send``); the Number needs a configuration
        (:meth:`create_configuration`).

        Raises ValueError like :meth:`send_in_conversation`; the API's errors otherwise.
        """
        payload = body_of(
            to=check_e164(to, "to"),
            body=check_text(body, "body", limit=MAX_BODY),
            mediaUrl=_media(media_urls),
        )
        path = _number_path(number_id, "/messages/send")
        return await self._send("POST", path, None, Message, payload)

    async def send_group_in_conversation(
        self,
        number_id: int,
        *,
        participants: Sequence[str],
        body: str,
        agent_id: int | None = None,
    ) -> GroupMessage:
        """Send a group message stored in the group conversation
        (``POST /v1/numbers/:id/messages/group/native/send``).

        Raises ValueError for participants that are not E.164 numbers (or none), a blank
        or too long ``body``, a bad id, before sending.
        """
        payload = body_of(
            participants=_participants(participants),
            body=check_text(body, "body", limit=MAX_BODY),
            agentId=_agent(agent_id),
        )
        path = _number_path(number_id, "/messages/group/native/send")
        return await self._send("POST", path, None, GroupMessage, payload)

    async def send_group_skipping_inbox(
        self,
        number_id: int,
        *,
        participants: Sequence[str],
        body: str | None = None,
        media_urls: Sequence[str] | None = None,
    ) -> GroupMessage:
        """Send a group message outside the inbox, text or media but not both
        (``POST /v1/numbers/:id/messages/group/send``).

        Raises ValueError for bad participants, neither or both of ``body`` and
        ``media_urls``, a bad body or URL, before sending.
        """
        if (body is None) == (media_urls is None):
            raise ValueError("give exactly one of body or media_urls")
        payload = body_of(
            participants=_participants(participants),
            body=None if body is None else check_text(body, "body", limit=MAX_BODY),
            mediaUrl=_media(media_urls),
        )
        path = _number_path(number_id, "/messages/group/send")
        return await self._send("POST", path, None, GroupMessage, payload)

    async def send_whatsapp_in_conversation(
        self,
        number_id: int,
        *,
        to: str,
        text: str | None = None,
        template_params: Mapping[str, Any] | None = None,
    ) -> Message:
        """Send a WhatsApp message into the agent conversation
        (``POST /v1/messages/send/whatsapp/native``; the number goes as ``lineId``, the
        recipient as ``externalNumber``).

        Raises ValueError for neither or both of ``text`` and ``template_params``, a
        ``to`` not in E.164, a text over 4,096 characters, a bad id, before sending.
        """
        payload = _whatsapp(number_id, "externalNumber", to, text, template_params)
        return await self._send("POST", "/messages/send/whatsapp/native", None, Message, payload)

    async def send_whatsapp_skipping_inbox(
        self,
        number_id: int,
        *,
        to: str,
        text: str | None = None,
        template_params: Mapping[str, Any] | None = None,
    ) -> Message:
        """Send a WhatsApp message outside the inbox (``POST /v1/messages/whatsapp/send``;
        the number goes as ``lineId``, the recipient as ``to``).

        Raises ValueError like :meth:`send_whatsapp_in_conversation`.
        """
        payload = _whatsapp(number_id, "to", to, text, template_params)
        return await self._send("POST", "/messages/whatsapp/send", None, Message, payload)

    def sms_templates(
        self,
        *,
        search: str | None = None,
        per_page: int = MAX_PER_PAGE,
        limit: int | None = None,
    ) -> Paginator[SmsTemplate]:
        """The company's SMS templates (``GET /v1/sms/templates``), optionally those whose
        name or body matches ``search``, at most ``limit`` of them.

        Raises ValueError for a blank ``search`` or a bad ``per_page``/``limit``.
        """
        query = {"search": check_query_text(search, "search")}
        return self._list(
            "/sms/templates", "templates", SmsTemplate, query, per_page=per_page, limit=limit
        )

    async def whatsapp_templates(
        self,
        number_id: int,
        *,
        status: str | None = None,
        category: str | None = None,
        token: str | None = None,
        limit: int | None = None,
        sort: str | None = None,
    ) -> WhatsAppTemplatePage:
        """One page of a Number's WhatsApp templates (``GET /v1/numbers/:id/templates``);
        pass the page's ``next_token`` as ``token`` for the next one.

        Raises ValueError for a bad id, a blank filter or a ``limit`` below 1.
        """
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 1
        ):
            raise ValueError(f"limit must be an integer >= 1, got {limit!r}")
        query = {
            "status": check_query_text(status, "status"),
            "category": check_query_text(category, "category"),
            "token": check_query_text(token, "token"),
            "limit": limit,
            "sort": check_query_text(sort, "sort"),
        }
        path = _number_path(number_id, "/templates")
        page = await self._get_one(path, None, WhatsAppTemplatePage, params=query)
        info = page.raw.get("pageInfo")
        next_token = info.get("nextToken") if isinstance(info, dict) else None
        page.next_token = next_token if isinstance(next_token, str) and next_token else None
        return page

    async def whatsapp_status(self, number_id: int) -> WhatsAppLineStatus:
        """The WhatsApp registration and health of a Number
        (``GET /v1/numbers/:id/whatsapp_status``).

        Raises ValueError for a bad id; NotFoundError for an unknown Number.
        """
        path = _number_path(number_id, "/whatsapp_status")
        return await self._get_one(path, None, WhatsAppLineStatus)
