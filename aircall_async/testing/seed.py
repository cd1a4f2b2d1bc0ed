"""Deterministic seeded data: the same seed always gives the same account.

Creation times are fixed (not relative to today) so that a seed is reproducible across runs.
Calls have ``started_at`` non-decreasing with their id, and every 7th call shares the second
of the call before it, so that page boundaries with equal timestamps get exercised. The three
last calls are still ongoing (transfers, recordings and insight cards need a live call).

(Over 400 lines on purpose: one builder per object of the reference, kept side by side so
that the shapes they produce can be compared at a glance.)
"""

from __future__ import annotations

import random
from typing import Any

from .render import API_ROOT, number_summary, team_summary, user_brief, user_summary
from .state import State, epoch_to_iso

__all__ = ["CALLS_START", "CONTACTS_START", "seed_state"]

Obj = dict[str, Any]

USERS_START = 1_577_613_798  # 2019-12-29T10:03:18Z, the reference's first user
CONTACTS_START = 1_600_000_000
CALLS_START = 1_700_000_000
ONGOING_CALLS = 3

_FIRST = (
    "John",
    "Amy",
    "Vera",
    "Jeffrey",
    "Margaret",
    "Vicente",
    "Gary",
    "Lina",
    "Omar",
    "Zoe",
    "Hugo",
    "Ines",
    "Kenji",
    "Maya",
    "Paul",
    "Rita",
    "Sam",
    "Tara",
    "Victor",
    "Wen",
)
_LAST = (
    "Doe",
    "Rudd",
    "Martin",
    "Curtis",
    "Morrison",
    "Abad",
    "Jennings",
    "Rossi",
    "Haddad",
    "Kim",
    "Dubois",
    "Silva",
    "Sato",
    "Patel",
    "Moreau",
    "Costa",
    "Novak",
    "Berg",
    "Lopez",
)
_COMPANIES = ("TeleWorm", "Acme Inc.", "Globex", "Initech", "Umbrella", "Hooli", None, None)
_TIME_ZONES = ("America/New_York", "Etc/UTC", "Europe/Paris", "Europe/London", "Asia/Tokyo")
_LANGUAGES = ("en-US", "en-US", "fr-FR", "es-ES", "de-DE")
_AVAILABILITY = ("available", "offline", "do_not_disturb", "in_call", "after_call_work")
_NUMBERS = (
    ("French Office", "+33 1 76 11 11 11", "FR", "Europe/Paris"),
    ("UK Office", "+44 20 0000 0000", "GB", "Europe/London"),
    ("US Support", "+1 800-123-4567", "US", "America/New_York"),
    ("Spain Sales", "+34 910 00 00 00", "ES", "Europe/Madrid"),
    ("Japan Desk", "+81 3-0000-0000", "JP", "Asia/Tokyo"),
)
_TEAMS = ("Global Sales", "Support USA", "Support EMEA", "Billing", "Onboarding")
_TAGS = (
    ("General Inquiries", "#0662B5"),
    ("Feedback", "#008f6c"),
    ("Spam Call", "#FCBB26"),
    ("VIP Customer", "#00B388"),
    ("Follow up", "#E5484D"),
)
_MISSED_REASONS = (
    "out_of_opening_hours",
    "short_abandoned",
    "abandoned_in_ivr",
    "abandoned_in_classic",
    "no_available_agent",
    "agents_did_not_answer",
)
_COMMENTS = (
    "Please call back this customer!",
    "Asked for a quote.",
    "Wrong number.",
    "Escalated to billing.",
    "Happy customer.",
)
MESSAGE_KEYS = (
    "welcome",
    "waiting",
    "ivr",
    "voicemail",
    "closed",
    "callback_later",
    "unanswered_call",
    "after_hours",
    "ringing_tone",
)


def _messages() -> Obj:
    return {key: f"https://example.com/{key}.mp3" for key in MESSAGE_KEYS}


def _phone(rng: random.Random) -> str:
    return "+1" + str(rng.randint(2_000_000_000, 9_999_999_999))


