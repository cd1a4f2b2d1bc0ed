"""Every response example of the Aircall API reference, transcribed as Python data.

Where the reference's example is not valid JSON, the nearest valid data is used
(each deviation is noted above the example); its quirky values are kept as they are
("answered_at": "no_available_agent", a created_at in the year 20120, A2P numbers
sent as integers). This module holds data only; tests import it.
"""

from __future__ import annotations

import copy
from typing import Any

# Ref. line 150
ACCESS_TOKEN: dict[str, Any] = {
    "access_token": "2d492d492d492d492d492d492d492d",
    "token_type": "Bearer",
    "created_at": 1585868617,
}

# Ref. line 396
USERS_LIST: dict[str, Any] = {
    "meta": {
        "count": 3,
        "total": 3,
        "current_page": 1,
        "per_page": 20,
        "next_page_link": None,
        "previous_page_link": None,
    },
    "users": [
        {
            "id": 456,
            "direct_link": "https://api.aircall.io/v1/users/456",
            "name": "John Doe",
            "email": "john.doe@aircall.io",
            "available": True,
            "availability_status": "available",
            "created_at": "2019-12-29T10:03:18.000Z",
            "time_zone": "America/New_York",
            "language": "en-US",
            "wrap_up_time": 0,
        },
        {
            "id": 457,
            "direct_link": "https://api.aircall.io/v1/users/457",
            "name": "Amy Rudd",
            "email": "amy.rudd@aircall.io",
            "available": True,
            "availability_status": "custom",
            "created_at": "2019-12-30T18:10:21.000Z",
            "time_zone": "Etc/UTC",
            "language": "en-US",
            "wrap_up_time": 0,
        },
        {
            "id": 458,
            "direct_link": "https://api.aircall.io/v1/users/458",
            "name": "Vera Martin",
            "email": "vera.martin@aircall.io",
            "available": False,
            "availability_status": "unavailable",
            "created_at": "20120-01-02T09:01:58.000Z",
            "time_zone": "Europe/Paris",
            "language": "fr-FR",
            "wrap_up_time": 0,
        },
    ],
}

# Ref. line 411
USER_GET: dict[str, Any] = {
    "user": {
        "id": 456,
        "direct_link": "https://api.aircall.io/v1/users/456",
        "name": "John Doe",
        "email": "john.doe@aircall.io",
        "available": True,
        "availability_status": "available",
        "created_at": "2019-12-29T10:03:18.000Z",
        "time_zone": "America/New_York",
        "language": "en-US",
        "wrap_up_time": 0,
        "default_number_id": 1234,
        "numbers": [
            {
                "id": 1234,
                "direct_link": "https://api.aircall.io/v1/numbers/1234",
                "name": "French Office",
                "digits": "+33 1 76 11 11 11",
                "created_at": "2020-01-02T11:41:01.000Z",
                "country": "FR",
                "time_zone": "Europe/Paris",
                "open": True,
                "availability_status": "custom",
                "is_ivr": True,
                "live_recording_activated": True,
                "priority": None,
                "messages": {
                    "welcome": "https://example.com/welcome.mp3",
                    "waiting": "https://example.com/waiting_music.mp3",
                    "ivr": "https://example.com/ivr_message.mp3",
                    "voicemail": "https://example.com/voicemail.mp3",
                    "closed": "https://example.com/closed_message.mp3",
                    "callback_later": "https://example.com/callback_later.mp3",
                    "unanswered_call": "https://example.com/unanswered_call.mp3",
                    "after_hours": "https://example.com/closed_message.mp3",
                    "ringing_tone": "https://example.com/waiting_music.mp3",
                },
            }
        ],
    }
}

# Ref. line 449
USER_CREATE: dict[str, Any] = {
    "user": {
        "id": 458,
        "direct_link": "https://api.aircall.io/v1/users/458",
        "name": "Jeffrey Curtis",
        "email": "jeffrey.curtis@aircall.io",
        "available": False,
        "availability_status": "available",
        "created_at": "2020-02-18T20:52:22.000Z",
        "time_zone": "Etc/UTC",
        "language": "en-US",
        "numbers": [],
        "wrap_up_time": 0,
    }
}

# Ref. line 478
USER_UPDATE: dict[str, Any] = {
    "user": {
        "id": 458,
        "direct_link": "https://api.aircall.io/v1/users/458",
        "name": "Jeff Updated Curtis",
        "email": "jeffrey.curtis@aircall.io",
        "available": False,
        "availability_status": "available",
        "created_at": "2020-02-18T20:52:22.000Z",
        "time_zone": "America/New_York",
        "language": "en-US",
        "numbers": [],
        "wrap_up_time": 55,
    }
}

# Ref. line 522: missing comma added
USER_AVAILABILITIES: dict[str, Any] = {
    "meta": {
        "count": 3,
        "total": 3,
        "current_page": 1,
        "per_page": 20,
        "next_page_link": None,
        "previous_page_link": None,
    },
    "users": [
        {"id": 456, "availability": "available"},
        {"id": 457, "availability": "offline"},
        {"id": 458, "availability": "do_not_disturb"},
    ],
}

# Ref. line 539
USER_AVAILABILITY: dict[str, Any] = {"availability": "after_call_work"}

