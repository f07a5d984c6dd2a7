"""Withdrawing a response: a participant's answers deleted at their request, from the survey's
own pages with their resume code or by an admin. One service for both, so the two cannot differ
in what they keep."""

from __future__ import annotations

from sqlalchemy import delete, select

from survey import audit
from survey.models import (
    Answer,
    DbSession,
    FollowUpContact,
    FollowUpSend,
    Response,
    ToolkitView,
    User,
    utcnow,
)

ACTION = "response.withdraw"


class AlreadyWithdrawn(Exception):
    """The response's answers were deleted already."""


def withdraw(session: DbSession, response: Response, by: User | None, ip: str | None) -> None:
    """Delete the answers and the toolkit engagement, keep a content-free record (id, dates, who
    withdrew it, when), and audit it without any content. `by` is None for the participant.
    The follow-up goes with it: the contact (and its address) is deleted, and the follow-up
    response's answers are withdrawn the same way."""
    if response.is_withdrawn:
        raise AlreadyWithdrawn
    _erase(session, response, by)
    contact = select(FollowUpContact.id).where(FollowUpContact.response_id == response.id)
    session.execute(delete(FollowUpSend).where(FollowUpSend.contact_id.in_(contact)))
    session.execute(delete(FollowUpContact).where(FollowUpContact.response_id == response.id))
    follow_up = session.scalar(select(Response).where(Response.follow_up_of == response.id))
    if follow_up is not None and not follow_up.is_withdrawn:
        _erase(session, follow_up, by)
    audit.record(
        session, ACTION, by, target=response.id, ip=ip, by="admin" if by else "participant"
    )
    session.flush()


def _erase(session: DbSession, response: Response, by: User | None) -> None:
    session.execute(delete(Answer).where(Answer.response_id == response.id))
    session.execute(delete(ToolkitView).where(ToolkitView.response_id == response.id))
    session.expire(response, ["answers", "toolkit_views"])
    # A staff note may describe the answers, so the exclusion goes with them.
    response.excluded_reason = response.excluded_note = None
    response.excluded_at = response.excluded_by = None
    response.start_token = None
    response.withdrawn_at = utcnow()
    response.withdrawn_by = by
