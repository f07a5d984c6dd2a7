"""The survey's pages. Each page is saved when they press Next; nothing typed is lost when the
session or the form's security token has expired: the page comes back with the answers.

The routes around the pages (start, resume, invitations, toolkit, thank-you) are in
entry_views.py; importing it here puts them on the same `participate` blueprint."""

from __future__ import annotations

from collections.abc import Mapping

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    session,
    url_for,
)
from flask_babel import gettext as _

import survey.participate.withdraw_views  # noqa: F401  (adds its routes to bp)
from forms.fields import filled
from forms.participant import PageForm, page_form
from forms.resume import ResumeForm
from survey.extensions import db
from survey.i18n import current_language
from survey.models import PageKind, Response
from survey.participate import (  # noqa: F401  (entry_views adds its routes to bp)
    code_attempts,
    consent,
    entry_views,
    page_checks,
    services,
    session_state,
    toolkit_progress,
)
from survey.participate.blueprint import (
    bp,
    current_response,
    new_participant_version,
    response_by_resume_code,
    to_page,
    version_of,
)
from survey.participate.structure import Page, Question, Version
from survey.study_info.services import shown_information
from survey.toolkit.content import SECTIONS


def _render_page(
    version: Version,
    page: Page,
    form: PageForm,
    questions: list[Question],
    status: int = 200,
    resume_form: ResumeForm | None = None,
):
    return page_checks.rendered(
        version,
        page,
        form,
        questions,
        status,
        resume_form=resume_form,
        toolkit_sections=SECTIONS,
        study=shown_information(db.session, version.questionnaire_id)
        if page.kind == PageKind.CONSENT
        else None,
        reading=_reading(page),
    )


def _reading(page: Page) -> toolkit_progress.Reading | None:
    response = current_response() if page.kind == PageKind.TOOLKIT else None
    return toolkit_progress.reading(response) if response else None


@bp.route("/page/<int:position>", methods=["GET", "POST"])
def page(position: int):
    response = current_response()
    version = version_of(response) if response else new_participant_version()
    page = version.page_at(position)
    if page is None:
        abort(404)
    if response is not None and response.is_complete:
        return redirect(url_for(".thanks"))
    if page.kind in services.PRE_CONSENT_KINDS:
        if response is not None:  # consent is given once; carry on where they were
            return redirect(url_for(".page", position=response.current_position))
        return _pre_consent_page(version, page)
    if response is None:
        return _page_without_session(version, page)
    if position > response.current_position:
        return redirect(url_for(".page", position=response.current_position))
    return _question_page(response, page)


def _pre_consent_page(version: Version, page: Page):
    invitation_only = services.invitation_only(db.session, version.questionnaire_id)
    if invitation_only and consent.INVITATION not in session:
        return redirect(url_for(".invitation"))
    pending = consent.pending(session, version)
    if page.kind == PageKind.CONSENT and not pending:
        return to_page(version.pages[0])
    form = page_form(page, current_language(), data=pending)
    if not form.is_submitted():
        if page.position > consent.saved_position(session):  # never saved: defaults prefill it
            form = page_form(page, current_language(), data={**page.defaults, **pending})
        return _render_page(version, page, form, page_checks.displayed(page, pending))
    shown = page_checks.shown_fields(form, page, pending)
    if form.switch_language.data:  # keep the choice made so far, show the page again
        form.validate()
        kept = [q for q in shown if q.name not in form.errors]
        values = page_checks.values(form, kept).items()
        consent.keep(
            session, version, page, {**pending, **{q.name: v for q, v in values if v is not None}}
        )
        return to_page(page)
    if form.back.data:
        return to_page(services.neighbour(version, page.position, pending, -1) or version.pages[0])
    if not page_checks.valid(form, shown, pending):
        return _invalid(version, page, form, pending)
    pending = {**pending, **{q.name: v for q, v in page_checks.values(form, shown).items()}}
    if consent.screens_out(page, pending):
        consent.forget(session)
        return redirect(url_for(".not_eligible"))
    consent.keep(session, version, page, pending)
    next_page = services.neighbour(version, page.position, pending, 1)
    if page.kind == PageKind.CONSENT:
        return _consent_given(version, next_page, invitation_only)
    return to_page(next_page)


