"""One response as staff read it: every question it was asked, page by page, with the answer
shown by its labels, beside its toolkit engagement and audit history."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from survey.models import (
    AnswerValue,
    AuditEvent,
    ChoiceList,
    DbSession,
    Page,
    PageKind,
    Question,
    QuestionnaireVersion,
    Response,
)
from survey.questionnaire.storage import VALUE_COLUMNS
from survey.questionnaire.types import decode_answer, spec_of
from survey.toolkit.content import find_section


@dataclass
class ShownAnswer:
    variable: str
    question: str
    value: str  # "" when not answered
    codes: str  # the stored codes, as exports write them


@dataclass
class ShownPage:
    position: int
    title: str
    reached: bool
    answers: list[ShownAnswer] = field(default_factory=list)


def answer_text(question: Question, value: AnswerValue, language: str) -> tuple[str, str]:
    """(labels, codes) for a decoded answer, as its type's display writes it."""
    if value is None or value == []:
        return "", ""
    if question.is_choice:
        codes = value if isinstance(value, list) else [str(value)]
        labels = {c.code: c.text("label", language) for c in question.choices}
        return "; ".join(labels.get(code, code) for code in codes), " ".join(codes)
    text = spec_of(question.type).display.text(value)
    return text, text


def pages_of(response: Response, language: str) -> list[ShownPage]:
    """Every question page of the response's version, in order, with what was answered."""
    stored = {a.question_id: a for a in response.answers}
    last = None if response.is_complete else response.current_position
    shown = []
    for page in response.version.pages:
        if page.kind == PageKind.TOOLKIT and not page.questions:
            continue
        item = ShownPage(
            page.position, page.text("title", language), last is None or page.position <= last
        )
        for question in page.questions:
            if not spec_of(question.type).answered:
                continue
            answer = stored.get(question.id)
            value = (
                decode_answer(question.type, *(getattr(answer, c) for c in VALUE_COLUMNS))
                if answer
                else None
            )
            text, codes = answer_text(question, value, language)
            item.answers.append(
                ShownAnswer(question.name, question.text("label", language), text, codes)
            )
        shown.append(item)
    return shown


def toolkit_engagement(response: Response) -> list[tuple[str, int, int]]:
    """(section title, times opened, seconds) per section the participant read."""
    rows = []
    for view in response.toolkit_views:
        section = find_section(view.section)
        rows.append((section.title if section else view.section, view.opened, view.seconds))
    return rows


def load(session: DbSession, response_id: str) -> Response | None:
    """The response with everything its page shows, in a few queries rather than one per
    question and choice list."""
    return session.scalar(
        select(Response)
        .where(Response.id == response_id)
        .options(
            selectinload(Response.version)
            .selectinload(QuestionnaireVersion.pages)
            .selectinload(Page.questions)
            .selectinload(Question.choice_list)
            .selectinload(ChoiceList.choices),
            selectinload(Response.answers),
            selectinload(Response.toolkit_views),
        )
    )


def history(session: DbSession, response: Response) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .options(joinedload(AuditEvent.user))
            .where(AuditEvent.target == response.id)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
