"""The staff's response browser: which responses a list shows, in what order, one page at a
time. Sorting and filtering use the response table's indexes (see the migration b7e2f9c31d84
and docs/benchmarks.md), so a deep page of 100,000 responses stays quick."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import joinedload

from exports.filters import ExportFilters
from survey.models import DbSession, Response

# The browser's statuses: the export's three, and the two kinds of response they leave out.
STATUSES = ("all", "complete", "partial", "excluded", "withdrawn")
# Each order, and the index that holds it with every filtered column (see models.response).
SORTS = {
    "newest": ((Response.started_at.desc(), Response.id.desc()), "ix_response_browse_started"),
    "oldest": ((Response.started_at.asc(), Response.id.asc()), "ix_response_browse_started"),
    "active": ((Response.updated_at.desc(), Response.id.desc()), "ix_response_browse_updated"),
}


@dataclass(frozen=True)
class BrowseFilters:
    status: str = "all"
    version: int | None = None
    language: str | None = None
    since: date | None = None
    until: date | None = None
    reached: int | None = None  # the position of the last page reached
    sort: str = "newest"

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")

    def conditions(self, study_versions: Mapping[int, int]) -> list[ColumnElement[bool]]:
        """Dates, status and language mean what they mean in exports (one home: ExportFilters).
        `study_versions` (number -> id) are the study's questionnaire's versions: the list never
        shows another questionnaire's responses (the follow-up's are read with their baseline)."""
        shared = ExportFilters(
            since=self.since,
            until=self.until,
            status=self.status if self.status in ("complete", "partial") else "all",
            language=self.language,
        )
        where = shared.unversioned()
        if self.version is None:
            where.append(Response.version_id.in_(list(study_versions.values())))
        else:
            chosen = study_versions.get(self.version)
            where.append(Response.version_id.in_([chosen] if chosen is not None else []))
        if self.status in ("complete", "partial"):
            where.append(Response.withdrawn_at.is_(None))
        elif self.status == "excluded":
            where.append(Response.excluded_reason.is_not(None))
        elif self.status == "withdrawn":
            where.append(Response.withdrawn_at.is_not(None))
        if self.reached is not None:
            where.append(Response.current_position == self.reached)
        return where


@dataclass
class BrowsePage:
    responses: list[Response]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def browse(
    session: DbSession,
    filters: BrowseFilters,
    page: int,
    per_page: int,
    study_versions: Mapping[int, int],
) -> BrowsePage:
    """One page of matching responses; a page past the end shows the last one.

    The page's ids are found first, from the sort's index alone (SQLite is told which index:
    without statistics its planner picks a one-column index and sorts the table), then only
    those responses are read. PostgreSQL ignores the hint and plans with its own statistics."""
    where = filters.conditions(study_versions)
    order, index = SORTS[filters.sort]
    hint = f"INDEXED BY {index}"
    count = select(func.count(Response.id)).where(*where).with_hint(Response, hint, "sqlite")
    total = session.scalar(count) or 0
    page = min(max(page, 1), max(1, -(-total // per_page)))
    ids = list(
        session.scalars(
            select(Response.id)
            .where(*where)
            .with_hint(Response, hint, "sqlite")
            .order_by(*order)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    loaded = {
        r.id: r
        for r in session.scalars(
            select(Response).options(joinedload(Response.version)).where(Response.id.in_(ids))
        )
    }
    return BrowsePage([loaded[i] for i in ids], total, page, per_page)
