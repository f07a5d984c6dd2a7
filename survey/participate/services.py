"""What happens to a response as a participant moves through the pages."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, delete, insert, inspect, select, update

from survey import codes
from survey.models import (
    Answer,
    AnswerValue,
    DbSession,
    PageKind,
    QuestionnaireVersion,
    Response,
    ResponseStatus,
    ToolkitView,
    VersionStatus,
    utcnow,
)
from survey.models import Question as QuestionRow
from survey.models.questionnaire import Questionnaire
from survey.participate.structure import (
    Page,
    Question,
    Version,
    version_structure,
    whole_version,
)
from survey.questionnaire.expressions import Node, calculate, evaluate, parse
from survey.questionnaire.storage import VALUE_COLUMNS, Columns
from survey.questionnaire.types import decode_answer, encode_answer

PRE_CONSENT_KINDS = frozenset({PageKind.ELIGIBILITY, PageKind.CONSENT})
MAX_TOOLKIT_SECONDS = 30 * 60  # one sitting; longer means the tab was left open
AnyQuestion = TypeVar("AnyQuestion", bound=Question | QuestionRow)  # a structure's, or a row


def load_response(session: DbSession, response_id: str) -> Response | None:
    """The response alone: its answers come from `stored_columns`, the questions they answer
    from its version's structure (`version_structure(session, response.version_id)`). A withdrawn
    response is no one's any more: a browser that still holds it starts afresh."""
    response = session.get(Response, response_id)
    return None if response is None or response.is_withdrawn else response


def current_version_id(session: DbSession, slug: str) -> int | None:
    """The newest published version: the one new participants get."""
    return session.scalar(
        select(QuestionnaireVersion.id)
        .join(Questionnaire)
        .where(Questionnaire.slug == slug, QuestionnaireVersion.status == VersionStatus.PUBLISHED)
        .order_by(QuestionnaireVersion.number.desc())
        .limit(1)
    )


def current_version(session: DbSession, slug: str) -> QuestionnaireVersion | None:
    """The newest published version's rows, pages, questions and choices loaded."""
    version_id = current_version_id(session, slug)
    if version_id is None:
        return None
    return session.get(QuestionnaireVersion, version_id, options=[whole_version()])


def current_structure(session: DbSession, slug: str) -> Version | None:
    """The newest published version's structure (one query once it is kept)."""
    version_id = current_version_id(session, slug)
    return None if version_id is None else version_structure(session, version_id)


def invitation_only(session: DbSession, questionnaire_id: int) -> bool:
    """Whether a code is needed to start (an admin may change it at any time: never kept)."""
    return bool(
        session.scalar(
            select(Questionnaire.invitation_only).where(Questionnaire.id == questionnaire_id)
        )
    )


@lru_cache(maxsize=1024)
def _parsed(expression: str) -> Node:
    return parse(expression)


def condition_holds(expression: str | None, answers: Mapping[str, AnswerValue]) -> bool:
    return expression is None or evaluate(_parsed(expression), answers)


def visible_questions(page: Page, answers: Mapping[str, AnswerValue]) -> list[Question]:
    """The page's questions the participant sees with these answers (never a calculation)."""
    return [q for q in page.questions if q.spec.asked and q.shown_with(answers)]


def is_shown(page: Page, answers: Mapping[str, AnswerValue]) -> bool:
    """A page whose show-if is false is skipped, so is one whose every question is hidden, and
    one holding calculations only (pages with no questions otherwise never are)."""
    if page.condition is not None and not evaluate(page.condition, answers):
        return False
    return not page.questions or bool(visible_questions(page, answers))


def neighbour(
    version: Version, position: int, answers: Mapping[str, AnswerValue], step: int
) -> Page | None:
    """The next (step=1) or previous (step=-1) page that is shown with these answers."""
    pages = version.pages if step > 0 else reversed(version.pages)
    for page in pages:
        if (page.position - position) * step > 0 and is_shown(page, answers):
            return page
    return None


# A page reads every answer of the response and may write several: they are read and written as
# rows, never as ORM objects (which cost more than the rest of the page). Built once.
_answers = cast(Table, Answer.__table__)  # typed as any FromClause; a model's is its Table
_STORED = select(_answers.c.question_id, *(_answers.c[name] for name in VALUE_COLUMNS)).where(
    _answers.c.response_id == bindparam("response_id")
)
_DROP = delete(_answers).where(
    _answers.c.response_id == bindparam("response_id"),
    _answers.c.question_id.in_(bindparam("question_ids", expanding=True)),
)
_CHANGE = (
    update(_answers)
    .where(
        _answers.c.response_id == bindparam("response"),
        _answers.c.question_id == bindparam("question"),
    )
    .values({name: bindparam(f"new_{name}") for name in VALUE_COLUMNS})
)


def stored_columns(session: DbSession, response_id: str) -> dict[int, Columns]:
    """The response's answers by question id, as their value columns."""
    rows = session.execute(_STORED, {"response_id": response_id})
    return {question_id: tuple(columns) for question_id, *columns in rows}


def answers_by_name(version: Version, stored: Mapping[int, Columns]) -> dict[str, AnswerValue]:
    questions = version.by_id
    return {
        question.name: decode_answer(question.type, *columns)
        for question_id, columns in stored.items()
        if (question := questions.get(question_id)) is not None
    }