# Ref. line 650
TEAMS_LIST: dict[str, Any] = {
    "meta": {
        "count": 1,
        "total": 1,
        "current_page": 1,
        "per_page": 20,
        "next_page_link": None,
        "previous_page_link": None,
    },
    "teams": [
        {
            "id": 678,
            "name": "Global Sales",
            "direct_link": "https://api.aircall.io/v1/teams/678",
            "created_at": "2020-03-10T08:31:43.000Z",
            "users": [
                {
                    "id": 456,
                    "direct_link": "https://api.aircall.io/v1/users/4c56",
                    "name": "John Doe",
                    "email": "john.doe@aircall.io",
                    "created_at": "2019-12-29T10:03:18.000Z",
                    "time_zone": "America/New_York",
                },
                {
                    "id": 457,
                    "direct_link": "https://api.aircall.io/v1/users/457",
                    "name": "Amy Rudd",
                    "email": "amy.rudd@aircall.io",
                    "created_at": "2019-12-30T18:10:21.000Z",
                    "time_zone": "Etc/UTC",
                },
            ],
        }
    ],
}

# Ref. line 667
TEAM_GET: dict[str, Any] = {
    "team": {
        "id": 678,
        "name": "Global Sales",
        "direct_link": "https://api.aircall.io/v1/teams/678",
        "created_at": "2020-03-10T08:31:43.000Z",
        "users": [
            {
                "id": 456,
                "direct_link": "https://api.aircall.io/v1/users/4c56",
                "name": "John Doe",
                "email": "john.doe@aircall.io",
                "created_at": "2019-12-29T10:03:18.000Z",
                "time_zone": "America/New_York",
            },
            {
                "id": 457,
                "direct_link": "https://api.aircall.io/v1/users/457",
                "name": "Amy Rudd",
                "email": "amy.rudd@aircall.io",
                "created_at": "2019-12-30T18:10:21.000Z",
                "time_zone": "Etc/UTC",
            },
        ],
    }
}

# Ref. line 687
TEAM_CREATE: dict[str, Any] = {
    "team": {
        "id": 679,
        "name": "Support USA",
        "direct_link": "https://api.aircall.io/v1/teams/679",
        "created_at": "2020-03-10T20:29:52.000Z",
        "users": [],
    }
}

# Ref. line 728
TEAM_ADD_USER: dict[str, Any] = {
    "team": {
        "id": 679,
        "name": "Support USA",
        "direct_link": "https://api.aircall.io/v1/teams/679",
        "created_at": "2020-03-10T20:29:52.000Z",
        "users": [
            {
                "id": 456,
                "direct_link": "https://api.aircall.io/v1/users/4c56",
                "name": "John Doe",
                "email": "john.doe@aircall.io",
                "created_at": "2019-12-29T10:03:18.000Z",
                "time_zone": "America/New_York",
            }
        ],
    }
}

# Ref. line 751
TEAM_REMOVE_USER: dict[str, Any] = {
    "team": {
        "id": 679,
        "name": "Support USA",
        "direct_link": "https://api.aircall.io/v1/teams/679",
        "created_at": "2020-03-10T20:29:52.000Z",
        "users": [],
    }
}

# Ref. line 955: messages "{ ... }" from the Number example; [...] as []; "..." items dropped
CALLS_LIST: dict[str, Any] = {
    "meta": {
        "count": 20,
        "total": 2234,
        "current_page": 1,
        "per_page": 20,
        "next_page_link": "https://api.aircall.io/v1/calls?order=asc&page=2&per_page=20",
        "previous_page_link": None,
    },
    "calls": [
        {
            "id": 812,
            "direct_link": "https://api.aircall.io/v1/calls/812",
            "direction": "outbound",
            "status": "done",
            "missed_call_reason": None,
            "started_at": 1584998199,
            "answered_at": 1584998205,
            "ended_at": 1584998210,
            "duration": 11,
            "voicemail": None,
            "recording": None,
            "asset": None,
            "raw_digits": "+1 800-123-4567",
            "user": {
                "id": 456,
                "direct_link": "https://api.aircall.io/v1/users/456",
                "name": "John Doe",
                "email": "john.doe@aircall.io",
                "available": True,
                "availability_status": "available",
                "created_at": "2019-12-29T10:03:18.000Z",
                "time_zone": "America/New_York",
                "language": "en-US",
            },
            "contact": None,
            "archived": False,
            "assigned_to": None,
            "transferred_by": None,
            "transferred_to": None,
            "cost": "2.34",
            "number": {
                "id": 1234,
                "direct_link": "https://api.aircall.io/v1/numbers/1234",
                "name": "French Office",
                "digits": "+33 1 76 11 11 11",
                "created_at": "2020-01-02T11:41:01.000Z",
                "country": "FR",
                "time_zone": "Europe/Paris",
                "open": True,
                "availability_status": "custom",
                "is_ivr": True,
                "live_recording_activated": True,
                "priority": None,
                "messages": {
                    "welcome": "https://example.com/welcome.mp3",
                    "waiting": "https://example.com/waiting_music.mp3",
                    "ivr": "https://example.com/ivr_message.mp3",
                    "voicemail": "https://example.com/voicemail.mp3",
                    "closed": "https://example.com/closed_message.mp3",
                    "callback_later": "https://example.com/callback_later.mp3",
                    "unanswered_call": "https://example.com/unanswered_call.mp3",
                    "after_hours": "https://example.com/closed_message.mp3",
                    "ringing_tone": "https://example.com/waiting_music.mp3",
                },
            },
            "comments": [
                {
                    "id": 735,
                    "content": "Please call back this customer!",
                    "posted_at": 1587994808,
                    "posted_by": {
                        "id": 456,
                        "direct_link": "https://api.aircall.io/v1/users/456",
                        "name": "Johnn Doe",
                        "email": "john.doe@aircall.io",
                        "available": True,
                        "availability_status": "available",
                        "created_at": "2019-12-29T10:03:18.000Z",
                    },
                }
            ],
            "tags": [
                {
                    "id": 678,
                    "name": "General Inquiries",
                    "created_at": 1587995020,
                    "tagged_by": {
                        "id": 456,
                        "direct_link": "https://api.aircall.io/v1/users/456",
                        "name": "Johnn Doe",
                        "email": "john.doe@aircall.io",
                        "available": True,
                        "availability_status": "available",
                        "created_at": "2019-12-29T10:03:18.000Z",
                    },
                }
            ],
            "teams": [],
        },
        {
            "id": 813,
            "direct_link": "https://api.aircall.io/v1/calls/813",
            "direction": "inbound",
            "status": "done",
            "missed_call_reason": None,
            "started_at": 1584998199,
            "answered_at": "no_available_agent",
            "ended_at": 1584998210,
            "duration": 22,
            "voicemail": None,
            "recording": None,
            "asset": None,
            "raw_digits": "+1 800-123-4567",
            "user": None,
            "contact": None,
            "archived": False,
            "assigned_to": None,
            "transferred_by": None,
            "transferred_to": None,
            "cost": "0",
            "number": {
                "id": 1234,
                "direct_link": "https://api.aircall.io/v1/numbers/1234",
                "name": "French Office",
                "digits": "+33 1 76 11 11 11",
                "created_at": "2020-01-02T11:41:01.000Z",
                "country": "FR",
                "time_zone": "Europe/Paris",
                "open": True,
                "availability_status": "custom",
                "is_ivr": True,
                "live_recording_activated": True,
                "priority": None,
                "messages": {
                    "welcome": "https://example.com/welcome.mp3",
                    "waiting": "https://example.com/waiting_music.mp3",
                    "ivr": "https://example.com/ivr_message.mp3",
                    "voicemail": "https://example.com/voicemail.mp3",
                    "closed": "https://example.com/closed_message.mp3",
                    "callback_later": "https://example.com/callback_later.mp3",
                    "unanswered_call": "https://example.com/unanswered_call.mp3",
                    "after_hours": "https://example.com/closed_message.mp3",
                    "ringing_tone": "https://example.com/waiting_music.mp3",
                },
            },
            "comments": [],
            "tags": [],
            "teams": [
                {
                    "id": 678,
                    "name": "Global Sales",
                    "direct_link": "https://api.aircall.io/v1/teams/678",
                    "created_at": "2020-03-10T08:31:43.000Z",
                }
            ],
        },
    ],
}

