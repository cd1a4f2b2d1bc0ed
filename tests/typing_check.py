"""Static typing check of the resources (not a test module: mypy reads it, pytest does not).

Run: ``mypy --strict tests/typing_check.py``. Every ``assert_type`` fails the type check
if a method or a paginator stops giving its concrete model type. Nothing here runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from aircall_async import AircallClient, Paginator
from aircall_async.models import (
    A2PCampaignAssociation,
    AccessToken,
    Call,
    Company,
    Contact,
    DialerCampaign,
    DialerPhoneNumber,
    EmailDetail,
    InsightCardLine,
    InsightCardLineBase,
    InsightCardText,
    InsightCardTitle,
    InsightCardUser,
    Integration,
    Number,
    PhoneDetail,
    Tag,
    Team,
    User,
    UserAvailability,
    Webhook,
)
from aircall_async.oauth import exchange_code

if TYPE_CHECKING:
    from typing_extensions import assert_type


async def check_users(client: AircallClient) -> None:
    assert_type(client.users.list(), Paginator[User])
    async for user in client.users.list(order="desc"):
        assert_type(user, User)
    assert_type(await client.users.get(456), User)
    assert_type(await client.users.create(email="a@b.io", first_name="A", last_name="B"), User)
    assert_type(await client.users.update(456, first_name="A"), User)
    assert_type(await client.users.delete(456), None)
    async for availability in client.users.availabilities():
        assert_type(availability, UserAvailability)
    assert_type(await client.users.availability(456), UserAvailability)
    assert_type(await client.users.start_call(456, number_id=1234, to="+18001231234"), None)
    assert_type(await client.users.dial(456, to="+18001231234"), None)


async def check_teams(client: AircallClient) -> None:
    async for team in client.teams.list():
        assert_type(team, Team)
    assert_type(await client.teams.get(678), Team)
    assert_type(await client.teams.create(name="Support"), Team)
    assert_type(await client.teams.add_user(678, 456), Team)
    assert_type(await client.teams.remove_user(678, 456), Team)
    assert_type(await client.teams.delete(678), None)


async def check_calls(client: AircallClient) -> None:
    assert_type(client.calls.list(from_=0), Paginator[Call])
    async for call in client.calls.list():
        assert_type(call, Call)
    async for found in client.calls.search(tags=[1, 2], direction="inbound"):
        assert_type(found, Call)
    assert_type(await client.calls.list().collect(), list[Call])
    async for page in client.calls.list().pages():
        assert_type(page.items, list[Call])
    assert_type(await client.calls.get(812), Call)
    assert_type(await client.calls.archive(812), Call)
    assert_type(await client.calls.unarchive(812), Call)
    assert_type(await client.calls.transfer(812, user_id=456), None)
    assert_type(await client.calls.comment(812, content="Call back"), None)
    assert_type(await client.calls.tag(812, tags=[678]), None)
    assert_type(await client.calls.pause_recording(812), None)
    assert_type(await client.calls.resume_recording(812), None)
    assert_type(await client.calls.delete_recording(812), None)
    assert_type(await client.calls.delete_voicemail(812), None)
    # Inline, the list takes the parameter's type.
    assert_type(
        await client.calls.insight_cards(
            812,
            contents=[
                InsightCardTitle(text="CRM"),
                InsightCardText(label="Id", text="1"),
                InsightCardUser(label="Owner", user_id=456),
            ],
        ),
        None,
    )
    lines: list[InsightCardLine] = [InsightCardTitle(text="CRM")]
    assert_type(await client.calls.insight_cards(812, contents=lines), None)
    # Unannotated, mypy joins the kinds to their common base, which the method takes.
    mixed = [
        InsightCardTitle(text="CRM"),
        InsightCardText(label="Id", text="1"),
        InsightCardUser(label="Owner", user_id=456),
    ]
    assert_type(mixed, list[InsightCardLineBase])
    assert_type(await client.calls.insight_cards(812, contents=mixed), None)
    assert_type(
        await client.calls.insight_cards(812, contents=[{"type": "title", "text": "CRM"}]), None
    )


async def check_dialer_campaigns(client: AircallClient) -> None:
    assert_type(await client.dialer_campaigns.get(456), DialerCampaign)
    assert_type(await client.dialer_campaigns.phone_numbers(456), list[DialerPhoneNumber])
    assert_type(await client.dialer_campaigns.create(456, phone_numbers=["+1916"]), None)


async def check_numbers(client: AircallClient) -> None:
    async for number in client.numbers.list():
        assert_type(number, Number)
    assert_type(await client.numbers.get(1234), Number)
    assert_type(await client.numbers.update(1234, messages={"welcome": "https://x"}), Number)


async def check_contacts(client: AircallClient) -> None:
    async for contact in client.contacts.list(order_by="updated_at"):
        assert_type(contact, Contact)
    async for match in client.contacts.search(email="a@b.io"):
        assert_type(match, Contact)
    created = await client.contacts.create(phone_numbers=[{"label": "Work", "value": "+1900"}])
    assert_type(created, Contact)
    assert_type(await client.contacts.update(710, first_name="V"), Contact)
    assert_type(await client.contacts.add_phone_number(710, value="+1900"), PhoneDetail)
    assert_type(await client.contacts.update_phone_number(710, 1, value="+1900"), PhoneDetail)
    assert_type(await client.contacts.add_email(710, value="a@b.io"), EmailDetail)
    assert_type(await client.contacts.update_email(710, 5201, value="a@b.io"), EmailDetail)


async def check_other_resources(client: AircallClient) -> None:
    async for tag in client.tags.list():
        assert_type(tag, Tag)
    assert_type(await client.tags.create(name="VIP", color="#00B388"), Tag)
    async for webhook in client.webhooks.list():
        assert_type(webhook, Webhook)
    assert_type(await client.webhooks.get("c2501111-8a69"), Webhook)
    assert_type(await client.webhooks.update(1001, active=True), Webhook)
    assert_type(await client.company.get(), Company)
    assert_type(await client.integrations.me(), Integration)
    assert_type(await client.integrations.enable(install=True), None)
    async for association in client.a2p_campaign_associations.list():
        assert_type(association, A2PCampaignAssociation)
    assert_type(await client.a2p_campaign_associations.get(458), A2PCampaignAssociation)


async def check_oauth() -> None:
    token = await exchange_code(
        client_id="c", client_secret="s", code="x", redirect_uri="https://e"
    )
    assert_type(token, AccessToken)


async def check_paginators(client: AircallClient) -> None:
    calls = client.calls.list(order="desc")
    assert_type(await calls.first(), Call | None)
    items = aiter(calls)
    async for call in items:
        assert_type(call, Call)
        break
    assert_type(await items.aclose(), None)
    pages = calls.pages()
    async for page in pages:
        assert_type(page.items, list[Call])
        break
    assert_type(await pages.aclose(), None)
    assert_type(await calls.aclose(), None)
    raw = client.paginate("/calls", "calls", continue_by="started_at", limit=3)
    assert_type(raw, Paginator[dict[str, Any]])
    assert_type(await raw.first(), dict[str, Any] | None)


def check_webhook_router() -> None:
    from aircall_async.webhooks import CallEvent, ContactEvent, WebhookEvent, WebhookRouter

    router = WebhookRouter()

    @router.on("call.ended", "call.tagged")
    async def on_call(event: CallEvent) -> None:
        assert_type(event.data, Call)

    @router.on("call.*")
    async def on_any_call(event: WebhookEvent) -> None:  # a bare WebhookEvent is fine
        assert_type(event.data, Any)

    @router.on("contact.created")
    async def on_contact(event: ContactEvent) -> None:
        assert_type(event.data, Contact)

    # The wrong event class for the names: mypy must reject it (an unused ignore fails).
    @router.on("contact.created")  # type: ignore[type-var]
    async def wrong(event: CallEvent) -> None: ...

    @router.on("*")
    async def everything(event: WebhookEvent[Any]) -> None: ...


async def check_required_ids(client: AircallClient) -> None:
    from aircall_async.models import CallTag, Comment, Participant

    call = await client.calls.get(812)
    assert_type(call.id, int)
    assert_type(attrs.fields(Call).id, attrs.Attribute[int])  # the field is declared int
    following: int = call.id + 1  # no None check: the id is an int
    assert_type(following, int)
    async for user in client.users.list():
        assert_type(user.id + 1, int)
    assert_type((await client.contacts.get(710)).id, int)
    for model in (Call(id=1), User(id=1), Team(id=1), Number(id=1), Contact(id=1), Tag(id=1)):
        assert_type(model.id, int)
    assert_type(Comment(id=1).id, int)
    assert_type(DialerCampaign(id=1).id, int)
    assert_type(DialerPhoneNumber(id=1).id, int)
    assert_type(A2PCampaignAssociation(id=1).id, int)
    webhook = await client.webhooks.get("c2501111-8a69")
    assert_type(webhook.webhook_id, str)
    assert_type(Webhook(webhook_id="c2501111-8a69").webhook_id, str)
    assert_type(webhook.id, int | None)  # the deprecated integer id may be absent
    # Objects that may come (or be written) without an id keep it optional.
    assert_type(PhoneDetail().id, int | None)
    assert_type(EmailDetail().id, int | None)
    assert_type(CallTag().id, int | None)
    assert_type(Participant().id, int | str | None)
    assert_type(UserAvailability().id, int | None)
    assert_type(Integration().id, int | None)
    # Building one without its id is a type error (an unused ignore fails the check).
    Call()  # type: ignore[call-arg]
    Webhook(id=1001)  # type: ignore[call-arg]
