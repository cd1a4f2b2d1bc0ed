"""Every response example of the reference parses into its model with the right values."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from aircall_async.models import (
    A2PCampaignAssociation,
    A2PUpdateStatus,
    AccessToken,
    Availability,
    Call,
    CallDirection,
    CallStatus,
    CallTag,
    Comment,
    Company,
    Contact,
    DialerCampaign,
    DialerPhoneNumber,
    EmailDetail,
    InsightCardText,
    InsightCardTitle,
    InsightCardType,
    InsightCardUser,
    Integration,
    Number,
    NumberAvailabilityStatus,
    NumberMessages,
    Participant,
    ParticipantType,
    PhoneDetail,
    Tag,
    Team,
    User,
    UserAvailability,
    UserAvailabilityStatus,
    Webhook,
    structure,
)
from tests import test_models_data as ex

UTC = timezone.utc


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def assert_user_john(user: User | None) -> None:
    assert isinstance(user, User)
    assert user.id == 456
    assert user.direct_link == "https://api.aircall.io/v1/users/456"
    assert user.name == "John Doe"
    assert user.email == "john.doe@aircall.io"
    assert user.created_at == utc(2019, 12, 29, 10, 3, 18)
    assert user.created_at is not None and user.created_at.utcoffset() is not None


def assert_french_office(number: Number | None, *, full_messages: bool = True) -> None:
    assert isinstance(number, Number)
    assert number.id == 1234
    assert number.name is not None and number.name.startswith("French Office")
    assert number.digits == "+33 1 76 11 11 11"
    assert number.created_at == utc(2020, 1, 2, 11, 41, 1)
    assert number.country == "FR"
    assert number.time_zone == "Europe/Paris"
    assert number.open is True
    assert number.availability_status is NumberAvailabilityStatus.CUSTOM
    assert number.is_ivr is True
    assert number.priority is None
    assert isinstance(number.messages, NumberMessages)
    if full_messages:
        assert number.messages.welcome == "https://example.com/welcome.mp3"
        assert number.messages.waiting == "https://example.com/waiting_music.mp3"
        assert number.messages.ivr == "https://example.com/ivr_message.mp3"
        assert number.messages.voicemail == "https://example.com/voicemail.mp3"
        assert number.messages.closed == "https://example.com/closed_message.mp3"
        assert number.messages.callback_later == "https://example.com/callback_later.mp3"
        assert number.messages.unanswered_call == "https://example.com/unanswered_call.mp3"
        assert number.messages.after_hours == "https://example.com/closed_message.mp3"
        assert number.messages.ringing_tone == "https://example.com/waiting_music.mp3"


# --- OAuth -----------------------------------------------------------------------


def test_access_token() -> None:
    token = structure(ex.ACCESS_TOKEN, AccessToken)
    assert token.access_token == "2d492d492d492d492d492d492d492d"
    assert token.token_type == "Bearer"
    assert token.created_at == utc(2020, 4, 2, 23, 3, 37)
    assert "2d492d" not in repr(token)


# --- Users -----------------------------------------------------------------------


def test_users_list_with_year_20120_degrading_to_none() -> None:
    users = [structure(item, User) for item in ex.USERS_LIST["users"]]
    assert [u.id for u in users] == [456, 457, 458]
    assert [u.availability_status for u in users] == [
        UserAvailabilityStatus.AVAILABLE,
        UserAvailabilityStatus.CUSTOM,
        UserAvailabilityStatus.UNAVAILABLE,
    ]
    assert users[1].created_at == utc(2019, 12, 30, 18, 10, 21)
    vera = users[2]
    assert vera.name == "Vera Martin"
    assert vera.created_at is None
    assert vera.raw["created_at"] == "20120-01-02T09:01:58.000Z"
    assert vera.available is False
    assert vera.time_zone == "Europe/Paris"
    assert vera.language == "fr-FR"
    assert vera.wrap_up_time == 0


def test_user_get_with_default_number_and_numbers() -> None:
    user = structure(ex.USER_GET["user"], User)
    assert_user_john(user)
    assert user.available is True
    assert user.time_zone == "America/New_York"
    assert user.language == "en-US"
    assert user.wrap_up_time == 0
    assert user.default_number_id == 1234
    assert len(user.numbers) == 1
    assert_french_office(user.numbers[0])
    assert user.numbers[0].live_recording_activated is True


def test_user_create_and_update() -> None:
    created = structure(ex.USER_CREATE["user"], User)
    assert created.id == 458
    assert created.name == "Jeffrey Curtis"
    assert created.available is False
    assert created.created_at == utc(2020, 2, 18, 20, 52, 22)
    assert created.numbers == []
    assert created.time_zone == "Etc/UTC"
    updated = structure(ex.USER_UPDATE["user"], User)
    assert updated.name == "Jeff Updated Curtis"
    assert updated.wrap_up_time == 55
    assert updated.time_zone == "America/New_York"


def test_user_availabilities() -> None:
    items = [structure(item, UserAvailability) for item in ex.USER_AVAILABILITIES["users"]]
    assert [(a.id, a.availability) for a in items] == [
        (456, Availability.AVAILABLE),
        (457, Availability.OFFLINE),
        (458, Availability.DO_NOT_DISTURB),
    ]
    single = structure(ex.USER_AVAILABILITY, UserAvailability)
    assert single.id is None
    assert single.availability is Availability.AFTER_CALL_WORK


# --- Teams -----------------------------------------------------------------------


@pytest.mark.parametrize("payload", [ex.TEAMS_LIST["teams"][0], ex.TEAM_GET["team"]])
def test_team_with_users(payload: dict[str, object]) -> None:
    team = structure(payload, Team)
    assert team.id == 678
    assert team.name == "Global Sales"
    assert team.direct_link == "https://api.aircall.io/v1/teams/678"
    assert team.created_at == utc(2020, 3, 10, 8, 31, 43)
    assert [type(u) for u in team.users] == [User, User]
    assert team.users[0].direct_link == "https://api.aircall.io/v1/users/4c56"
    assert team.users[0].available is None
    assert team.users[1].name == "Amy Rudd"
    assert team.users[1].time_zone == "Etc/UTC"


def test_team_create_add_remove_user() -> None:
    created = structure(ex.TEAM_CREATE["team"], Team)
    assert (created.id, created.name, created.users) == (679, "Support USA", [])
    assert created.created_at == utc(2020, 3, 10, 20, 29, 52)
    added = structure(ex.TEAM_ADD_USER["team"], Team)
    assert [u.id for u in added.users] == [456]
    assert added.users[0].created_at == utc(2019, 12, 29, 10, 3, 18)
    removed = structure(ex.TEAM_REMOVE_USER["team"], Team)
    assert removed.users == []


# --- Calls -----------------------------------------------------------------------


def assert_call_812(call: Call) -> None:
    assert call.id == 812
    assert call.direct_link == "https://api.aircall.io/v1/calls/812"
    assert call.direction is CallDirection.OUTBOUND
    assert call.status is CallStatus.DONE
    assert call.missed_call_reason is None
    assert call.started_at == utc(2020, 3, 23, 21, 16, 39)
    assert call.answered_at == utc(2020, 3, 23, 21, 16, 45)
    assert call.ended_at == utc(2020, 3, 23, 21, 16, 50)
    assert call.duration == 11
    assert call.voicemail is None and call.recording is None and call.asset is None
    assert call.raw_digits == "+1 800-123-4567"
    assert_user_john(call.user)
    assert call.user is not None and call.user.language == "en-US"
    assert call.contact is None
    assert call.assigned_to is None
    assert call.transferred_by is None and call.transferred_to is None
    assert call.cost == "2.34"
    assert_french_office(call.number)


def test_call_get_full() -> None:
    call = structure(ex.CALL_GET["call"], Call)
    assert_call_812(call)
    assert call.archived is False
    (comment,) = call.comments
    assert isinstance(comment, Comment)
    assert comment.id == 735
    assert comment.content == "Please call back this customer!"
    assert comment.posted_at == utc(2020, 4, 27, 13, 40, 8)
    assert isinstance(comment.posted_by, User)
    assert comment.posted_by.name == "Johnn Doe"
    (tag,) = call.tags
    assert isinstance(tag, CallTag)
    assert (tag.id, tag.name) == (678, "General Inquiries")
    assert tag.created_at == utc(2020, 4, 27, 13, 43, 40)
    assert isinstance(tag.tagged_by, User)
    assert tag.tagged_by.availability_status is UserAvailabilityStatus.AVAILABLE
    assert [type(p) for p in call.participants] == [Participant] * 3
    assert [(p.id, p.type, p.name) for p in call.participants] == [
        (456, ParticipantType.USER, "John Doe"),
        (5443, ParticipantType.CONTACT, "Jennifer Smith"),
        (457, ParticipantType.USER, "Rafael Lopez"),
    ]
    assert call.participants[0].phone_number is None
    assert call.participants[1].phone_number == "+33 7 49 88 29 71"
    assert call.teams == []
    assert call.ivr_options == []


def test_calls_list_with_no_available_agent_in_answered_at() -> None:
    first, second = (structure(item, Call) for item in ex.CALLS_LIST["calls"])
    assert_call_812(first)
    assert first.comments[0].posted_by is not None
    assert first.tags[0].tagged_by is not None
    assert second.id == 813
    assert second.direction is CallDirection.INBOUND
    assert second.started_at == utc(2020, 3, 23, 21, 16, 39)
    assert second.answered_at is None
    assert second.raw["answered_at"] == "no_available_agent"
    assert second.ended_at == utc(2020, 3, 23, 21, 16, 50)
    assert second.duration == 22
    assert second.user is None
    assert second.cost == "0"
    assert_french_office(second.number)
    (team,) = second.teams
    assert isinstance(team, Team)
    assert (team.id, team.name) == (678, "Global Sales")
    assert team.created_at == utc(2020, 3, 10, 8, 31, 43)


def test_calls_search() -> None:
    first, second = (structure(item, Call) for item in ex.CALLS_SEARCH["calls"])
    assert_call_812(first)
    assert (first.comments, first.tags, first.teams) == ([], [], [])
    assert second.id == 813
    assert second.answered_at is None
    assert second.raw["answered_at"] == "no_available_agent"


def test_call_archive_and_unarchive() -> None:
    archived = structure(ex.CALL_ARCHIVE["call"], Call)
    assert_call_812(archived)
    assert archived.archived is True
    unarchived = structure(ex.CALL_UNARCHIVE["call"], Call)
    assert_call_812(unarchived)
    assert unarchived.archived is False


def test_insight_card_lines() -> None:
    title, account, company, owner = ex.INSIGHT_CARD_CONTENTS
    t = structure(title, InsightCardTitle)
    assert (t.type, t.text, t.link) == (
        InsightCardType.TITLE,
        "My Custom CRM",
        "https://my-custom-crm.com",
    )
    a = structure(account, InsightCardText)
    assert (a.type, a.label, a.text, a.link) == (
        InsightCardType.SHORT_TEXT,
        "Account ID",
        "6789",
        "https://my-custom-crm.com/6789",
    )
    c = structure(company, InsightCardText)
    assert (c.label, c.text, c.link) == ("Company name", "Acme Inc.", None)
    u = structure(owner, InsightCardUser)
    assert (u.type, u.label, u.user_id) == (InsightCardType.USER, "Account Owner", 12345)
    assert InsightCardText(text="x").type == "shortText"


# --- Dialer campaigns --------------------------------------------------------------


def test_dialer_campaign_and_phone_numbers() -> None:
    campaign = structure(ex.DIALER_CAMPAIGN, DialerCampaign)
    assert campaign.id == 75555
    assert campaign.number_id is None
    assert campaign.created_at == utc(2020, 3, 21, 20, 20, 4)
    numbers = [structure(n, DialerPhoneNumber) for n in ex.DIALER_PHONE_NUMBERS["numbers"]]
    assert [(n.id, n.number, n.called) for n in numbers] == [
        (4671488, "+18002112223", False),
        (4671489, "+18003112224", False),
        (4671490, "+18004112225", False),
    ]
    assert numbers[0].created_at == utc(2020, 3, 20, 20, 42, 57)


# --- Numbers ---------------------------------------------------------------------


def test_numbers_list() -> None:
    french, uk = (structure(n, Number) for n in ex.NUMBERS_LIST["numbers"])
    assert_french_office(french)
    assert french.users == []
    assert uk.id == 2345
    assert uk.name == "UK office"
    assert uk.country == "GB"
    assert uk.created_at == utc(2020, 1, 4, 19, 28, 58)
    assert uk.live_recording_activated is False


def test_number_get_update_and_messages() -> None:
    number = structure(ex.NUMBER_GET["number"], Number)
    assert_french_office(number)
    (user,) = number.users
    assert_user_john(user)
    updated = structure(ex.NUMBER_UPDATE["number"], Number)
    assert updated.name == "French Office UPDATED"
    assert updated.users[0].id == 3456
    assert updated.users[0].created_at == utc(2019, 12, 29, 10, 3, 18)
    with_messages = structure(ex.NUMBER_UPDATE_MESSAGES["number"], Number)
    assert_french_office(with_messages)
    assert with_messages.users == []


def test_number_from_a_webhook_delivery() -> None:
    number = structure(ex.NUMBER_WEBHOOK_DATA, Number)
    assert (number.id, number.open, number.created_at, number.messages) == (456, False, None, None)
    assert number.users[0].name == "Madelaine Dupont"


# --- Contacts --------------------------------------------------------------------


def test_contacts_list_and_search() -> None:
    vicente, margaret = (structure(c, Contact) for c in ex.CONTACTS_LIST["contacts"])
    assert vicente.id == 710
    assert (vicente.first_name, vicente.last_name) == ("Vicente", "Abad")
    assert vicente.company_name is None and vicente.information is None
    assert vicente.is_shared is True
    assert vicente.created_at == utc(2014, 5, 21, 16, 50, 54)
    assert vicente.updated_at == utc(2015, 10, 8, 20, 35, 6)
    assert vicente.emails == []
    assert vicente.phone_numbers == [PhoneDetail(id=3367, label="Mobile", value="+34664673697")]
    assert margaret.company_name == "TeleWorm"
    assert [p.value for p in margaret.phone_numbers] == ["+34768776683", "+49111000460"]
    assert margaret.emails == [EmailDetail(id=3200, label="Work", value="m.morrison@teleworm.es")]
    (found,) = (structure(c, Contact) for c in ex.CONTACTS_SEARCH["contacts"])
    assert found == margaret


def test_contact_get_create_update() -> None:
    got = structure(ex.CONTACT_GET["contact"], Contact)
    assert got.id == 710 and got.phone_numbers[0].id == 3367
    created = structure(ex.CONTACT_CREATE["contact"], Contact)
    assert created.id == 719
    assert created.information == "external_custom_id:87123"
    assert created.created_at == created.updated_at == utc(2020, 3, 24, 20, 50, 40)
    assert created.emails == [EmailDetail(id=9170, label="Office", value="gary.jennings@acme.com")]
    assert created.phone_numbers == [PhoneDetail(id=9171, label="Work", value="+19001112222")]
    updated = structure(ex.CONTACT_UPDATE["contact"], Contact)
    assert (updated.first_name, updated.company_name) == ("Vicente UPDATED", "Lerox Inc.")


def test_phone_and_email_details() -> None:
    assert structure(ex.PHONE_DETAIL_ADD["phone_detail"], PhoneDetail) == PhoneDetail(
        id=5200, label="Work", value="19161110000"
    )
    assert structure(ex.PHONE_DETAIL_UPDATE["phone_detail"], PhoneDetail) == PhoneDetail(
        id=5200, label="Home UPDATED", value="19161110011"
    )
    assert structure(ex.EMAIL_DETAIL_ADD["email_detail"], EmailDetail) == EmailDetail(
        id=5201, label="Work", value="v.lightner@example.com"
    )
    assert structure(ex.EMAIL_DETAIL_UPDATE["email_detail"], EmailDetail) == EmailDetail(
        id=5201, label="Work", value="v.updated@example.com"
    )


# --- Tags ------------------------------------------------------------------------


def test_tags() -> None:
    tags = [structure(t, Tag) for t in ex.TAGS_LIST["tags"]]
    assert [(t.id, t.name, t.color, t.description) for t in tags] == [
        (678, "General Inquiries", "#0662B5", None),
        (679, "Feedback", "#008f6c", None),
        (680, "Spam Call", "#FCBB26", None),
    ]
    assert structure(ex.TAG_GET["tag"], Tag) == tags[0]
    assert structure(ex.TAG_CREATE["tag"], Tag) == Tag(id=681, name="VIP Customer", color="#00B388")
    updated = structure(ex.TAG_UPDATE["tag"], Tag)
    assert (updated.id, updated.name) == (681, "Tier 2 Customer")


# --- Webhooks --------------------------------------------------------------------


def test_webhooks_list_and_get() -> None:
    first, second = (structure(w, Webhook) for w in ex.WEBHOOKS_LIST["webhooks"])
    assert first.id == 1001
    assert first.webhook_id == "c2501111-8a69-4342-bb34-bcd6cfe564ab"
    assert first.created_at == utc(2020, 4, 1, 15, 56, 18)
    assert first.url == "https://my-server.example.com/webhooks/calls"
    assert first.active is True
    assert first.token == "abc123def456ghi789"
    assert "abc123def456ghi789" not in repr(first)
    assert first.events == ["call.assigned", "call.transferred", "call.ringing_on_agent"]
    assert first.custom_name is None
    assert (second.id, second.events) == (1002, ["number.opened", "number.closed"])
    assert structure(ex.WEBHOOK_GET["webhook"], Webhook) == first


def test_webhook_create_and_update() -> None:
    created = structure(ex.WEBHOOK_CREATE["webhook"], Webhook)
    assert created.id == 26316
    assert created.created_at == utc(2020, 3, 24, 19, 51, 24)
    assert created.events == ["contact.created", "contact.updated", "contact.deleted"]
    assert created.token == "df76g76dpziygs567f0"
    updated = structure(ex.WEBHOOK_UPDATE["webhook"], Webhook)
    assert updated.webhook_id == "c2501111-8a69-4342-bb34-bcd6cfe564ac"
    assert updated.url == "https://my-new-server.example.com/webhooks/contacts"


# --- Company, integrations, A2P ------------------------------------------------------


def test_company() -> None:
    assert structure(ex.COMPANY_GET["company"], Company) == Company(
        name="Acme Inc.", users_count=146, numbers_count=28
    )


def test_integration_me() -> None:
    integration = structure(ex.INTEGRATION_ME["integration"], Integration)
    assert integration.id == 1234
    assert integration.name == "My app"
    assert integration.logo == "https://cdn.aircall.io/applications/standard/staging/ico_91.svg"
    assert integration.company_id == 1
    assert integration.status == "active"
    assert integration.active is True
    assert integration.created_at == utc(2020, 11, 2, 15, 38, 16)
    assert integration.updated_at == utc(2020, 11, 2, 15, 38, 29)
    assert integration.deleted_at is None
    assert integration.number_ids == [123456]
    assert integration.numbers_count == 1
    assert integration.custom_name is None
    assert_user_john(integration.user)


@pytest.mark.parametrize(
    "payload",
    [
        ex.A2P_LIST["a2p_campaign_associations"][0],
        ex.A2P_GET["a2p_campaign_association"],
        ex.A2P_CREATE["a2p_campaign_association"],
        ex.A2P_UPDATE["a2p_campaign_association"],
    ],
)
def test_a2p_campaign_association(payload: dict[str, object]) -> None:
    assoc = structure(payload, A2PCampaignAssociation)
    assert assoc.id == 458
    assert assoc.company_id == 501
    assert assoc.external_id == "CNXIO"
    assert assoc.update_status is A2PUpdateStatus.PENDING
    assert assoc.update_message is None
    assert assoc.created_at == assoc.updated_at == utc(2020, 2, 18, 20, 52, 22)
    assert assoc.numbers == [1279876456]
