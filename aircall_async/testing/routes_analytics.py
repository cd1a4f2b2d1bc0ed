"""Analytics report exports (beyond the reference, docs/COVERAGE.md).

An export starts PENDING; it stays so for ``state.beyond.export_pending_polls`` retrievals,
then ends as ``state.beyond.export_outcome`` (COMPLETED or FAILED) and fires
``analytics.report_created`` or ``analytics.report_failed``. A completed export's
``downloadUrl`` points at this server's ``/downloads/`` (no credentials needed, like a
presigned URL), which serves the report as CSV.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .api import ApiError, body, json_answer, state_of
from .state import State, epoch_to_iso

__all__ = ["DOWNLOAD_PREFIX", "ROUTES", "report_csv"]

Obj = dict[str, Any]

#: Path prefix of the export files; the app lets it through without credentials.
DOWNLOAD_PREFIX = "/downloads/"

_REPORTS = frozenset(
    {
        "CALLS_HISTORY",
        "USER_STATUS_HISTORY",
        "USER_ACTIVITY_AVAILABILITY_BREAKDOWN",
        "USER_ACTIVITY_AVERAGE_AFTER_CALL_WORK_TIME_PER_USER",
        "USER_ACTIVITY_AVERAGE_INBOUND_IN_CALL_TIME_PER_USER",
        "USER_ACTIVITY_AVERAGE_OUTBOUND_IN_CALL_TIME_PER_USER",
        "USER_ACTIVITY_CALL_VOLUME_AND_TIME",
        "USER_ACTIVITY_CALLS_HANDLED",
        "USER_ACTIVITY_PERCENTAGE_OF_TIME_IN_EACH_STATUS",
        "USER_ACTIVITY_RINGING_ATTEMPTS_PER_USER",
        "USER_ACTIVITY_WORK_TIME_AND_AVAILABILITY",
        "USER_ACTIVITY_RINGING_ATTEMPTS",
    }
)


def report_csv(state: State) -> bytes:
    """The file of every export: one line per call of the fake (id, direction, status)."""
    lines = ["call_id,direction,status"]
    lines += [f"{c['id']},{c.get('direction')},{c.get('status')}" for c in state.calls]
    return ("\n".join(lines) + "\n").encode()


def _check_input(data: Obj) -> Obj:
    job = data.get("input")
    if not isinstance(job, dict):
        raise ApiError(400, "input is mandatory and must be an object.")
    if job.get("reportName") not in _REPORTS:
        raise ApiError(400, "input.reportName must be one of the report names.")
    filters = job.get("filter")
    if not isinstance(filters, dict) or not isinstance(filters.get("timezone"), str):
        raise ApiError(400, "input.filter.timezone is mandatory.")
    window = filters.get("dateFilter")
    if not isinstance(window, dict) or len({"relative", "absoluteRange"} & window.keys()) != 1:
        raise ApiError(400, "input.filter.dateFilter needs exactly one of relative, absoluteRange.")
    return job


async def create_export(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    job = _check_input(body(request))
    export_id = f"export-{state.next_id('analytics_export', 1)}"
    export: Obj = {
        "exportID": export_id,
        "createdAt": epoch_to_iso(state.timestamp()),
        "status": "PENDING",
        "format": "CSV",
        "exportName": (job.get("exportOptions") or {}).get("exportName") or job["reportName"],
        "isZipCompressed": False,
        "_polls_left": state.beyond.export_pending_polls,
    }
    state.beyond.exports[export_id] = export
    return json_answer(_public(export), 201)


def _public(export: Obj) -> Obj:
    return {k: v for k, v in export.items() if not k.startswith("_")}


def _settle(request: web.Request, state: State, export: Obj) -> None:
    if export["status"] != "PENDING":
        return
    if export["_polls_left"] > 0:
        export["_polls_left"] -= 1
        return
    origin = request.url.origin()
    if state.beyond.export_outcome == "FAILED":
        export.update(status="FAILED", errorMessage="The report could not be generated.")
        event = "analytics.report_failed"
        data = {
            "report_id": export["exportID"],
            "status": "failed",
            "error": export["errorMessage"],
        }
    else:
        url = str(origin.with_path(f"{DOWNLOAD_PREFIX}{export['exportID']}.csv"))
        export.update(status="COMPLETED", downloadUrl=f"{url}?signature=fake")
        export["downloadUrlExpiresAt"] = epoch_to_iso(state.timestamp() + 3600)
        event = "analytics.report_created"
        data = {"report_id": export["exportID"], "status": "created", "download_url": url}
    state.emit(event, "analytics", {**data, "created_at": export["createdAt"]})


async def get_export(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    export = state.beyond.exports.get(request.match_info["id"])
    if export is None:
        raise ApiError(404, f"Export {request.match_info['id']} not found.")
    _settle(request, state, export)
    return json_answer(_public(export))


async def download(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    export = state.beyond.exports.get(request.match_info["id"])
    if export is None or export["status"] != "COMPLETED":
        raise ApiError(404, "No such file.")
    return web.Response(body=report_csv(state), content_type="text/csv")


ROUTES = [
    web.post("/v1/analytics/report/export", create_export),
    web.get("/v1/analytics/report/export/{id}", get_export),
    web.get(DOWNLOAD_PREFIX + "{id}.csv", download),
]
