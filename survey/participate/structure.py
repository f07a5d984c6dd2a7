"""A questionnaire version's pages, questions and choices as plain immutable objects: what the
participant's pages are built, checked and rendered from.

A published (or retired) version never changes, so its structure is built once per process and
kept (`version_structure`); a draft is edited, so its structure is built afresh from the rows
every time it is asked for (`build_structure`, which an admin preview can use as well).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.orm import selectinload

from survey.models import ChoiceList, DbSession, QuestionnaireVersion, VersionStatus
from survey.models import Page as PageRow
from survey.models import Question as QuestionRow
from survey.models.questionnaire import Bilingual
from survey.questionnaire.expressions import (
    CURRENT,
    BoolOp,
    Node,
    Value,
    evaluate,
    parse,
    to_json,
    variables,
)
from survey.questionnaire.storage import AnswerValue
from survey.questionnaire.types import DefaultRefused, TypeSpec, spec_of


@dataclass(frozen=True, eq=False)
class Choice(Bilingual):
    code: str
    label_en: str
    label_fr: str | None


@dataclass(frozen=True, eq=False)
class Question(Bilingual):
    id: int
    name: str
    type: str
    label_en: str
    label_fr: str | None
    hint_en: str | None
    hint_fr: str | None
    required: bool
    min_value: float | None
    max_value: float | None
    max_length: int | None
    show_if: str | None
    choices: tuple[Choice, ...]
    condition: Node | None  # show_if, parsed
    condition_json: str  # show_if for the page's script; empty when always shown
    reads: frozenset[str]  # the variables show_if reads
    spec: TypeSpec  # what its type is (survey/questionnaire/types.py)
    constraint: Node | None  # accept_if, parsed
    constraint_message_en: str | None
    constraint_message_fr: str | None
    calculation: Node | None  # a calculated question's expression, parsed
    default: AnswerValue  # what prefills its field on a page not saved yet (None: nothing)

    def shown_with(self, answers: Mapping[str, Value]) -> bool:
        return self.condition is None or evaluate(self.condition, answers)

    def accepts(self, answer: Value, answers: Mapping[str, Value]) -> bool:
        """Whether an answer meets the question's constraint, the other answers as given."""
        if self.constraint is None:
            return True
        return evaluate(self.constraint, {**answers, self.name: answer, CURRENT: answer})


@dataclass(frozen=True, eq=False)
class Page(Bilingual):
    """One page of the survey."""

    id: int
    position: int
    name: str
    kind: str
    title_en: str
    title_fr: str | None
    intro_en: str | None
    intro_fr: str | None
    screen_out_if: str | None
    condition: Node | None  # show_if, parsed: the page is skipped when it is false
    questions: tuple[Question, ...]
    names: frozenset[str]  # the variables asked on this page (with a field or a note)
    defaults: Mapping[str, AnswerValue]  # what prefills the page the first time it is shown


@dataclass(frozen=True, eq=False)
class Version(Bilingual):
    id: int
    questionnaire_id: int
    number: int
    status: str
    title_en: str
    title_fr: str | None
    consent_version: str
    pages: tuple[Page, ...]
    questions: tuple[Question, ...]  # every question, in questionnaire order
    by_id: Mapping[int, Question]
    at_position: Mapping[int, Page]

    def page_at(self, position: int) -> Page | None:
        return self.at_position.get(position)


def whole_version():
    """Loader options that fetch a version's pages, questions and choices in four queries."""
    return (
        selectinload(QuestionnaireVersion.pages)
        .selectinload(PageRow.questions)
        .selectinload(QuestionRow.choice_list)
        .selectinload(ChoiceList.choices)
    )


def _both(page_condition: Node | None, own: Node | None) -> Node | None:
    if page_condition is None or own is None:
        return page_condition or own
    return BoolOp("and", (page_condition, own))


def _question(row: QuestionRow, page_condition: Node | None) -> Question:
    """`condition`, which the server evaluates, holds the page's show-if as well; the page's
    script only needs the question's own (the page's reads earlier pages, already settled)."""
    condition = parse(row.show_if) if row.show_if else None
    return Question(
        id=row.id,
        name=row.name,
        type=str(row.type),
        label_en=row.label_en,
        label_fr=row.label_fr,
        hint_en=row.hint_en,
        hint_fr=row.hint_fr,
        required=bool(row.required),
        min_value=row.min_value,
        max_value=row.max_value,
        max_length=row.max_length,
        show_if=row.show_if,
        choices=tuple(Choice(c.code, c.label_en, c.label_fr) for c in row.choices),
        condition=_both(page_condition, condition),
        condition_json=json.dumps(to_json(condition)) if condition is not None else "",
        reads=frozenset(v.name for v in variables(condition))
        if condition is not None
        else frozenset(),
        spec=spec_of(row.type),
        constraint=parse(row.accept_if) if row.accept_if else None,
        constraint_message_en=row.constraint_message_en,
        constraint_message_fr=row.constraint_message_fr,
        calculation=parse(row.calculation) if row.calculation else None,
        default=_default(row),
    )


def _default(row: QuestionRow) -> AnswerValue:
    if row.default_answer is None:
        return None
    try:
        return spec_of(row.type).read_default(row.default_answer, [c.code for c in row.choices])
    except DefaultRefused:  # the draft's rules refuse it; an older draft is shown without it
        return None


def _page(row: PageRow) -> Page:
    condition = parse(row.show_if) if row.show_if else None
    questions = tuple(_question(q, condition) for q in row.questions)
    return Page(
        id=row.id,
        position=row.position,
        name=row.name,
        kind=str(row.kind),
        title_en=row.title_en,
        title_fr=row.title_fr,
        intro_en=row.intro_en,
        intro_fr=row.intro_fr,
        screen_out_if=row.screen_out_if,
        condition=condition,
        questions=questions,
        names=frozenset(q.name for q in questions if q.spec.asked),
        defaults=MappingProxyType({q.name: q.default for q in questions if q.default is not None}),
    )


def build_structure(version: QuestionnaireVersion) -> Version:
    """The structure of any version, drafts included, read from its rows now (never kept)."""
    pages = tuple(_page(p) for p in version.pages)
    questions = tuple(q for p in pages for q in p.questions)
    return Version(
        id=version.id,
        questionnaire_id=version.questionnaire_id,
        number=version.number,
        status=str(version.status or VersionStatus.DRAFT),
        title_en=version.title_en,
        title_fr=version.title_fr,
        consent_version=version.consent_version,
        pages=pages,
        questions=questions,
        by_id=MappingProxyType({q.id: q for q in questions}),
        at_position=MappingProxyType({p.position: p for p in pages}),
    )


# Per database engine: several app instances in one process may each have their own database.
_kept: WeakKeyDictionary[Engine, dict[int, Version]] = WeakKeyDictionary()


def forget_structures() -> None:
    """Build every structure afresh from now on: for tests, whose databases are remade under
    the same engine with other versions of the same number."""
    _kept.clear()


def version_structure(session: DbSession, version_id: int) -> Version:
    """The version's structure, built once per process for a published or retired version
    (which never changes again) and afresh for a draft."""
    bind = session.get_bind(QuestionnaireVersion)
    kept = _kept.setdefault(bind.engine, {})
    structure = kept.get(version_id)
    if structure is not None:
        return structure
    version = session.get_one(QuestionnaireVersion, version_id, options=[whole_version()])
    structure = build_structure(version)
    if version.status != VersionStatus.DRAFT:
        kept[version_id] = structure
    return structure
