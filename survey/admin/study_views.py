"""The admin page for the study's information (shown to participants on the home, consent and
thank-you pages). Saving adds a revision; consents from then on record it."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from forms.study_info import StudyInformationForm
from survey.admin.blueprint import bp
from survey.auth.services import ADMIN, role_required
from survey.extensions import db
from survey.models import StudyInformation
from survey.questionnaire.study import study_questionnaire
from survey.study_info import services


def _page(form: StudyInformationForm, status: int = 200):
    questionnaire = study_questionnaire(db.session, current_app.config["QUESTIONNAIRE_SLUG"])
    current = services.shown_information(db.session, questionnaire.id)
    revisions = db.session.scalars(
        select(StudyInformation)
        .where(StudyInformation.questionnaire_id == questionnaire.id)
        .order_by(StudyInformation.number.desc())
    ).all()
    return render_template(
        "admin/study.html", form=form, current=current, revisions=revisions
    ), status


@bp.route("/study", methods=["GET"])
@role_required(*ADMIN)
def study_information():
    questionnaire = study_questionnaire(db.session, current_app.config["QUESTIONNAIRE_SLUG"])
    current = services.shown_information(db.session, questionnaire.id)
    return _page(StudyInformationForm(data=current.contents()))


@bp.route("/study", methods=["POST"])
@role_required(*ADMIN)
def save_study_information():
    form = StudyInformationForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    revision = services.save_information(
        db.session,
        current_app.config["QUESTIONNAIRE_SLUG"],
        form.values(),
        current_user,
        request.remote_addr,
    )
    db.session.commit()
    if revision is None:
        flash(_("Nothing changed, so no new revision was made."), "info")
    else:
        flash(
            _(
                "Saved as revision %(number)d. Participants who consent from now on are shown "
                "it, and their responses record it.",
                number=revision.number,
            ),
            "info",
        )
    return redirect(url_for(".study_information"))
