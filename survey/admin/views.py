"""Admin pages: the study's access mode and its invitation codes."""

from __future__ import annotations

import io

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exports.cells import GuardCounts, csv_text, csv_writer
from forms.admin import AccessModeForm, InvitationBatchForm
from forms.fields import filled
from survey import audit
from survey.admin import audit_views, study_views, user_views  # noqa: F401  (they add routes to bp)
from survey.admin.blueprint import bp
from survey.auth.services import ADMIN, role_required
from survey.downloads import CSV, attachment
from survey.extensions import db
from survey.models import Questionnaire, utcnow
from survey.participate import invitations
from survey.questionnaire.study import study_questionnaire


def _questionnaire() -> Questionnaire:
    return study_questionnaire(db.session, current_app.config["QUESTIONNAIRE_SLUG"])


@bp.route("/invitations", methods=["GET"])
@role_required(*ADMIN)
def invitations_page():
    questionnaire = _questionnaire()
    mode = AccessModeForm(data={"mode": "invitation" if questionnaire.invitation_only else "open"})
    return _render(questionnaire, mode, InvitationBatchForm())


def _render(questionnaire, mode, batch, status=200):
    made, used = invitations.invitation_counts(db.session, questionnaire)
    return render_template(
        "admin/invitations.html",
        questionnaire=questionnaire,
        mode=mode,
        batch=batch,
        made=made,
        used=used,
    ), status


@bp.route("/invitations/mode", methods=["POST"])
@role_required(*ADMIN)
def access_mode():
    questionnaire = _questionnaire()
    form = AccessModeForm()
    if not form.validate_on_submit():
        return _render(questionnaire, form, InvitationBatchForm(), 400)
    questionnaire.invitation_only = form.mode.data == "invitation"
    audit.record(
        db.session,
        "study.access_mode",
        current_user,
        target=questionnaire.slug,
        invitation_only=questionnaire.invitation_only,
    )
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for(".invitations_page"))


@bp.route("/invitations", methods=["POST"])
@role_required(*ADMIN)
def make_invitations():
    questionnaire = _questionnaire()
    form = InvitationBatchForm()
    if not form.validate_on_submit():
        mode = AccessModeForm(
            data={"mode": "invitation" if questionnaire.invitation_only else "open"}
        )
        return _render(questionnaire, mode, form, 400)
    codes = invitations.create_invitations(
        db.session,
        questionnaire,
        filled(form.count.data),
        current_app.config["SECRET_KEY"],
        current_user,
    )
    audit.record(
        db.session, "invitations.create", current_user, target=questionnaire.slug, count=len(codes)
    )
    db.session.commit()
    out = io.BytesIO()
    counts = GuardCounts()
    with csv_writer(out) as writer:
        writer.writerow(["invitation_code"])
        writer.writerows([csv_text(code, counts)] for code in codes)
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return attachment(out.getvalue(), f"invitations-{stamp}.csv", CSV)
