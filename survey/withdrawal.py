"""Withdrawing a response: a participant's answers deleted at their request, from the survey's
own pages with their resume code or by an admin. One service for both, so the two cannot differ
in what they keep."""

from __future__ import annotations

from sqlalchemy import delete

from survey import audit
from survey.models import Answer, DbSession, Response, ToolkitView, User, utcnow

ACTION = "response.withdraw"


class AlreadyWithdrawn(Exception):
    """The response's answers were deleted already."""


def withdraw(session: DbSession, response: Response, by: User | None, ip: str | None) -> None:
    """Delete the answers and the toolkit engagement, keep a content-free record (id, dates, who
    withdrew it, when), and audit it without any content. `by` is None for the participant."""
    if response.is_withdrawn:
        raise AlreadyWithdrawn
    session.execute(delete(Answer).where(Answer.response_id == response.id))
    session.execute(delete(ToolkitView).where(ToolkitView.response_id == response.id))
    session.expire(response, ["answers", "toolkit_views"])
    # A staff note may describe the answers, so the exclusion goes with them.
    response.excluded_reason = response.excluded_note = None
    response.excluded_at = response.excluded_by = None
    response.start_token = None
    response.withdrawn_at = utcnow()
    response.withdrawn_by = by
    audit.record(
        session, ACTION, by, target=response.id, ip=ip, by="admin" if by else "participant"
    )
    session.flush()
