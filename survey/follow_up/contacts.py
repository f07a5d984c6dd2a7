"""A participant's follow-up contact: signing up at the end of the survey, the personal link,
what state the link is in, the follow-up response it opens, and closing the contact (which
deletes the address). Flask-free: the views and the queue's tasks pass the key and settings."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey import codes
from survey.follow_up import addresses
from survey.models import (
    ClosedReason,
    DbSession,
    FollowUpContact,
    FollowUpSettings,
    Response,
    utcnow,
)
from survey.participate.services import current_version_id

# The follow-up consent's wording is in templates/follow_up/_offer.html: change this version
# whenever that wording changes, so each contact records what it agreed to.
CONSENT_VERSION = "follow-up-consent-2026-11-v1"


class LinkState(StrEnum):
    OPEN = "open"
    UNKNOWN = "unknown"  # never made here (forged or mistyped), or removed by a withdrawal
    ANSWERED = "answered"
    UNSUBSCRIBED = "unsubscribed"
    EXPIRED = "expired"


def settings(session: DbSession) -> FollowUpSettings:
    """The admin's settings, or the defaults (unsaved: a page that only reads changes nothing)."""
    found = session.get(FollowUpSettings, 1)
    return found if found is not None else FollowUpSettings(id=1, **DEFAULTS)


DEFAULTS = {"invite_after_days": 14, "remind_after_days": 4, "link_valid_days": 30}


def stored_settings(session: DbSession, lock: bool = False) -> FollowUpSettings:
    """The settings' row, stored first if it is not yet; `lock` (PostgreSQL) makes the queue's
    consumers claim sends one after another, so the rate limit holds across them."""
    query = select(FollowUpSettings).where(FollowUpSettings.id == 1)
    if lock:
        query = query.with_for_update()
    found = session.scalar(query)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            found = FollowUpSettings(id=1, **DEFAULTS)
            session.add(found)
    except IntegrityError:  # another consumer stored it first: read (and lock) theirs
        found = session.scalar(query)
        if found is None:
            raise
    return found


def offered(session: DbSession, key: str | None, follow_up_slug: str) -> bool:
    """Whether participants are asked at all: a key to encrypt addresses with, and a published
    follow-up questionnaire to send them to."""
    return bool(key) and current_version_id(session, follow_up_slug) is not None


def contact_of(session: DbSession, response_id: str) -> FollowUpContact | None:
    return session.scalar(select(FollowUpContact).where(FollowUpContact.response_id == response_id))


class AlreadySignedUp(Exception):
    """The response has a contact already (a second click, or a second tab)."""


def sign_up(
    session: DbSession,
    response: Response,
    address: str,
    language: str,
    key: str,
    now: datetime | None = None,
) -> FollowUpContact:
    """Record the agreement to one follow-up email (the address encrypted); AlreadySignedUp when
    the response has one, so a double submit never makes two."""
    if contact_of(session, response.id) is not None:
        raise AlreadySignedUp
    now = now or utcnow()
    nonce = secrets.token_urlsafe(32)
    contact = FollowUpContact(
        response_id=response.id,
        email_encrypted=addresses.encrypt(address, key),
        language=language,
        consent_version=CONSENT_VERSION,
        consented_at=now,
        due_at=now + timedelta(days=settings(session).invite_after_days),
        link_nonce=nonce,
        token_hash=token_hash(link_token(nonce, key)),
    )
    try:
        with session.begin_nested():
            session.add(contact)
    except IntegrityError as error:  # the other submit won the race
        raise AlreadySignedUp from error
    return contact


def link_token(nonce: str, key: str) -> str:
    """The token in the contact's link: the invitation and the reminder carry the same one."""
    return codes.keyed_digest("follow-up-link", nonce, key)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def contact_by_token(session: DbSession, token: str) -> FollowUpContact | None:
    if len(token) > 128:
        return None
    return session.scalar(
        select(FollowUpContact).where(FollowUpContact.token_hash == token_hash(token))
    )


def link_state(contact: FollowUpContact | None, now: datetime | None = None) -> LinkState:
    if contact is None:
        return LinkState.UNKNOWN
    if contact.answered_at is not None:
        return LinkState.ANSWERED
    if contact.unsubscribed_at is not None:
        return LinkState.UNSUBSCRIBED
    if contact.closed_reason == ClosedReason.EXPIRED or (
        contact.expires_at is not None and (now or utcnow()) >= contact.expires_at
    ):
        return LinkState.EXPIRED
    return LinkState.OPEN


def follow_up_response(session: DbSession, contact: FollowUpContact) -> Response | None:
    return session.scalar(select(Response).where(Response.follow_up_of == contact.response_id))


def start_follow_up(
    session: DbSession, contact: FollowUpContact, version_id: int, language: str
) -> Response:
    """The contact's follow-up response, made when its first page is saved. The baseline's
    agreement is its consent; it has no resume code (the link brings the participant back), so
    its stored hash is of nothing anyone holds."""
    found = follow_up_response(session, contact)
    if found is not None:
        return found
    now = utcnow()
    response = Response(
        version_id=version_id,
        language=language,
        consent_version=contact.consent_version,
        consented_at=contact.consented_at,
        started_at=now,
        resume_code_hash=secrets.token_hex(32),
        follow_up_of=contact.response_id,
    )
    session.add(response)
    session.flush()
    return response


def close(contact: FollowUpContact, reason: ClosedReason, now: datetime | None = None) -> None:
    """No more email: the address is deleted; the content-free times stay for the counts."""
    if contact.closed_at is None:
        contact.closed_at = now or utcnow()
        contact.closed_reason = reason
    contact.email_encrypted = None


def record_answered(contact: FollowUpContact, now: datetime | None = None) -> None:
    contact.answered_at = contact.answered_at or now or utcnow()
    close(contact, ClosedReason.ANSWERED, contact.answered_at)


def unsubscribe(contact: FollowUpContact, now: datetime | None = None) -> bool:
    """Returns False when there was nothing left to stop (answered or unsubscribed already)."""
    if contact.answered_at is not None or contact.unsubscribed_at is not None:
        return False
    contact.unsubscribed_at = now or utcnow()
    close(contact, ClosedReason.UNSUBSCRIBED, contact.unsubscribed_at)
    return True


def address_of(contact: FollowUpContact, key: str) -> str | None:
    """The address, for the email and the participant's own confirmation page only."""
    if contact.email_encrypted is None:
        return None
    return addresses.decrypt(contact.email_encrypted, key)


def follow_up_version_id(session: DbSession, slug: str) -> int | None:
    return current_version_id(session, slug)
