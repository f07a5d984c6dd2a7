"""Sending the follow-up's emails from the queue's consumer (never in a web request).

At most once: each email is claimed first, by inserting its send record (unique per contact and
wave) and committing, and only then handed to the mail server; a second consumer, or a run
after a crash, finds the claim and does not send again. A claim whose outcome was never written
(the consumer stopped mid-send) is marked failed after a while, never sent again. The rate limit
counts the claims of the last minute; claims are made one at a time under the settings row's
lock, so it holds across consumers."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from survey.database import write_transactions
from survey.extensions import db
from survey.follow_up import contacts, emails
from survey.mail import MailError, MailSettings, deliver
from survey.models import (
    ClosedReason,
    DbSession,
    FollowUpContact,
    FollowUpSend,
    FollowUpSettings,
    SendWave,
    utcnow,
)

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=30)  # far longer than any send's SMTP timeout
BATCH = 200  # contacts looked at per wave and run; the rest wait for the next minute


@dataclass
class Run:
    """What one run did, by wave (for the log and the tests)."""

    sent: dict[str, int] = field(default_factory=lambda: {w.value: 0 for w in SendWave})
    failed: dict[str, int] = field(default_factory=lambda: {w.value: 0 for w in SendWave})
    held_back: int = 0  # due, but over the rate limit: next minute
    expired: int = 0


def run(app: Flask, now: datetime | None = None) -> Run:
    """One pass: close expired contacts, give up on stale claims, then send what is due."""
    report = Run()
    with app.app_context():
        with write_transactions():
            report.expired = close_expired(db.session, now or utcnow())
            fail_stale_claims(db.session, now or utcnow())
            db.session.commit()
        for wave in SendWave:
            for contact_id in due(db.session, wave, now or utcnow()):
                if not _send_one(app, contact_id, wave, report, now):
                    report.held_back += 1
                    break
        db.session.remove()
    if any(report.sent.values()) or any(report.failed.values()):
        log.info(
            "follow-up emails: sent %s, failed %s, held back %d",
            report.sent,
            report.failed,
            report.held_back,
        )
    return report


def due(session: DbSession, wave: SendWave, now: datetime) -> list[int]:
    """Ids of the open contacts whose email of this wave is due and not yet claimed."""
    settings = contacts.settings(session)
    unclaimed = ~exists().where(
        FollowUpSend.contact_id == FollowUpContact.id, FollowUpSend.wave == wave
    )
    query = select(FollowUpContact.id).where(FollowUpContact.closed_at.is_(None), unclaimed)
    if wave == SendWave.INVITATION:
        query = query.where(FollowUpContact.due_at <= now)
    else:
        query = query.where(
            FollowUpContact.invited_at <= now - timedelta(days=settings.remind_after_days),
            FollowUpContact.answered_at.is_(None),
        )
    rows = session.scalars(query.order_by(FollowUpContact.due_at).limit(BATCH)).all()
    session.rollback()  # read only: end the transaction before each claim takes its own
    return list(rows)


def _send_one(
    app: Flask, contact_id: int, wave: SendWave, report: Run, now: datetime | None
) -> bool:
    """Claim, send, record. Returns False when the rate limit stops the run."""
    with write_transactions():
        try:
            claim = _claim(db.session, contact_id, wave, now or utcnow(), app)
        except _RateLimited:
            db.session.rollback()
            return False
        if claim is None:
            db.session.rollback()
            return True  # someone else's now, or closed meanwhile
        db.session.commit()
    outcome = _deliver(app, claim)
    with write_transactions():
        _record(db.session, claim, outcome, now or utcnow())
        db.session.commit()
    (report.failed if outcome else report.sent)[wave] += 1
    return True


@dataclass(frozen=True)
class _Claim:
    send_id: int
    contact_id: int
    wave: SendWave
    address: str
    language: str
    token: str
    expires_at: datetime | None
    settings: FollowUpSettings


class _RateLimited(Exception):
    """The last minute's claims reached FOLLOW_UP_SENDS_PER_MINUTE."""


