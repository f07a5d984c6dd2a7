"""The study's information (who runs it, how to reach them, its ethics approval, how long data
are kept, how to withdraw), kept as numbered revisions: a response records the revision it was
shown at consent, so what each participant agreed to can be read back later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, utcnow
from survey.models.user import User

# The fields, in the order the forms, pages and reports show them; a bilingual field is stored
# as NAME_en and NAME_fr.
BILINGUAL_FIELDS = ("title", "institution", "ethics_board", "retention", "withdrawal")
PLAIN_FIELDS = ("investigator", "contact_email", "contact_phone", "approval_number")
FIELD_ORDER = (
    "title",
    "institution",
    "investigator",
    "contact_email",
    "contact_phone",
    "ethics_board",
    "approval_number",
    "retention",
    "withdrawal",
)


class StudyInformation(Base):
    """One revision of the study's information; revisions are added, never changed."""

    __tablename__ = "study_information"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"), index=True)
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200))
    institution_en: Mapped[str] = mapped_column(String(200), default="")
    institution_fr: Mapped[str] = mapped_column(String(200), default="")
    investigator: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    ethics_board_en: Mapped[str] = mapped_column(String(200), default="")
    ethics_board_fr: Mapped[str] = mapped_column(String(200), default="")
    approval_number: Mapped[str] = mapped_column(String(100), default="")
    retention_en: Mapped[str] = mapped_column(Text, default="")
    retention_fr: Mapped[str] = mapped_column(Text, default="")
    withdrawal_en: Mapped[str] = mapped_column(Text, default="")
    withdrawal_fr: Mapped[str] = mapped_column(Text, default="")

    created_by: Mapped[User | None] = relationship()

    def value(self, field: str, language: str) -> str:
        """A field's text in `language` (bilingual fields) or as typed (the others)."""
        if field in BILINGUAL_FIELDS:
            return getattr(self, f"{field}_{language}") or ""
        return getattr(self, field) or ""

    def contents(self) -> dict[str, str]:
        """Every stored field by column name: what a revision holds, to compare and copy."""
        names = [f"{f}_{lang}" for f in BILINGUAL_FIELDS for lang in ("en", "fr")]
        return {name: getattr(self, name) or "" for name in [*names, *PLAIN_FIELDS]}

    def missing(self) -> list[str]:
        """The columns still to be completed (empty), in the order the pages show them."""
        contents = self.contents()
        names = [
            name
            for field in FIELD_ORDER
            for name in ((f"{field}_en", f"{field}_fr") if field in BILINGUAL_FIELDS else (field,))
        ]
        return [name for name in names if not contents[name].strip()]