def settled(
    version: Version, given: Mapping[int, Columns]
) -> tuple[dict[int, Columns], dict[str, AnswerValue]]:
    """The answers to keep, by question id as value columns and by variable name as values:
    read in questionnaire order, an answer its question's show-if hides is dropped (so a later
    condition reading it sees it unanswered), and each calculation is computed afresh from the
    answers kept before it (left unanswered when it has no value). Conditions and
    calculations read only earlier questions (survey/questionnaire/rules.py), so one pass
    settles everything."""
    kept: dict[int, Columns] = {}
    answers: dict[str, AnswerValue] = {}
    for question in version.questions:
        if not question.shown_with(answers):
            continue
        if question.calculation is not None:
            value: AnswerValue = calculate(question.calculation, answers)
            if value is None:
                continue
            columns = encode_answer(question.type, value)
        else:
            held = given.get(question.id)
            if held is None:
                continue
            columns, value = held, decode_answer(question.type, *held)
        kept[question.id] = columns
        answers[question.name] = value
    return kept, answers


def typed_columns(question: Question | QuestionRow, value: AnswerValue) -> dict[str, Any]:
    """An answer as the answer table's value columns, by name (its type says which is set)."""
    return dict(zip(VALUE_COLUMNS, encode_answer(question.type, value), strict=True))


def save_answers(
    session: DbSession,
    response: Response,
    values: Mapping[AnyQuestion, AnswerValue],
    stored: Mapping[int, Columns] | None = None,
) -> dict[str, AnswerValue]:
    """Insert or update one answer per question; an emptied answer is removed, and so are the
    answers that the new ones hide (e.g. weeks of pregnancy after changing "pregnant" to no).
    Saving the same page twice leaves exactly the same rows. `stored` is the response's
    answers as this transaction already read them (`stored_columns`), if it did. Returns the
    answers now stored, by variable name."""
    version = version_structure(session, response.version_id)
    session.flush()  # a new response's row comes before its answers
    if stored is None:
        stored = stored_columns(session, response.id)
    given = dict(stored)
    for question, value in values.items():
        if value is None:
            given.pop(question.id, None)
        else:
            given[question.id] = encode_answer(question.type, value)
    wanted, answers = settled(version, given)
    _write_answers(session, response.id, stored, wanted)
    _forget_loaded_answers(session, response)
    response.updated_at = utcnow()
    return answers


def _write_answers(
    session: DbSession, response_id: str, stored: Mapping[int, Columns], wanted: dict[int, Columns]
) -> None:
    """At most one statement each to delete, insert and update answers."""
    gone = [question_id for question_id in stored if question_id not in wanted]
    new = [question_id for question_id in wanted if question_id not in stored]
    changed = [q for q in wanted if q in stored and wanted[q] != stored[q]]
    if gone:
        session.execute(_DROP, {"response_id": response_id, "question_ids": gone})
    if new:
        session.execute(
            insert(_answers),
            [
                {
                    "response_id": response_id,
                    "question_id": q,
                    **dict(zip(VALUE_COLUMNS, wanted[q], strict=True)),
                }
                for q in new
            ],
        )
    if changed:
        session.execute(
            _CHANGE,
            [
                {
                    "response": response_id,
                    "question": q,
                    **{f"new_{n}": v for n, v in zip(VALUE_COLUMNS, wanted[q], strict=True)},
                }
                for q in changed
            ],
        )


def _forget_loaded_answers(session: DbSession, response: Response) -> None:
    """Answer objects the session already holds for this response are out of date now."""
    state = inspect(response)
    if "answers" in state.unloaded or state.transient or state.pending:
        return
    for answer in state.attrs.answers.loaded_value:
        session.expire(answer)
    session.expire(response, ["answers"])


def new_resume_code() -> str:
    """Three groups of five (about 73 bits): too many to guess, still easy to copy."""
    return codes.new_code(5, 5, 5)


def normalise_resume_code(code: str) -> str:
    raw = codes.characters(code)
    if len(raw) == 8:  # a code given before 2026-11-30 (two groups of four) still works
        return f"{raw[:4]}-{raw[4:]}"
    return "-".join(raw[start : start + 5] for start in range(0, len(raw), 5))


def resume_code_digest(code: str, secret: str) -> str:
    return codes.keyed_digest("resume-code", normalise_resume_code(code), secret)


def start_response(
    session: DbSession,
    version: Version | QuestionnaireVersion,
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
        version_id=version.id,
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


def find_by_start_token(session: DbSession, token: str) -> Response | None:
    return session.scalar(select(Response).where(Response.start_token == token))


def find_by_resume_code(session: DbSession, code: str, secret: str) -> Response | None:
    return session.scalar(
        select(Response).where(Response.resume_code_hash == resume_code_digest(code, secret))
    )


def advance(response: Response, next_page: Page | None) -> None:
    """Move the response on to its next page, or complete it when there is none."""
    if next_page is None:
        complete(response)
    else:
        response.current_position = max(response.current_position, next_page.position)


def complete(response: Response) -> None:
    if response.status != ResponseStatus.COMPLETE:
        response.status = ResponseStatus.COMPLETE
        response.submitted_at = utcnow()


def record_toolkit_view(
    session: DbSession, response: Response, section_key: str, seconds: float
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
