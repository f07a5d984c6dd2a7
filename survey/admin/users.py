"""Staff accounts as admins manage them: create, change role, deactivate and reactivate, reset a
password. Every change is audited, and there is always at least one active admin."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from survey import audit
from survey.auth.services import UserError, check_password, end_sessions, hash_password
from survey.codes import new_password
from survey.models import DbSession, Role, User


def list_users(session: DbSession) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def _active_admin_ids(session: DbSession) -> list[int]:
    """Locked on PostgreSQL, so two admins demoting each other at once cannot both succeed
    (SQLite writers already run one at a time)."""
    query = select(User.id).where(User.role == Role.ADMIN, User.active).with_for_update()
    return list(session.scalars(query))


def _refuse_removing_the_last_admin(session: DbSession, user: User) -> None:
    if user.role == Role.ADMIN and user.active and _active_admin_ids(session) == [user.id]:
        raise UserError(
            _("%(email)s is the last active admin. Make another admin first.", email=user.email)
        )


def change_role(session: DbSession, by: User, user: User, role: str, ip: str | None = None) -> bool:
    """Returns whether anything changed."""
    if role not in set(Role):
        raise UserError(_("Choose a role."), "role")
    if role == user.role:
        return False
    if role != Role.ADMIN:
        _refuse_removing_the_last_admin(session, user)
    old, user.role = user.role, role
    audit.record(session, "user.role", by, target=user.email, ip=ip, old=old, new=role)
    session.flush()
    return True


def deactivate(session: DbSession, by: User, user: User, ip: str | None = None) -> bool:
    """The account can no longer log in, and every session it has ends now."""
    if not user.active:
        return False
    _refuse_removing_the_last_admin(session, user)
    user.active = False
    end_sessions(user)
    audit.record(session, "user.deactivate", by, target=user.email, ip=ip, role=user.role)
    session.flush()
    return True


def reactivate(session: DbSession, by: User, user: User, ip: str | None = None) -> bool:
    if user.active:
        return False
    user.active = True
    audit.record(session, "user.reactivate", by, target=user.email, ip=ip, role=user.role)
    session.flush()
    return True


def reset_password(
    session: DbSession, by: User, user: User, password: str | None = None, ip: str | None = None
) -> str:
    """Sets the given password, or a generated one when none is given, and ends every session
    of the user. Returns the new password (to show once if it was generated)."""
    generated = not password
    if not password:
        password = new_password()
    check_password(password)
    user.password_hash = hash_password(password)
    end_sessions(user)
    audit.record(session, "user.password_reset", by, target=user.email, ip=ip, generated=generated)
    session.flush()
    return password
