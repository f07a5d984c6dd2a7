"""Reading a workbook into sheets of rows: the tables, the header row mapped to field keys,
columns we do not read, and each cell as text."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from exports.xlsform.archive import check_archive
from exports.xlsform.layout import (
    ALIASES,
    DISPLAY_COLUMNS,
    HEADERS,
    LANGUAGES,
    SHEETS,
    TRANSLATED,
    Source,
)
from exports.xlsform.messages import Findings, Invalid, SheetError, SheetNotice
from survey.messages import N_, Message

MAX_ROWS = 5000
MAX_COLUMNS = 100
# The longest text the editor takes (a page's introduction); shorter limits are checked where
# the cell is read (a question's label, a name). A longer cell is a mistake and is not kept.
MAX_CELL_LENGTH = 10_000
_LANGUAGE_NAMES = {"english": "en", "french": "fr", "français": "fr", "francais": "fr"}


@dataclass
class Row:
    number: int
    cells: dict[str, str]  # field key -> the cell as text, only cells with content

    def __getitem__(self, key: str) -> str:
        """The cell without surrounding spaces, for names, types and expressions."""
        return self.cells.get(key, "").strip()

    def text(self, key: str) -> str:
        """The cell as written, for labels and hints."""
        return self.cells.get(key, "")


@dataclass
class Sheet:
    name: str
    headers: dict[str, str]  # field key -> header as written in row 1
    rows: list[Row]
    findings: Findings

    def column(self, key: str | None) -> str | None:
        """The header of a field key as written (or as we write it); other text unchanged."""
        if key is None:
            return None
        return self.headers.get(key) or HEADERS.get(key, key)

    def error(self, row: Row | int | None, key: str | None, message: Message) -> None:
        number = row.number if isinstance(row, Row) else row
        self.findings.errors.append(SheetError(self.name, number, self.column(key), message))

    def notice(self, row: Row | int | None, key: str | None, message: Message) -> None:
        number = row.number if isinstance(row, Row) else row
        self.findings.notices.append(SheetNotice(self.name, number, self.column(key), message))

    def unsupported(self, row: Row | int | None, key: str | None, message: Message) -> None:
        """A part of the form this platform cannot ask: a mistake, or dropped with a notice
        when the admin asked to skip unsupported parts."""
        if self.findings.skip_unsupported:
            self.notice(row, key, Message(N_("dropped: %(problem)s"), problem=message))
        else:
            self.error(row, key, message)

    def parse(self, row: Row, key: str, parse: Any) -> Any:
        """`parse(row[key])`, or None with an error at the cell when it raises Invalid."""
        try:
            return parse(row[key])
        except Invalid as problem:
            self.error(row, key, problem.message)
            return None


# Rows of (value, openpyxl data type); a formula's value is its cached result when the file
# has one (Excel and LibreOffice save it; ODK's template puts a formula in version).
Table = list[list[tuple[Any, str]]]


def load_tables(source: Source, findings: Findings) -> dict[str, Table] | None:
    """Every worksheet's cells, keyed by lower-case sheet name; None when it is no workbook or
    one too large to read."""
    if (too_large := check_archive(source)) is not None:
        findings.errors.append(SheetError(Message(N_("file")), None, None, too_large))
        return None
    try:
        # openpyxl warns about parts it drops (data validation, conditional formatting,
        # default styles): nothing a questionnaire is read from, so nothing for stderr.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tables = _read_tables(source, data_only=False)
            cells = (cell for table in tables.values() for row in table for cell in row)
            if any(data_type == "f" for _, data_type in cells):
                _rewind(source)
                _use_cached_results(tables, _read_tables(source, data_only=True))
            return tables
    except Exception:  # a damaged or foreign file fails inside openpyxl in many different ways
        message = Message(N_("this file is not an .xlsx workbook (Excel) that can be read"))
        findings.errors.append(SheetError(Message(N_("file")), None, None, message))
        return None


def _rewind(source: Source) -> None:
    if not isinstance(source, str) and hasattr(source, "seek"):
        source.seek(0)


def _read_tables(source: Source, data_only: bool) -> dict[str, Table]:
    """Formulas (data_only False) or their saved results, to the sheet's end only for the
    first."""
    book = load_workbook(source, read_only=True, data_only=data_only)
    try:
        return {ws.title.strip().lower(): _table(ws, not data_only) for ws in book.worksheets}
    finally:
        book.close()


def _use_cached_results(tables: dict[str, Table], cached: dict[str, Table]) -> None:
    """Each formula cell becomes its saved result; one saved without a result stays a formula."""
    for name, table in tables.items():
        for row, cached_row in zip(table, cached.get(name, []), strict=False):
            for index, (_value, data_type) in enumerate(row):
                result = _cell_at(cached_row, index)[0]
                if data_type == "f" and result is not None:
                    row[index] = (result, "n" if isinstance(result, int | float) else "s")


def _table(ws: Any, to_the_end: bool = True) -> Table:
    """The first MAX_ROWS rows, then the first row after them that has content, if any: the
    sheet is read to its real end, so a blank row cannot hide the rows after it."""
    table: Table = []
    empty = None  # openpyxl fills each gap between rows with one and the same empty tuple
    for row in ws.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS + 1):
        if row is empty:
            table.append([])
            continue
        cells = [(cell.value, cell.data_type) for cell in row]
        while cells and cells[-1][0] is None:
            cells.pop()
        if not cells:
            empty = row
        table.append(cells)
    if to_the_end and len(table) == MAX_ROWS and (beyond := _first_row_with_content(ws)):
        table.append([(value, "s") for value in beyond])
    return table


def _first_row_with_content(ws: Any) -> tuple[Any, ...] | None:
    """After MAX_ROWS. A sheet may declare a million empty rows (LibreOffice writes them),
    each passed over at once."""
    empty = None
    for row in ws.iter_rows(min_row=MAX_ROWS + 1, max_col=MAX_COLUMNS + 1, values_only=True):
        if row is empty:
            continue
        if row.count(None) != len(row):
            return row
        empty = row
    return None


def _cell_at(row: list[tuple[Any, str]], index: int) -> tuple[Any, str]:
    return row[index] if index < len(row) else (None, "n")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()  # Excel keeps a date as a datetime at midnight
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _language_code(suffix: str) -> str | None:
    """ "English (en)", "English", "en", "Français (fr)" -> "en" / "fr"; None for others."""
    suffix = suffix.strip().lower()
    coded = re.search(r"\(\s*([a-z-]+)\s*\)$", suffix)
    code = coded.group(1) if coded else _LANGUAGE_NAMES.get(suffix, suffix)
    return code if code in LANGUAGES else None


def _field_key(sheet: str, header: str, default_language: str | None) -> str | None:
    """`label::English (en)` -> `label::en`; a plain `label` is the default language; None for
    a translated column in a language we do not hold. pyxform's older `label:English` (one
    colon) and its own setting names (`id_string`, `title`) are read too."""
    header = _unaliased(sheet, header.strip())
    separator = "::" if "::" in header else ":"
    base, has_language, suffix = header.partition(separator)
    base = re.sub(r"\s+", "_", base.strip().lower())
    if base not in TRANSLATED:
        return header if has_language else base
    code = _language_code(suffix) if has_language else default_language
    return f"{base}::{code}" if code else None


def _unaliased(sheet: str, header: str) -> str:
    """`bind:relevant` -> `relevant`, `title::French` -> `form_title::French` (settings)."""
    lowered = header.lower()
    for alias, ours in ALIASES.get(sheet, {}).items():
        if lowered == alias or lowered.startswith(f"{alias}::"):
            return ours + header[len(alias) :]
    return header


def read_default_language(table: Table, findings: Findings) -> str | None:
    """The language of plain `label` and `hint` columns; None for another language, whose
    columns are then dropped like any other language's when skipping."""
    header = [_cell_text(value).strip().lower() for value, _ in (table[0] if table else [])]
    if "default_language" not in header or len(table) < 2:
        return "en"
    column = header.index("default_language")
    value = _cell_text(_cell_at(table[1], column)[0]).strip()
    code = _language_code(value) if value else "en"
    if code is None:
        message = Message(
            N_("%(value)s is not supported: the questionnaire holds English (en) and French (fr)"),
            value=value,
        )
        if findings.skip_unsupported:
            dropped = Message(N_("dropped: %(problem)s"), problem=message)
            findings.notices.append(SheetNotice("settings", 2, "default_language", dropped))
        else:
            findings.errors.append(SheetError("settings", 2, "default_language", message))
    return code


