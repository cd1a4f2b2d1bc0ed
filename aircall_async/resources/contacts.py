"""Contacts (reference section "Contact"): list, search, retrieve, create, update and delete
shared Contacts, and manage their phone numbers and e-mails one by one."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from ..errors import AmbiguousMatchError
from ..models import Contact, EmailDetail, Model, PhoneDetail
from ..pagination import Paginator
from ._base import (
    MAX_PER_PAGE,
    Order,
    Resource,
    Timestamp,
    body_of,
    check_choice,
    check_email,
    check_id,
    check_query_text,
    check_text,
    json_list,
    time_query,
    updates_of,
)
from .contact_matching import UpsertResult, normalize_phone, same_phone

__all__ = ["MAX_DETAILS", "MAX_NAME", "Contacts", "UpsertResult", "normalize_phone"]

#: A Contact holds at most this many phone numbers, and this many e-mails.
MAX_DETAILS = 20
#: The longest first_name, last_name or company_name the API accepts.
MAX_NAME = 255

#: The field a Contact listing is ordered by.
OrderBy = Literal["created_at", "updated_at"]


def _contact_path(contact_id: int, tail: str = "") -> str:
    return f"/contacts/{check_id(contact_id, 'contact_id')}{tail}"


def _details(
    values: Sequence[PhoneDetail | EmailDetail | Mapping[str, Any]], name: str
) -> list[dict[str, Any]]:
    items = json_list(values, name)
    for given, item in zip(values, items, strict=True):
        # A detail fetched from another Contact keeps its id; sent, the id would name a
        # detail of that other Contact. A new Contact's details have none.
        if isinstance(given, Model):
            item.pop("id", None)
    if len(items) > MAX_DETAILS:
        raise ValueError(f"{name} holds {len(items)} items; a Contact has at most {MAX_DETAILS}")
    for i, item in enumerate(items):
        check_text(item.get("label"), f"{name}[{i}].label")
        check_text(item.get("value"), f"{name}[{i}].value")
    return items


def _optional_text(value: str | None, name: str, limit: int | None = None) -> str | None:
    return None if value is None else check_text(value, name, limit=limit)


def _detail_body(value: str, label: str | None) -> dict[str, Any]:
    return body_of(label=_optional_text(label, "label"), value=check_text(value, "value"))


def _search_query(
    from_: Timestamp | None, to: Timestamp | None, order: Order | None, order_by: OrderBy | None
) -> dict[str, Any]:
    return {
        **time_query(from_=from_, to=to, order=order),
        "order_by": check_choice(order_by, "order_by", ("created_at", "updated_at")),
    }


def _continue_by(order_by: OrderBy | None) -> str | None:
    """Contacts filter ``from``/``to`` on ``created_at``: a listing continues past the cap
    by it only when it is ordered by it."""
    return "created_at" if order_by in (None, "created_at") else None


class Contacts(Resource):
    """``client.contacts``: the company's shared Contacts."""

    __slots__ = ()

    def list(
        self,
        *,
        from_: Timestamp | None = None,
        to: Timestamp | None = None,
        order: Order | None = None,
        order_by: OrderBy | None = None,
        per_page: int = MAX_PER_PAGE,
        limit: int | None = None,
    ) -> Paginator[Contact]:
        """Every shared Contact, optionally created in ``[from_, to]`` (``GET /v1/contacts``).

        ``order`` applies to ``order_by`` (created_at by default). Past the 10,000-item cap
        the paginator continues by creation time when ordered by it. Raises ValueError for
        a naive datetime or a bad ``order``/``order_by``/``per_page``/``limit``.
        """
        query = _search_query(from_, to, order, order_by)
        return self._list(
            "/contacts",
            "contacts",
            Contact,
            query,
            per_page=per_page,
            limit=limit,
            continue_by=_continue_by(order_by),
        )

    def search(
        self,
        *,
        from_: Timestamp | None = None,
        to: Timestamp | None = None,
        order: Order | None = None,
        order_by: OrderBy | None = None,
        phone_number: str | None = None,
        email: str | None = None,
        per_page: int = MAX_PER_PAGE,
        limit: int | None = None,
    ) -> Paginator[Contact]:
        """The shared Contacts matching ``phone_number`` and/or ``email``
        (``GET /v1/contacts/search``).

        Raises ValueError for a naive datetime, a blank ``phone_number``/``email`` or a bad
        ``order``/``order_by``/``per_page``/``limit``.
        """
        query = {
            **_search_query(from_, to, order, order_by),
            "phone_number": check_query_text(phone_number, "phone_number"),
            "email": check_query_text(email, "email"),
        }
        return self._list(
            "/contacts/search",
            "contacts",
            Contact,
            query,
            per_page=per_page,
            limit=limit,
            continue_by=_continue_by(order_by),
        )

    async def get(self, contact_id: int) -> Contact:
        """One shared Contact (``GET /v1/contacts/:id``); NotFoundError if unknown."""
        return await self._get_one(_contact_path(contact_id), "contact", Contact)

    async def create(
        self,
        *,
        phone_numbers: Sequence[PhoneDetail | Mapping[str, Any]],
        first_name: str | None = None,
        last_name: str | None = None,
        company_name: str | None = None,
        information: str | None = None,
        emails: Sequence[EmailDetail | Mapping[str, Any]] | None = None,
    ) -> Contact:
        """Create a shared Contact (``POST /v1/contacts``); the same payload twice makes two.

        ``phone_numbers`` (mandatory, 1 to 20) and ``emails`` (up to 20) are
        :class:`PhoneDetail`/:class:`EmailDetail` (their ``id`` is not sent, so details
        fetched from another Contact can be reused) or dicts with ``label`` and ``value``.
        Raises ValueError (naming the field) for a missing or over-long list, an item
        without label or value, a blank text or a name over 255 characters, before
        sending; BadRequestError when the API refuses it.
        """
        numbers = _details(phone_numbers, "phone_numbers")
        if not numbers:
            raise ValueError("phone_numbers must hold at least one phone number")
        body = body_of(
            first_name=_optional_text(first_name, "first_name", MAX_NAME),
            last_name=_optional_text(last_name, "last_name", MAX_NAME),
            company_name=_optional_text(company_name, "company_name", MAX_NAME),
            information=_optional_text(information, "information"),
            phone_numbers=numbers,
            emails=None if emails is None else _details(emails, "emails"),
        )
        return await self._send("POST", "/contacts", "contact", Contact, body)

    async def update(
        self,
        contact_id: int,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        company_name: str | None = None,
        information: str | None = None,
    ) -> Contact:
        """Change the fields given, and only those (``POST /v1/contacts/:id``: a POST).

        Phone numbers and e-mails have their own methods. Raises ValueError when nothing is
        given or a field is blank or too long, before sending; NotFoundError if unknown.
        """
        body = updates_of(
            first_name=_optional_text(first_name, "first_name", MAX_NAME),
            last_name=_optional_text(last_name, "last_name", MAX_NAME),
            company_name=_optional_text(company_name, "company_name", MAX_NAME),
            information=_optional_text(information, "information"),
        )
        return await self._send("POST", _contact_path(contact_id), "contact", Contact, body)

    async def delete(self, contact_id: int) -> None:
        """Delete a shared Contact (``DELETE /v1/contacts/:id``, 204); NotFoundError if unknown."""
        await self._do("DELETE", _contact_path(contact_id))

    async def add_phone_number(
        self, contact_id: int, *, value: str, label: str | None = None
    ) -> PhoneDetail:
        """Add a phone number to a Contact (``POST /v1/contacts/:id/phone_details``).

        Aircall normalizes ``value``. Raises ValueError for a blank ``value``/``label``
        before sending; ConflictError when the Contact already has 20 numbers.
        """
        path = _contact_path(contact_id, "/phone_details")
        body = _detail_body(value, label)
        return await self._send("POST", path, "phone_detail", PhoneDetail, body)

    async def update_phone_number(
        self, contact_id: int, phone_number_id: int, *, value: str, label: str | None = None
    ) -> PhoneDetail:
        """Replace one phone number of a Contact
        (``PUT /v1/contacts/:id/phone_details/:phone_number_id``; ``value`` is mandatory).

        Raises ValueError for a blank ``value``/``label`` before sending; NotFoundError when
        the Contact or the number does not exist.
        """
        detail = check_id(phone_number_id, "phone_number_id")
        path = _contact_path(contact_id, f"/phone_details/{detail}")
        body = _detail_body(value, label)
        return await self._send("PUT", path, "phone_detail", PhoneDetail, body)

    async def delete_phone_number(self, contact_id: int, phone_number_id: int) -> None:
        """Remove one phone number of a Contact
        (``DELETE /v1/contacts/:id/phone_details/:phone_number_id``, 204).

        Raises NotFoundError when the Contact or the number does not exist.
        """
        detail = check_id(phone_number_id, "phone_number_id")
        await self._do("DELETE", _contact_path(contact_id, f"/phone_details/{detail}"))

    async def add_email(
        self, contact_id: int, *, value: str, label: str | None = None
    ) -> EmailDetail:
        """Add an e-mail to a Contact (``POST /v1/contacts/:id/email_details``).

        Raises ValueError for a blank ``value``/``label`` before sending; ConflictError when
        the Contact already has 20 e-mails.
        """
        path = _contact_path(contact_id, "/email_details")
        body = _detail_body(value, label)
        return await self._send("POST", path, "email_detail", EmailDetail, body)

    async def update_email(
        self, contact_id: int, email_id: int, *, value: str, label: str | None = None
    ) -> EmailDetail:
        """Replace one e-mail of a Contact
        (``PUT /v1/contacts/:id/email_details/:email_id``; ``value`` is mandatory).

        Raises ValueError for a blank ``value``/``label`` before sending; NotFoundError when
        the Contact or the e-mail does not exist.
        """
        path = _contact_path(contact_id, f"/email_details/{check_id(email_id, 'email_id')}")
        body = _detail_body(value, label)
        return await self._send("PUT", path, "email_detail", EmailDetail, body)

    async def delete_email(self, contact_id: int, email_id: int) -> None:
        """Remove one e-mail of a Contact (``DELETE /v1/contacts/:id/email_details/:email_id``).

        Raises NotFoundError when the Contact or the e-mail does not exist.
        """
        path = _contact_path(contact_id, f"/email_details/{check_id(email_id, 'email_id')}")
        await self._do("DELETE", path)

    async def find_by_phone(self, phone_number: str) -> builtins.list[Contact]:
        """The shared Contacts that have ``phone_number`` (``GET /v1/contacts/search``).

        The number is normalized (:func:`normalize_phone`) before the search, and only the
        Contacts holding that very number are returned. Raises ValueError for a number
        that is not E.164 once separators are removed, before sending.
        """
        wanted = normalize_phone(phone_number)
        found = await self.search(phone_number=wanted).collect()
        return [c for c in found if any(same_phone(p.value, wanted) for p in c.phone_numbers)]

    async def find_by_email(self, email: str) -> builtins.list[Contact]:
        """The shared Contacts that have the e-mail ``email``, compared without regard to
        case (``GET /v1/contacts/search``). Raises ValueError for a malformed address."""
        wanted = check_email(email.strip() if isinstance(email, str) else email, "email")
        found = await self.search(email=wanted).collect()
        folded = wanted.casefold()
        return [c for c in found if any((e.value or "").casefold() == folded for e in c.emails)]

    async def upsert(
        self,
        *,
        phone_number: str,
        first_name: str | None = None,
        last_name: str | None = None,
        company_name: str | None = None,
        information: str | None = None,
        email: str | None = None,
        phone_label: str = "Work",
        email_label: str = "Work",
    ) -> UpsertResult:
        """Create the Contact with ``phone_number``, or update the one that has it.

        One search by phone number (:meth:`find_by_phone`); when one Contact matches, only
        the given fields that differ are sent (none: no request), and ``email`` is added
        when the Contact lacks it; when none matches, the Contact is created. ``None``
        leaves a field as it is. Not atomic: two upserts of one new number at the same
        time can both create it (Aircall has no unique constraint), so run one per number.

        Raises:
            AmbiguousMatchError: when several Contacts have the number (``ids`` lists them).
            ValueError: for a bad number, e-mail, blank or over-long field, before sending.
        """
        wanted = normalize_phone(phone_number)
        fields = {
            "first_name": _optional_text(first_name, "first_name", MAX_NAME),
            "last_name": _optional_text(last_name, "last_name", MAX_NAME),
            "company_name": _optional_text(company_name, "company_name", MAX_NAME),
            "information": _optional_text(information, "information"),
        }
        address = None if email is None else check_email(email.strip(), "email")
        check_text(phone_label, "phone_label")
        check_text(email_label, "email_label")
        matches = await self.find_by_phone(wanted)
        if len(matches) > 1:
            ids = sorted(c.id for c in matches)
            raise AmbiguousMatchError(
                f"{len(matches)} contacts have the phone number {wanted}: ids "
                f"{', '.join(map(str, ids))}; update one of them by id",
                ids=ids,
            )
        if not matches:
            contact = await self.create(
                phone_numbers=[{"label": phone_label, "value": wanted}],
                emails=None if address is None else [{"label": email_label, "value": address}],
                **fields,
            )
            return UpsertResult(contact, "created")
        contact = matches[0]
        changes = {
            name: value
            for name, value in fields.items()
            if value is not None and getattr(contact, name) != value
        }
        if changes:
            contact = await self.update(contact.id, **changes)
        changed = tuple(changes)
        if address is not None and not any(
            (e.value or "").casefold() == address.casefold() for e in contact.emails
        ):
            await self.add_email(contact.id, value=address, label=email_label)
            contact = await self.get(contact.id)
            changed += ("emails",)
        return UpsertResult(contact, "updated" if changed else "unchanged", changed)
