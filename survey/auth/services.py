"""Passwords (argon2id), authentication and role checks."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, current_app, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, logout_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey import audit
from survey.extensions import db
from survey.models import AuditEvent, Role, User, utcnow
from survey.models.user import new_session_token

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class UserError(ValueError):
    """A user account request that cannot be carried out, with a message for the person."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session, email: str, password: str, role: str, by: User | None = None
) -> User:
    email = normalise_email(email)
    if role not in set(Role):
        raise UserError(f"role must be one of: {', '.join(Role)}")
    if len(password) < 12:
        raise UserError("the password must be at least 12 characters long")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise UserError(f"a user with the email {email} already exists")
    user = User(email=email, password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    audit.record(session, "user.create", by, target=email, role=role)
    return user


class Throttled(Exception):
    """Too many failed logins lately for this email or from this address."""


FAILURES_PER_EMAIL = 5
FAILURES_PER_ADDRESS = 20
THROTTLE_WINDOW = timedelta(minutes=15)


def check_throttle(session: Session, email: str, ip: str | None) -> None:
    """Failed logins are counted in the database, so the limit holds across all workers and
    instances."""
    since = utcnow() - THROTTLE_WINDOW
    failures = (
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "auth.login_failed", AuditEvent.at >= since)
    )
    if (session.scalar(failures.where(AuditEvent.target == email)) or 0) >= FAILURES_PER_EMAIL:
        raise Throttled
    if ip and (session.scalar(failures.where(AuditEvent.ip == ip)) or 0) >= FAILURES_PER_ADDRESS:
        raise Throttled


def authenticate(session: Session, email: str, password: str, ip: str | None = None) -> User | None:
    """The active user with these credentials, or None; both kinds of failure look the same.
    Raises Throttled, before checking the password, after too many recent failures."""
    email = normalise_email(email)[:200]
    check_throttle(session, email, ip)
    user = session.scalar(select(User).where(User.email == email))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        user_ok = False
    else:
        user_ok = user is not None and user.active
    if not user_ok:
        audit.record(session, "auth.login_failed", target=email, ip=ip)
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record(session, "auth.login", user, ip=ip)
    return user


def end_sessions(user: User) -> None:
    """Invalidate every session of this user (their cookies carry the old token)."""
    user.session_token = new_session_token()


def count_admins(session: Session) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
        )
        or 0
    )


def init_login(manager: LoginManager, app: Flask) -> None:
    manager.init_app(app)
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
                return current_app.login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


STAFF = (Role.ADMIN, Role.INVESTIGATOR)
ADMIN = (Role.ADMIN,)
