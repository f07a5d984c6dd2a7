"""Guessing codes: a resume code or an invitation code opens someone's health answers, so a
browser session may get a code wrong at most FAILURES_PER_SESSION times in WINDOW, and an
address FAILURES_PER_ADDRESS times. Every miss is in the audit log, which all workers and
instances share, so the address limit holds across them; a guesser who drops the session cookie
meets it. The session limit is lower so that one person's typing slips, or a script that keeps
its cookie, do not use up the allowance of everyone behind the same address (a hospital ward's
network)."""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import func, select

from survey import audit
from survey.messages import N_
from survey.models import AuditEvent, DbSession, utcnow

ACTION = "participant.code_failed"
FAILURES_PER_ADDRESS = 10
FAILURES_PER_SESSION = 5
MISSES = "code_misses"  # the session's key: when its recent misses were (time.time())
WINDOW = timedelta(minutes=15)
TOO_MANY = N_("Too many codes were tried from here lately. Please wait 15 minutes and try again.")
T = TypeVar("T")


class TooManyAttempts(Exception):
    """This address got a code wrong too often lately."""


def find_limited(
    session: DbSession,
    state: MutableMapping[str, Any],
    ip: str | None,
    kind: str,
    lookup: Callable[[], T | None],
) -> T | None:
    """What `lookup` finds for a typed code, unless this browser session (`state`) or this
    address failed too often lately (TooManyAttempts, before looking). A miss is recorded in
    both; the caller commits it."""
    now = time.time()
    recent = [at for at in state.get(MISSES, []) if now - at < WINDOW.total_seconds()]
    if len(recent) >= FAILURES_PER_SESSION:
        raise TooManyAttempts
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
        state[MISSES] = [*recent, now]
    return found
