"""Staff accounts as admins manage them: create, change role, deactivate and reactivate, reset a
password. Every change is audited, and there is always at least one active admin."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey import audit
from survey.auth.services import (
    UserError,
    create_user,
    end_sessions,
    hash_password,
    normalise_email,
)
from survey.models import AuditEvent, Role, User
from survey.participate.services import RESUME_ALPHABET

MIN_PASSWORD_LENGTH = 12  # as survey.auth.services.create_user requires


class UserFieldError(UserError):
    """A refusal that belongs next to one field of the form (`field`), if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def generate_password() -> str:
    """Four groups of five characters without look-alikes (about 98 bits): it is read off a
    screen and typed in, like the resume codes."""
    groups = ("".join(secrets.choice(RESUME_ALPHABET) for _i in range(5)) for _j in range(4))
    return "-".join(groups)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def _active_admin_ids(session: Session) -> list[int]:
    """Locked on PostgreSQL, so two admins demoting each other at once cannot both succeed
    (SQLite writers already run one at a time)."""
    query = select(User.id).where(User.role == Role.ADMIN, User.active).with_for_update()
    return list(session.scalars(query))


def _refuse_removing_the_last_admin(session: Session, user: User) -> None:
    if user.role == Role.ADMIN and user.active and _active_admin_ids(session) == [user.id]:
        raise UserError(
            _("%(email)s is the last active admin. Make another admin first.", email=user.email)
        )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserFieldError(
            _("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH),
            "password",
        )


def create_staff_user(
    session: Session, by: User, email: str, role: str, password: str, ip: str | None = None
) -> User:
    email = normalise_email(email)
    if role not in set(Role):
        raise UserFieldError(_("Choose a role."), "role")
    _check_password(password)
    duplicate = UserFieldError(
        _("There is already an account for %(email)s.", email=email), "email"
    )
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise duplicate
    try:
        user = create_user(session, email, password, role, by=by)
    except IntegrityError as error:  # another admin added the same email a moment ago
        raise duplicate from error  # (the caller rolls back)
    for pending in session.new:  # the event create_user recorded: add where the request came from
        if isinstance(pending, AuditEvent) and pending.action == "user.create":
            pending.ip = ip
    return user


def change_role(session: Session, by: User, user: User, role: str, ip: str | None = None) -> bool:
    """Returns whether anything changed."""
    if role not in set(Role):
        raise UserFieldError(_("Choose a role."), "role")
    if role == user.role:
        return False
    if role != Role.ADMIN:
        _refuse_removing_the_last_admin(session, user)
    old, user.role = user.role, role
    audit.record(session, "user.role", by, target=user.email, ip=ip, old=old, new=role)
    session.flush()
    return True


def deactivate(session: Session, by: User, user: User, ip: str | None = None) -> bool:
    """The account can no longer log in, and every session it has ends now."""
    if not user.active:
        return False
    _refuse_removing_the_last_admin(session, user)
    user.active = False
    end_sessions(user)
    audit.record(session, "user.deactivate", by, target=user.email, ip=ip, role=user.role)
    session.flush()
    return True


def reactivate(session: Session, by: User, user: User, ip: str | None = None) -> bool:
    if user.active:
        return False
    user.active = True
    audit.record(session, "user.reactivate", by, target=user.email, ip=ip, role=user.role)
    session.flush()
    return True


def reset_password(
    session: Session, by: User, user: User, password: str | None = None, ip: str | None = None
) -> str:
    """Sets the given password, or a generated one when none is given, and ends every session
    of the user. Returns the new password (to show once if it was generated)."""
    generated = not password
    if generated:
        password = generate_password()
    _check_password(password)
    user.password_hash = hash_password(password)
    end_sessions(user)
    audit.record(session, "user.password_reset", by, target=user.email, ip=ip, generated=generated)
    session.flush()
    return password
