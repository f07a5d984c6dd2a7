"""What a questionnaire page's round trip needs: which questions a page shows, merging and
checking what was posted, the page again as typed after a refusal, and the page itself. The
survey's pages (views.py) and the follow-up's (survey/follow_up/page_views.py) share it."""

from __future__ import annotations

from typing import Any

from flask import flash, render_template
from flask_babel import gettext as _

from forms.participant import PageForm, field_value, page_form
from survey.i18n import current_language
from survey.messages import N_
from survey.participate import services
from survey.participate.constraints import constraints_met
from survey.participate.structure import Page, Question, Version

EXPIRED_MESSAGE = N_(
    "This page had been open a long time, so for your security it could not be saved yet. "
    "Your answers are still here: please check them and press Next again."
)


def shown_fields(form: PageForm, page: Page, known: dict) -> list[Question]:
    """Merge the posted values into the known answers, drop the fields their show-if hides,
    and return the questions that stay."""
    merged = dict(known)
    for question in page.questions:
        if question.name in form:
            merged[question.name] = field_value(question, form[question.name])
    shown = services.visible_questions(page, merged)
    for question in page.questions:
        if question not in shown and question.name in form:
            del form[question.name]
    return shown


def valid(form: PageForm, shown: list[Question], known: dict) -> bool:
    """The form's own checks, then the constraints (which read the other answers)."""
    checked = form.validate()
    return constraints_met(form, shown, known, current_language()) and checked


def displayed(page: Page, answers: dict) -> list[Question]:
    """On a fresh page: hide questions whose condition is already settled by earlier pages; keep
    those that depend on this page, so the page works without JavaScript. A calculation is
    never shown."""
    return [
        q
        for q in page.questions
        if q.spec.asked and (q.shown_with(answers) or q.reads & page.names)
    ]


def values(form: PageForm, shown: list[Question]) -> dict[Question, services.AnswerValue]:
    return {q: field_value(q, form[q.name]) for q in shown if q.name in form}


def only_missing_answers(form: PageForm) -> bool:
    """True when every error is an unanswered question (Back may leave those for later)."""
    return all(not any(form[name].raw_data or ()) for name in form.errors)


def as_typed(page: Page, form: PageForm, known: dict) -> tuple[PageForm, list[Question]]:
    """After a refusal: the page's form again as typed, with its messages, and every question a
    fresh page would show (so a follow-up question can still appear when its answer is
    changed); an expired token is told in a plain message."""
    if "csrf_token" in form.errors:
        flash(_(EXPIRED_MESSAGE), "warning")
    again = page_form(page, current_language())  # bound to the same post
    for name, errors in form.errors.items():
        if name in again and name != "csrf_token":
            again[name].errors = list(errors)
    typed = {q.name: field_value(q, again[q.name]) for q in page.questions if q.name in again}
    return again, displayed(page, {**known, **typed})


def rendered(
    version: Version,
    page: Page,
    form: PageForm,
    questions: list[Question],
    status: int = 200,
    **context: Any,
) -> tuple[str, int]:
    """The page with its questions, numbered among the version's pages; `context` is what the
    template needs of one questionnaire only (the survey's consent and toolkit, the follow-up's
    own address)."""
    return render_template(
        "participate/page.html",
        version=version,
        page=page,
        form=form,
        questions=questions,
        language=current_language(),
        step=[p.position for p in version.pages].index(page.position) + 1,
        steps=len(version.pages),
        **context,
    ), status
