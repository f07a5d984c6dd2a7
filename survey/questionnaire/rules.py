"""What a draft must satisfy before it is saved or published.

Structure (names, lists, show-if order, scores) is checked on the draft alone; the rules that
protect collected answers compare it with every earlier version: a variable keeps its type and
every choice code anyone answered, and a variable name is never reused for another question.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from survey.messages import N_, Message
from survey.models import (
    CHOICE_TYPES,
    COMPUTED_TYPES,
    NUMBER_TYPES,
    Answer,
    DbSession,
    Page,
    PageKind,
    Question,
    QuestionnaireVersion,
    VersionStatus,
)
from survey.questionnaire.expressions import ExpressionError, check_references
from survey.questionnaire.types import DefaultRefused, spec_of

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


@dataclass(frozen=True)
class Problem:
    """What a change would break. Shown translated (survey.i18n.explained); str() is English."""

    subject: Message | str  # what the problem is about, e.g. "question pain_score"
    message: Message | str

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


class DraftRefused(ValueError):
    """The change would leave the draft invalid or put collected answers at risk."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


@dataclass
class History:
    """What earlier versions of the questionnaire hold, by variable name."""

    versions_of: dict[str, list[int]]  # name -> version numbers that asked it
    types: dict[str, set[str]]  # name -> question types it had, where it has answers
    responses: Counter[str]  # name -> responses that answered it
    codes: dict[str, Counter[str]]  # name -> choice code -> responses that chose it


def history(session: DbSession, draft: QuestionnaireVersion) -> History:
    """Read what earlier (published or retired) versions asked and what was answered."""
    earlier = (
        select(Question.name, Question.type, QuestionnaireVersion.number, Question.id)
        .join(Page, Question.page_id == Page.id)
        .join(QuestionnaireVersion, Page.version_id == QuestionnaireVersion.id)
        .where(
            QuestionnaireVersion.questionnaire_id == draft.questionnaire_id,
            QuestionnaireVersion.status != VersionStatus.DRAFT,
        )
    ).subquery()
    versions_of: dict[str, list[int]] = defaultdict(list)
    for name, number in session.execute(
        select(earlier.c.name, earlier.c.number).distinct().order_by(earlier.c.number)
    ):
        versions_of[name].append(number)

    answered = session.execute(
        select(earlier.c.name, earlier.c.type, func.count(distinct(Answer.response_id)))
        .join(Answer, Answer.question_id == earlier.c.id)
        .group_by(earlier.c.name, earlier.c.type)
    )
    types: dict[str, set[str]] = defaultdict(set)
    responses: Counter[str] = Counter()
    for name, type_, count in answered:
        types[name].add(type_)
        responses[name] += count

    codes: dict[str, Counter[str]] = defaultdict(Counter)
    chosen = session.execute(
        select(earlier.c.name, Answer.value_text, func.count(distinct(Answer.response_id)))
        .join(Answer, Answer.question_id == earlier.c.id)
        .where(earlier.c.type.in_([str(t) for t in CHOICE_TYPES]))
        .group_by(earlier.c.name, Answer.value_text)
    )
    for name, value, count in chosen:
        for code in (value or "").split():
            codes[name][code] += count
    return History(dict(versions_of), dict(types), responses, dict(codes))


def reload_in_order(session: DbSession) -> None:
    """Write pending edits and forget loaded collections, so pages and questions are read back
    in their (possibly just changed) positions."""
    session.flush()
    session.expire_all()


def structure_problems(version: QuestionnaireVersion) -> list[Problem]:
    """Problems in the version on its own: names, choice lists, show-if order, scores."""
    problems: list[Problem] = []
    questions = version.questions
    all_names = [q.name for q in questions]
    seen_pages: set[str] = set()
    if not version.pages:
        problems.append(
            Problem(Message(N_("questionnaire")), Message(N_("it needs at least one page")))
        )
    for page in version.pages:
        if page.name in seen_pages:
            problems.append(Problem(_page(page), Message(N_("another page has this name"))))
        seen_pages.add(page.name)

    asked: list[str] = []
    for page in version.pages:
        if page.show_if and page.kind == PageKind.CONSENT:
            message = Message(N_("the consent page is always shown: it takes no show-if"))
            problems.append(Problem(_page(page), message))
        elif page.show_if:
            try:
                check_references(page.show_if, asked, all_names)
            except ExpressionError as error:
                problems.append(
                    Problem(_page(page), Message(N_("show-if: %(problem)s"), problem=error.text))
                )
        for question in page.questions:
            problems += _question_problems(question, asked, all_names)
            asked.append(question.name)
        if page.screen_out_if:
            try:
                check_references(page.screen_out_if, asked, all_names)
            except ExpressionError as error:
                problems.append(
                    Problem(
                        _page(page),
                        Message(N_("screen-out condition: %(problem)s"), problem=error.text),
                    )
                )

    by_name = {q.name: q for q in questions}
    for score in version.scores:
        problems += _score_problems(score, by_name)
    return problems


