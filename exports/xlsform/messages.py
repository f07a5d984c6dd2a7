"""What reading a workbook reports: the result, and each mistake or notice by sheet, row and
column. Each message keeps its English template and values (`survey.messages.Message`): `str()`
gives the English for the CLI and the audit log, and a page shows it in its own language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from survey.messages import N_, Message, excerpt


@dataclass(frozen=True)
class SheetMessage:
    """Where in the workbook: `row` is the 1-based spreadsheet row; `column` is the header as
    written in row 1 (e.g. "relevant"), or the column letter when that header cell is empty.
    Either is None when the message is about a whole sheet or row. `sheet` is a message only
    for the upload as a whole ("file"). Texts from the workbook are
    kept to a short excerpt, so a mistake in a huge cell never echoes all of it."""

    sheet: str | Message
    row: int | None
    column: str | None
    message: Message

    def __post_init__(self) -> None:
        for name in ("sheet", "column", "message"):
            object.__setattr__(self, name, _excerpts(getattr(self, name)))

    @property
    def subject(self) -> Message | str:
        """Where, as "survey, row 4, column relevant"."""
        if self.row is None and self.column is None:
            return self.sheet
        if self.column is None:
            return Message(N_("%(sheet)s, row %(row)d"), sheet=self.sheet, row=self.row)
        if self.row is None:
            return Message(N_("%(sheet)s, column %(column)s"), sheet=self.sheet, column=self.column)
        return Message(
            N_("%(sheet)s, row %(row)d, column %(column)s"),
            sheet=self.sheet,
            row=self.row,
            column=self.column,
        )

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


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
class Findings:
    """Every mistake and notice of one upload, collected while reading it."""

    errors: list[SheetError] = field(default_factory=list)
    notices: list[SheetNotice] = field(default_factory=list)
    skip_unsupported: bool = False  # drop what cannot be asked here, with a notice each

    def in_order(self) -> tuple[list[SheetError], list[SheetNotice]]:
        """Errors and notices sorted by sheet and row, with one error per cell (the first
        found: a later one is most often a consequence of it)."""
        errors: list[SheetError] = []
        seen: set[tuple[str, int | None, str | None]] = set()
        for error in sorted(self.errors, key=_place):
            cell = (str(error.sheet), error.row, error.column)
            if error.column is None or cell not in seen:
                errors.append(error)
            seen.add(cell)
        return errors, sorted(self.notices, key=_place)


_SHEET_ORDER = ("survey", "choices", "settings", "scores")


def _place(message: SheetMessage) -> tuple[int, int]:
    """Where a message sorts: the file first, then the sheets as we write them, by row."""
    sheet = message.sheet
    rank = _SHEET_ORDER.index(sheet) + 1 if sheet in _SHEET_ORDER else len(_SHEET_ORDER) + 1
    return (0 if isinstance(sheet, Message) else rank, message.row or 0)


class Invalid(ValueError):
    """A cell's value is wrong; the reader adds where."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def _excerpts(value: Any) -> Any:
    """The value with every text in it (a message's values too) cut to a short excerpt."""
    if isinstance(value, str):
        return excerpt(value)
    if isinstance(value, Message):
        values = {name: _excerpts(v) for name, v in value.values.items()}
        return Message(value.template, **values)
    return value
