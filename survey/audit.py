"""The audit log: append an event, find events, write them as CSV. Events are never changed or
removed: no route does it, and the ORM refuses it (see `_refuse_changes_to_the_log`)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Select, Update, event, select
from sqlalchemy.orm import ORMExecuteState, Session, joinedload

from exports.cells import GuardCounts, csv_text, csv_writer
from survey.models import AuditEvent, DbSession, User


class AuditLogIsAppendOnly(RuntimeError):
    """Something tried to change or remove an event already in the audit log."""


def record(
    session: DbSession,
    action: str,
    user: User | None = None,
    target: str | None = None,
    ip: str | None = None,
    **details: Any,
) -> AuditEvent:
    event = AuditEvent(action=action, user=user, target=target, ip=ip, details=details)
    session.add(event)
    return event


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_the_log(session: Session, _context, _instances) -> None:
    """An event may be added (and amended until it is first written); once written it stays."""
    for instance in session.deleted:
        if isinstance(instance, AuditEvent):
            raise AuditLogIsAppendOnly(f"audit event {instance.id} cannot be deleted")
    for instance in session.dirty:
        if isinstance(instance, AuditEvent) and session.is_modified(instance):
            raise AuditLogIsAppendOnly(f"audit event {instance.id} cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes_to_the_log(state: ORMExecuteState) -> None:
    """`update(AuditEvent)` and `delete(AuditEvent)` run through a session are refused too."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) == AuditEvent.__tablename__:
        verb = "changed" if isinstance(state.statement, Update) else "deleted"
        raise AuditLogIsAppendOnly(f"audit events cannot be {verb}")


@dataclass(frozen=True)
class AuditFilters:
    """Which events to show: each filter is off when empty. Dates are UTC and inclusive."""

    action: str | None = None
    user_email: str | None = None
    since: date | None = None
    until: date | None = None
    target: str | None = None

    def as_details(self) -> dict[str, str]:
        """The filters that are on, as text (for the audit event of a download)."""
        return {key: str(value) for key, value in vars(self).items() if value}


def select_events(filters: AuditFilters) -> Select[AuditEvent]:
    """The matching events, newest first, with who did each loaded alongside."""
    query = select(AuditEvent).options(joinedload(AuditEvent.user))
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.user_email:
        query = query.where(
            AuditEvent.user.has(User.email.icontains(filters.user_email, autoescape=True))
        )
    if filters.since:
        query = query.where(AuditEvent.at >= datetime.combine(filters.since, time.min, UTC))
    if filters.until:
        query = query.where(AuditEvent.at <= datetime.combine(filters.until, time.max, UTC))
    if filters.target:
        query = query.where(AuditEvent.target.icontains(filters.target, autoescape=True))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def actions(session: DbSession) -> list[str]:
    """Every action that appears in the log, in alphabetical order."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def details_text(details: dict[str, Any] | None) -> str:
    return json.dumps(details or {}, sort_keys=True, ensure_ascii=False, default=str)


CSV_HEADER = ["id", "at_utc", "user", "action", "target", "ip", "details"]


def events_csv(events: Iterable[AuditEvent]) -> tuple[bytes, int]:
    """The events as UTF-8 CSV with a BOM, every text cell through the spreadsheet guard;
    returns the file and its number of rows."""
    out = io.BytesIO()
    counts = GuardCounts()
    rows = 0
    with csv_writer(out) as writer:
        writer.writerow(CSV_HEADER)
        for item in events:
            writer.writerow(
                [
                    item.id,
                    item.at.strftime("%Y-%m-%d %H:%M:%S"),
                    csv_text(item.user.email if item.user else "", counts),
                    csv_text(item.action, counts),
                    csv_text(item.target or "", counts),
                    csv_text(item.ip or "", counts),
                    csv_text(details_text(item.details), counts),
                ]
            )
            rows += 1
    return out.getvalue(), rows
