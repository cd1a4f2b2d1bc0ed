"""The pagination planner driven page by page with canned answers: no sockets."""

from __future__ import annotations

from typing import Any

import pytest

from aircall_async.errors import PaginationLimitError, PaginationStalledError
from aircall_async.page_plan import PageMeta, PagePlan, PageRequest, Step, time_of

T0 = 1_700_000_000


def items(first: int, last: int, *, per_second: int = 1) -> list[dict[str, Any]]:
    """Items ``first..last`` (ids), ``per_second`` of them starting in each second."""
    step = 1 if first <= last else -1
    return [{"id": i, "started_at": T0 + i // per_second} for i in range(first, last + step, step)]


def meta(request: PageRequest, count: int, total: int | None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"count": count, "current_page": request.page, "per_page": 50}
    if total is not None:
        data["total"] = total
    return {**data, **extra}


def answer(
    plan: PagePlan, request: PageRequest, page_items: list[dict[str, Any]], total: int | None
) -> Step:
    return plan.receive(request, meta(request, len(page_items), total), page_items)


def requests(plan: PagePlan, up_to: int = 4) -> list[PageRequest]:
    """The requests the plan wants started now (``up_to`` of them: the concurrency)."""
    out: list[PageRequest] = []
    while len(out) < up_to and (request := plan.next_request()) is not None:
        out.append(request)
    return out


def test_page_one_comes_alone_then_the_pages_the_total_announces() -> None:
    plan = PagePlan("/calls", {"order": "asc"}, per_page=50)
    [first] = requests(plan)
    assert (first.page, dict(first.query)) == (1, {"order": "asc", "page": 1, "per_page": 50})
    step = answer(plan, first, items(1, 50), 230)
    assert [i["id"] for i in step.items] == list(range(1, 51))
    assert step.meta is not None and step.meta.total == 230
    assert [r.page for r in requests(plan)] == [2, 3, 4, 5]
    assert not plan.done


def test_a_later_total_extends_the_listing() -> None:
    plan = PagePlan("/calls", {}, per_page=50)
    [first] = requests(plan)
    answer(plan, first, items(1, 50), 100)
    [second] = requests(plan)
    answer(plan, second, items(51, 100), 120)  # 20 more arrived meanwhile
    [third] = requests(plan)
    assert third.page == 3
    step = answer(plan, third, items(101, 120), 120)
    assert [i["id"] for i in step.items] == list(range(101, 121))
    assert plan.done and requests(plan) == []


def test_the_listing_ends_on_an_empty_page_even_if_the_total_said_more() -> None:
    plan = PagePlan("/calls", {}, per_page=50)
    [first] = requests(plan)
    answer(plan, first, items(1, 50), 200)
    second, third, fourth = requests(plan)
    answer(plan, second, [], 200)
    assert plan.done
    assert not plan.wants(third) and not plan.wants(fourth)


def test_without_a_total_pages_are_followed_one_at_a_time_while_full() -> None:
    plan = PagePlan("/calls", {}, per_page=50)
    [first] = requests(plan)
    answer(plan, first, items(1, 50), None)
    [second] = requests(plan)
    assert requests(plan) == []  # one at a time
    answer(plan, second, items(51, 100), None)
    [third] = requests(plan)
    answer(plan, third, items(101, 120), None)  # short: the last
    assert plan.done


def test_without_a_total_a_null_next_link_ends_the_listing() -> None:
    plan = PagePlan("/calls", {}, per_page=50)
    [first] = requests(plan)
    plan.receive(first, {"next_page_link": None, "per_page": 50}, items(1, 50))
    assert plan.done and requests(plan) == []


def test_newest_first_growth_goes_one_page_at_a_time_until_the_latest_total() -> None:
    plan = PagePlan("/calls", {"order": "desc"}, per_page=50)
    [first] = requests(plan)
    answer(plan, first, items(1000, 951), 1000)
    pages = requests(plan)
    assert [r.page for r in pages] == [2, 3, 4, 5]
    # One new call arrived before page 2 was served: the page starts with call 951 again.
    step = answer(plan, pages[0], items(951, 902), 1001)
    assert [i["id"] for i in step.items] == list(range(950, 901, -1))
    step = answer(plan, pages[1], items(902, 853), 1001)
    assert [i["id"] for i in step.items] == list(range(901, 852, -1))
    answer(plan, pages[2], items(853, 804), 1001)
    answer(plan, pages[3], items(804, 755), 1001)
    # From now on one page at a time, up to the page the latest total reaches: 21.
    last = None
    for page in range(6, 22):
        [request] = requests(plan)
        assert request.page == page
        assert requests(plan) == []
        top = 1000 - (page - 1) * 50 + 1
        last = answer(plan, request, items(top, max(1, top - 49)), 1001)
    assert last is not None and last.items[-1]["id"] == 1
    assert plan.done


def test_a_newest_first_page_answered_before_the_one_ahead_is_asked_again() -> None:
    plan = PagePlan("/calls", {"order": "desc"}, per_page=50)
    [first] = requests(plan)
    answer(plan, first, items(1000, 951), 1000)
    second, third, *_ = requests(plan)
    answer(plan, second, items(952, 903), 1002)  # served after two new calls
    # Page 3 was served before them: it starts at 900, but the page ahead of it, served
    # later, ended at 903: 902 and 901 would be lost.
    step = answer(plan, third, items(900, 851), 1000)
    assert step.meta is None and step.items == []
    assert not plan.wants(third)
    [again] = requests(plan)
    assert again.page == 3 and again.epoch > third.epoch
    step = answer(plan, again, items(902, 853), 1002)
    assert [i["id"] for i in step.items][:2] == [902, 901]


def test_a_page_bringing_nothing_new_stops_the_listing() -> None:
    plan = PagePlan("/calls", {}, per_page=50)
    [first] = requests(plan)
    answer(plan, first, items(1, 50), None)
    [second] = requests(plan)
    step = answer(plan, second, items(1, 50), None)  # page ignored: page 1 again
    assert step.items == []
    assert isinstance(step.error, PaginationStalledError)
    assert "page 2" in str(step.error)
    assert plan.done and requests(plan) == []


def walk_to_the_cap(
    plan: PagePlan, total: int, *, desc: bool = False
) -> tuple[Step, PageRequest | None]:
    """Answer the 200 pages of the first query of ``total`` items, one by one: the step
    of the last one, and the request that follows it."""
    step = None
    while (request := plan.next_request()) is not None and request.epoch == 0:
        start = (request.page - 1) * 50 + 1
        page = items(total - start + 1, total - start - 48) if desc else items(start, start + 49)
        step = answer(plan, request, page, total)
    assert step is not None
    return step, request


@pytest.mark.parametrize("desc", [False, True])
def test_past_the_cap_a_new_query_starts_at_the_last_time(desc: bool) -> None:
    plan = PagePlan(
        "/calls", {"order": "desc" if desc else "asc"}, per_page=50, continue_by="started_at"
    )
    _, next_query = walk_to_the_cap(plan, 12_000, desc=desc)
    assert next_query is not None
    last_id = 2_001 if desc else 10_000
    bound = "to" if desc else "from"
    assert next_query.page == 1
    assert next_query.query[bound] == T0 + last_id
    # An inclusive server returns the last call again: dropped, the rest handed out.
    again = items(last_id, last_id - 49) if desc else items(last_id, last_id + 49)
    step = answer(plan, next_query, again, 2_001)
    assert [i["id"] for i in step.items] == [i["id"] for i in again[1:]]


@pytest.mark.parametrize("desc", [False, True])
def test_an_exclusive_bound_is_detected_and_the_query_moves_a_second_out(desc: bool) -> None:
    plan = PagePlan(
        "/calls", {"order": "desc" if desc else "asc"}, per_page=50, continue_by="started_at"
    )
    _, next_query = walk_to_the_cap(plan, 12_000, desc=desc)
    assert next_query is not None
    bound = "to" if desc else "from"
    start = next_query.query[bound]
    after = items(2_000, 1_951) if desc else items(10_001, 10_050)  # without the last call
    step = answer(plan, next_query, after, 2_000)
    assert step.meta is None  # set aside: the calls of the last second might be missing
    [retry] = requests(plan)
    assert retry.page == 1
    assert retry.query[bound] == (start + 1 if desc else start - 1)


def test_a_listing_that_cannot_continue_ends_at_the_cap_with_an_error() -> None:
    plan = PagePlan("/tags", {}, per_page=50)
    step, following = walk_to_the_cap(plan, 10_060)
    assert following is None
    assert isinstance(step.error, PaginationLimitError)
    assert len(step.items) == 50  # the last reachable page is still handed out
    assert plan.done and requests(plan) == []


def test_more_than_the_cap_in_one_second_is_an_error() -> None:
    plan = PagePlan("/calls", {}, per_page=50, continue_by="started_at")
    request = plan.next_request()
    while request is not None:
        page = [
            {"id": i, "started_at": T0}
            for i in range(request.page * 50 - 49, request.page * 50 + 1)
        ]
        step = answer(plan, request, page, 10_100)
        request = plan.next_request()
        if request is not None and request.page == 1:  # the continued query, same second
            again = [{"id": i, "started_at": T0} for i in range(1, 51)]
            walk = answer(plan, request, again, 10_100)
            assert walk.error is None
            request = plan.next_request()
    assert isinstance(step.error, PaginationLimitError)
    assert "share the creation time" in str(step.error)


def test_the_cap_is_positional_for_a_page_size_that_does_not_divide_it() -> None:
    plan = PagePlan("/calls", {}, per_page=30, continue_by="started_at")
    pages: list[int] = []
    while (request := plan.next_request()) is not None and request.page > len(pages):
        pages.append(request.page)
        start = (request.page - 1) * 30 + 1
        page = items(start, start + 29)
        plan.receive(request, {"total": 10_100, "per_page": 30, "count": 30}, page)
    assert max(pages) == 333  # 334 * 30 > 10,000: refused by the API
    assert request is not None and request.page == 1 and request.query["from"] == T0 + 9_990


def test_limit_asks_only_for_the_pages_it_needs_and_trims_the_last() -> None:
    plan = PagePlan("/calls", {}, per_page=50, limit=120)
    [first] = requests(plan)
    answer(plan, first, items(1, 50), 5_000)
    second, third = requests(plan)
    assert requests(plan) == []
    answer(plan, second, items(51, 100), 5_000)
    step = answer(plan, third, items(101, 150), 5_000)
    assert [i["id"] for i in step.items] == list(range(101, 121))
    assert plan.done


def test_time_of_reads_seconds_and_iso_strings() -> None:
    assert time_of({"t": 12}, "t") == 12
    assert time_of({"t": "12"}, "t") == 12
    assert time_of({"t": "2020-01-02T11:41:01.000Z"}, "t") == 1_577_965_261
    assert time_of({"t": "soon"}, "t") is None
    assert time_of({"t": True}, "t") is None
    assert time_of({}, "t") is None


def test_meta_falls_back_on_what_the_request_implied() -> None:
    read = PageMeta.from_dict({"count": 0, "total": "x"}, items=7, page=3, per_page=20)
    assert (read.count, read.total, read.current_page, read.per_page) == (0, 7, 3, 20)
    assert PageMeta.from_dict(None, items=2, page=1, per_page=50).total == 2
