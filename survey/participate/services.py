"""What happens to a response as a participant moves through the pages."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import date
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from survey.models import (
    NUMBER_TYPES,
    Answer,
    ChoiceList,
    Question,
    QuestionnaireVersion,
    QuestionType,
    Response,
    ResponseStatus,
    Section,
    SectionKind,
    ToolkitView,
    VersionStatus,
    utcnow,
)
from survey.models.questionnaire import Questionnaire
from survey.questionnaire.expressions import Node, evaluate, parse, to_json, variables

AnswerValue = str | float | date | list[str] | None
PRE_CONSENT_KINDS = frozenset({SectionKind.ELIGIBILITY, SectionKind.CONSENT})
RESUME_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: easy to read aloud
MAX_TOOLKIT_SECONDS = 30 * 60  # one sitting; longer means the tab was left open


def whole_version():
    """Loader options that fetch a version's pages, questions and choices in four queries
    (a page touches all of them; one by one they were most of a request's time)."""
    return (
        selectinload(QuestionnaireVersion.sections)
        .selectinload(Section.questions)
        .selectinload(Question.choice_list)
        .selectinload(ChoiceList.choices)
    )


def load_response(session: Session, response_id: str) -> Response | None:
    return session.get(
        Response,
        response_id,
        options=[
            selectinload(Response.version).options(whole_version()),
            selectinload(Response.answers),
        ],
    )


def current_version(session: Session, slug: str) -> QuestionnaireVersion | None:
    """The newest published version: the one new participants get."""
    return session.scalar(
        select(QuestionnaireVersion)
        .options(whole_version())
        .join(Questionnaire)
        .where(Questionnaire.slug == slug, QuestionnaireVersion.status == VersionStatus.PUBLISHED)
        .order_by(QuestionnaireVersion.number.desc())
        .limit(1)
    )


def section_at(version: QuestionnaireVersion, position: int) -> Section | None:
    return next((s for s in version.sections if s.position == position), None)


@lru_cache(maxsize=1024)
def _parsed(expression: str) -> Node:
    return parse(expression)


def condition_holds(expression: str | None, answers: Mapping[str, AnswerValue]) -> bool:
    return expression is None or evaluate(_parsed(expression), answers)


def condition_json(expression: str | None) -> str:
    """A show-if as JSON for the page's script; empty when the question is always shown."""
    return json.dumps(to_json(_parsed(expression))) if expression else ""


def depends_on(question: Question, names: set[str]) -> bool:
    """Whether the question's show-if reads any of these variables."""
    return bool(question.show_if) and any(
        var.name in names for var in variables(_parsed(question.show_if))
    )


def visible_questions(section: Section, answers: Mapping[str, AnswerValue]) -> list[Question]:
    return [q for q in section.questions if condition_holds(q.show_if, answers)]


def is_shown(section: Section, answers: Mapping[str, AnswerValue]) -> bool:
    """A page whose every question is hidden is skipped (pages with no questions never are)."""
    return not section.questions or bool(visible_questions(section, answers))


def neighbour(
    version: QuestionnaireVersion, position: int, answers: Mapping[str, AnswerValue], step: int
) -> Section | None:
    """The next (step=1) or previous (step=-1) page that is shown with these answers."""
    sections = version.sections if step > 0 else list(reversed(version.sections))
    for section in sections:
        if (section.position - position) * step > 0 and is_shown(section, answers):
            return section
    return None


def stored_value(answer: Answer) -> AnswerValue:
    question = answer.question
    if question.type == QuestionType.MULTIPLE_CHOICE:
        return answer.value_text.split()
    return answer.value


def answers_by_name(response: Response) -> dict[str, AnswerValue]:
    return {a.question.name: stored_value(a) for a in response.answers}


def typed_columns(question: Question, value: AnswerValue) -> dict[str, object]:
    columns: dict[str, object] = {"value_text": None, "value_number": None, "value_date": None}
    if isinstance(value, list):
        columns["value_text"] = " ".join(value)
    elif question.type in NUMBER_TYPES:
        columns["value_number"] = float(value)
    elif isinstance(value, date):
        columns["value_date"] = value
    else:
        columns["value_text"] = str(value)
    return columns


def save_answers(
    session: Session, response: Response, values: Mapping[Question, AnswerValue]
) -> None:
    """Insert or update one answer per question; an emptied answer is removed. Saving the same
    page twice leaves exactly the same rows."""
    existing = {a.question: a for a in response.answers}
    for question, value in values.items():
        answer = existing.get(question)
        if value is None:
            if answer is not None:
                response.answers.remove(answer)
            continue
        columns = typed_columns(question, value)
        if answer is None:
            response.answers.append(Answer(question=question, **columns))
        else:
            for name, column_value in columns.items():
                setattr(answer, name, column_value)
    drop_hidden_answers(response)
    response.updated_at = utcnow()
    session.flush()


def drop_hidden_answers(response: Response) -> None:
    """Answers to questions that the current answers hide are not kept (e.g. weeks of pregnancy
    after changing "pregnant" to no)."""
    answers = answers_by_name(response)
    shown = {q for s in response.version.sections for q in visible_questions(s, answers)}
    for answer in [a for a in response.answers if a.question not in shown]:
        response.answers.remove(answer)


def new_resume_code() -> str:
    raw = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_resume_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}"


def resume_code_digest(code: str, secret: str) -> str:
    """Keyed hash: the database alone cannot be searched for codes by brute force."""
    key = hashlib.sha256(f"resume-code:{secret}".encode()).digest()
    return hmac.new(key, normalise_resume_code(code).encode(), hashlib.sha256).hexdigest()


def start_response(
    session: Session,
    version: QuestionnaireVersion,
    language: str,
    pending: Mapping[str, AnswerValue],
    secret: str,
    start_token: str | None = None,
) -> tuple[Response, str]:
    """Create the response once consent is given, with the answers held until then.
    Returns it with its resume code, which is shown once and stored only as a hash."""
    code = new_resume_code()
    now = utcnow()
    response = Response(
        version=version,
        language=language,
        consent_version=version.consent_version,
        consented_at=now,
        started_at=now,
        resume_code_hash=resume_code_digest(code, secret),
        start_token=start_token,
    )
    session.add(response)
    by_name = {q.name: q for q in version.questions}
    save_answers(
        session, response, {by_name[name]: v for name, v in pending.items() if name in by_name}
    )
    return response, code


def reissue_resume_code(response: Response, secret: str) -> str:
    code = new_resume_code()
    response.resume_code_hash = resume_code_digest(code, secret)
    return code


def find_by_start_token(session: Session, token: str) -> Response | None:
    return session.scalar(select(Response).where(Response.start_token == token))


def find_by_resume_code(session: Session, code: str, secret: str) -> Response | None:
    return session.scalar(
        select(Response).where(Response.resume_code_hash == resume_code_digest(code, secret))
    )


def reach(response: Response, section: Section) -> None:
    response.current_position = max(response.current_position, section.position)


def complete(response: Response) -> None:
    if response.status != ResponseStatus.COMPLETE:
        response.status = ResponseStatus.COMPLETE
        response.submitted_at = utcnow()


def record_toolkit_view(
    session: Session, response: Response, section_key: str, seconds: float
) -> None:
    """Count one opening of a toolkit section and add the time spent on it."""
    seconds = int(min(max(seconds, 0), MAX_TOOLKIT_SECONDS))
    view = next((v for v in response.toolkit_views if v.section == section_key), None)
    if view is None:
        response.toolkit_views.append(ToolkitView(section=section_key, opened=1, seconds=seconds))
    else:
        view.opened += 1
        view.seconds += seconds
    session.flush()
