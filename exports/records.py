"""Responses read from the database in chunks, each with its typed answers, what it was shown,
its scores and its toolkit engagement."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, func, select, tuple_

from exports.filters import ExportFilters
from exports.follow_up import PREFIX, FollowUpRecord, FollowUpWave
from exports.variables import Variable
from survey.models import (
    Answer,
    AnswerValue,
    DbSession,
    QuestionnaireVersion,
    Response,
    ResponseStatus,
    StudyInformation,
    ToolkitView,
)
from survey.questionnaire.expressions import Condition, Node
from survey.questionnaire.scoring import ScoreRule, compute_score
from survey.questionnaire.storage import VALUE_COLUMNS
from survey.questionnaire.types import spec_of

# Responses per chunk. A chunk's records, rows and their XML are what a row process holds at
# once: at 1,000 a report of 100,000 responses peaks about 40 MB lower than at 2,000, as fast.
CHUNK = 1000


def _gathered(
    dialect: str, response_id: ColumnElement[str]
) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """Two columns for a query of responses: each one's answers as one JSON object (question
    id -> value) and its toolkit views as another (section -> [opened, seconds]), each a
    correlated subquery on the (response, ...) unique index."""
    values = [getattr(Answer, column) for column in VALUE_COLUMNS]  # exactly one is set
    answer_value = func.coalesce(*values)
    if dialect == "postgresql":
        aggregate, pair = func.json_object_agg, func.json_build_array
        answer_value = func.coalesce(*(func.to_jsonb(value) for value in values))
    else:
        aggregate, pair = func.json_group_object, func.json_array
    answers = (
        select(aggregate(Answer.question_id, answer_value))
        .where(Answer.response_id == response_id)
        .scalar_subquery()
        .label("answers")
    )
    views = (
        select(aggregate(ToolkitView.section, pair(ToolkitView.opened, ToolkitView.seconds)))
        .where(ToolkitView.response_id == response_id)
        .scalar_subquery()
        .label("views")
    )
    return answers, views


def _parsed(gathered: str | dict | None) -> dict[str, Any]:
    """SQLite gives the JSON as text, psycopg already parsed; no rows gives NULL."""
    if gathered is None:
        return {}
    return json.loads(gathered) if isinstance(gathered, str) else gathered


class StoredResponse(NamedTuple):
    """A response as the database gives it: its row, and its answers and toolkit views gathered
    into JSON (plain values, so a chunk of them can go to another process)."""

    id: str
    version_id: int
    language: str
    status: str
    started_at: datetime
    submitted_at: datetime | None
    consent_version: str
    consented_at: datetime
    current_position: int | None
    study_information: int | None
    toolkit_prompt_shown: bool
    answers: str | dict | None
    views: str | dict | None
    # Its follow-up as stored: (version id, status, submitted_at, current_position, answers).
    follow_up: tuple[int, str, datetime | None, int, str | dict | None] | None = None


@dataclass
class ResponseRecord:
    id: str
    version: int
    language: str
    complete: bool
    started_at: datetime
    submitted_at: datetime | None
    consent_version: str
    consented_at: datetime
    study_information: int | None = None  # the revision shown at consent
    toolkit_prompt_shown: bool = False
    answers: dict[str, AnswerValue] = field(default_factory=dict)
    shown: set[str] = field(default_factory=set)
    unreached: set[str] = field(default_factory=set)  # not shown: its page was never reached
    scores: dict[str, float | None] = field(default_factory=dict)
    toolkit: dict[str, tuple[int, int]] = field(default_factory=dict)  # section -> (opened, s)
    follow_up: FollowUpRecord | None = None  # its answers are in `answers`, prefixed fu_

    @property
    def minutes_taken(self) -> float | None:
        if self.submitted_at is None:
            return None
        return round((self.submitted_at - self.started_at).total_seconds() / 60, 1)


class RecordReader:
    """Streams ResponseRecords for the chosen versions and filters, `chunk` responses at a time."""

    def __init__(
        self,
        session: DbSession,
        versions: list[QuestionnaireVersion],
        variables: list[Variable],
        filters: ExportFilters,
        chunk: int = CHUNK,
        follow_up: FollowUpWave | None = None,
    ) -> None:
        self.session = session
        self.filters = filters
        self.chunk = chunk
        self.version_numbers = {v.id: v.number for v in versions}
        self.variables = variables
        # Question ids as the gathered JSON names them -> variable names, and the decoding of
        # the values whose type JSON does not carry; the follow-up's questions are prefixed.
        self.names: dict[str, str] = {}
        self.decoded: dict[str, tuple[str, Callable[[Any], AnswerValue]]] = {}
        self.asked = self._questions(versions, [v for v in variables if not v.follow_up])
        self.follow_up = follow_up
        if follow_up:
            self.follow_up_numbers = {v.id: v.number for v in follow_up.versions}
            self.follow_up_asked = self._questions(follow_up.versions, follow_up.variables, PREFIX)
            self.follow_up_names = {v.name for v in follow_up.variables}
        self.scores = {
            v.number: [(s.name, ScoreRule.from_dict(s.as_rule())) for s in v.scores]
            for v in versions
        }

    def _questions(
        self, versions: list[QuestionnaireVersion], variables: list[Variable], prefix: str = ""
    ) -> dict[int, list[tuple[str, int, Condition | None]]]:
        """Learn the versions' question ids, and give per version (variable, page position,
        show-if) for each variable it asks."""
        for version in versions:
            for question in version.questions:
                name = prefix + question.name
                self.names[str(question.id)] = name
                spec = spec_of(question.type)
                if spec.answered and not spec.json_is_value:
                    self.decoded[str(question.id)] = (name, spec.from_json)
        return {
            v.number: [
                (x.name, x.page_position[v.number], _condition(x.conditions[v.number]))
                for x in variables
                if v.number in x.page_position
            ]
            for v in versions
        }

    def count(self) -> int:
        return (
            self.session.scalar(select(func.count()).select_from(Response).where(*self._where()))
            or 0
        )

    def study_information(self) -> list[StudyInformation]:
        """The study information revisions the exported responses consented with."""
        used = (
            select(Response.study_information_id)
            .where(*self._where(), Response.study_information_id.is_not(None))
            .distinct()
        )
        return list(
            self.session.scalars(
                select(StudyInformation)
                .where(StudyInformation.id.in_(used))
                .order_by(StudyInformation.number)
            )
        )

    def exclusions(self) -> dict[str, int]:
        """Excluded responses within the filters' scope, by reason (whether or not they are
        left out: see ExportFilters.include_excluded)."""
        rows = self.session.execute(
            select(Response.excluded_reason, func.count())
            .where(
                *self.filters.scope(list(self.version_numbers)),
                Response.excluded_reason.is_not(None),
                Response.withdrawn_at.is_(None),
            )
            .group_by(Response.excluded_reason)
        )
        return {str(reason): n for reason, n in rows}

    def withdrawals(self) -> int:
        """Withdrawn responses within the filters' scope: their answers are deleted."""
        return (
            self.session.scalar(
                select(func.count())
                .select_from(Response)
                .where(
                    *self.filters.scope(list(self.version_numbers)),
                    Response.withdrawn_at.is_not(None),
                )
            )
            or 0
        )

    def _where(self):
        return self.filters.conditions(list(self.version_numbers))

    def __iter__(self) -> Iterator[ResponseRecord]:
        for chunk in self.chunks():
            for stored in chunk:
                yield self.record(stored)

    def chunks(self) -> Iterator[list[StoredResponse]]:
        """The responses as stored, `chunk` at a time, in the order of the Responses sheet. Each
        comes in one row with its answers and its toolkit views gathered by the database into
        JSON objects: about 70 answers per response arrive as one string that the json module
        parses in C, instead of 70 rows made one by one in Python."""
        connection = self.session.connection()  # Core rows: the ORM adds nothing here
        after: tuple[datetime, str] | None = None
        while True:
            # The page of responses first, then their answers and views: a database sorts
            # before it limits, and would otherwise gather every remaining response's answers
            # for each page.
            page = (
                select(
                    Response.id,
                    Response.version_id,
                    Response.language,
                    Response.status,
                    Response.started_at,
                    Response.submitted_at,
                    Response.consent_version,
                    Response.consented_at,
                    Response.current_position,
                    StudyInformation.number.label("study_information"),
                    Response.toolkit_prompt_shown,
                )
                .outerjoin(StudyInformation, Response.study_information_id == StudyInformation.id)
                .where(*self._where())
                # In this order, with every column the filters name: each page is a short walk
                # of the index, not a sort of every response left (SQLite picks the version
                # index otherwise).
                .with_hint(Response, "INDEXED BY ix_response_browse_started", "sqlite")
                .order_by(Response.started_at, Response.id)
                .limit(self.chunk)
            )
            if after is not None:
                page = page.where(tuple_(Response.started_at, Response.id) > after)
            chosen = page.subquery()
            query = select(*chosen.c, *_gathered(connection.dialect.name, chosen.c.id)).order_by(
                chosen.c.started_at, chosen.c.id
            )
            rows = [StoredResponse._make((*row, None)) for row in connection.execute(query)]
            if not rows:
                return
            if self.follow_up:
                rows = self._with_follow_ups(connection, rows)
            yield rows
            after = (rows[-1].started_at, rows[-1].id)

    def _with_follow_ups(self, connection: Any, rows: list[StoredResponse]) -> list[StoredResponse]:
        """The chunk's responses with their follow-ups, gathered like their own answers."""
        answers, _views = _gathered(connection.dialect.name, Response.id.expression)
        query = select(
            Response.follow_up_of,
            Response.version_id,
            Response.status,
            Response.submitted_at,
            Response.current_position,
            answers,
        ).where(Response.follow_up_of.in_([row.id for row in rows]))
        found = {baseline: tuple(rest) for baseline, *rest in connection.execute(query)}
        return [row._replace(follow_up=found.get(row.id)) for row in rows]

    def record(self, stored: StoredResponse, shown: bool = True) -> ResponseRecord:
        """The response with its typed answers and scores, and unless `shown` is False what it
        was shown (the Responses rows do not need that; the statistics do)."""
        complete = stored.status == ResponseStatus.COMPLETE
        record = ResponseRecord(
            id=stored.id,
            version=self.version_numbers[stored.version_id],
            language=stored.language,
            complete=complete,
            started_at=stored.started_at,
            submitted_at=stored.submitted_at,
            consent_version=stored.consent_version,
            consented_at=stored.consented_at,
            study_information=stored.study_information,
            toolkit_prompt_shown=stored.toolkit_prompt_shown,
            answers=self._answers(_parsed(stored.answers)),
            toolkit={
                section: (opened, seconds)
                for section, (opened, seconds) in _parsed(stored.views).items()
            },
        )
        if shown:
            self._shown(record, None if complete else stored.current_position)
        if self.follow_up:
            self._follow_up(record, stored.follow_up, shown)
        for name, rule in self.scores.get(record.version, []):
            record.scores[name] = compute_score(rule, record.answers)
        return record

    def _answers(self, stored: dict[str, Any]) -> dict[str, AnswerValue]:
        """Question ids to variable names; the values the JSON cannot type (ticked codes, dates
        and times, numbers PostgreSQL wrote as whole numbers) are decoded by their question's
        type (its spec's `from_json`)."""
        names = self.names
        answers = {names[key]: value for key, value in stored.items()}
        for key in self.decoded.keys() & stored.keys():
            name, decode = self.decoded[key]
            answers[name] = decode(stored[key])
        return answers

    def _follow_up(self, record: ResponseRecord, stored: tuple | None, shown: bool) -> None:
        """Its follow-up's answers into the record's; without one, the follow-up's questions
        count as not reached."""
        if stored is None:
            if shown:
                record.unreached |= self.follow_up_names
            return
        version_id, status, submitted_at, position, answers = stored
        complete = status == ResponseStatus.COMPLETE
        follow_up = FollowUpRecord(
            version=self.follow_up_numbers[version_id],
            complete=complete,
            submitted_at=submitted_at,
            reached=None if complete else position,
            answers=self._answers(_parsed(answers)),
        )
        record.follow_up = follow_up
        record.answers.update(follow_up.answers)
        if shown:
            self._shown(record, follow_up.reached, self.follow_up_asked[follow_up.version])

    def _shown(
        self,
        record: ResponseRecord,
        reached: int | None,
        asked: list[tuple[str, int, Condition | None]] | None = None,
    ) -> None:
        """What the response was shown (its denominators): what its pages reached asked, as
        their show-if conditions came out on its answers."""
        for name, position, condition in self.asked[record.version] if asked is None else asked:
            if reached is not None and position > reached:
                record.unreached.add(name)
                continue
            if condition is None or condition(record.answers):
                record.shown.add(name)


def _condition(node: Node | None) -> Condition | None:
    return None if node is None else Condition(node)
