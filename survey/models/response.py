"""A participant's response, its typed answers and how they used the toolkit."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, utcnow
from survey.models.questionnaire import Question, QuestionnaireVersion
from survey.models.study import StudyInformation
from survey.models.user import User
from survey.questionnaire.storage import VALUE_COLUMNS, AnswerValue
from survey.questionnaire.types import decode_answer


class ResponseStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


class ExclusionReason(StrEnum):
    """Why staff leave a response out of analyses; `OTHER` needs a note."""

    TEST = "test"
    DUPLICATE = "duplicate"
    NOT_ELIGIBLE = "not_eligible"
    IMPLAUSIBLE = "implausible"
    OTHER = "other"


EXCLUSION_REASONS = tuple(reason.value for reason in ExclusionReason)
BROWSE_FILTER_COLUMNS = (
    "status",
    "language",
    "version_id",
    "current_position",
    "excluded_reason",
    "withdrawn_at",
)


def new_response_id() -> str:
    """22 random URL-safe characters (about 128 bits), never starting with "-": a spreadsheet reads
    such a text as a formula, so a CSV export would have to write the id changed (with the
    guard's apostrophe, exports/cells.py), and it would no longer match the database's. Ids made
    before this rule keep their "-"."""
    while (response_id := secrets.token_urlsafe(16)).startswith("-"):
        continue
    return response_id


class Response(Base):
    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint("status IN ('in_progress', 'complete')", name="status"),
        CheckConstraint("language IN ('en', 'fr')", name="language"),
        CheckConstraint(
            "(status = 'complete') = (submitted_at IS NOT NULL)", name="submitted_when_complete"
        ),
        CheckConstraint(
            "excluded_reason IS NULL OR excluded_reason IN "
            + "("
            + ", ".join(f"'{r}'" for r in EXCLUSION_REASONS)
            + ")",
            name="exclusion_reason",
        ),
        CheckConstraint(
            "(excluded_reason IS NULL) = (excluded_at IS NULL)", name="excluded_when_reason"
        ),
        CheckConstraint(
            "withdrawn_by_id IS NULL OR withdrawn_at IS NOT NULL", name="withdrawn_by_when"
        ),
        # The staff's response browser: each sort order with every column it filters on, so a
        # page, or a count, is read from the index alone (docs/benchmarks.md).
        Index("ix_response_browse_started", "started_at", "id", *BROWSE_FILTER_COLUMNS),
        Index(
            "ix_response_browse_updated", "updated_at", "id", *BROWSE_FILTER_COLUMNS, "started_at"
        ),
    )

    # Looked up at each insert, so that a test can make an id as the older rule did.
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_response_id())
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), default=ResponseStatus.IN_PROGRESS, index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    consent_version: Mapped[str] = mapped_column(String(64))
    consented_at: Mapped[datetime]
    resume_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Drawn when the person begins; consent sent twice (a retry) finds this response again.
    start_token: Mapped[str | None] = mapped_column(String(32), unique=True)
    # Position of the furthest page reached, so resuming lands where they left off.
    current_position: Mapped[int] = mapped_column(default=0)
    # Position of the furthest page the participant saved (any button): a page beyond it has
    # never been seen saved, so its defaults prefill it; one at or before it shows what they
    # left, a default they cleared included.
    saved_position: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # The study information shown with the consent text; empty for responses begun before
    # the study information was kept (their consent text alone is in consent_version).
    study_information_id: Mapped[int | None] = mapped_column(
        ForeignKey("study_information.id"), index=True
    )
    # Set when the participant moved past the toolkit page without opening any section and was
    # asked once whether they meant to.
    toolkit_prompt_shown: Mapped[bool] = mapped_column(default=False, server_default=false())

    # Left out of exports and the dashboard by default; the answers stay (undoable).
    excluded_reason: Mapped[str | None] = mapped_column(String(16), index=True)
    excluded_note: Mapped[str | None] = mapped_column(Text)
    excluded_at: Mapped[datetime | None]
    excluded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Withdrawn: the answers are deleted and only this content-free record stays. No user means
    # the participant withdrew with their resume code.
    withdrawn_at: Mapped[datetime | None] = mapped_column(index=True)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Set on a follow-up questionnaire's response: the baseline response it follows (one each).
    # Main-survey counts and lists leave these out by their questionnaire's slug.
    follow_up_of: Mapped[str | None] = mapped_column(ForeignKey("response.id"), unique=True)

    version: Mapped[QuestionnaireVersion] = relationship()
    study_information: Mapped[StudyInformation | None] = relationship()
    excluded_by: Mapped[User | None] = relationship(foreign_keys=[excluded_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    baseline: Mapped[Response | None] = relationship(
        foreign_keys=[follow_up_of], remote_side=[id], back_populates="follow_up"
    )
    follow_up: Mapped[Response | None] = relationship(
        foreign_keys=[follow_up_of], back_populates="baseline", uselist=False
    )
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )
    toolkit_views: Mapped[list[ToolkitView]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="ToolkitView.section"
    )

    @property
    def is_complete(self) -> bool:
        return self.status == ResponseStatus.COMPLETE

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_excluded(self) -> bool:
        return self.excluded_reason is not None


class Answer(Base):
    """One typed value for one (response, question), in the column its type says
    (survey/questionnaire/types.py); multiple choice holds space-separated codes."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id"),
        CheckConstraint(
            " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in VALUE_COLUMNS)
            + " = 1",
            name="one_value",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[str] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    value_text: Mapped[str | None] = mapped_column(Text)
    value_number: Mapped[float | None]
    value_date: Mapped[date | None] = mapped_column(Date)
    value_time: Mapped[time | None] = mapped_column(Time)
    # The participant's clock, as they entered it: no time zone (unlike the UTC timestamps).
    value_datetime: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()

    @property
    def value(self) -> AnswerValue:
        return decode_answer(self.question.type, *(getattr(self, c) for c in VALUE_COLUMNS))


class ToolkitView(Base):
    """How often and how long a participant had one toolkit section open."""

    __tablename__ = "toolkit_view"
    __table_args__ = (
        UniqueConstraint("response_id", "section"),
        CheckConstraint("seconds >= 0", name="seconds_not_negative"),
        CheckConstraint("opened >= 1", name="opened_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[str] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(32))
    opened: Mapped[int] = mapped_column(default=1)
    seconds: Mapped[int] = mapped_column(default=0)
    first_opened_at: Mapped[datetime] = mapped_column(default=utcnow)

    response: Mapped[Response] = relationship(back_populates="toolkit_views")