# Ref. line 973: messages "{ ... }" from the Number example; "..." items dropped
CALL_GET: dict[str, Any] = {
    "call": {
        "id": 812,
        "direct_link": "https://api.aircall.io/v1/calls/812",
        "direction": "outbound",
        "status": "done",
        "missed_call_reason": None,
        "started_at": 1584998199,
        "answered_at": 1584998205,
        "ended_at": 1584998210,
        "duration": 11,
        "voicemail": None,
        "recording": None,
        "asset": None,
        "raw_digits": "+1 800-123-4567",
        "user": {
            "id": 456,
            "direct_link": "https://api.aircall.io/v1/users/456",
            "name": "John Doe",
            "email": "john.doe@aircall.io",
            "available": True,
            "availability_status": "available",
            "created_at": "2019-12-29T10:03:18.000Z",
            "time_zone": "America/New_York",
            "language": "en-US",
        },
        "contact": None,
        "archived": False,
        "assigned_to": None,
        "transferred_by": None,
        "transferred_to": None,
        "cost": "2.34",
        "number": {
            "id": 1234,
            "direct_link": "https://api.aircall.io/v1/numbers/1234",
            "name": "French Office",
            "digits": "+33 1 76 11 11 11",
            "created_at": "2020-01-02T11:41:01.000Z",
            "country": "FR",
            "time_zone": "Europe/Paris",
            "open": True,
            "availability_status": "custom",
            "is_ivr": True,
            "live_recording_activated": True,
            "priority": None,
            "messages": {
                "welcome": "https://example.com/welcome.mp3",
                "waiting": "https://example.com/waiting_music.mp3",
                "ivr": "https://example.com/ivr_message.mp3",
                "voicemail": "https://example.com/voicemail.mp3",
                "closed": "https://example.com/closed_message.mp3",
                "callback_later": "https://example.com/callback_later.mp3",
                "unanswered_call": "https://example.com/unanswered_call.mp3",
                "after_hours": "https://example.com/closed_message.mp3",
                "ringing_tone": "https://example.com/waiting_music.mp3",
            },
        },
        "comments": [
            {
                "id": 735,
                "content": "Please call back this customer!",
                "posted_at": 1587994808,
                "posted_by": {
                    "id": 456,
                    "direct_link": "https://api.aircall.io/v1/users/456",
                    "name": "Johnn Doe",
                    "email": "john.doe@aircall.io",
                    "available": True,
                    "availability_status": "available",
                    "created_at": "2019-12-29T10:03:18.000Z",
                },
            }
        ],
        "tags": [
            {
                "id": 678,
                "name": "General Inquiries",
                "created_at": 1587995020,
                "tagged_by": {
                    "id": 456,
                    "direct_link": "https://api.aircall.io/v1/users/456",
                    "name": "Johnn Doe",
                    "email": "john.doe@aircall.io",
                    "available": True,
                    "availability_status": "available",
                    "created_at": "2019-12-29T10:03:18.000Z",
                },
            }
        ],
        "participants": [
            {"name": "John Doe", "id": 456, "type": "user"},
            {
                "name": "Jennifer Smith",
                "phone_number": "+33 7 49 88 29 71",
                "id": 5443,
                "type": "contact",
            },
            {"name": "Rafael Lopez", "id": 457, "type": "user"},
        ],
        "teams": [],
    }
}

