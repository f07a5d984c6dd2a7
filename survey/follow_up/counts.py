"""The follow-up queue's counts for the admin: content-free (no address is read)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from survey.models import ClosedReason, DbSession, FollowUpContact, FollowUpSend, SendWave


@dataclass(frozen=True)
class QueueCounts:
    signed_up: int  # contacts kept (a withdrawal deletes its contact)
    scheduled: int  # the invitation's day has not come
    due: int  # its day has come; the consumer sends it within the minute (rate limit allowing)
    invited: int  # invitations sent
    reminded: int  # reminders sent
    answered: int
    failed: int  # sends the mail server refused, or whose outcome is unknown
    sending: int  # claimed, outcome not yet written
    unsubscribed: int
    expired: int


def queue_counts(session: DbSession, now: datetime) -> QueueCounts:
    contact = FollowUpContact
    signed_up = session.scalar(select(func.count()).select_from(contact)) or 0
    not_invited = select(func.count()).where(
        contact.closed_at.is_(None),
        ~select(FollowUpSend.id)
        .where(FollowUpSend.contact_id == contact.id, FollowUpSend.wave == SendWave.INVITATION)
        .exists(),
    )
    scheduled = session.scalar(not_invited.where(contact.due_at > now)) or 0
    due = session.scalar(not_invited.where(contact.due_at <= now)) or 0
    sends = dict(
        session.execute(
            select(FollowUpSend.wave, func.count())
            .where(FollowUpSend.sent_at.is_not(None))
            .group_by(FollowUpSend.wave)
        ).all()
    )
    failed = session.scalar(select(func.count()).where(FollowUpSend.failed_at.is_not(None)))
    sending = session.scalar(
        select(func.count()).where(FollowUpSend.sent_at.is_(None), FollowUpSend.failed_at.is_(None))
    )
    answered = session.scalar(select(func.count()).where(contact.answered_at.is_not(None)))
    unsubscribed = session.scalar(select(func.count()).where(contact.unsubscribed_at.is_not(None)))
    expired = session.scalar(
        select(func.count()).where(contact.closed_reason == ClosedReason.EXPIRED)
    )
    return QueueCounts(
        signed_up=signed_up,
        scheduled=scheduled,
        due=due,
        invited=sends.get(SendWave.INVITATION, 0),
        reminded=sends.get(SendWave.REMINDER, 0),
        answered=answered or 0,
        failed=failed or 0,
        sending=sending or 0,
        unsubscribed=unsubscribed or 0,
        expired=expired or 0,
    )
