"""Append an event to the audit log; the app has no way to change or remove one."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from survey.models import AuditEvent, User


def record(
    session: Session,
    action: str,
    user: User | None = None,
    target: str | None = None,
    ip: str | None = None,
    **details: Any,
) -> AuditEvent:
    event = AuditEvent(action=action, user=user, target=target, ip=ip, details=details)
    session.add(event)
    return event
