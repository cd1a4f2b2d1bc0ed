"""Leniency, open enums, datetimes and round trips of the models' one converter."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aircall_async.models as models_package
from aircall_async.errors import AircallError, ResponseShapeError
from aircall_async.models import (
    A2PCampaignAssociation,
    AccessToken,
    Call,
    CallStatus,
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
    IvrOption,
    MissedCallReason,
    Model,
    Number,
    Participant,
    PhoneDetail,
    Tag,
    Team,
    User,
    UserAvailability,
    Webhook,
    check_required,
    structure,
    unstructure,
)
from aircall_async.models._converter import converter
from tests import test_models_data as ex

UTC = timezone.utc

# (model, payload) for every object example of the reference.
EXAMPLES: list[tuple[type[Model], dict[str, Any]]] = [
    (AccessToken, ex.ACCESS_TOKEN),
    *[(User, u) for u in ex.USERS_LIST["users"]],
    (User, ex.USER_GET["user"]),
    (User, ex.USER_CREATE["user"]),
    (User, ex.USER_UPDATE["user"]),
    *[(UserAvailability, a) for a in ex.USER_AVAILABILITIES["users"]],
    (UserAvailability, ex.USER_AVAILABILITY),
    (Team, ex.TEAMS_LIST["teams"][0]),
    (Team, ex.TEAM_GET["team"]),
    (Team, ex.TEAM_CREATE["team"]),
    (Team, ex.TEAM_ADD_USER["team"]),
    (Team, ex.TEAM_REMOVE_USER["team"]),
    *[(Call, c) for c in ex.CALLS_LIST["calls"]],
    (Call, ex.CALL_GET["call"]),
    *[(Call, c) for c in ex.CALLS_SEARCH["calls"]],
    (Call, ex.CALL_ARCHIVE["call"]),
    (Call, ex.CALL_UNARCHIVE["call"]),
    (Call, ex.FULL_CALL),
    (DialerCampaign, ex.DIALER_CAMPAIGN),
    *[(DialerPhoneNumber, n) for n in ex.DIALER_PHONE_NUMBERS["numbers"]],
    *[(Number, n) for n in ex.NUMBERS_LIST["numbers"]],
    (Number, ex.NUMBER_GET["number"]),
    (Number, ex.NUMBER_UPDATE["number"]),
    (Number, ex.NUMBER_UPDATE_MESSAGES["number"]),
    (Number, ex.NUMBER_WEBHOOK_DATA),
    *[(Contact, c) for c in ex.CONTACTS_LIST["contacts"]],
    (Contact, ex.CONTACT_GET["contact"]),
    (Contact, ex.CONTACT_CREATE["contact"]),
    (Contact, ex.CONTACT_UPDATE["contact"]),
    (PhoneDetail, ex.PHONE_DETAIL_ADD["phone_detail"]),
    (PhoneDetail, ex.PHONE_DETAIL_UPDATE["phone_detail"]),
    (EmailDetail, ex.EMAIL_DETAIL_ADD["email_detail"]),
    (EmailDetail, ex.EMAIL_DETAIL_UPDATE["email_detail"]),
    *[(Tag, t) for t in ex.TAGS_LIST["tags"]],
    (Tag, ex.TAG_CREATE["tag"]),
    *[(Webhook, w) for w in ex.WEBHOOKS_LIST["webhooks"]],
    (Webhook, ex.WEBHOOK_CREATE["webhook"]),
    (Company, ex.COMPANY_GET["company"]),
    (Integration, ex.INTEGRATION_ME["integration"]),
    (A2PCampaignAssociation, ex.A2P_GET["a2p_campaign_association"]),
    (InsightCardTitle, ex.INSIGHT_CARD_CONTENTS[0]),
    (InsightCardText, ex.INSIGHT_CARD_CONTENTS[1]),
    (InsightCardUser, ex.INSIGHT_CARD_CONTENTS[3]),
]


def assert_shape_kept(original: Any, produced: Any, path: str = "$") -> None:
    """``produced`` holds exactly the keys and values of ``original``."""
    if isinstance(original, dict):
        assert isinstance(produced, dict), path
        assert set(produced) == set(original), path
        for key, value in original.items():
            assert_shape_kept(value, produced[key], f"{path}.{key}")
    elif isinstance(original, list):
        assert isinstance(produced, list) and len(produced) == len(original), path
        for i, (a, b) in enumerate(zip(original, produced, strict=True)):
            assert_shape_kept(a, b, f"{path}[{i}]")
    elif isinstance(original, str) and original.endswith("+00:00"):
        # Integration's "2020-11-02T15:38:16.000+00:00": written back in the Z form.
        assert produced == original.replace("+00:00", "Z"), path
    else:
        assert produced == original and type(produced) is type(original), path


@pytest.mark.parametrize(("cls", "payload"), EXAMPLES)
def test_unstructure_gives_back_the_api_shape_and_round_trips(
    cls: type[Model], payload: dict[str, Any]
) -> None:
    model = structure(payload, cls)
    assert model.raw is payload
    out = unstructure(model, include_secrets=True)
    assert "raw" not in out
    json.dumps(out)  # JSON-ready: no datetime, enum member or model left
    # Everything received comes back, values that could not be parsed (the reference's
    # year 20120, an answered_at of "no_available_agent") as received; nothing is added.
    assert_shape_kept(payload, out)
    assert structure(out, cls) == model


def test_call_times_go_back_as_unix_seconds_and_user_times_as_iso() -> None:
    out = unstructure(structure(ex.FULL_CALL, Call))
    assert out["started_at"] == 1584998199 and type(out["started_at"]) is int
    assert out["comments"][0]["posted_at"] == 1587994808
    assert out["user"]["created_at"] == "2019-12-29T10:03:18.000Z"
    assert out["number"]["created_at"] == "2020-01-02T11:41:01.000Z"
    assert out["status"] == "done" and type(out["status"]) is str


def test_unknown_fields_are_ignored() -> None:
    payload = {**ex.TAG_GET["tag"], "emoji": "🎉", "nested": {"a": [1, 2]}, "color": "#123456"}
    tag = structure(payload, Tag)
    assert tag == Tag(id=678, name="General Inquiries", color="#123456")
    assert tag.raw["emoji"] == "🎉"
    out = unstructure(tag)
    assert out["emoji"] == "🎉" and out["nested"] == {"a": [1, 2]}


def test_unknown_enum_values_are_kept() -> None:
    call = structure(
        {"id": 1, "status": "on_hold", "missed_call_reason": "robot", "direction": "inbound"},
        Call,
    )
    assert isinstance(call.status, CallStatus)
    assert call.status == "on_hold"
    assert call.status.value == "on_hold"
    assert str(call.status) == "on_hold"
    assert call.status.is_known is False
    assert call.status != CallStatus.DONE
    assert isinstance(call.missed_call_reason, MissedCallReason)
    assert call.missed_call_reason == "robot"
    assert call.direction is not None and call.direction.is_known
    assert CallStatus("done") is CallStatus.DONE
    assert CallStatus.DONE.is_known
    assert CallStatus("DONE").is_known is False  # a name is not a value
    out = unstructure(call)
    assert (out["status"], out["missed_call_reason"]) == ("on_hold", "robot")
    assert structure(out, Call) == call


def test_a_closed_set_field_given_a_non_string_degrades() -> None:
    call = structure({"id": 2, "status": 3, "direction": ["inbound"]}, Call)
    assert (call.id, call.status, call.direction) == (2, None, None)
    line = structure({"type": 7, "text": "t"}, InsightCardTitle)
    assert (line.type, line.text) == (InsightCardType.TITLE, "t")
    line = structure({"type": None, "text": "t"}, InsightCardTitle)
    assert (line.type, line.text) == (InsightCardType.TITLE, "t")
    assert structure({"id": 3, "status": None}, Call).status is None


def test_wrong_types_degrade_one_field_and_keep_the_rest() -> None:
    payload: dict[str, Any] = {
        **ex.FULL_CALL,
        "duration": "eleven",
        "raw_digits": {"not": "a string"},
        "archived": "yes",
        "teams": "none",
        "user": "John Doe",
        "number": {**ex.FULL_CALL["number"], "open": 1, "messages": ["x"]},
        "comments": [{"id": 9, "content": 5}],
        "participants": [{"id": 1, "type": "user"}, "not an object"],
    }
    call = structure(payload, Call)
    assert call.raw is payload
    assert (call.id, call.duration, call.raw_digits, call.archived) == (812, None, None, None)
    assert call.user is None
    assert call.teams == []
    assert call.participants == []
    assert call.number is not None
    assert (call.number.id, call.number.open, call.number.messages) == (1234, None, None)
    assert call.number.raw["open"] == 1
    assert call.comments[0].id == 9 and call.comments[0].content is None
    assert call.comments[0].raw == {"id": 9, "content": 5}
    # The rest of the Call is intact.
    assert call.status is CallStatus.DONE
    assert call.started_at == datetime(2020, 3, 23, 21, 16, 39, tzinfo=UTC)
    assert call.tags[0].tagged_by is not None and call.tags[0].tagged_by.id == 456


def test_numbers_are_not_coerced_from_strings_or_bools() -> None:
    company = structure({"name": 5, "users_count": "146", "numbers_count": 28.0}, Company)
    assert company == Company(name=None, users_count=None, numbers_count=28)
    assert structure({"users_count": False}, Company).users_count is None


def test_items_of_a_list_of_strings_are_not_coerced() -> None:
    # One rule for every list: a bad item fails the whole list, which degrades to [].
    webhook = structure({"webhook_id": "w", "events": ["call.created", 1, {"x": 1}]}, Webhook)
    assert (webhook.webhook_id, webhook.events) == ("w", [])
    assert webhook.raw["events"] == ["call.created", 1, {"x": 1}]
    good = structure({"webhook_id": "w", "events": ["call.created", "call.ended"]}, Webhook)
    assert good.events == ["call.created", "call.ended"]


def test_items_of_a_list_of_ints_are_not_coerced() -> None:
    for bad in ([2.7], ["16"], [False], [3, None]):
        integration = structure({"id": 1, "number_ids": bad}, Integration)
        assert (integration.id, integration.number_ids) == (1, []), bad
    assert structure({"number_ids": [2, 16.0]}, Integration).number_ids == [2, 16]


@pytest.mark.parametrize(
    ("value", "cls"),
    [("no", bool), (0, bool), (1, str), ({"a": 1}, str), ("12", int), (True, int), (2.7, int)],
)
def test_the_converter_itself_is_strict_on_primitives(value: Any, cls: type) -> None:
    with pytest.raises(TypeError, match="expected"):
        converter.structure(value, cls)


def test_the_converter_still_structures_primitives_and_enums() -> None:
    assert converter.structure("a", str) == "a"
    assert converter.structure(3.0, int) == 3
    assert converter.structure(False, bool) is False
    assert converter.structure("done", CallStatus) is CallStatus.DONE
    assert converter.structure("on_hold", CallStatus) == "on_hold"
    assert converter.structure(["done", "x"], list[CallStatus]) == [CallStatus.DONE, "x"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1584998199, datetime(2020, 3, 23, 21, 16, 39, tzinfo=UTC)),
        (1584998199.5, datetime(2020, 3, 23, 21, 16, 39, 500000, tzinfo=UTC)),
        ("2020-03-23T21:16:39.000Z", datetime(2020, 3, 23, 21, 16, 39, tzinfo=UTC)),
        ("2020-03-23T21:16:39Z", datetime(2020, 3, 23, 21, 16, 39, tzinfo=UTC)),
        # A lowercase "z" parses the same on every Python (3.11's fromisoformat refuses it).
        ("2020-03-23T21:16:39.000z", datetime(2020, 3, 23, 21, 16, 39, tzinfo=UTC)),
        ("2020-03-23T22:16:39.000+01:00", datetime(2020, 3, 23, 21, 16, 39, tzinfo=UTC)),
        ("2020-03-23T21:16:39", datetime(2020, 3, 23, 21, 16, 39, tzinfo=UTC)),
        ("1584998199", datetime(2020, 3, 23, 21, 16, 39, tzinfo=UTC)),
    ],
)
def test_any_datetime_field_accepts_unix_seconds_or_iso(value: Any, expected: datetime) -> None:
    call = structure({"id": 1, "started_at": value}, Call)
    user = structure({"id": 1, "created_at": value}, User)
    for got in (call.started_at, user.created_at):
        assert got == expected
        assert got is not None and got.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value", ["20120-01-02T09:01:58.000Z", "no_available_agent", True, 10**20, [1], float("nan")]
)
def test_a_bad_datetime_degrades_to_none(value: Any) -> None:
    call = structure({"id": 1, "ended_at": value, "started_at": 1584998199}, Call)
    assert (call.id, call.ended_at) == (1, None)
    assert call.started_at is not None
    assert call.raw["ended_at"] is value


def test_datetimes_with_fractions_round_trip() -> None:
    moment = datetime(2021, 6, 1, 12, 0, 0, 250000, tzinfo=UTC)
    call = Call(id=1, started_at=moment)
    user = User(id=1, created_at=moment)
    assert unstructure(call)["started_at"] == moment.timestamp()
    assert unstructure(user)["created_at"] == "2021-06-01T12:00:00.250Z"
    assert structure(unstructure(call), Call) == call
    assert structure(unstructure(user), User) == user
    other_zone = datetime(2021, 6, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert (
        unstructure(User(id=1, created_at=other_zone))["created_at"] == "2021-06-01T12:00:00.000Z"
    )


def test_models_built_in_code_have_an_empty_raw_excluded_from_eq_and_repr() -> None:
    built = Tag(id=678, name="General Inquiries", color="#0662B5")
    assert dict(built.raw) == {}
    parsed = structure(ex.TAG_GET["tag"], Tag)
    assert parsed == built
    assert "raw" not in repr(parsed)
    assert "direct_link" in repr(parsed)


def test_a_mapping_that_is_not_a_dict_is_accepted() -> None:
    phone = structure(MappingProxyType({"id": 1, "label": "Work", "value": "+1"}), PhoneDetail)
    assert phone == PhoneDetail(id=1, label="Work", value="+1")


@pytest.mark.parametrize("bad", [[1, 2], "call", None, 812, ("id", 1)])
@pytest.mark.parametrize("cls", [Call, Contact, User, IvrOption])
def test_a_non_mapping_raises_type_error_naming_the_class(bad: Any, cls: type[Model]) -> None:
    with pytest.raises(TypeError, match=cls.__name__):
        structure(bad, cls)


def test_unstructure_rejects_what_is_not_a_model() -> None:
    with pytest.raises(TypeError, match="dict"):
        unstructure({"id": 1})


def test_participant_and_ivr_ids_keep_int_or_str() -> None:
    assert structure({"id": "u-1", "type": "external"}, Participant).id == "u-1"
    assert structure({"id": 456}, Participant).id == 456
    ivr = structure(
        {"id": "opt1", "title": "Sales", "key": "1", "created_at": 1585001040}, IvrOption
    )
    assert (ivr.id, ivr.key, ivr.created_at) == (
        "opt1",
        "1",
        datetime(2020, 3, 23, 22, 4, tzinfo=UTC),
    )
    call = structure({"id": 1, "ivr_options": [ivr.raw]}, Call)
    assert call.ivr_options == [ivr]


def required_ids(cls: type[Model]) -> dict[str, Any]:
    """A valid value for each field of ``cls`` without a default (its id, if required)."""
    attrs.resolve_types(cls)
    return {
        f.name: 1 if f.type is int else "w-1"
        for f in attrs.fields(cls)
        if f.default is attrs.NOTHING and f.init
    }


def test_every_model_field_defaults_to_none_or_an_empty_list() -> None:
    for cls, _ in EXAMPLES:
        ids = required_ids(cls)
        model = structure(ids, cls)
        for field in attrs.fields(cls):
            value = getattr(model, field.name)
            if field.name == "raw":
                assert value == ids
            elif field.name == "unparsed":
                assert value == frozenset()
            elif field.name == "type":
                assert isinstance(value, InsightCardType)
            elif field.name in ids:
                assert value == ids[field.name]
            else:
                assert value is None or value == [], (cls.__name__, field.name)


# The models whose id is required (the reference always gives one): the decision, pinned.
REQUIRED_IDS = {
    "A2PCampaignAssociation": ("id", int),
    "Call": ("id", int),
    "Comment": ("id", int),
    "Contact": ("id", int),
    "DialerCampaign": ("id", int),
    "DialerPhoneNumber": ("id", int),
    "Number": ("id", int),
    "Tag": ("id", int),
    "Team": ("id", int),
    "User": ("id", int),
    "Webhook": ("webhook_id", str),
}


def test_exactly_the_models_the_reference_always_identifies_require_their_id() -> None:
    found = {}
    for name in models_package.__all__:
        cls = getattr(models_package, name)
        if isinstance(cls, type) and issubclass(cls, Model) and cls is not Model:
            ids = required_ids(cls)
            if ids:
                ((field, value),) = ids.items()
                found[name] = (field, type(value))
    assert found == REQUIRED_IDS


@pytest.mark.parametrize("name", sorted(REQUIRED_IDS))
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (MISSING_ID := object(), "missing"),
        (None, "null"),
        ("812", "not an int (got str)"),
        (True, "not an int (got bool)"),
        (2.5, "not an int (got float)"),
        ({"id": 1}, "not an int (got dict)"),
    ],
)
def test_a_required_id_missing_null_or_of_the_wrong_type_raises_a_clear_error(
    name: str, value: Any, problem: str
) -> None:
    cls = getattr(models_package, name)
    field, kind = REQUIRED_IDS[name]
    if kind is str:
        if value == "812":
            value, problem = 812, "not a str (got int)"
        problem = problem.replace("not an int", "not a str")
    secret = "sk_live_do_not_print"
    payload: dict[str, Any] = {"token": secret, "name": secret, "direct_link": secret}
    if value is not MISSING_ID:
        payload[field] = value
    with pytest.raises(ResponseShapeError) as caught:
        structure(payload, cls)
    assert str(caught.value) == f"cannot read a {name}: its {field!r} is {problem}"
    assert (caught.value.model, caught.value.field, caught.value.problem) == (name, field, problem)
    assert isinstance(caught.value, AircallError)
    assert secret not in repr(caught.value) and secret not in str(caught.value)
    with pytest.raises(ResponseShapeError, match=name):
        check_required(payload, cls)


def test_an_integral_id_is_read_like_any_int_field() -> None:
    assert structure({"id": 812.0}, Call).id == 812
    check_required({"id": 812.0}, Call)
    check_required({"id": 812}, Call)
    check_required({}, Company)  # nothing required


def test_a_nested_object_without_its_id_degrades_like_a_bad_field() -> None:
    payload: dict[str, Any] = {
        **ex.FULL_CALL,
        "user": {"name": "No Id"},
        "teams": [{"id": 1, "name": "A"}, {"name": "B"}],
        "comments": [{"id": None, "content": "x"}],
        "tags": [{"name": "no id, still a CallTag"}],
    }
    call = structure(payload, Call)
    assert (call.id, call.user, call.teams, call.comments) == (812, None, [], [])
    assert call.unparsed == {"user", "teams", "comments"}
    assert call.tags[0].id is None and call.tags[0].name == "no id, still a CallTag"
    assert unstructure(call)["user"] == {"name": "No Id"}  # given back as received


# --- Property: structure() raises for a JSON-like mapping only for a bad id ----------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["2020-03-10T08:31:43.000Z", "no_available_agent", "done", "user"])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
# Keys of the nested models (User, Number, Team, Comment...) so nested objects get
# plausible keys with arbitrary values.
NESTED_KEYS = sorted(
    {f.name for cls in (User, Number, Team, PhoneDetail, Participant) for f in attrs.fields(cls)}
    | {"content", "posted_at", "posted_by", "tagged_by", "welcome"}
)
nested_objects = st.dictionaries(st.sampled_from(NESTED_KEYS), json_values, max_size=6)


def payloads(cls: type[Model]) -> st.SearchStrategy[dict[str, Any]]:
    names = [f.name for f in attrs.fields(cls)]
    return st.dictionaries(
        st.sampled_from(names) | st.text(max_size=6),
        json_values | nested_objects | st.lists(nested_objects, max_size=2),
        max_size=12,
    )


def with_id(cls: type[Model]) -> st.SearchStrategy[dict[str, Any]]:
    """Payloads of ``cls``, half of them given a valid id (drawn, not always 1)."""
    ids = st.integers(-(2**63), 2**63) if "id" in required_ids(cls) else st.text(max_size=8)
    field = next(iter(required_ids(cls)))
    return st.one_of(
        payloads(cls), st.tuples(payloads(cls), ids).map(lambda p: {**p[0], field: p[1]})
    )


PAYLOADS = {Call: with_id(Call), Contact: with_id(Contact)}


@pytest.mark.parametrize("cls", [Call, Contact])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_structure_raises_for_a_json_like_dict_only_when_its_id_is_bad(
    cls: type[Model], data: st.DataObject
) -> None:
    payload = data.draw(PAYLOADS[cls])
    value = payload.get("id")
    # Independent of the converter: an int, or a float with an integral value (as for
    # any int field), is a usable id; anything else (absent, null, a bool...) is not.
    good = type(value) is int or (type(value) is float and value.is_integer())
    if not good:
        with pytest.raises(ResponseShapeError, match=f"{cls.__name__}: its 'id' is"):
            structure(payload, cls)
        return
    model = structure(payload, cls)
    assert isinstance(model, cls)
    assert model.raw is payload
    assert model.id == value
    json.dumps(unstructure(model))


@pytest.mark.parametrize("cls", [Call, Contact, User, Webhook])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_unstructure_gives_back_every_key_received_and_round_trips(
    cls: type[Model], data: st.DataObject
) -> None:
    payload = {**data.draw(payloads(cls)), **required_ids(cls)}
    model = structure(payload, cls)
    out = unstructure(model, include_secrets=True)
    assert set(out) == set(payload)  # nothing lost, nothing invented
    for name in model.unparsed:
        assert out[name] is payload[name]  # what could not be parsed, as received
    again = structure(out, cls)
    assert again == model
    assert json.dumps(unstructure(again, include_secrets=True)) == json.dumps(out)
