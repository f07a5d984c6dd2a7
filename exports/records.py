"""Responses read from the database in chunks, each with its typed answers, what it was shown,
its scores and its toolkit engagement."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, tuple_

from exports.filters import ExportFilters
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
    decode_answer,
)
from survey.questionnaire.expressions import evaluate
from survey.questionnaire.scoring import ScoreRule, compute_score


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
        chunk: int = 2000,
    ) -> None:
        self.session = session
        self.filters = filters
        self.chunk = chunk
        self.version_numbers = {v.id: v.number for v in versions}
        self.variables = variables
        self.questions: dict[int, tuple[str, str]] = {}
        for version in versions:
            for question in version.questions:
                self.questions[question.id] = (question.name, question.type)
        # Per version: (variable, page position, show-if) for each variable it asks.
        self.asked = {
            v.number: [
                (x.name, x.page_position[v.number], x.conditions[v.number])
                for x in variables
                if v.number in x.page_position
            ]
            for v in versions
        }
        self.scores = {
            v.number: [(s.name, ScoreRule.from_dict(s.as_rule())) for s in v.scores]
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
        after: tuple[datetime, str] | None = None
        while True:
            query = (
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
                .order_by(Response.started_at, Response.id)
                .limit(self.chunk)
            )
            if after is not None:
                query = query.where(tuple_(Response.started_at, Response.id) > after)
            rows = self.session.execute(query).all()
            if not rows:
                return
            yield from self._records(rows)
            after = (rows[-1].started_at, rows[-1].id)

    def _records(self, rows) -> list[ResponseRecord]:
        records: dict[str, ResponseRecord] = {}
        reached: dict[str, int | None] = {}
        for row in rows:
            records[row.id] = ResponseRecord(
                id=row.id,
                version=self.version_numbers[row.version_id],
                language=row.language,
                complete=row.status == ResponseStatus.COMPLETE,
                started_at=row.started_at,
                submitted_at=row.submitted_at,
                consent_version=row.consent_version,
                consented_at=row.consented_at,
                study_information=row.study_information,
                toolkit_prompt_shown=row.toolkit_prompt_shown,
            )
            reached[row.id] = (
                None if row.status == ResponseStatus.COMPLETE else row.current_position
            )
        ids = list(records)
        answers = self.session.execute(
            select(
                Answer.response_id,
                Answer.question_id,
                Answer.value_text,
                Answer.value_number,
                Answer.value_date,
            ).where(Answer.response_id.in_(ids))
        )
        for response_id, question_id, text, number, day in answers:
            name, kind = self.questions[question_id]
            records[response_id].answers[name] = decode_answer(kind, text, number, day)
        views = self.session.execute(
            select(
                ToolkitView.response_id,
                ToolkitView.section,
                ToolkitView.opened,
                ToolkitView.seconds,
            ).where(ToolkitView.response_id.in_(ids))
        )
        for response_id, section, opened, seconds in views:
            records[response_id].toolkit[section] = (opened, seconds)
        for record in records.values():
            self._finish(record, reached[record.id])
        return list(records.values())

    def _finish(self, record: ResponseRecord, reached: int | None) -> None:
        """Work out what the response was shown (its denominators) and its scores."""
        for name, position, condition in self.asked[record.version]:
            if reached is not None and position > reached:
                record.unreached.add(name)
                continue
            if condition is None or evaluate(condition, record.answers):
                record.shown.add(name)
        for name, rule in self.scores.get(record.version, []):
            record.scores[name] = compute_score(rule, record.answers)