# Ref. line 1015: messages "{ ... }" from the Number example; [...] as []; "..." items dropped
CALLS_SEARCH: dict[str, Any] = {
    "meta": {
        "count": 3,
        "total": 2,
        "current_page": 1,
        "per_page": 20,
        "next_page_link": None,
        "previous_page_link": None,
    },
    "calls": [
        {
            "id": 812,
            "direct_link": "https://api.aircall.io/v1/calls/812",
            "direction": "outbound",
            "status": "done",
            "missed_call_reason": None,
            "started_at": 1584998199,
            "answered_at": 1584998205,
            "ended_at": 1584998210,
            "duration": 11,
            "voicemail": None,
            "recording": None,
            "asset": None,
            "raw_digits": "+1 800-123-4567",
            "user": {
                "id": 456,
                "direct_link": "https://api.aircall.io/v1/users/456",
                "name": "John Doe",
                "email": "john.doe@aircall.io",
                "available": True,
                "availability_status": "available",
                "created_at": "2019-12-29T10:03:18.000Z",
                "time_zone": "America/New_York",
                "language": "en-US",
            },
            "contact": None,
            "archived": False,
            "assigned_to": None,
            "transferred_by": None,
            "transferred_to": None,
            "cost": "2.34",
            "number": {
                "id": 1234,
                "direct_link": "https://api.aircall.io/v1/numbers/1234",
                "name": "French Office",
                "digits": "+33 1 76 11 11 11",
                "created_at": "2020-01-02T11:41:01.000Z",
                "country": "FR",
                "time_zone": "Europe/Paris",
                "open": True,
                "availability_status": "custom",
                "is_ivr": True,
                "live_recording_activated": True,
                "priority": None,
                "messages": {
                    "welcome": "https://example.com/welcome.mp3",
                    "waiting": "https://example.com/waiting_music.mp3",
                    "ivr": "https://example.com/ivr_message.mp3",
                    "voicemail": "https://example.com/voicemail.mp3",
                    "closed": "https://example.com/closed_message.mp3",
                    "callback_later": "https://example.com/callback_later.mp3",
                    "unanswered_call": "https://example.com/unanswered_call.mp3",
                    "after_hours": "https://example.com/closed_message.mp3",
                    "ringing_tone": "https://example.com/waiting_music.mp3",
                },
            },
            "comments": [],
            "tags": [],
            "teams": [],
        },
        {
            "id": 813,
            "direct_link": "https://api.aircall.io/v1/calls/813",
            "direction": "inbound",
            "status": "done",
            "missed_call_reason": None,
            "started_at": 1584998199,
            "answered_at": "no_available_agent",
            "ended_at": 1584998210,
            "duration": 22,
            "voicemail": None,
            "recording": None,
            "asset": None,
            "raw_digits": "+1 800-123-4567",
            "user": None,
            "contact": None,
            "archived": False,
            "assigned_to": None,
            "transferred_by": None,
            "transferred_to": None,
            "cost": "0",
            "number": {
                "id": 1234,
                "direct_link": "https://api.aircall.io/v1/numbers/1234",
                "name": "French Office",
                "digits": "+33 1 76 11 11 11",
                "created_at": "2020-01-02T11:41:01.000Z",
                "country": "FR",
                "time_zone": "Europe/Paris",
                "open": True,
                "availability_status": "custom",
                "is_ivr": True,
                "live_recording_activated": True,
                "priority": None,
                "messages": {
                    "welcome": "https://example.com/welcome.mp3",
                    "waiting": "https://example.com/waiting_music.mp3",
                    "ivr": "https://example.com/ivr_message.mp3",
                    "voicemail": "https://example.com/voicemail.mp3",
                    "closed": "https://example.com/closed_message.mp3",
                    "callback_later": "https://example.com/callback_later.mp3",
                    "unanswered_call": "https://example.com/unanswered_call.mp3",
                    "after_hours": "https://example.com/closed_message.mp3",
                    "ringing_tone": "https://example.com/waiting_music.mp3",
                },
            },
            "comments": [],
            "tags": [],
            "teams": [],
        },
    ],
}

# Ref. line 1125: messages "{ ... }" from the Number example; [...] as []
CALL_ARCHIVE: dict[str, Any] = {
    "call": {
        "id": 812,
        "direct_link": "https://api.aircall.io/v1/calls/812",
        "direction": "outbound",
        "status": "done",
        "missed_call_reason": None,
        "started_at": 1584998199,
        "answered_at": 1584998205,
        "ended_at": 1584998210,
        "duration": 11,
        "voicemail": None,
        "recording": None,
        "asset": None,
        "raw_digits": "+1 800-123-4567",
        "user": {
            "id": 456,
            "direct_link": "https://api.aircall.io/v1/users/456",
            "name": "John Doe",
            "email": "john.doe@aircall.io",
            "available": True,
            "availability_status": "available",
            "created_at": "2019-12-29T10:03:18.000Z",
            "time_zone": "America/New_York",
            "language": "en-US",
        },
        "contact": None,
        "archived": True,
        "assigned_to": None,
        "transferred_by": None,
        "transferred_to": None,
        "cost": "2.34",
        "number": {
            "id": 1234,
            "direct_link": "https://api.aircall.io/v1/numbers/1234",
            "name": "French Office",
            "digits": "+33 1 76 11 11 11",
            "created_at": "2020-01-02T11:41:01.000Z",
            "country": "FR",
            "time_zone": "Europe/Paris",
            "open": True,
            "availability_status": "custom",
            "is_ivr": True,
            "live_recording_activated": True,
            "priority": None,
            "messages": {
                "welcome": "https://example.com/welcome.mp3",
                "waiting": "https://example.com/waiting_music.mp3",
                "ivr": "https://example.com/ivr_message.mp3",
                "voicemail": "https://example.com/voicemail.mp3",
                "closed": "https://example.com/closed_message.mp3",
                "callback_later": "https://example.com/callback_later.mp3",
                "unanswered_call": "https://example.com/unanswered_call.mp3",
                "after_hours": "https://example.com/closed_message.mp3",
                "ringing_tone": "https://example.com/waiting_music.mp3",
            },
        },
        "comments": [],
        "tags": [],
        "teams": [],
    }
}

