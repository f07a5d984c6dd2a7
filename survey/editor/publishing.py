"""Routes that move a draft on: publishing it, and the questionnaire spreadsheet."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exports.xlsform import XLSFormError
from forms.publishing import PublishForm, SpreadsheetForm
from survey.auth.services import ADMIN, role_required
from survey.database import reads_first, write_transactions
from survey.downloads import XLSX, attachment, record_download
from survey.editor import versions
from survey.editor.base_views import bp, editing_follow_up, study_questionnaire
from survey.editor.spreadsheet import import_spreadsheet, read_spreadsheet, spreadsheet_of
from survey.extensions import db
from survey.i18n import explained
from survey.models import utcnow
from survey.questionnaire.rules import DraftRefused, publishing_problems

# Flashed messages live in the session cookie (4 kB at most); an ODK form imported with
# --skip-unsupported may bring hundreds of notices.
MAX_FLASHED_NOTICES = 20


def _publish_page(form: PublishForm, problems=None, status: int = 200):
    questionnaire = study_questionnaire()
    draft = versions.draft_of(questionnaire)
    if draft is None:
        flash(_("There is no draft to publish."), "info")
        return redirect(url_for(".overview"))
    current = versions.published(questionnaire)
    return render_template(
        "editor/publish.html",
        draft=draft,
        current=current,
        changes=versions.pending_changes(db.session, questionnaire),
        problems=problems
        if problems is not None
        else publishing_problems(db.session, draft, editing_follow_up()),
        in_progress=versions.in_progress_on(db.session, current),
        form=form,
    ), status


@bp.route("/draft/publish", methods=["GET"])
@role_required(*ADMIN)
def publish_page():
    return _publish_page(PublishForm())


@bp.route("/draft/publish", methods=["POST"])
@role_required(*ADMIN)
def publish():
    form = PublishForm()
    if not form.validate_on_submit():
        return _publish_page(form, status=400)
    questionnaire = study_questionnaire()
    try:
        version = versions.publish(
            db.session, questionnaire, current_user, follow_up=editing_follow_up()
        )
    except DraftRefused as refused:
        db.session.rollback()
        return _publish_page(form, refused.problems, 400)
    except LookupError:
        db.session.rollback()
        abort(409)
    db.session.commit()
    flash(_("Version %(number)d is published.", number=version.number), "info")
    return redirect(url_for(".overview"))


@bp.route("/spreadsheet", methods=["GET"])
@role_required(*ADMIN)
def spreadsheet_export():
    """The draft if there is one, else the published version (or ?version=N)."""
    questionnaire = study_questionnaire()
    number = request.args.get("version", type=int)
    if number is not None:
        version = next((v for v in questionnaire.versions if v.number == number), None)
    else:
        version = versions.draft_of(questionnaire) or versions.published(questionnaire)
    if version is None:
        abort(404)
    body = spreadsheet_of(version)
    slug, number = questionnaire.slug, version.number
    filename = f"{slug}-v{number}-{utcnow().strftime('%Y%m%d')}.xlsx"
    record_download(
        db.session,
        "questionnaire.spreadsheet_download",
        current_user,
        target=slug,
        ip=request.remote_addr,
        version=number,
    )
    return attachment(body, filename, XLSX)


@bp.route("/spreadsheet", methods=["POST"])
@reads_first
@role_required(*ADMIN)
def spreadsheet_import():
    """The workbook is read and checked first, under read transactions only; then the draft
    is written in one short write transaction."""
    form = SpreadsheetForm()
    if not form.validate_on_submit():
        return _upload_refused(form, [], 400)
    try:
        upload = form.spreadsheet.data
        imported = read_spreadsheet(
            upload.stream, form.skip_unsupported.data, file_name=upload.filename
        )
    except XLSFormError as error:
        return _upload_refused(form, [explained(e) for e in error.errors], 400)
    db.session.rollback()  # ends the read transaction: SQLite cannot upgrade it to a write
    try:
        with write_transactions():
            questionnaire = study_questionnaire()
            _draft, notices = import_spreadsheet(db.session, questionnaire, imported, current_user)
            db.session.commit()
    except DraftRefused as refused:
        db.session.rollback()
        return _upload_refused(form, [explained(p) for p in refused.problems], 400)
    flash(_("The spreadsheet is now the draft. Check the changes before publishing."), "info")
    for notice in notices[:MAX_FLASHED_NOTICES]:
        flash(explained(notice), "info")
    if len(notices) > MAX_FLASHED_NOTICES:
        more = len(notices) - MAX_FLASHED_NOTICES
        flash(
            _(
                "…and %(count)d more notices: the audit log's entry for this import lists "
                "them all.",
                count=more,
            ),
            "info",
        )
    return redirect(url_for(".publish_page"))


def _upload_refused(form: SpreadsheetForm, errors: list[str], status: int):
    return render_template("editor/spreadsheet_errors.html", form=form, errors=errors), status
