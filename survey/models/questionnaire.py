"""Questionnaire -> Version -> Page -> Question, with shared choice lists and scores."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, utcnow
from survey.questionnaire.types import CHOICE_TYPES, QuestionType


class VersionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class PageKind(StrEnum):
    ELIGIBILITY = "eligibility"
    CONSENT = "consent"
    QUESTIONS = "questions"
    TOOLKIT = "toolkit"


def _in(values: type[StrEnum]) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


class Bilingual:
    """Models with `<field>_en` / `<field>_fr` columns pick the participant's language here."""

    def text(self, field: str, language: str) -> str:
        value = getattr(self, f"{field}_{language}", None)
        return value or getattr(self, f"{field}_en") or ""


class Questionnaire(Base):
    __tablename__ = "questionnaire"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Open link (anyone may start) or invitation only (a single-use code starts a response).
    invitation_only: Mapped[bool] = mapped_column(default=False, server_default=false())

    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.number"
    )


class QuestionnaireVersion(Bilingual, Base):
    __tablename__ = "questionnaire_version"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "number"),
        CheckConstraint(f"status IN ({_in(VersionStatus)})", name="status"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=VersionStatus.DRAFT)
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str | None] = mapped_column(String(200))
    consent_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")
    pages: Mapped[list[Page]] = relationship(
        back_populates="version", order_by="Page.position", cascade="all, delete-orphan"
    )
    choice_lists: Mapped[list[ChoiceList]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )
    scores: Mapped[list[Score]] = relationship(
        back_populates="version", order_by="Score.position", cascade="all, delete-orphan"
    )

    @property
    def questions(self) -> list[Question]:
        """Every question of the version in questionnaire order."""
        return [q for p in self.pages for q in p.questions]


class Page(Bilingual, Base):
    """One page of the questionnaire: a screen the participant sees (an XLSForm group)."""

    __tablename__ = "page"
    __table_args__ = (
        UniqueConstraint("version_id", "position"),
        UniqueConstraint("version_id", "name"),
        CheckConstraint(f"kind IN ({_in(PageKind)})", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default=PageKind.QUESTIONS)
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str | None] = mapped_column(String(200))
    intro_en: Mapped[str | None] = mapped_column(Text)
    intro_fr: Mapped[str | None] = mapped_column(Text)
    # An expression (XLSForm subset) that, when true after this page, thanks the person and ends.
    screen_out_if: Mapped[str | None] = mapped_column(Text)
    # An expression (XLSForm group relevant): the page and its questions are skipped when it is
    # false; it reads only questions of earlier pages.
    show_if: Mapped[str | None] = mapped_column(Text)

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="pages")
    questions: Mapped[list[Question]] = relationship(
        back_populates="page", order_by="Question.position", cascade="all, delete-orphan"
    )


class ChoiceList(Base):
    """A named list of choices, shared by every question that uses it (e.g. one agreement scale)."""

    __tablename__ = "choice_list"
    __table_args__ = (UniqueConstraint("version_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="choice_lists")
    choices: Mapped[list[Choice]] = relationship(
        back_populates="choice_list", order_by="Choice.position", cascade="all, delete-orphan"
    )

    @property
    def numeric(self) -> bool:
        """True when every code is an integer, so answers export as numbers."""
        return all(c.code.lstrip("-").isdigit() for c in self.choices)


class Choice(Bilingual, Base):
    __tablename__ = "choice"
    __table_args__ = (
        UniqueConstraint("choice_list_id", "code"),
        UniqueConstraint("choice_list_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    choice_list_id: Mapped[int] = mapped_column(ForeignKey("choice_list.id"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(64))
    label_en: Mapped[str] = mapped_column(String(500))
    label_fr: Mapped[str | None] = mapped_column(String(500))

    choice_list: Mapped[ChoiceList] = relationship(back_populates="choices")


class Question(Bilingual, Base):
    __tablename__ = "question"
    __table_args__ = (
        UniqueConstraint("page_id", "position"),
        CheckConstraint(f"type IN ({_in(QuestionType)})", name="type"),
        CheckConstraint(
            "min_value IS NULL OR max_value IS NULL OR min_value <= max_value", name="range_ordered"
        ),
        CheckConstraint("max_length IS NULL OR max_length > 0", name="max_length_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(64))  # the stable variable name used in exports
    type: Mapped[str] = mapped_column(String(20))
    label_en: Mapped[str] = mapped_column(Text)
    label_fr: Mapped[str | None] = mapped_column(Text)
    hint_en: Mapped[str | None] = mapped_column(Text)
    hint_fr: Mapped[str | None] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(default=False)
    min_value: Mapped[float | None]
    max_value: Mapped[float | None]
    max_length: Mapped[int | None]
    show_if: Mapped[str | None] = mapped_column(Text)
    # XLSForm's constraint beyond min/max and length: an expression the answer must meet
    # (survey.questionnaire.expressions), checked on the server; the message says why not.
    accept_if: Mapped[str | None] = mapped_column(Text)
    constraint_message_en: Mapped[str | None] = mapped_column(Text)
    constraint_message_fr: Mapped[str | None] = mapped_column(Text)
    identifier: Mapped[bool] = mapped_column(default=False)
    # A calculate question's expression (survey.questionnaire.expressions), computed on the
    # server from earlier answers whenever a page is saved.
    calculation: Mapped[str | None] = mapped_column(Text)
    # XLSForm's default: the answer, as written (survey.questionnaire.types read_default), that
    # prefills the field the first time the participant sees the page.
    default_answer: Mapped[str | None] = mapped_column(Text)
    choice_list_id: Mapped[int | None] = mapped_column(ForeignKey("choice_list.id"), index=True)

    page: Mapped[Page] = relationship(back_populates="questions")
    choice_list: Mapped[ChoiceList | None] = relationship()

    @property
    def choices(self) -> list[Choice]:
        return self.choice_list.choices if self.choice_list else []

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES


class Score(Bilingual, Base):
    """A composite score computed on the server from items (see survey.questionnaire.scoring)."""

    __tablename__ = "score"
    __table_args__ = (
        UniqueConstraint("version_id", "name"),
        CheckConstraint("aggregate IN ('sum', 'mean')", name="aggregate"),
        CheckConstraint("scale_min < scale_max", name="scale_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(64))
    label_en: Mapped[str] = mapped_column(String(200))
    label_fr: Mapped[str | None] = mapped_column(String(200))
    items: Mapped[list[str]] = mapped_column(JSON)  # question names, in order
    reversed_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    scale_min: Mapped[int]
    scale_max: Mapped[int]
    offset: Mapped[float] = mapped_column(
        default=0
    )  # subtracted from each (possibly reversed) item
    aggregate: Mapped[str] = mapped_column(String(8), default="sum")
    multiplier: Mapped[float] = mapped_column(default=1)
    rule_en: Mapped[str] = mapped_column(Text)  # the scoring rule in words, for the codebook
    rule_fr: Mapped[str | None] = mapped_column(Text)

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="scores")

    def as_rule(self) -> dict[str, Any]:
        return {
            "items": list(self.items),
            "reversed_items": list(self.reversed_items),
            "scale_min": self.scale_min,
            "scale_max": self.scale_max,
            "offset": self.offset,
            "aggregate": self.aggregate,
            "multiplier": self.multiplier,
        }