# Ref. line 1138: messages "{ ... }" from the Number example; [...] as []; trailing comma dropped
CALL_UNARCHIVE: dict[str, Any] = {
    "call": {
        "id": 812,
        "direct_link": "https://api.aircall.io/v1/calls/812",
        "direction": "outbound",
        "status": "done",
        "missed_call_reason": None,
        "started_at": 1584998199,
        "answered_at": 1584998205,
        "ended_at": 1584998210,
        "duration": 11,
        "voicemail": None,
        "recording": None,
        "asset": None,
        "raw_digits": "+1 800-123-4567",
        "user": {
            "id": 456,
            "direct_link": "https://api.aircall.io/v1/users/456",
            "name": "John Doe",
            "email": "john.doe@aircall.io",
            "available": True,
            "availability_status": "available",
            "created_at": "2019-12-29T10:03:18.000Z",
            "time_zone": "America/New_York",
            "language": "en-US",
        },
        "contact": None,
        "archived": False,
        "assigned_to": None,
        "transferred_by": None,
        "transferred_to": None,
        "cost": "2.34",
        "number": {
            "id": 1234,
            "direct_link": "https://api.aircall.io/v1/numbers/1234",
            "name": "French Office",
            "digits": "+33 1 76 11 11 11",
            "created_at": "2020-01-02T11:41:01.000Z",
            "country": "FR",
            "time_zone": "Europe/Paris",
            "open": True,
            "availability_status": "custom",
            "is_ivr": True,
            "live_recording_activated": True,
            "priority": None,
            "messages": {
                "welcome": "https://example.com/welcome.mp3",
                "waiting": "https://example.com/waiting_music.mp3",
                "ivr": "https://example.com/ivr_message.mp3",
                "voicemail": "https://example.com/voicemail.mp3",
                "closed": "https://example.com/closed_message.mp3",
                "callback_later": "https://example.com/callback_later.mp3",
                "unanswered_call": "https://example.com/unanswered_call.mp3",
                "after_hours": "https://example.com/closed_message.mp3",
                "ringing_tone": "https://example.com/waiting_music.mp3",
            },
        },
        "comments": [],
        "tags": [],
        "teams": [],
    }
}

# Ref. line 1339
DIALER_CAMPAIGN: dict[str, Any] = {
    "id": 75555,
    "number_id": None,
    "created_at": "2020-03-21T20:20:04.000Z",
}

# Ref. line 1393
DIALER_PHONE_NUMBERS: dict[str, Any] = {
    "numbers": [
        {
            "id": 4671488,
            "number": "+18002112223",
            "called": False,
            "created_at": "2020-03-20T20:42:57.000Z",
        },
        {
            "id": 4671489,
            "number": "+18003112224",
            "called": False,
            "created_at": "2020-03-20T20:42:57.000Z",
        },
        {
            "id": 4671490,
            "number": "+18004112225",
            "called": False,
            "created_at": "2020-03-20T20:42:57.000Z",
        },
    ]
}

# Ref. line 1559
NUMBERS_LIST: dict[str, Any] = {
    "meta": {
        "count": 3,
        "total": 2,
        "current_page": 1,
        "per_page": 20,
        "next_page_link": None,
        "previous_page_link": None,
    },
    "numbers": [
        {
            "id": 1234,
            "direct_link": "https://api.aircall.io/v1/numbers/1234",
            "name": "French Office",
            "digits": "+33 1 76 11 11 11",
            "created_at": "2020-01-02T11:41:01.000Z",
            "country": "FR",
            "time_zone": "Europe/Paris",
            "open": True,
            "availability_status": "custom",
            "is_ivr": True,
            "live_recording_activated": True,
            "priority": None,
            "messages": {
                "welcome": "https://example.com/welcome.mp3",
                "waiting": "https://example.com/waiting_music.mp3",
                "ivr": "https://example.com/ivr_message.mp3",
                "voicemail": "https://example.com/voicemail.mp3",
                "closed": "https://example.com/closed_message.mp3",
                "callback_later": "https://example.com/callback_later.mp3",
                "unanswered_call": "https://example.com/unanswered_call.mp3",
                "after_hours": "https://example.com/closed_message.mp3",
                "ringing_tone": "https://example.com/waiting_music.mp3",
            },
        },
        {
            "id": 2345,
            "direct_link": "https://api.aircall.io/v1/numbers/2345",
            "name": "UK office",
            "digits": "+44 20 0000 0000",
            "created_at": "2020-01-04T19:28:58.000Z",
            "country": "GB",
            "time_zone": "Europe/London",
            "open": True,
            "availability_status": "custom",
            "is_ivr": True,
            "live_recording_activated": False,
            "priority": None,
            "messages": {
                "welcome": "https://example.com/welcome.mp3",
                "waiting": "https://example.com/waiting_music.mp3",
                "ivr": "https://example.com/ivr_message.mp3",
                "voicemail": "https://example.com/voicemail.mp3",
                "closed": "https://example.com/closed_message.mp3",
                "callback_later": "https://example.com/callback_later.mp3",
                "unanswered_call": "https://example.com/unanswered_call.mp3",
                "after_hours": "https://example.com/closed_message.mp3",
                "ringing_tone": "https://example.com/waiting_music.mp3",
            },
        },
    ],
}

