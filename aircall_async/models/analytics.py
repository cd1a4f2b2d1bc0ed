"""Analytics report exports (asynchronous jobs), and the ``analytics.*`` webhook data.
Beyond the reference: see docs/COVERAGE.md."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._base import Model, OpenStrEnum

__all__ = [
    "RELATIVE_DATE_RANGES",
    "REPORT_NAMES",
    "AnalyticsExport",
    "AnalyticsReport",
    "ExportStatus",
]

#: Report types accepted by ``create_export`` (``reportName``).
REPORT_NAMES: tuple[str, ...] = (
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
)

#: Pre-defined windows accepted as ``relative_range`` (``dateFilter.relative``).
RELATIVE_DATE_RANGES: tuple[str, ...] = (
    "LAST_MONTH",
    "LAST_WEEK",
    "THIS_MONTH",
    "THIS_WEEK",
    "TODAY",
    "YESTERDAY",
)


class ExportStatus(OpenStrEnum):
    """State of an export job; unlisted values are kept."""

    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


@attrs.define
class AnalyticsExport(Model):
    """An analytics export job (camelCase: the API's own names).

    ``downloadUrl`` (presigned, time-limited) is set once COMPLETED; ``errorMessage`` when
    FAILED.
    """

    exportID: str | None = None
    createdAt: datetime | None = None
    status: ExportStatus | None = None
    format: str | None = None
    exportName: str | None = None
    isZipCompressed: bool | None = None
    downloadUrl: str | None = None
    downloadUrlExpiresAt: datetime | None = None
    errorMessage: str | None = None

    @property
    def is_pending(self) -> bool:
        """True while the export is still being generated."""
        return self.status == ExportStatus.PENDING

    @property
    def is_complete(self) -> bool:
        """True once the export can be downloaded."""
        return self.status == ExportStatus.COMPLETED

    @property
    def is_failed(self) -> bool:
        """True when the export failed (see ``errorMessage``)."""
        return self.status == ExportStatus.FAILED


@attrs.define
class AnalyticsReport(Model):
    """The ``data`` of ``analytics.report_created``/``_failed`` (lenient, minimal)."""

    report_id: str | None = None
    status: str | None = None
    download_url: str | None = None
    error: str | None = None
    created_at: datetime | None = None
