"""The follow-up wave: a participant's contact (the only identifying data kept, encrypted), the
emails sent to it, and the admin's settings. The answers themselves are a `Response` of the
follow-up questionnaire whose `follow_up_of` names the baseline response."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, utcnow


class SendWave(StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"


class ClosedReason(StrEnum):
    """Why a contact's address was deleted: the follow-up needs it no more."""

    ANSWERED = "answered"
    UNSUBSCRIBED = "unsubscribed"
    EXPIRED = "expired"
    FAILED = "failed"


def _in(values: type[StrEnum]) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


class FollowUpContact(Base):
    """One baseline response's agreement to be emailed once. The address is Fernet-encrypted and
    set to NULL when the contact closes; the content-free times stay for the queue's counts."""

    __tablename__ = "follow_up_contact"
    __table_args__ = (
        CheckConstraint("language IN ('en', 'fr')", name="language"),
        CheckConstraint(
            f"closed_reason IS NULL OR closed_reason IN ({_in(ClosedReason)})",
            name="closed_reason",
        ),
        CheckConstraint("(closed_at IS NULL) = (closed_reason IS NULL)", name="closed_when_reason"),
        # An open contact has an address; a closed one never keeps it.
        CheckConstraint(
            "(closed_at IS NULL) = (email_encrypted IS NOT NULL)", name="address_while_open"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[str] = mapped_column(ForeignKey("response.id"), unique=True)
    email_encrypted: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    consent_version: Mapped[str] = mapped_column(String(64))
    consented_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The invitation is sent on or after this time.
    due_at: Mapped[datetime] = mapped_column(index=True)
    # The link is HMAC(FOLLOW_UP_KEY, link_nonce): the invitation and the reminder carry the same
    # link, and the database alone (nonce and SHA-256 of the link's token) cannot rebuild it.
    link_nonce: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Set when the invitation is sent: the link works until then (or until answered).
    expires_at: Mapped[datetime | None]
    invited_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    bounced_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_reason: Mapped[str | None] = mapped_column(String(16))

    sends: Mapped[list[FollowUpSend]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class FollowUpSend(Base):
    """One email to one contact in one wave, claimed (inserted) before it is sent: the unique
    (contact, wave) makes a second consumer, or a re-run after a crash, find the claim and not
    send again. At most once: a claim whose send failed is recorded, never retried."""

    __tablename__ = "follow_up_send"
    __table_args__ = (
        UniqueConstraint("contact_id", "wave"),
        CheckConstraint(f"wave IN ({_in(SendWave)})", name="wave"),
        CheckConstraint("sent_at IS NULL OR failed_at IS NULL", name="sent_or_failed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("follow_up_contact.id", ondelete="CASCADE"), index=True
    )
    wave: Mapped[str] = mapped_column(String(16))
    # The rate limit counts claims in the last minute.
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    # The SMTP server's or the library's message, never the address.
    error: Mapped[str | None] = mapped_column(Text)

    contact: Mapped[FollowUpContact] = relationship(back_populates="sends")


class FollowUpSettings(Base):
    """The admin's settings for the wave: one row (id 1). Empty texts mean the built-in,
    translated defaults (survey/follow_up/emails.py)."""

    __tablename__ = "follow_up_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("invite_after_days BETWEEN 1 AND 365", name="invite_after_days"),
        CheckConstraint("remind_after_days BETWEEN 1 AND 90", name="remind_after_days"),
        CheckConstraint("link_valid_days BETWEEN 1 AND 365", name="link_valid_days"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    invite_after_days: Mapped[int] = mapped_column(default=14)
    remind_after_days: Mapped[int] = mapped_column(default=4)
    link_valid_days: Mapped[int] = mapped_column(default=30)
    sender: Mapped[str | None] = mapped_column(String(254))
    subject_en: Mapped[str | None] = mapped_column(String(200))
    subject_fr: Mapped[str | None] = mapped_column(String(200))
    body_en: Mapped[str | None] = mapped_column(Text)
    body_fr: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