# Ref. line 1572
NUMBER_GET: dict[str, Any] = {
    "number": {
        "id": 1234,
        "direct_link": "https://api.aircall.io/v1/numbers/1234",
        "name": "French Office",
        "digits": "+33 1 76 11 11 11",
        "created_at": "2020-01-02T11:41:01.000Z",
        "country": "FR",
        "time_zone": "Europe/Paris",
        "open": True,
        "availability_status": "custom",
        "is_ivr": True,
        "live_recording_activated": True,
        "priority": None,
        "messages": {
            "welcome": "https://example.com/welcome.mp3",
            "waiting": "https://example.com/waiting_music.mp3",
            "ivr": "https://example.com/ivr_message.mp3",
            "voicemail": "https://example.com/voicemail.mp3",
            "closed": "https://example.com/closed_message.mp3",
            "callback_later": "https://example.com/callback_later.mp3",
            "unanswered_call": "https://example.com/unanswered_call.mp3",
            "after_hours": "https://example.com/closed_message.mp3",
            "ringing_tone": "https://example.com/waiting_music.mp3",
        },
        "users": [
            {
                "id": 456,
                "direct_link": "https://api.aircall.io/v1/users/456",
                "name": "John Doe",
                "email": "john.doe@aircall.io",
                "available": True,
                "availability_status": "available",
                "created_at": "2019-12-29T10:03:18.000Z",
                "time_zone": "America/New_York",
            }
        ],
    }
}

# Ref. line 1608
NUMBER_UPDATE: dict[str, Any] = {
    "number": {
        "id": 1234,
        "direct_link": "https://api.aircall.io/v1/numbers/1234",
        "name": "French Office UPDATED",
        "digits": "+33 1 76 11 11 11",
        "created_at": "2020-01-02T11:41:01.000Z",
        "country": "FR",
        "time_zone": "Europe/Paris",
        "open": True,
        "availability_status": "custom",
        "is_ivr": True,
        "live_recording_activated": True,
        "priority": None,
        "messages": {
            "welcome": "https://example.com/welcome.mp3",
            "waiting": "https://example.com/waiting_music.mp3",
            "ivr": "https://example.com/ivr_message.mp3",
            "voicemail": "https://example.com/voicemail.mp3",
            "closed": "https://example.com/closed_message.mp3",
            "callback_later": "https://example.com/callback_later.mp3",
            "unanswered_call": "https://example.com/unanswered_call.mp3",
            "after_hours": "https://example.com/closed_message.mp3",
            "ringing_tone": "https://example.com/waiting_music.mp3",
        },
        "users": [
            {
                "id": 3456,
                "direct_link": "https://api.aircall.io/v1/users/3456",
                "created_at": "2019-12-29T10:03:18.000Z",
                "name": "John Doe",
                "email": "john.doe@aircall.io",
                "available": True,
                "availability_status": "available",
                "time_zone": "America/New_York",
            }
        ],
    }
}

# Ref. line 1658: [...] as []
NUMBER_UPDATE_MESSAGES: dict[str, Any] = {
    "number": {
        "id": 1234,
        "direct_link": "https://api.aircall.io/v1/numbers/1234",
        "name": "French Office UPDATED",
        "digits": "+33 1 76 11 11 11",
        "created_at": "2020-01-02T11:41:01.000Z",
        "country": "FR",
        "time_zone": "Europe/Paris",
        "open": True,
        "availability_status": "custom",
        "is_ivr": True,
        "live_recording_activated": True,
        "priority": None,
        "messages": {
            "welcome": "https://example.com/welcome.mp3",
            "waiting": "https://example.com/waiting_music.mp3",
            "ivr": "https://example.com/ivr_message.mp3",
            "voicemail": "https://example.com/voicemail.mp3",
            "closed": "https://example.com/closed_message.mp3",
            "callback_later": "https://example.com/callback_later.mp3",
            "unanswered_call": "https://example.com/unanswered_call.mp3",
            "after_hours": "https://example.com/closed_message.mp3",
            "ringing_tone": "https://example.com/waiting_music.mp3",
        },
        "users": [],
    }
}

# Ref. line 1758: duplicate "emails" key: the last one kept, as JSON parsers do
CONTACTS_LIST: dict[str, Any] = {
    "meta": {
        "count": 2,
        "total": 2,
        "current_page": 1,
        "per_page": 20,
        "next_page_link": None,
        "previous_page_link": None,
    },
    "contacts": [
        {
            "id": 710,
            "direct_link": "https://api.aircall.io/v1/contacts/710",
            "first_name": "Vicente",
            "last_name": "Abad",
            "company_name": None,
            "information": None,
            "is_shared": True,
            "created_at": 1400691054,
            "updated_at": 1444336506,
            "emails": [],
            "phone_numbers": [{"id": 3367, "label": "Mobile", "value": "+34664673697"}],
        },
        {
            "id": 711,
            "direct_link": "https://api.aircall.io/v1/contacts/711",
            "first_name": "Margaret",
            "last_name": "Morrison",
            "company_name": "TeleWorm",
            "information": None,
            "is_shared": True,
            "created_at": 1400692007,
            "updated_at": 1444336507,
            "emails": [{"id": 3200, "label": "Work", "value": "m.morrison@teleworm.es"}],
            "phone_numbers": [
                {"id": 3368, "label": "Mobile", "value": "+34768776683"},
                {"id": 3369, "label": "Work", "value": "+49111000460"},
            ],
        },
    ],
}

# Ref. line 1791: duplicate "emails" key: the last one kept, as JSON parsers do
CONTACTS_SEARCH: dict[str, Any] = {
    "meta": {
        "count": 1,
        "total": 1,
        "current_page": 1,
        "per_page": 20,
        "next_page_link": None,
        "previous_page_link": None,
    },
    "contacts": [
        {
            "id": 711,
            "direct_link": "https://api.aircall.io/v1/contacts/711",
            "first_name": "Margaret",
            "last_name": "Morrison",
            "company_name": "TeleWorm",
            "information": None,
            "is_shared": True,
            "created_at": 1400692007,
            "updated_at": 1444336507,
            "emails": [{"id": 3200, "label": "Work", "value": "m.morrison@teleworm.es"}],
            "phone_numbers": [
                {"id": 3368, "label": "Mobile", "value": "+34768776683"},
                {"id": 3369, "label": "Work", "value": "+49111000460"},
            ],
        }
    ],
}