def _question_problems(question: Question, asked: list[str], all_names: list[str]) -> list:
    subject = _question(question)
    problems = []
    if not NAME.fullmatch(question.name or ""):
        problems.append(
            Problem(
                subject,
                Message(
                    N_(
                        "a variable name starts with a letter or _ and has only letters, "
                        "digits and _ (64 at most)"
                    )
                ),
            )
        )
    if question.name in asked:
        problems.append(
            Problem(subject, Message(N_("another question already uses this variable name")))
        )
    if question.type in CHOICE_TYPES and not question.choices:
        problems.append(
            Problem(subject, Message(N_("a choice question needs a choice list with choices")))
        )
    if (
        question.min_value is not None
        and question.max_value is not None
        and question.min_value > question.max_value
    ):
        problems.append(Problem(subject, Message(N_("the minimum is larger than the maximum"))))
    if question.show_if:
        try:
            check_references(question.show_if, asked, all_names, itself=question.name)
        except ExpressionError as error:
            problems.append(
                Problem(subject, Message(N_("show-if: %(problem)s"), problem=error.text))
            )
    problems += _calculation_problems(question, asked, all_names)
    if question.default_answer is not None:
        problems += _default_problems(question)
    if question.accept_if:
        try:
            check_references(
                question.accept_if, asked, all_names, itself=question.name, constraint=True
            )
        except ExpressionError as error:
            problems.append(
                Problem(subject, Message(N_("constraint: %(problem)s"), problem=error.text))
            )
    return problems


def _calculation_problems(question: Question, asked: list[str], all_names: list[str]) -> list:
    """A calculated question has a calculation that reads only earlier questions (as a
    show-if does, so there is never a cycle); no other question has one."""
    subject = _question(question)
    computed = question.type in COMPUTED_TYPES
    if not computed:
        if question.calculation:
            message = Message(N_("only a calculated question has a calculation"))
            return [Problem(subject, message)]
        return []
    if not question.calculation:
        return [Problem(subject, Message(N_("a calculated question needs a calculation")))]
    problems = []
    if question.required:
        message = Message(N_("a calculated question is never asked: it cannot be required"))
        problems.append(Problem(subject, message))
    try:
        check_references(
            question.calculation, asked, all_names, itself=question.name, calculation=True
        )
    except ExpressionError as error:
        problems.append(
            Problem(subject, Message(N_("calculation: %(problem)s"), problem=error.text))
        )
    return problems


def _default_problems(question: Question) -> list[Problem]:
    """A default is an answer the question could be given: of its type, from its choice list,
    within its limits."""
    spec = spec_of(question.type)
    codes = [c.code for c in question.choices]
    try:
        value = spec.read_default(question.default_answer or "", codes)
    except DefaultRefused as refused:
        problem = refused.message
    else:
        low, high = question.min_value, question.max_value
        if (
            isinstance(value, float)
            and spec.numeric
            and ((low is not None and value < low) or (high is not None and value > high))
        ):
            problem = Message(N_("it is outside the smallest and largest answers allowed"))
        elif (
            isinstance(value, str)
            and spec.text_limit is not None
            and len(value) > (question.max_length or spec.text_limit)
        ):
            problem = Message(N_("it is longer than the longest answer allowed"))
        else:
            return []
    return [Problem(_question(question), Message(N_("default: %(problem)s"), problem=problem))]


def _question(question: Question) -> Message:
    return Message(N_("question %(name)s"), name=question.name)


def _page(page: Page) -> Message:
    return Message(N_("page %(name)s"), name=page.name)


