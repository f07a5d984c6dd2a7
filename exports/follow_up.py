"""The follow-up wave in the exports (docs/follow-up.md): the follow-up questionnaire's
variables under the `fu_` prefix, read beside each baseline response, so the Responses sheet,
the CSV and the statistics files hold both waves in one row per participant (the wide form),
and the report's Waves sheet holds one row per wave (the long form).

The wave is part of an export once it is in use: its questionnaire has a live version, and a
participant has agreed to be asked or has answered. Until then the exports are as they were
before the follow-up existed (no empty columns for a wave nobody was offered)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, exists, func, or_, select

from exports.measures import AFTER, BEFORE, FU_CONFIDENCE, FU_EXPRESSED, FU_PAIN, PAIN, TRIED
from exports.variables import Variable, collect_variables
from survey.models import (
    AnswerValue,
    DbSession,
    FollowUpContact,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    VersionStatus,
)

if TYPE_CHECKING:  # exports.records imports this module
    from exports.records import ResponseRecord

PREFIX = "fu_"
FIXED_COLUMNS = ["fu_version", "fu_status", "fu_submitted_at_utc", "fu_days_after"]
FIXED_DESCRIPTIONS = {
    "fu_version": "Follow-up questionnaire version answered; empty: no follow-up answers",
    "fu_status": "Follow-up: complete, partial (stopped before the end), or empty (none)",
    "fu_submitted_at_utc": "When the follow-up's last page was sent (UTC); empty if partial",
    "fu_days_after": (
        "Days from the survey's submission to the follow-up's (one decimal). The columns after "
        "it, prefixed fu_, are the follow-up questionnaire's"
    ),
}
# The long form (the Waves sheet): one row per wave a participant answered, the measures the
# two waves share side by side. Each is (column, the survey's variable, the follow-up's).
WAVE_MEASURES = (
    ("expressed", TRIED, FU_EXPRESSED),
    ("pain", PAIN, FU_PAIN),
    ("confidence", AFTER, FU_CONFIDENCE),
)
WAVES_HEADER = [
    "response_id",
    "wave",
    "version",
    "status",
    "submitted_at_utc",
    "days_after",
    "confidence_before",
    *(column for column, _survey, _follow_up in WAVE_MEASURES),
]


@dataclass(frozen=True)
class FollowUpRecord:
    """A baseline response's follow-up as exported: its version, status and answers (by their
    prefixed names)."""

    version: int
    complete: bool
    submitted_at: datetime | None
    reached: int | None  # the furthest page of a partial follow-up; None once complete
    answers: dict[str, AnswerValue]

    def days_after(self, baseline: datetime | None) -> float | None:
        if baseline is None or self.submitted_at is None:
            return None
        return round((self.submitted_at - baseline).total_seconds() / 86400, 1)

    def fixed(self, baseline: datetime | None) -> list[Any]:
        """Its values in FIXED_COLUMNS' order."""
        submitted = self.submitted_at.replace(tzinfo=None) if self.submitted_at else None
        status = "complete" if self.complete else "partial"
        return [self.version, status, submitted, self.days_after(baseline)]


NO_FOLLOW_UP: list[Any] = [None] * len(FIXED_COLUMNS)


@dataclass
class FollowUpWave:
    versions: list[QuestionnaireVersion]
    variables: list[Variable]  # prefixed, in questionnaire order


def follow_up_wave(session: DbSession, slug: str | None) -> FollowUpWave | None:
    """The follow-up questionnaire named `slug`, when it is in use (see the module's note)."""
    if not slug:
        return None
    versions = list(
        session.scalars(
            select(QuestionnaireVersion)
            .join(Questionnaire)
            .where(Questionnaire.slug == slug, QuestionnaireVersion.status != VersionStatus.DRAFT)
            .order_by(QuestionnaireVersion.number)
        )
    )
    if not versions:
        return None
    in_use = session.scalar(
        select(
            or_(
                exists(FollowUpContact.id),
                exists(Response.id).where(Response.follow_up_of.is_not(None)),
            )
        )
    )
    if not in_use:
        return None
    return FollowUpWave(versions, collect_variables(versions, prefix=PREFIX))


def wave_rows(
    response_id: str,
    record: ResponseRecord,
    cell: Callable[[str, AnswerValue | None], object],
) -> list[list[object]]:
    """The response's rows of the Waves sheet: the survey's, then its follow-up's if it has
    one. `cell` types an answer as the Responses sheet does (None where the export has no
    such variable)."""
    submitted = record.submitted_at.replace(tzinfo=None) if record.submitted_at else None
    status = "complete" if record.complete else "partial"
    answers = record.answers
    rows = [
        [response_id, "survey", record.version, status, submitted]
        + [0.0 if submitted else None, cell(BEFORE, answers.get(BEFORE))]
        + [cell(survey, answers.get(survey)) for _column, survey, _later in WAVE_MEASURES]
    ]
    if wave := record.follow_up:
        rows.append(
            [response_id, "follow_up", *wave.fixed(record.submitted_at), None]
            + [cell(later, answers.get(later)) for _column, _survey, later in WAVE_MEASURES]
        )
    return rows


@dataclass(frozen=True)
class ResponseRate:
    """The follow-up's reach among some survey responses: how many agreed to be asked, were
    sent the invitation, and answered it (the response rate is of those invited)."""

    agreed: int
    invited: int
    answered: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.answered / self.invited, 1) if self.invited else None


def response_rate(session: DbSession, conditions: list[ColumnElement[bool]]) -> ResponseRate:
    """Among the survey responses the conditions choose (an export's filters)."""
    agreed, invited, answered = session.execute(
        select(
            func.count(),
            func.count(FollowUpContact.invited_at),
            func.count(FollowUpContact.answered_at),
        )
        .select_from(FollowUpContact)
        .join(Response, Response.id == FollowUpContact.response_id)
        .where(*conditions)
    ).one()
    return ResponseRate(agreed, invited, answered)