def _seed_users(state: State, rng: random.Random, count: int) -> list[Obj]:
    users = []
    for i in range(count):
        uid = state.next_id("user", 456)
        first = _FIRST[i % len(_FIRST)]
        last = _LAST[(i * 7 + 3) % len(_LAST)]
        # The first user is always reachable so that start_call/dial work out of the box.
        availability = "available" if i == 0 else rng.choice(_AVAILABILITY)
        status = (
            "available" if availability == "available" else rng.choice(("custom", "unavailable"))
        )
        user: Obj = {
            "id": uid,
            "direct_link": f"{API_ROOT}/users/{uid}",
            "name": f"{first} {last}",
            "email": f"{first.lower()}.{last.lower()}{uid}@example.com",
            "available": availability == "available",
            "availability_status": status,
            "created_at": epoch_to_iso(USERS_START + i * 86_400 + rng.randint(0, 3_600)),
            "time_zone": rng.choice(_TIME_ZONES),
            "language": rng.choice(_LANGUAGES),
            "wrap_up_time": rng.choice((0, 0, 15, 30)),
            "state": "always_opened",
            "extension": f"{i + 1:03d}",
            "_first_name": first,
            "_last_name": last,
            "_availability": availability,
            "_role_ids": ["admin"] if i == 0 else ["agent"],
        }
        users.append(state.users.add(user))
    return users


def _seed_numbers(state: State, rng: random.Random, count: int, users: list[Obj]) -> list[Obj]:
    numbers = []
    for i in range(count):
        nid = state.next_id("number", 1234)
        name, digits, country, tz = _NUMBERS[i % len(_NUMBERS)]
        member_ids = [u["id"] for j, u in enumerate(users) if j % max(count, 1) == i or j == 0]
        number: Obj = {
            "id": nid,
            "direct_link": f"{API_ROOT}/numbers/{nid}",
            "name": name if i < len(_NUMBERS) else f"{name} {i}",
            "digits": digits,
            "created_at": epoch_to_iso(USERS_START + 3 * 86_400 + i * 86_400),
            "country": country,
            "time_zone": tz,
            "open": True,
            "availability_status": rng.choice(("open", "custom", "closed")),
            "is_ivr": rng.random() < 0.5,
            # The first number records, so that recording endpoints work on ongoing calls.
            "live_recording_activated": i == 0 or rng.random() < 0.5,
            "priority": None,
            "messages": _messages(),
            "flow_editor_enabled": True,
            "_user_ids": member_ids,
        }
        numbers.append(state.numbers.add(number))
    return numbers


def _seed_teams(state: State, count: int, users: list[Obj]) -> list[Obj]:
    teams = []
    for i in range(count):
        tid = state.next_id("team", 678)
        team: Obj = {
            "id": tid,
            "name": _TEAMS[i % len(_TEAMS)] if i < len(_TEAMS) else f"Team {i}",
            "direct_link": f"{API_ROOT}/teams/{tid}",
            "created_at": epoch_to_iso(USERS_START + 10 * 86_400 + i * 3_600),
            "_user_ids": [u["id"] for j, u in enumerate(users) if j % max(count, 1) == i],
        }
        teams.append(state.teams.add(team))
    return teams


def _seed_tags(state: State, count: int) -> list[Obj]:
    tags = []
    for i in range(count):
        tid = state.next_id("tag", 678)
        name, color = _TAGS[i % len(_TAGS)]
        tag: Obj = {
            "id": tid,
            "name": name if i < len(_TAGS) else f"{name} {i}",
            "color": color,
            "description": None,
        }
        tags.append(state.tags.add(tag))
    return tags


