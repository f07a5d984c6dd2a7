"""The questionnaire editor (admins only): the versions, starting and discarding the draft, the
draft page and the questionnaire's settings. Pages, questions, choice lists and scores have
their own modules; importing them here puts their routes on the one `editor` blueprint."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from forms.editor import DiscardDraftForm, SettingsForm
from survey.auth.services import ADMIN, role_required
from survey.editor import (
    list_views,
    page_views,
    preview,
    publishing,
    question_views,
    score_views,
    versions,
)
from survey.editor.base_views import (
    back_to_draft,
    bp,
    current_draft,
    render_draft,
    render_form,
    save_form,
    study_questionnaire,
)
from survey.editor.editing import set_values
from survey.extensions import db
from survey.models import Questionnaire, Response

__all__ = [
    "bp",
    "list_views",
    "preview",
    "publishing",
    "question_views",
    "score_views",
    "page_views",
    "study_questionnaire",
]


@bp.get("/")
@role_required(*ADMIN)
def overview():
    return _render_overview(study_questionnaire(), DiscardDraftForm())


def _render_overview(study: Questionnaire, discard_form: DiscardDraftForm, status: int = 200):
    counts = dict(
        db.session.execute(
            select(Response.version_id, func.count())
            .where(Response.version_id.in_([v.id for v in study.versions]))
            .group_by(Response.version_id)
        ).all()
    )
    return render_template(
        "editor/overview.html",
        questionnaire=study,
        versions=list(reversed(study.versions)),
        draft=versions.draft_of(study),
        responses=counts,
        discard_form=discard_form,
        upload_form=FlaskForm(),
    ), status


@bp.post("/draft/start")
@role_required(*ADMIN)
def start_draft():
    study = study_questionnaire(lock=True)
    if versions.draft_of(study) is None and versions.published(study) is None:
        flash(_("There is no published version to copy. Import a questionnaire instead."), "error")
        return redirect(url_for(".overview"))
    versions.open_draft(db.session, study, current_user)
    db.session.commit()
    flash(_("The draft is ready: a copy of the published version."), "info")
    return redirect(url_for(".draft"))


@bp.post("/draft/discard")
@role_required(*ADMIN)
def discard_draft():
    study = study_questionnaire(lock=True)
    if versions.draft_of(study) is None:
        flash(_("There is no draft to discard."), "warning")
        return redirect(url_for(".overview"))
    form = DiscardDraftForm()
    if not form.validate_on_submit():
        return _render_overview(study, form, 400)
    versions.discard_draft(db.session, study, current_user)
    db.session.commit()
    flash(_("The draft was discarded."), "info")
    return redirect(url_for(".overview"))


@bp.get("/draft", endpoint="draft")
@role_required(*ADMIN)
def draft_page():
    return render_draft(current_draft())


@bp.route("/draft/settings", methods=["GET", "POST"])
@role_required(*ADMIN)
def settings():
    draft = current_draft()
    form = SettingsForm(obj=draft)
    return save_form(
        draft,
        form,
        change="settings edited",
        apply=lambda: set_values(draft, form.values()),
        then=lambda _result: back_to_draft("settings"),
        again=lambda problems: render_form(form, _("Questionnaire settings"), problems),
    )
