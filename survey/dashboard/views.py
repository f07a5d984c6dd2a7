"""The investigators' dashboard and export jobs."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from exports.outcome_rows import outcome_rows
from exports.report import ExportError, collect_figures, follow_up_rate, grouping_choices
from exports.sentences import EXPLORATORY, render, sentences
from exports.stats import chart_blocks
from forms.auth import LogoutForm
from forms.fields import add_error
from forms.filters import ExportForm, FilterForm
from survey.auth.services import STAFF, role_required
from survey.dashboard import charts, jobs, tasks
from survey.database import read_only_transactions
from survey.downloads import EXPORT_TYPES, attachment, record_download
from survey.extensions import db
from survey.i18n import current_language
from survey.models import ExportJob, JobStatus, Questionnaire, QuestionnaireVersion, VersionStatus

bp = Blueprint("dashboard", __name__, url_prefix="/staff")
# Job ids are secrets.token_urlsafe(16). Anything else is not looked up: PostgreSQL refuses a
# NUL in text even in a WHERE clause.
JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


def _version_numbers() -> list[int]:
    return list(
        db.session.scalars(
            select(QuestionnaireVersion.number)
            .join(Questionnaire)
            .where(
                Questionnaire.slug == current_app.config["QUESTIONNAIRE_SLUG"],
                QuestionnaireVersion.status != VersionStatus.DRAFT,
            )
            .order_by(QuestionnaireVersion.number)
        )
    )


def _groupings() -> list[tuple[str, str]]:
    """The variables the outcomes can be split by, over every live version."""
    try:
        with read_only_transactions():
            return grouping_choices(db.session, slug=current_app.config["QUESTIONNAIRE_SLUG"])
    except ExportError:
        return []
    finally:
        db.session.rollback()


@bp.route("/dashboard")
@role_required(*STAFF)
def dashboard():
    form = FilterForm(
        request.args, meta={"csrf": False}, versions=_version_numbers(), groupings=_groupings()
    )
    statistics = outcomes = follow_up = None
    if form.validate():
        try:
            with read_only_transactions():
                statistics, outcomes = collect_figures(
                    db.session,
                    filters=form.filters(),
                    slug=current_app.config["QUESTIONNAIRE_SLUG"],
                    follow_up_slug=current_app.config["FOLLOW_UP_SLUG"],
                    by=form.group_by,
                )
                follow_up = follow_up_rate(
                    db.session,
                    filters=form.filters(),
                    slug=current_app.config["QUESTIONNAIRE_SLUG"],
                )
        except ExportError as error:
            add_error(form.version, str(error))
    status = 200 if statistics is not None else 400
    summaries = statistics.summarise() if statistics else []
    language = current_language()
    return render_template(
        "dashboard/dashboard.html",
        form=form,
        statistics=statistics,
        summaries=summaries,
        blocks=chart_blocks(summaries),
        weeks=charts.weekly(statistics.by_day) if statistics else [],
        charts=charts,
        outcomes=outcomes,
        follow_up=follow_up,
        outcome_sentences=sentences(outcomes.overall) if outcomes else {},
        outcome_rows=outcome_rows,
        sentences=sentences,
        exploratory=EXPLORATORY,
        say=lambda message: render(message, language),
        language=language,
        logout_form=LogoutForm(),
    ), status


@bp.route("/exports", methods=["GET", "POST"])
@role_required(*STAFF)
def exports():
    form = ExportForm(versions=_version_numbers(), groupings=_groupings())
    status = 200
    if form.validate_on_submit():
        limit = current_app.config["EXPORT_JOBS_PER_USER"]
        try:
            job = jobs.create_job(
                db.session,
                current_user,
                form.filters(),
                fmt=form.format.data,
                deidentified=form.deidentified.data,
                labels=form.labels.data,
                limit=limit,
                label_language=form.label_language.data,
                group_by=form.group_by,
            )
        except jobs.TooManyJobs:
            db.session.rollback()
            message = _(
                "You already have %(n)d exports waiting or being made. Please wait until one "
                "is ready, then make this one.",
                n=limit,
            )
            flash(message, "warning")
            status = 429
        else:
            job_id = job.id  # not read again after the commit: that would begin a transaction
            db.session.commit()
            tasks.make_export(job_id)
            return redirect(url_for(".export_job", job_id=job_id))
    elif form.errors:
        status = 400
    return render_template(
        "dashboard/exports.html", form=form, jobs=jobs.jobs_of(db.session, current_user)
    ), status


def _job_or_404(job_id: str) -> ExportJob:
    if not JOB_ID.fullmatch(job_id):
        abort(404)
    job = db.session.get(ExportJob, job_id)
    if job is None or (job.user_id != current_user.id and not current_user.is_admin):
        abort(404)
    return job


@bp.route("/exports/<job_id>")
@role_required(*STAFF)
def export_job(job_id: str):
    return render_template("dashboard/export_job.html", job=_job_or_404(job_id))


@bp.route("/exports/<job_id>/status")
@role_required(*STAFF)
def export_status(job_id: str):
    job = _job_or_404(job_id)
    return jsonify(
        status=job.status, done=job.done, total=job.total, percent=job.percent, error=job.error
    )


@bp.route("/exports/<job_id>/download")
@role_required(*STAFF)
def export_download(job_id: str):
    job = _job_or_404(job_id)
    if job.status != JobStatus.DONE:
        abort(404)
    if job.file is None:
        abort(410)
    body, filename, mimetype = job.file, job.filename, EXPORT_TYPES[job.format]
    record_download(db.session, "export.download", current_user, target=job_id)
    return attachment(body, filename, mimetype)