def _claim(
    session: DbSession, contact_id: int, wave: SendWave, now: datetime, app: Flask
) -> _Claim | None:
    settings = contacts.stored_settings(session, lock=True)
    recent = session.scalar(
        select(func.count())
        .select_from(FollowUpSend)
        .where(FollowUpSend.claimed_at > now - timedelta(minutes=1))
    )
    if recent >= app.config["FOLLOW_UP_SENDS_PER_MINUTE"]:
        raise _RateLimited
    contact = session.get(FollowUpContact, contact_id, populate_existing=True)
    if contact is None or contact.is_closed or contacts.link_state(contact, now) != "open":
        return None
    send = FollowUpSend(contact_id=contact_id, wave=wave, claimed_at=now)
    try:
        with session.begin_nested():
            session.add(send)
    except IntegrityError:  # another consumer claimed it first
        return None
    if wave == SendWave.INVITATION:
        contact.expires_at = now + timedelta(days=settings.link_valid_days)
    key = app.config["FOLLOW_UP_KEY"]
    try:
        address = contacts.address_of(contact, key) or ""
    except ValueError:  # FOLLOW_UP_KEY changed: recorded as a failure, like a refusal
        address = ""
    session.expunge(settings)  # read after the commit, outside any transaction
    return _Claim(
        send_id=send.id,
        contact_id=contact_id,
        wave=wave,
        address=address,
        language=contact.language,
        token=contacts.link_token(contact.link_nonce, key),
        expires_at=contact.expires_at,
        settings=settings,
    )


def _deliver(app: Flask, claim: _Claim) -> str | None:
    """Send the claimed email; returns the error (the address taken out of it), or None."""
    if not claim.address:
        return "the address cannot be read with this FOLLOW_UP_KEY"
    try:
        links = emails.links(app, claim.token)
        with app.app_context():
            composed = emails.compose(
                claim.settings, claim.language, claim.wave, links, claim.expires_at
            )
        mail = emails.message(composed, claim.address, claim.settings.sender, links)
        deliver(mail, MailSettings.from_config(app.config, app.instance_path))
    except MailError as error:
        return _without_address(str(error), claim.address)
    except Exception as error:  # anything else is recorded too: the claim is never left open
        return _without_address(f"{type(error).__name__}: {error}", claim.address)
    return None


def _without_address(text: str, address: str) -> str:
    """An SMTP server's refusal often quotes the recipient: the record must not."""
    if address:
        text = text.replace(address, "[address]").replace(address.lower(), "[address]")
    return text[:2000]


def _record(session: DbSession, claim: _Claim, error: str | None, now: datetime) -> None:
    send = session.get(FollowUpSend, claim.send_id)
    contact = session.get(FollowUpContact, claim.contact_id)
    if send is None or contact is None:  # withdrawn while the email was being sent
        return
    if error is None:
        send.sent_at = now
        if claim.wave == SendWave.INVITATION:
            contact.invited_at = now
        else:
            contact.reminded_at = now
        return
    send.failed_at, send.error = now, error
    contact.bounced_at = now
    if claim.wave == SendWave.INVITATION:
        # Nothing reached them: no reminder either, and the address is no longer needed.
        contacts.close(contact, ClosedReason.FAILED, now)


def close_expired(session: DbSession, now: datetime) -> int:
    """Contacts whose link has expired: closed, their address deleted."""
    expired = session.scalars(
        select(FollowUpContact).where(
            FollowUpContact.closed_at.is_(None), FollowUpContact.expires_at <= now
        )
    ).all()
    for contact in expired:
        contacts.close(contact, ClosedReason.EXPIRED, now)
    return len(expired)


def fail_stale_claims(session: DbSession, now: datetime) -> int:
    """Claims with no outcome long after they were made: the consumer stopped while sending.
    Whether the email left is unknown; it is not sent again (at most once)."""
    stale = session.scalars(
        select(FollowUpSend).where(
            FollowUpSend.sent_at.is_(None),
            FollowUpSend.failed_at.is_(None),
            FollowUpSend.claimed_at <= now - STALE_CLAIM,
        )
    ).all()
    for send in stale:
        send.failed_at = now
        send.error = "the queue's consumer stopped while sending; not sent again"
    return len(stale)
