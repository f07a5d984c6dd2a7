"""What reading a workbook reports: the result, and each mistake or notice by sheet, row and
column."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SheetMessage:
    """Where in the workbook: `row` is the 1-based spreadsheet row; `column` is the header as
    written in row 1 (e.g. "relevant"), or the column letter when that header cell is empty.
    Either is None when the message is about a whole sheet or row."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.sheet]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class SheetError(SheetMessage):
    """A mistake: the upload is refused."""


class SheetNotice(SheetMessage):
    """Something skipped on purpose (device metadata, KoboToolbox bookkeeping, display hints)."""


class XLSFormError(ValueError):
    """The upload is refused whole; `errors` names every mistake found."""

    def __init__(self, errors: list[SheetError], notices: list[SheetNotice] | None = None) -> None:
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors
        self.notices = notices or []


@dataclass(frozen=True)
class ImportResult:
    definition: dict[str, Any]
    notices: list[SheetNotice]


@dataclass
class Report:
    """Every mistake and notice of one upload, collected while reading it."""

    errors: list[SheetError] = field(default_factory=list)
    notices: list[SheetNotice] = field(default_factory=list)


class Invalid(ValueError):
    """A cell's value is wrong; the reader adds where."""
