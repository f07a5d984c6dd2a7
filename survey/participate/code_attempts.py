"""Guessing codes: a resume code or an invitation code opens someone's health answers, so an
address may get a code wrong at most FAILURES_PER_ADDRESS times in WINDOW. Every miss is in the
audit log, which all workers and instances share, so the limit holds across them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import func, select

from survey import audit
from survey.messages import N_
from survey.models import AuditEvent, DbSession, utcnow

ACTION = "participant.code_failed"
FAILURES_PER_ADDRESS = 10
WINDOW = timedelta(minutes=15)
TOO_MANY = N_("Too many codes were tried from here lately. Please wait 15 minutes and try again.")
T = TypeVar("T")


class TooManyAttempts(Exception):
    """This address got a code wrong too often lately."""


def find_limited(
    session: DbSession, ip: str | None, kind: str, lookup: Callable[[], T | None]
) -> T | None:
    """What `lookup` finds for a typed code, unless this address failed too often lately
    (TooManyAttempts, before looking). A miss is recorded; the caller commits it."""
    failures = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == ACTION, AuditEvent.ip == ip, AuditEvent.at >= utcnow() - WINDOW)
    )
    if (failures or 0) >= FAILURES_PER_ADDRESS:
        raise TooManyAttempts
    found = lookup()
    if found is None:
        audit.record(session, ACTION, target=kind, ip=ip)
    return found