def read_sheet(name: str, table: Table, language: str | None, findings: Findings) -> Sheet:
    """Map the header row to field keys, report columns we do not read, and keep the rows
    that have content in a column we read."""
    columns, required = SHEETS[name]
    sheet = Sheet(name, {}, [], findings)
    fields: dict[int, str] = {}
    header_row, body = (table[0], table[1:]) if table else ([], [])
    for index, (value, _) in enumerate(header_row):
        header = _cell_text(value).strip()
        used = [
            n for n, row in enumerate(body, start=2) if _cell_text(_cell_at(row, index)[0]).strip()
        ]
        key = _field_key(name, header, language)
        if key in columns and key not in sheet.headers:
            fields[index], sheet.headers[key] = key, header
        else:
            _unread_column(sheet, header, key, used, get_column_letter(index + 1))
    _check_size(sheet, table)
    rows = [row for n, cells in enumerate(body, 2) if (row := _row(sheet, n, cells, fields)).cells]
    missing = [key for key in required if key not in sheet.headers] if rows else []
    for key in missing:
        sheet.error(1, None, Message(N_("there is no %(column)s column"), column=sheet.column(key)))
    sheet.rows = [] if missing else rows
    return sheet


def _unread_column(
    sheet: Sheet, header: str, key: str | None, used: list[int], letter: str
) -> None:
    """Report a column that is not read, unless it is empty."""
    base = (key or header).partition("::")[0].partition(":")[0]
    if header.startswith("$"):
        sheet.notice(1, header, Message(N_("KoboToolbox bookkeeping column: ignored")))
    elif key in sheet.headers:
        message = Message(N_("this is the same column as %(column)s"), column=sheet.headers[key])
        sheet.error(1, header, message)
    elif not used:
        return
    elif not header:
        sheet.error(used[0], letter, Message(N_("this column has content but no header")))
    elif key is None:
        message = Message(N_("only English (en) and French (fr) are supported"))
        sheet.unsupported(used[0], header, message)
    elif base in DISPLAY_COLUMNS.get(sheet.name, ()):
        message = Message(
            N_("the column %(column)s only changes how ODK shows or fills in the form: ignored"),
            column=header,
        )
        sheet.notice(used[0], header, message)
    elif sheet.name == "settings":
        message = Message(N_("the setting %(setting)s is not used here: ignored"), setting=header)
        sheet.notice(used[0], header, message)
    elif sheet.name == "choices":  # columns a choice_filter reads; choice_filter is refused
        message = Message(N_("the column %(column)s is not read: ignored"), column=header)
        sheet.notice(used[0], header, message)
    else:
        message = Message(
            N_("the column %(column)s is not supported (rows with content: %(rows)d)"),
            column=header,
            rows=len(used),
        )
        sheet.unsupported(used[0], header, message)


def _check_size(sheet: Sheet, table: Table) -> None:
    past_rows = len(table) > MAX_ROWS and bool(table[MAX_ROWS])
    past_columns = any(len(row) > MAX_COLUMNS for row in table)
    if past_rows or past_columns:
        message = Message(
            N_("the sheet is too large: at most %(rows)d rows and %(columns)d columns"),
            rows=MAX_ROWS,
            columns=MAX_COLUMNS,
        )
        sheet.error(None, None, message)


def _row(sheet: Sheet, number: int, cells: list[tuple[Any, str]], fields: dict[int, str]) -> Row:
    row = Row(number, {})
    for index, key in fields.items():
        value, data_type = _cell_at(cells, index)
        if data_type in ("f", "e"):
            message = Message(
                N_("a formula or an error value cannot be read here: type the text itself")
            )
            sheet.error(row, key, message)
            continue  # one error per cell: its text is not read as well
        text = _cell_text(value)
        if len(text) > MAX_CELL_LENGTH:
            message = Message(N_("longer than %(limit)d characters"), limit=MAX_CELL_LENGTH)
            sheet.error(row, key, message)
        elif text.strip():
            row.cells[key] = text
    return row