def _seed_contacts(state: State, rng: random.Random, count: int) -> list[Obj]:
    contacts = []
    t = CONTACTS_START
    for i in range(count):
        cid = state.next_id("contact", 710)
        if i % 5 != 4:  # every 5th contact shares the creation second of the one before
            t += rng.randint(1, 3_600)
        first = rng.choice(_FIRST)
        last = rng.choice(_LAST)
        company = rng.choice(_COMPANIES)
        phones = [
            {"id": state.next_id("detail", 3367), "label": label, "value": _phone(rng)}
            for label in ("Mobile", "Work")[: rng.randint(1, 2)]
        ]
        emails = []
        if rng.random() < 0.6:
            domain = (company or "example").lower().replace(" ", "").replace(".", "") + ".com"
            emails.append(
                {
                    "id": state.next_id("detail", 3367),
                    "label": "Work",
                    "value": f"{first.lower()}.{last.lower()}{cid}@{domain}",
                }
            )
        contact: Obj = {
            "id": cid,
            "direct_link": f"{API_ROOT}/contacts/{cid}",
            "first_name": first,
            "last_name": last,
            "company_name": company,
            "description": None,
            "information": None,
            "is_shared": True,
            "created_at": t,
            "updated_at": t + rng.randint(0, 10_000_000),
            "emails": emails,
            "phone_numbers": phones,
        }
        contacts.append(state.contacts.add(contact))
    return contacts


def _seed_calls(
    state: State,
    rng: random.Random,
    count: int,
    users: list[Obj],
    numbers: list[Obj],
    teams: list[Obj],
    tags: list[Obj],
    contacts: list[Obj],
) -> None:
    # Nested objects are built once and shared by every call that embeds them: seeding stays
    # fast and memory flat; they are snapshots, like the real service's call payloads.
    user_sums = [user_summary(u) for u in users]
    user_briefs = [user_brief(u) for u in users]
    number_sums = [number_summary(n) for n in numbers]
    team_sums = [team_summary(t) for t in teams]
    random_ = rng.random
    randint = rng.randint
    t = CALLS_START
    first_id = state.next_id("call", 812)
    state.reserve_id("call", first_id + count - 1)
    ongoing_from = count - ONGOING_CALLS
    calls = state.calls
    for i in range(count):
        cid = first_id + i
        if i % 7 != 6:
            t += randint(1, 600)
        # The ringing call (the last one) is inbound: it can go to an external number.
        inbound = random_() < 0.55 or i == count - 1
        ni = randint(0, len(number_sums) - 1) if number_sums else -1
        ui = randint(0, len(user_sums) - 1) if user_sums else -1
        contact = contacts[randint(0, len(contacts) - 1)] if contacts and random_() < 0.8 else None
        if contact is not None:
            raw_digits = contact["phone_numbers"][0]["value"]
        elif inbound and random_() < 0.2:
            raw_digits = "anonymous"
        else:
            raw_digits = _phone(rng)
        missed_reason = None
        answered_at: int | None = t + randint(1, 25)
        user = user_sums[ui] if ui >= 0 else None
        if inbound and random_() < 0.25:
            missed_reason = _MISSED_REASONS[randint(0, len(_MISSED_REASONS) - 1)]
            answered_at = None
            user = None
        elif not inbound and random_() < 0.1:
            answered_at = None
        ended_at: int | None = (answered_at or t) + randint(5, 900)
        status = "done"
        if i >= ongoing_from:
            # Live calls: on the recording number, taken by the always-available first user.
            ni = 0 if number_sums else -1
            user = user_sums[0] if user_sums else None
            status = "initial" if i == count - 1 else "answered"
            answered_at = None if status == "initial" else answered_at
            missed_reason = None
            ended_at = None
        number = number_sums[ni] if ni >= 0 else None
        recording = asset = voicemail = None
        if answered_at is not None and number is not None and number["live_recording_activated"]:
            recording = f"https://example.com/recordings/{cid}.mp3"
            asset = f"https://assets.aircall.io/recording/{cid}"
        elif missed_reason is not None and random_() < 0.3:
            voicemail = f"https://example.com/voicemails/{cid}.mp3"
            asset = f"https://assets.aircall.io/voicemail/{cid}"
        comments = []
        if user_briefs and random_() < 0.2:
            for j in range(randint(1, 2)):
                comments.append(
                    {
                        "id": state.next_id("comment", 735),
                        "content": _COMMENTS[(cid + j) % len(_COMMENTS)],
                        "posted_at": (ended_at or t) + 60 * (j + 1),
                        "posted_by": user_briefs[randint(0, len(user_briefs) - 1)],
                    }
                )
        call_tags = []
        if tags and random_() < 0.25:
            for tag in rng.sample(tags, min(len(tags), randint(1, 2))):
                call_tags.append(
                    {
                        "id": tag["id"],
                        "name": tag["name"],
                        "tagged_by": user_briefs[randint(0, len(user_briefs) - 1)]
                        if user_briefs
                        else None,
                        "tagged_at": (ended_at or t) + 30,
                    }
                )
        participants = []
        if user is not None and random_() < 0.05:
            participants = [{"id": user["id"], "name": user["name"], "type": "user"}]
            if contact is not None:
                participants.append(
                    {
                        "id": contact["id"],
                        "name": f"{contact['first_name']} {contact['last_name']}",
                        "phone_number": raw_digits,
                        "type": "contact",
                    }
                )
            participants.append({"type": "external", "phone_number": _phone(rng)})
        call: Obj = {
            "id": cid,
            "direct_link": f"{API_ROOT}/calls/{cid}",
            "direction": "inbound" if inbound else "outbound",
            "status": status,
            "missed_call_reason": missed_reason,
            "started_at": t,
            "answered_at": answered_at,
            "ended_at": ended_at,
            "duration": None if ended_at is None else ended_at - t,
            "voicemail": voicemail,
            "recording": recording,
            "asset": asset,
            "raw_digits": raw_digits,
            "user": user,
            "contact": None,
            "archived": status == "done" and random_() < 0.3,
            "assigned_to": None,
            "transferred_by": None,
            "transferred_to": None,
            "cost": f"{random_() * 5:.1f}" if answered_at is not None and not inbound else "0.0",
            "number": number,
            "comments": comments,
            "tags": call_tags,
            "participants": participants,
            "teams": [team_sums[randint(0, len(team_sums) - 1)]] if inbound and team_sums else [],
            # Captured fields beyond the reference (docs/SOURCES.md).
            "sid": f"CA{cid:032x}",
            "recording_short_url": None,
            "voicemail_short_url": None,
            "country_code_a2": number["country"] if number is not None else None,
            "pricing_type": "in_bundle" if status == "done" and not inbound else None,
            "_contact_id": contact["id"] if contact is not None else None,
        }
        calls.add(call)