# Ref. line 1806
CONTACT_GET: dict[str, Any] = {
    "contact": {
        "id": 710,
        "direct_link": "https://api.aircall.io/v1/contacts/710",
        "first_name": "Vicente",
        "last_name": "Abad",
        "company_name": None,
        "information": None,
        "is_shared": True,
        "created_at": 1400691054,
        "updated_at": 1444336506,
        "emails": [],
        "phone_numbers": [{"id": 3367, "label": "Mobile", "value": "+34664673697"}],
    }
}

# Ref. line 1844
CONTACT_CREATE: dict[str, Any] = {
    "contact": {
        "id": 719,
        "direct_link": "https://api.aircall.io/v1/contacts/719",
        "first_name": "Gary",
        "last_name": "Jennings",
        "company_name": None,
        "information": "external_custom_id:87123",
        "is_shared": True,
        "created_at": 1585083040,
        "updated_at": 1585083040,
        "emails": [{"id": 9170, "label": "Office", "value": "gary.jennings@acme.com"}],
        "phone_numbers": [{"id": 9171, "label": "Work", "value": "+19001112222"}],
    }
}

# Ref. line 1874
CONTACT_UPDATE: dict[str, Any] = {
    "contact": {
        "id": 710,
        "direct_link": "https://api.aircall.io/v1/contacts/710",
        "first_name": "Vicente UPDATED",
        "last_name": "Abad",
        "company_name": "Lerox Inc.",
        "information": None,
        "is_shared": True,
        "created_at": 1400691054,
        "updated_at": 1444336506,
        "emails": [],
        "phone_numbers": [{"id": 3367, "label": "Mobile", "value": "+34664673697"}],
    }
}

# Ref. line 1912
PHONE_DETAIL_ADD: dict[str, Any] = {
    "phone_detail": {"id": 5200, "label": "Work", "value": "19161110000"}
}

# Ref. line 1938
PHONE_DETAIL_UPDATE: dict[str, Any] = {
    "phone_detail": {"id": 5200, "label": "Home UPDATED", "value": "19161110011"}
}

# Ref. line 1975
EMAIL_DETAIL_ADD: dict[str, Any] = {
    "email_detail": {"id": 5201, "label": "Work", "value": "v.lightner@example.com"}
}

# Ref. line 1999
EMAIL_DETAIL_UPDATE: dict[str, Any] = {
    "email_detail": {"id": 5201, "label": "Work", "value": "v.updated@example.com"}
}

# Ref. line 2058
TAGS_LIST: dict[str, Any] = {
    "meta": {
        "count": 3,
        "total": 3,
        "current_page": 1,
        "per_page": 20,
        "next_page_link": None,
        "previous_page_link": None,
    },
    "tags": [
        {"id": 678, "name": "General Inquiries", "color": "#0662B5", "description": None},
        {"id": 679, "name": "Feedback", "color": "#008f6c", "description": None},
        {"id": 680, "name": "Spam Call", "color": "#FCBB26", "description": None},
    ],
}

# Ref. line 2075
TAG_GET: dict[str, Any] = {
    "tag": {"id": 678, "name": "General Inquiries", "color": "#0662B5", "description": None}
}

# Ref. line 2097
TAG_CREATE: dict[str, Any] = {
    "tag": {"id": 681, "name": "VIP Customer", "color": "#00B388", "description": None}
}

# Ref. line 2124
TAG_UPDATE: dict[str, Any] = {
    "tag": {"id": 681, "name": "Tier 2 Customer", "color": "#00B388", "description": None}
}

# Ref. line 2208: "(soon to be deprecated)" dropped
WEBHOOKS_LIST: dict[str, Any] = {
    "meta": {
        "count": 2,
        "total": 2,
        "current_page": 1,
        "per_page": 20,
        "next_page_link": None,
        "previous_page_link": None,
    },
    "webhooks": [
        {
            "id": 1001,
            "webhook_id": "c2501111-8a69-4342-bb34-bcd6cfe564ab",
            "direct_link": "https://api.aircall.io/v1/webhooks/1001",
            "created_at": "2020-04-01T15:56:18.000Z",
            "url": "https://my-server.example.com/webhooks/calls",
            "active": True,
            "token": "abc123def456ghi789",
            "events": ["call.assigned", "call.transferred", "call.ringing_on_agent"],
        },
        {
            "id": 1002,
            "webhook_id": "c2501111-8a69-4342-bb34-bcd6cfe564ac",
            "direct_link": "https://api.aircall.io/v1/webhooks/1002",
            "created_at": "2020-04-02T09:14:31.000Z",
            "url": "https://my-server.example.com/webhooks/numbers",
            "active": True,
            "token": "4567ghi789abc123def",
            "events": ["number.opened", "number.closed"],
        },
    ],
}

# Ref. line 2229: "(soon to be deprecated)" dropped
WEBHOOK_GET: dict[str, Any] = {
    "webhook": {
        "id": 1001,
        "webhook_id": "c2501111-8a69-4342-bb34-bcd6cfe564ab",
        "direct_link": "https://api.aircall.io/v1/webhooks/1001",
        "created_at": "2020-04-01T15:56:18.000Z",
        "url": "https://my-server.example.com/webhooks/calls",
        "active": True,
        "token": "abc123def456ghi789",
        "events": ["call.assigned", "call.transferred", "call.ringing_on_agent"],
    }
}

