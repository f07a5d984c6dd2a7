"""Staff decisions on one response: excluding it from analyses (kept, undoable, audited)."""

from __future__ import annotations

from survey import audit
from survey.models import EXCLUSION_REASONS, DbSession, Response, User, utcnow


class CannotExclude(Exception):
    """The response is withdrawn (nothing left to analyse), or already in the state asked for."""


def exclude(
    session: DbSession, response: Response, reason: str, note: str, by: User, ip: str | None
) -> None:
    if reason not in EXCLUSION_REASONS:
        raise ValueError(f"unknown exclusion reason {reason!r}")
    if response.is_withdrawn or response.is_excluded:
        raise CannotExclude
    response.excluded_reason = reason
    response.excluded_note = note or None
    response.excluded_at = utcnow()
    response.excluded_by = by
    audit.record(
        session, "response.exclude", by, target=response.id, ip=ip, reason=reason, note=note
    )
    session.flush()


def include_again(session: DbSession, response: Response, by: User, ip: str | None) -> None:
    """Undo an exclusion: the response is back in exports and the dashboard."""
    if not response.is_excluded:
        raise CannotExclude
    previous = response.excluded_reason
    response.excluded_reason = response.excluded_note = None
    response.excluded_at = response.excluded_by = None
    audit.record(session, "response.include", by, target=response.id, ip=ip, was=previous)
    session.flush()
