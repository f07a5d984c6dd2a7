"""Staff pages: the response browser, one response, and excluding or withdrawing it."""

from __future__ import annotations

import re

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
from sqlalchemy import select

from forms.auth import LogoutForm
from forms.fields import add_error, filled
from forms.responses import REASON_LABELS, BrowseForm, ExcludeForm, IncludeForm, WithdrawForm
from survey import codes
from survey.auth.services import ADMIN, STAFF, role_required
from survey.extensions import db
from survey.i18n import current_language
from survey.models import (
    Questionnaire,
    QuestionnaireVersion,
    Response,
    VersionStatus,
)
from survey.participate import services
from survey.staff import decisions, detail
from survey.staff.browse import browse
from survey.toolkit.content import SECTIONS
from survey.withdrawal import AlreadyWithdrawn, withdraw

bp = Blueprint("staff", __name__, url_prefix="/staff")
MAX_PAGE = 1_000_000  # far past any real list; a larger ?page= would overflow the SQL OFFSET
# Response ids are secrets.token_urlsafe(16); anything else is not looked up (PostgreSQL
# refuses a NUL in text even in a WHERE clause).
RESPONSE_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
RESUME_CODE_LENGTHS = (8, 15)  # the old codes and the new (see participate.services)


def _versions() -> list[QuestionnaireVersion]:
    return list(
        db.session.scalars(
            select(QuestionnaireVersion)
            .join(Questionnaire)
            .where(
                Questionnaire.slug == current_app.config["QUESTIONNAIRE_SLUG"],
                QuestionnaireVersion.status != VersionStatus.DRAFT,
            )
            .order_by(QuestionnaireVersion.number)
        )
    )


def _found(text: str) -> Response | None:
    """The response with this ID, or else with this resume code. Staff may open every response
    anyway, so their searches are not held to the participants' code-guessing limit (nor
    logged as a participant's failed code)."""
    if RESPONSE_ID.fullmatch(text):
        response = db.session.get(Response, text)
        if response is not None:
            return response
    if len(codes.characters(text)) in RESUME_CODE_LENGTHS:
        return services.find_by_resume_code(db.session, text, current_app.config["SECRET_KEY"])
    return None


@bp.route("/")
@role_required(*STAFF)
def home():
    versions = _versions()
    language = current_language()
    # The last page reached is a position; the newest version's titles say what is there.
    pages = [
        (p.position, f"{p.position}. {p.text('title', language)}")
        for p in (versions[-1].pages if versions else [])
    ]
    form = BrowseForm(
        request.args,
        meta={"csrf": False},
        versions=[v.number for v in versions],
        pages=pages,
    )
    status, page = 200, None
    if form.validate():
        if form.q.data:
            found = _found(form.q.data)
            if found is not None:
                return redirect(url_for(".response", response_id=found.id))
            add_error(form.q, _("No response has this ID or resume code."))
            status = 404
        if status == 200:
            number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
            page = browse(
                db.session,
                form.browse_filters(),
                number,
                current_app.config["STAFF_PAGE_SIZE"],
                {v.number: v.id for v in versions},
            )
    else:
        status = 400
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "staff/home.html",
        form=form,
        responses=page,
        args=args,
        reasons=REASON_LABELS,
        logout_form=LogoutForm(),
    ), status


def _response_or_404(response_id: str) -> Response:
    if not RESPONSE_ID.fullmatch(response_id):
        abort(404)
    response = db.session.get(Response, response_id)
    if response is None:
        abort(404)
    return response


def _show(response: Response, status: int = 200, **forms):
    language = current_language()
    return render_template(
        "staff/response.html",
        response=response,
        pages=[] if response.is_withdrawn else detail.pages_of(response, language),
        toolkit=detail.toolkit_engagement(response),
        sections=SECTIONS,
        history=detail.history(db.session, response),
        reasons=REASON_LABELS,
        exclude_form=forms.get("exclude_form") or ExcludeForm(),
        include_form=IncludeForm(),
        withdraw_form=forms.get("withdraw_form") or WithdrawForm(),
        logout_form=LogoutForm(),
    ), status


@bp.route("/responses/<response_id>")
@role_required(*STAFF)
def response(response_id: str):
    found = detail.load(db.session, response_id) if RESPONSE_ID.fullmatch(response_id) else None
    if found is None:
        abort(404)
    return _show(found)


@bp.route("/responses/<response_id>/exclude", methods=["POST"])
@role_required(*STAFF)
def exclude(response_id: str):
    response = _response_or_404(response_id)
    form = ExcludeForm()
    if not form.validate_on_submit():
        return _show(response, 400, exclude_form=form)
    try:
        decisions.exclude(
            db.session,
            response,
            filled(form.reason.data),
            form.note.data or "",
            current_user,
            request.remote_addr,
        )
    except decisions.CannotExclude:
        db.session.rollback()
        flash(
            _("This response cannot be excluded: it is excluded or withdrawn already."), "warning"
        )
        return _show(response, 409)
    db.session.commit()
    flash(_("The response is excluded: exports and the dashboard leave it out."), "info")
    return redirect(url_for(".response", response_id=response_id))


@bp.route("/responses/<response_id>/include", methods=["POST"])
@role_required(*STAFF)
def include(response_id: str):
    response = _response_or_404(response_id)
    form = IncludeForm()
    if not form.validate_on_submit():
        return _show(response, 400)
    try:
        decisions.include_again(db.session, response, current_user, request.remote_addr)
    except decisions.CannotExclude:
        db.session.rollback()
        flash(_("This response is not excluded."), "warning")
        return _show(response, 409)
    db.session.commit()
    flash(_("The response is included again."), "info")
    return redirect(url_for(".response", response_id=response_id))


@bp.route("/responses/<response_id>/withdraw", methods=["POST"])
@role_required(*ADMIN)
def withdraw_response(response_id: str):
    response = _response_or_404(response_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _show(response, 400, withdraw_form=form)
    try:
        withdraw(db.session, response, current_user, request.remote_addr)
    except AlreadyWithdrawn:
        db.session.rollback()
        flash(_("This response was withdrawn already."), "warning")
        return _show(response, 409)
    db.session.commit()
    flash(_("The response is withdrawn: its answers are deleted."), "info")
    return redirect(url_for(".response", response_id=response_id))