# Ref. line 2257: "(soon to be deprecated)" dropped
WEBHOOK_CREATE: dict[str, Any] = {
    "webhook": {
        "id": 26316,
        "webhook_id": "c2501111-8a69-4342-bb34-bcd6cfe564ab",
        "direct_link": "https://api.aircall.io/v1/webhooks/26316",
        "created_at": "2020-03-24T19:51:24.000Z",
        "url": "https://my-server.example.com/webhooks/contacts",
        "active": True,
        "events": ["contact.created", "contact.updated", "contact.deleted"],
        "token": "df76g76dpziygs567f0",
    }
}

# Ref. line 2296: "(soon to be deprecated)" dropped
WEBHOOK_UPDATE: dict[str, Any] = {
    "webhook": {
        "id": 26316,
        "webhook_id": "c2501111-8a69-4342-bb34-bcd6cfe564ac",
        "direct_link": "https://api.aircall.io/v1/webhooks/26316",
        "created_at": "2020-03-24T19:51:24.000Z",
        "url": "https://my-new-server.example.com/webhooks/contacts",
        "active": True,
        "events": ["contact.created", "contact.updated", "contact.deleted"],
        "token": "df76g76dpziygs567f0",
    }
}

# Ref. line 2348
COMPANY_GET: dict[str, Any] = {
    "company": {"name": "Acme Inc.", "users_count": 146, "numbers_count": 28}
}

# Ref. line 2402: trailing comma dropped; extra closing brace dropped
INTEGRATION_ME: dict[str, Any] = {
    "integration": {
        "id": 1234,
        "name": "My app",
        "logo": "https://cdn.aircall.io/applications/standard/staging/ico_91.svg",
        "company_id": 1,
        "status": "active",
        "active": True,
        "created_at": "2020-11-02T15:38:16.000+00:00",
        "updated_at": "2020-11-02T15:38:29.000+00:00",
        "deleted_at": None,
        "number_ids": [123456],
        "numbers_count": 1,
        "custom_name": None,
        "user": {
            "id": 456,
            "direct_link": "https://api.aircall.io/v1/users/456",
            "name": "John Doe",
            "email": "john.doe@aircall.io",
            "available": True,
            "availability_status": "available",
            "created_at": "2019-12-29T10:03:18.000Z",
            "time_zone": "America/New_York",
            "language": "en-US",
        },
    }
}

# Ref. line 2515
A2P_LIST: dict[str, Any] = {
    "meta": {
        "count": 1,
        "total": 1,
        "current_page": 1,
        "per_page": 20,
        "next_page_link": None,
        "previous_page_link": None,
    },
    "a2p_campaign_associations": [
        {
            "id": 458,
            "company_id": 501,
            "external_id": "CNXIO",
            "update_status": "pending",
            "update_message": None,
            "created_at": "2020-02-18T20:52:22.000Z",
            "updated_at": "2020-02-18T20:52:22.000Z",
            "numbers": [1279876456],
        }
    ],
}

# Ref. line 2528
A2P_GET: dict[str, Any] = {
    "a2p_campaign_association": {
        "id": 458,
        "company_id": 501,
        "external_id": "CNXIO",
        "update_status": "pending",
        "update_message": None,
        "created_at": "2020-02-18T20:52:22.000Z",
        "updated_at": "2020-02-18T20:52:22.000Z",
        "numbers": [1279876456],
    }
}

# Ref. line 2550
A2P_CREATE: dict[str, Any] = {
    "a2p_campaign_association": {
        "id": 458,
        "company_id": 501,
        "external_id": "CNXIO",
        "update_status": "pending",
        "update_message": None,
        "created_at": "2020-02-18T20:52:22.000Z",
        "updated_at": "2020-02-18T20:52:22.000Z",
        "numbers": [1279876456],
    }
}

# Ref. line 2572
A2P_UPDATE: dict[str, Any] = {
    "a2p_campaign_association": {
        "id": 458,
        "company_id": 501,
        "external_id": "CNXIO",
        "update_status": "pending",
        "update_message": None,
        "created_at": "2020-02-18T20:52:22.000Z",
        "updated_at": "2020-02-18T20:52:22.000Z",
        "numbers": [1279876456],
    }
}

# The "number.closed" webhook delivery's data (a Number without created_at).
NUMBER_WEBHOOK_DATA: dict[str, Any] = {
    "id": 456,
    "direct_link": "https://api.aircall.io/v1/numbers/123",
    "name": "My first Aircall Number",
    "digits": "+33 1 76 36 06 95",
    "country": "FR",
    "time_zone": "Europe/Paris",
    "open": False,
    "users": [
        {
            "id": 456,
            "direct_link": "https://api.aircall.io/v1/users/456",
            "name": "Madelaine Dupont",
            "email": "madelaine.dupont@aircall.io",
            "available": False,
            "language": "en-US",
        }
    ],
}

# The Insight Card request body's lines (a request, not a response: no model returned).
INSIGHT_CARD_CONTENTS: list[dict[str, Any]] = [
    {"type": "title", "text": "My Custom CRM", "link": "https://my-custom-crm.com"},
    {
        "type": "shortText",
        "label": "Account ID",
        "text": "6789",
        "link": "https://my-custom-crm.com/6789",
    },
    {"type": "shortText", "label": "Company name", "text": "Acme Inc."},
    {"type": "user", "label": "Account Owner", "user_id": 12345},
]

# The full Call of "Retrieve a Call" (user, number with messages, comment, tag with
# tagged_by, participants) with the team of the "List all Calls" example, so every
# nested model is present: the payload the benchmark structures.
FULL_CALL: dict[str, Any] = copy.deepcopy(CALL_GET["call"])
FULL_CALL["teams"] = copy.deepcopy(CALLS_LIST["calls"][1]["teams"])
