"""The admin's follow-up page: the wave's settings and email texts with a preview, and the
queue's counts (counts only: no page shows staff an address)."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from forms.follow_up import FollowUpSettingsForm
from survey import audit
from survey.auth.services import ADMIN, role_required
from survey.extensions import db
from survey.follow_up import contacts, emails
from survey.follow_up.counts import queue_counts
from survey.models import SendWave, utcnow

bp = Blueprint("follow_up_admin", __name__, url_prefix="/staff/admin/follow-up")
FIELDS = (
    "invite_after_days",
    "remind_after_days",
    "link_valid_days",
    "sender",
    "subject_en",
    "subject_fr",
    "body_en",
    "body_fr",
)
EXAMPLE_LINK = "example-link"  # in the preview's links: it opens nothing
# The preview is a whole email, framed by the settings page: its inline styles are allowed
# (mail programs need them) and only this site may frame it.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'none'"
)


@bp.route("/", methods=["GET", "POST"])
@role_required(*ADMIN)
def settings():
    stored = contacts.settings(db.session)
    form = FollowUpSettingsForm(obj=stored)
    if form.validate_on_submit():
        row = contacts.stored_settings(db.session)
        changed = []
        for name in FIELDS:
            value = getattr(form, name).data or None
            if getattr(row, name) != value:
                setattr(row, name, value)
                changed.append(name)
        row.updated_by_id = current_user.id
        audit.record(
            db.session,
            "follow_up.settings",
            current_user,
            target="follow-up",
            ip=request.remote_addr,
            changed=changed,
        )
        db.session.commit()
        flash(_("The follow-up settings were saved."), "info")
        return redirect(url_for(".settings"))
    return render_template(
        "follow_up/admin.html",
        form=form,
        counts=queue_counts(db.session, utcnow()),
        key_set=bool(current_app.config["FOLLOW_UP_KEY"]),
        mail_server=current_app.config["MAIL_SERVER"],
    ), (400 if form.errors else 200)


def _example(language: str, wave: str) -> emails.Composed:
    """The saved texts composed as a participant would get them, with an example link; a
    language or wave that does not exist is a 404."""
    if language not in current_app.config["LANGUAGES"] or wave not in list(SendWave):
        abort(404)
    stored = contacts.settings(db.session)
    links = emails.links(current_app._get_current_object(), EXAMPLE_LINK)  # type: ignore[attr-defined]
    expires = utcnow() + timedelta(days=stored.link_valid_days)
    return emails.compose(stored, language, wave, links, expires)


@bp.get("/preview/<language>/<wave>")
@role_required(*ADMIN)
def preview(language: str, wave: str):
    """The email's HTML part, framed by the settings page."""
    response = current_app.make_response(_example(language, wave).html)
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    return response


@bp.get("/preview-text/<language>/<wave>")
@role_required(*ADMIN)
def preview_text(language: str, wave: str):
    composed = _example(language, wave)
    response = current_app.make_response(f"Subject: {composed.subject}\n\n{composed.text}")
    response.mimetype = "text/plain"
    return response
