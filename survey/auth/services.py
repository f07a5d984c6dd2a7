"""Passwords (argon2id), authentication and role checks."""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from functools import cached_property, wraps
from typing import Any, TypedDict

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, current_app, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, logout_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from survey import audit
from survey.extensions import db, login_manager
from survey.models import AuditEvent, DbSession, Role, User, utcnow
from survey.models.user import new_session_token


class Argon2Parameters(TypedDict, total=False):
    """What ARGON2_PARAMETERS may set (argon2's PasswordHasher arguments; unset: its defaults)."""

    time_cost: int
    memory_cost: int
    parallelism: int
    hash_len: int
    salt_len: int


class _Passwords:
    """argon2id with the app's ARGON2_PARAMETERS, and a hash of nothing that is verified against
    when the email is unknown, so both kinds of failure take the same time."""

    def __init__(self, parameters: Argon2Parameters) -> None:
        self.hasher = PasswordHasher(**parameters)

    @cached_property
    def dummy_hash(self) -> str:
        return self.hasher.hash(secrets.token_hex(16))


def _passwords() -> _Passwords:
    return current_app.extensions["passwords"]


MIN_PASSWORD_LENGTH = 12


class UserError(ValueError):
    """A user account request that cannot be carried out: a message for the person, and the
    form field it belongs next to, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def hash_password(password: str) -> str:
    return _passwords().hasher.hash(password)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            _("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH),
            "password",
        )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _duplicate(email: str) -> UserError:
    return UserError(_("There is already an account for %(email)s.", email=email), "email")


def create_user(
    session: DbSession,
    email: str,
    password: str,
    role: str,
    by: User | None = None,
    ip: str | None = None,
) -> User:
    email = normalise_email(email)
    if role not in set(Role):
        raise UserError(_("Choose a role."), "role")
    check_password(password)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise _duplicate(email)
    user = User(email=email, password_hash=hash_password(password), role=role)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as error:  # another admin added the same email a moment ago
        raise _duplicate(email) from error  # (the caller rolls back)
    audit.record(session, "user.create", by, target=email, ip=ip, role=role)
    return user


class Throttled(Exception):
    """This email failed too often lately from this address: the next try must wait."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


FREE_FAILURES = 5  # per email and address in THROTTLE_WINDOW, before any wait
LONGEST_WAIT = timedelta(minutes=15)
THROTTLE_WINDOW = timedelta(minutes=15)


def check_throttle(session: DbSession, email: str, ip: str | None) -> None:
    """Failed logins slow down the same email from the same address: after FREE_FAILURES, each
    try waits twice as long as the last (2 s, 4 s, ... up to 15 minutes) after the latest
    failure. Keyed on both, so nobody can lock an account out from elsewhere, and failures on
    other accounts (or behind a shared proxy address) slow down no one else. The failures are
    counted in the audit log, so this holds across all workers and instances."""
    failures, latest = session.execute(
        select(func.count(), func.max(AuditEvent.at)).where(
            AuditEvent.action == "auth.login_failed",
            AuditEvent.target == email,
            AuditEvent.ip == ip if ip else AuditEvent.ip.is_(None),
            AuditEvent.at >= utcnow() - THROTTLE_WINDOW,
        )
    ).one()
    if failures < FREE_FAILURES:
        return
    wait = min(timedelta(seconds=2 ** (failures - FREE_FAILURES + 1)), LONGEST_WAIT)
    left = latest + wait - utcnow()
    if left > timedelta(0):
        raise Throttled(math.ceil(left.total_seconds()))


def authenticate(
    session: DbSession, email: str, password: str, ip: str | None = None
) -> User | None:
    """The active user with these credentials, or None; both kinds of failure look the same.
    Raises Throttled, before checking the password, after too many recent failures."""
    email = normalise_email(email)[:200]
    check_throttle(session, email, ip)
    user = session.scalar(select(User).where(User.email == email))
    passwords = _passwords()
    try:
        passwords.hasher.verify(user.password_hash if user else passwords.dummy_hash, password)
    except (VerificationError, InvalidHashError):
        user_ok = False
    else:
        user_ok = user is not None and user.active
    if user is None or not user_ok:
        audit.record(session, "auth.login_failed", target=email, ip=ip)
        return None
    if passwords.hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record(session, "auth.login", user, ip=ip)
    return user


def end_sessions(user: User) -> None:
    """Invalidate every session of this user (their cookies carry the old token)."""
    user.session_token = new_session_token()


def count_admins(session: DbSession) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
        )
        or 0
    )


def init_login(manager: LoginManager, app: Flask) -> None:
    manager.init_app(app)
    app.extensions["passwords"] = _Passwords(app.config["ARGON2_PARAMETERS"])
    manager.login_view = "auth.login"
    manager.session_protection = "strong"

    @manager.user_loader
    def load_user(token: str) -> User | None:
        return db.session.scalar(select(User).where(User.session_token == token, User.active))

    app.before_request(end_idle_staff_session)


def end_idle_staff_session():
    """Staff are logged out after a while without activity (STAFF_IDLE_SECONDS)."""
    if "_user_id" not in session or not current_user.is_authenticated:  # participants: no user
        return None
    now = time.time()
    seen = session.get("seen_at", now)
    if now - seen > current_app.config["STAFF_IDLE_SECONDS"]:
        logout_user()
        session.pop("seen_at", None)
        flash(_("You were logged out after a time without activity. Please log in again."), "info")
        return redirect(url_for("auth.login"))
    session["seen_at"] = now
    return None


def role_required(*roles: str) -> Callable:
    """Refuse anonymous visitors (to the login page) and the wrong role (403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


STAFF = (Role.ADMIN, Role.INVESTIGATOR)
ADMIN = (Role.ADMIN,)
