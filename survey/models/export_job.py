"""An export requested on the web: its state lives in the database so any instance can show
its progress and serve the file."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from survey.models.base import Base, utcnow
from survey.models.user import User


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


# The R format is a zip holding the CSV and the script that reads it.
FILE_EXTENSIONS = {"r": "zip"}


class ExportJob(Base):
    __tablename__ = "export_job"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        CheckConstraint("format IN ('xlsx', 'csv', 'sav', 'dta', 'r')", name="format"),
        CheckConstraint("done >= 0 AND total >= 0", name="progress_not_negative"),
    )

    id: Mapped[str] = mapped_column(
        String(32), primary_key=True, default=lambda: secrets.token_urlsafe(16)
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    format: Mapped[str] = mapped_column(String(8))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON)
    deidentified: Mapped[bool] = mapped_column(default=False)
    labels: Mapped[bool] = mapped_column(default=False)
    # The language of the variable and value labels in .sav, .dta and R files.
    label_language: Mapped[str] = mapped_column(String(2), default="en")
    # The variable whose groups the Outcomes sheet also reports (`--by`), if any.
    group_by: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED)
    # Written every few seconds while a queue consumer makes the file: a running job whose
    # heartbeat stops lost its consumer, and is made again or marked failed.
    heartbeat_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    rows: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    file: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    user: Mapped[User] = relationship()

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def filename(self) -> str:
        stamp = self.created_at.strftime("%Y%m%d-%H%M")
        if self.deidentified:
            kind = "deidentified"
        else:  # the workbook is the report; other files hold only the responses (docs/glossary.md)
            kind = "report" if self.format == "xlsx" else "responses"
        return f"milk-{kind}-{stamp}.{FILE_EXTENSIONS.get(self.format, self.format)}"
