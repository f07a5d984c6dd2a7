"""Which responses an export covers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement

from survey.models import Response, ResponseStatus

STATUSES = ("complete", "partial", "all")
STATUS_WORDS = {
    "complete": "complete responses only",
    "partial": "partial responses only (stopped before the end)",
    "all": "complete and partial responses",
}
LANGUAGE_NAMES = {"en": "English", "fr": "French"}
# The dates a filter may name: every response of the study falls between them, and a date far
# outside (year 1 or 9999) would overflow when it becomes the end of its day.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


@dataclass(frozen=True)
class ExportFilters:
    """Dates are inclusive and apply to when the response was started (UTC)."""

    since: date | None = None
    until: date | None = None
    status: str = "all"
    versions: tuple[int, ...] = ()
    language: str | None = None
    # Excluded responses are left out unless asked for; withdrawn ones hold no answers and are
    # always left out (both are counted on the About sheet, see `scope`).
    include_excluded: bool = False

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        if any(day and not in_range(day) for day in (self.since, self.until)):
            raise ValueError(f"dates must be from {FIRST_DAY} to {LAST_DAY}")
        if self.since and self.until and self.since > self.until:
            raise ValueError("the start date is after the end date")

    def conditions(self, version_ids: list[int]) -> list[ColumnElement[bool]]:
        """SQL conditions on Response; `version_ids` are the versions chosen (see `versions`)."""
        where = [*self.scope(version_ids), Response.withdrawn_at.is_(None)]
        if not self.include_excluded:
            where.append(Response.excluded_reason.is_(None))
        return where

    def scope(self, version_ids: list[int]) -> list[ColumnElement[bool]]:
        """The conditions on dates, status, version and language alone: the responses an export
        covers before exclusions and withdrawals are taken out."""
        return [Response.version_id.in_(version_ids), *self.unversioned()]

    def unversioned(self) -> list[ColumnElement[bool]]:
        """The conditions on dates, status and language (the staff's browser shares them)."""
        where: list[ColumnElement[bool]] = []
        if self.since:
            where.append(Response.started_at >= datetime.combine(self.since, time(), UTC))
        if self.until:
            end = datetime.combine(self.until + timedelta(days=1), time(), UTC)
            where.append(Response.started_at < end)
        if self.status == "complete":
            where.append(Response.status == ResponseStatus.COMPLETE)
        elif self.status == "partial":
            where.append(Response.status == ResponseStatus.IN_PROGRESS)
        if self.language:
            where.append(Response.language == self.language)
        return where

    @classmethod
    def from_description(cls, data: dict[str, Any]) -> ExportFilters:
        """The inverse of `describe` (filters are stored as JSON on export jobs)."""
        return cls(
            since=date.fromisoformat(data["since"]) if data.get("since") else None,
            until=date.fromisoformat(data["until"]) if data.get("until") else None,
            status=data.get("status", "all"),
            versions=tuple(data.get("versions") or ()),
            language=data.get("language"),
            include_excluded=bool(data.get("include_excluded")),
        )

    def in_words(self) -> str:
        """The filters as the About sheet says them (in English, as the report is)."""
        if self.since and self.until:
            dates = f"started from {self.since} to {self.until} (UTC, both days included)"
        elif self.since:
            dates = f"started on or after {self.since} (UTC)"
        elif self.until:
            dates = f"started on or before {self.until} (UTC)"
        else:
            dates = "started on any date"
        return "; ".join(
            [
                dates,
                STATUS_WORDS[self.status],
                "questionnaire versions " + ", ".join(map(str, self.versions))
                if len(self.versions) > 1
                else f"questionnaire version {self.versions[0]}"
                if self.versions
                else "every questionnaire version",
                f"answered in {LANGUAGE_NAMES.get(self.language, self.language)}"
                if self.language
                else "answered in any language",
                # Left out is the default, and the exclusion rows say so.
                *(["responses excluded by staff included"] if self.include_excluded else []),
            ]
        )

    def describe(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}
