"""A page's constraints (XLSForm `constraint` beyond min/max and length), checked on the server
after the form's own validation: an answer that does not meet its question's constraint gets
the question's constraint message, in the participant's language, as the field's error."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from forms.participant import PageForm, field_value
from survey.participate.structure import Question
from survey.questionnaire.expressions import Value


def constraints_met(
    form: PageForm, shown: list[Question], known: Mapping[str, Value], language: str
) -> bool:
    """Whether every answer on the page meets its constraint; each that does not gets its
    message. Unanswered questions are not checked (as in ODK: `required` is about those), nor
    answers the form already refused."""
    typed = {q.name: field_value(q, form[q.name]) for q in shown if q.name in form}
    answers = {**known, **typed}
    met = True
    for question in shown:
        answer = typed.get(question.name)
        if question.constraint is None or answer is None or form[question.name].errors:
            continue
        if not question.accepts(answer, answers):
            message = question.text("constraint_message", language) or _(
                "This answer is not accepted here. Please check it."
            )
            form[question.name].errors = [*form[question.name].errors, message]
            met = False
    return met