def _consent_given(version: Version, next_page: Page | None, invitation_only: bool):
    try:
        given = consent.give_consent(
            db.session,
            session,
            version,
            current_language(),
            next_page,
            current_app.config["SECRET_KEY"],
            invitation_only,
        )
    except consent.InvitationUsed:
        flash(_("That invitation code has already been used."), "warning")
        return redirect(url_for(".invitation"))
    db.session.commit()
    consent.forget(session)
    session_state.bind(given.response_id)
    session_state.show_resume_code(given.resume_code)
    if given.position is None:
        return redirect(url_for(".thanks"))
    return redirect(url_for(".page", position=given.position))


def _invalid(
    version: Version,
    page: Page,
    form: PageForm,
    known: dict,
    resume_form: ResumeForm | None = None,
    status: int = 400,
):
    """The page again as typed, with its messages (see page_checks.as_typed)."""
    again, questions = page_checks.as_typed(page, form, known)
    return _render_page(version, page, again, questions, status=status, resume_form=resume_form)


def _question_page(response: Response, page: Page):
    version = version_of(response)
    stored = services.stored_columns(db.session, response.id)
    answers = services.answers_by_name(version, stored)
    form = page_form(page, current_language(), data=answers)
    if not form.is_submitted():
        if page.position > response.saved_position:  # never saved: its defaults prefill it
            form = page_form(page, current_language(), data={**page.defaults, **answers})
        return _render_page(version, page, form, page_checks.displayed(page, answers))
    shown = page_checks.shown_fields(form, page, answers)
    valid = page_checks.valid(form, shown, answers)
    leaving = form.back.data or form.switch_language.data
    if leaving and "csrf_token" not in form.errors and page_checks.only_missing_answers(form):
        valid_fields = [q for q in shown if q.name not in form.errors]
        saved = _save(response, page, form, valid_fields, stored)
        db.session.commit()
        if form.switch_language.data:
            return to_page(page)
        return to_page(services.neighbour(version, page.position, saved, -1) or page)
    if not valid:
        return _invalid(version, page, form, answers)
    if page.kind == PageKind.TOOLKIT and toolkit_progress.remind_unopened(response):
        db.session.commit()
        flash(_(toolkit_progress.UNOPENED_MESSAGE), "info")
        return to_page(page)
    saved = _save(response, page, form, shown, stored)
    next_page = services.neighbour(version, page.position, saved, 1)
    services.advance(response, next_page)
    db.session.commit()
    return to_page(next_page)


def _save(
    response: Response,
    page: Page,
    form: PageForm,
    shown: list[Question],
    stored: Mapping[int, services.Columns],
) -> dict:
    """Save the page; returns every answer now stored, by variable name."""
    values: dict[Question, services.AnswerValue] = {
        q: None for q in page.questions if q not in shown
    }
    values.update(page_checks.values(form, shown))
    response.language = current_language()
    saved = services.save_answers(db.session, response, values, stored)
    # After the answers' flush, so the response is updated once, at the commit.
    response.saved_position = max(response.saved_position, page.position)
    return saved


def _page_without_session(version: Version, page: Page):
    """The browser lost its session (or never had one). Show what they typed, ask for the resume
    code, and save once it matches."""
    form = page_form(page, current_language())
    if not form.is_submitted():
        flash(_("Please enter your resume code to continue your survey."), "info")
        return redirect(url_for(".resume"))
    resume_form = ResumeForm(meta={"csrf": False})
    response = None
    if resume_form.resume_code.data and resume_form.validate():
        try:
            response = response_by_resume_code(resume_form.resume_code.data)
        except code_attempts.TooManyAttempts:
            flash(_(code_attempts.TOO_MANY), "warning")
            return _invalid(version, page, form, {}, resume_form, status=429)
    if response is None or response.is_complete or page.position > response.current_position:
        flash(
            _(
                "Your session had ended, so these answers are not saved yet. Enter your resume "
                "code below and press Next: your answers will be kept."
            ),
            "warning",
        )
        return _invalid(version, page, form, {}, resume_form)
    session_state.resume_with_code(response.id, filled(resume_form.resume_code.data))
    return _question_page(response, page)