def _score_problems(score, by_name: dict[str, Question]) -> list[Problem]:
    subject = Message(N_("score %(name)s"), name=score.name)
    problems = []
    if score.name in by_name:
        problems.append(Problem(subject, Message(N_("a question already uses this variable name"))))
    if not score.items:
        problems.append(Problem(subject, Message(N_("it needs at least one item"))))
    for item in score.items:
        question = by_name.get(item)
        if question is None:
            problems.append(
                Problem(
                    subject,
                    Message(N_("item %(item)s is not a question of this version"), item=item),
                )
            )
        elif not (
            question.type in NUMBER_TYPES
            or (question.choice_list is not None and question.choice_list.numeric)
        ):
            problems.append(
                Problem(
                    subject, Message(N_("item %(item)s has no numeric answers to score"), item=item)
                )
            )
    for item in score.reversed_items:
        if item not in score.items:
            problems.append(
                Problem(
                    subject,
                    Message(N_("reverse-keyed item %(item)s is not one of the items"), item=item),
                )
            )
    if score.scale_min >= score.scale_max:
        problems.append(
            Problem(subject, Message(N_("the scale's minimum must be below its maximum")))
        )
    return problems


def answer_problems(version: QuestionnaireVersion, past: History) -> list[Problem]:
    """Changes that would orphan answers already collected, or reuse a retired variable."""
    problems = []
    latest = max((n for numbers in past.versions_of.values() for n in numbers), default=None)
    for question in version.questions:
        subject = _question(question)
        numbers = past.versions_of.get(question.name)
        if numbers and latest not in numbers:
            problems.append(
                Problem(
                    subject,
                    Message(
                        N_(
                            "version %(number)d used this variable name for a question that was "
                            "later removed; variable names are never reused, so choose a new one"
                        ),
                        number=numbers[-1],
                    ),
                )
            )
        answered_types = past.types.get(question.name, set())
        if answered_types - {question.type}:
            problems.append(
                Problem(
                    subject,
                    Message(
                        N_(
                            "%(count)d responses answered it as %(types)s, so its type cannot "
                            "change; add a new question with a new variable name instead (this "
                            "one's answers are kept)"
                        ),
                        count=past.responses[question.name],
                        types=", ".join(sorted(answered_types)),
                    ),
                )
            )
        codes = {c.code for c in question.choices}
        for code, count in sorted(past.codes.get(question.name, Counter()).items()):
            if code not in codes:
                problems.append(
                    Problem(
                        subject,
                        Message(
                            N_(
                                "choice code '%(code)s' was chosen in %(count)d responses, so it "
                                "cannot be changed or removed; change its label instead, or add "
                                "a new choice"
                            ),
                            code=code,
                            count=count,
                        ),
                    )
                )
    return problems


def draft_problems(session: DbSession, draft: QuestionnaireVersion) -> list[Problem]:
    reload_in_order(session)
    return structure_problems(draft) + answer_problems(draft, history(session, draft))


def publishing_problems(
    session: DbSession, draft: QuestionnaireVersion, follow_up: bool = False
) -> list[Problem]:
    """A draft's problems, and what participants need before they can take it: a consent
    page, where each response begins (a form from ODK or KoboToolbox has none: the admin adds
    one to the draft). The follow-up questionnaire is the other way round: the baseline's
    consent covers it and its link begins it, so it has no eligibility or consent page."""
    problems = draft_problems(session, draft)
    if follow_up:
        for page in draft.pages:
            if page.kind in (PageKind.ELIGIBILITY, PageKind.CONSENT):
                message = Message(
                    N_(
                        "the follow-up questionnaire has no eligibility or consent page: the "
                        "survey's consent covers it"
                    )
                )
                problems.append(Problem(_page(page), message))
        return problems
    if not any(page.kind == PageKind.CONSENT for page in draft.pages):
        message = Message(
            N_(
                "it needs a consent page (a page of kind consent), where each participant's "
                "response begins"
            )
        )
        problems.append(Problem(Message(N_("questionnaire")), message))
    return problems


def check_draft(session: DbSession, draft: QuestionnaireVersion) -> None:
    """Raise DraftRefused listing every problem; the caller rolls the change back."""
    if problems := draft_problems(session, draft):
        raise DraftRefused(problems)
