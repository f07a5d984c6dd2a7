"""Log in and out."""

from __future__ import annotations

import time
import unicodedata
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from forms.auth import LoginForm, LogoutForm
from forms.fields import filled
from survey import audit
from survey.auth.services import Throttled, authenticate, end_sessions
from survey.extensions import db

bp = Blueprint("auth", __name__, url_prefix="/staff")


def _safe_next(target: str | None) -> str:
    """Only a path on this site; anything else (another host, a scheme, //x, a control
    character, which no header may hold) goes home."""
    if target and not any(unicodedata.category(c).startswith("C") for c in target):
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for("staff.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(
                db.session,
                filled(form.email.data),
                filled(form.password.data),
                ip=request.remote_addr,
            )
        except Throttled as throttled:
            message = _(
                "Too many failed attempts. Please wait %(seconds)d seconds and try again.",
                seconds=throttled.seconds,
            )
            flash(message, "error")
            page = render_template("auth/login.html", form=form)
            return page, 429, {"Retry-After": str(throttled.seconds)}
        if user is None:
            db.session.commit()  # keep the failed attempt in the audit log
            flash(_("That email and password do not match an active account."), "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user)
        session["seen_at"] = time.time()
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        user = current_user._get_current_object()
        end_sessions(user)
        audit.record(db.session, "auth.logout", user)
        db.session.commit()
        logout_user()
        flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
