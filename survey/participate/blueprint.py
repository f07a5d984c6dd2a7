"""The participate blueprint, on its own so each page module adds its routes without importing
another (views.py imports them all), and what every participant page needs: the response this
browser is answering, the questionnaire version it follows, and where to send the participant."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from flask_babel import gettext as _

from survey.extensions import db
from survey.models import Response
from survey.participate import code_attempts, services, session_state
from survey.participate.structure import Page, Version

bp = Blueprint("participate", __name__, url_prefix="/survey")
T = TypeVar("T")


def current_response() -> Response | None:
    response_id = session_state.response_id()
    return services.load_response(db.session, response_id) if response_id else None


def version_of(response: Response) -> Version:
    return services.version_structure(db.session, response.version_id)


def new_participant_version() -> Version:
    version = services.current_structure(db.session, current_app.config["QUESTIONNAIRE_SLUG"])
    if version is None:
        abort(503, _("The survey is not open yet."))
    return version


def to_page(page: Page | None):
    if page is None:
        return redirect(url_for("participate.thanks"))
    return redirect(url_for("participate.page", position=page.position))


def look_up_code(kind: str, lookup: Callable[[], T | None]) -> T | None:
    """What `lookup` finds for a code the participant typed, within the guessing limit (raises
    code_attempts.TooManyAttempts); a miss is committed at once, so the limit counts it."""
    found = code_attempts.find_limited(db.session, session, request.remote_addr, kind, lookup)
    if found is None:
        db.session.commit()
    return found


def response_by_resume_code(code: str) -> Response | None:
    secret = current_app.config["SECRET_KEY"]
    return look_up_code("resume", lambda: services.find_by_resume_code(db.session, code, secret))