def seed_state(
    state: State,
    *,
    seed: int = 0,
    users: int = 5,
    numbers: int = 3,
    teams: int = 2,
    tags: int = 4,
    contacts: int = 50,
    calls: int = 100,
) -> State:
    """Fill ``state`` with a deterministic account drawn from ``random.Random(seed)``.

    Raises ValueError when a count is negative.
    """
    for name, value in (
        ("users", users),
        ("numbers", numbers),
        ("teams", teams),
        ("tags", tags),
        ("contacts", contacts),
        ("calls", calls),
    ):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    rng = random.Random(seed)
    user_objs = _seed_users(state, rng, users)
    number_objs = _seed_numbers(state, rng, numbers, user_objs)
    team_objs = _seed_teams(state, teams, user_objs)
    tag_objs = _seed_tags(state, tags)
    contact_objs = _seed_contacts(state, rng, contacts)
    _seed_calls(state, rng, calls, user_objs, number_objs, team_objs, tag_objs, contact_objs)
    state.company = {"name": "Fake Company"}
    state.integration = {
        "id": 1234,
        "name": "Fake App",
        "logo": "https://example.com/logo.svg",
        "company_id": 1,
        "status": "active",
        "active": True,
        "created_at": "2020-11-02T15:38:16.000+00:00",
        "updated_at": "2020-11-02T15:38:29.000+00:00",
        "deleted_at": None,
        "custom_name": None,
        "_user_id": user_objs[0]["id"] if user_objs else None,
    }
    return state
