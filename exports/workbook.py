"""Writes the evaluation workbook with openpyxl in write-only mode: the Responses and Comments
sheets stream row by row; the small sheets are written at the end. Never sees a database."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from exports.cells import EXCEL_CELL_LIMIT, GuardCounts, clean_text, fit_to_cell, looks_like_formula

SHEETS = ("Responses", "Codebook", "Summary", "Charts", "Comments", "About")
_BOLD = Font(bold=True)
_RISKY_FIRST = frozenset("=+-@\t\r\n#")


class WorkbookWriter:
    def __init__(self, counts: GuardCounts) -> None:
        self.counts = counts
        self.book = Workbook(write_only=True)
        self.sheets = {name: self.book.create_sheet(name) for name in SHEETS}
        self.rows = dict.fromkeys(SHEETS, 0)
        self.widths: dict[str, int] = {}
        self.next_chart_row = 1

    # --- cells -------------------------------------------------------------------------
    def cell(self, sheet: str, value: Any, bold: bool = False, where: str = "") -> Any:
        """A value made safe: text is cleaned, never a formula or an error value."""
        if isinstance(value, str):
            value = fit_to_cell(clean_text(value, self.counts), self.counts, where)
            if value and value[0] in _RISKY_FIRST:
                if looks_like_formula(value) or value.startswith("#"):
                    self.counts.text_kept_as_text += 1
                cell = WriteOnlyCell(self.sheets[sheet], value=value)
                cell.data_type = "s"
                if bold:
                    cell.font = _BOLD
                return cell
        if bold:
            cell = WriteOnlyCell(self.sheets[sheet], value=value)
            cell.font = _BOLD
            return cell
        return value

    def append(self, sheet: str, values: Iterable[Any], bold: bool = False, where: str = "") -> int:
        if bold:
            cells = [self.cell(sheet, v, True, where) for v in values]
        else:  # the hot path (every Responses row): only text needs the guard
            cells = [self.cell(sheet, v, False, where) if v.__class__ is str else v for v in values]
        self.sheets[sheet].append(cells)
        self.rows[sheet] += 1
        return self.rows[sheet]

    def header(self, sheet: str, names: list[str], widths: list[int] | None = None) -> None:
        ws = self.sheets[sheet]
        for i, name in enumerate(names, start=1):
            width = widths[i - 1] if widths else min(max(len(name) + 2, 10), 40)
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        self.append(sheet, names, bold=True)
        self.widths[sheet] = len(names)

    def autofilter(self, sheet: str) -> None:
        last = get_column_letter(self.widths[sheet])
        self.sheets[sheet].auto_filter.ref = f"A1:{last}{max(self.rows[sheet], 1)}"

    # --- long text ---------------------------------------------------------------------
    def comment_rows(self, fixed: list[Any], text: str) -> None:
        """One row per open-text answer; text longer than a cell continues on the next rows."""
        text = clean_text(text, GuardCounts())  # already counted on the Responses sheet
        parts = [text[i : i + EXCEL_CELL_LIMIT] for i in range(0, len(text), EXCEL_CELL_LIMIT)] or [
            ""
        ]
        for number, part in enumerate(parts, start=1):
            self.append("Comments", [*fixed, part, f"{number} of {len(parts)}"])

    # --- charts ------------------------------------------------------------------------
    def chart_table(
        self, title: str, categories: list[str], series: list[tuple[str, list[Any]]], kind: str
    ) -> None:
        """A small data table on the Charts sheet and a native Excel bar chart drawn from it."""
        first = self.append("Charts", [title], bold=True) + 1
        self.append("Charts", ["", *[name for name, _values in series]], bold=True)
        for i, category in enumerate(categories):
            self.append("Charts", [category, *[values[i] for _name, values in series]])
        last = self.rows["Charts"]
        self.append("Charts", [])
        chart = BarChart()
        chart.title = title
        chart.type = "bar" if kind in ("likert", "choice") else "col"
        if kind == "likert":
            chart.grouping = "percentStacked"
            chart.overlap = 100
        if kind == "histogram":
            chart.gapWidth = 10
        chart.height = max(6.0, 1.0 + 0.6 * len(categories))
        chart.width = 18
        ws = self.sheets["Charts"]
        data = Reference(ws, min_col=2, max_col=1 + len(series), min_row=first, max_row=last)
        labels = Reference(ws, min_col=1, min_row=first + 1, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(labels)
        if len(series) == 1:
            chart.legend = None
        anchor = max(first - 1, self.next_chart_row)
        self.next_chart_row = anchor + int(chart.height / 0.5) + 2  # a default row is ~0.53 cm
        ws.add_chart(chart, f"J{anchor}")

    def save(self, out: str | IO[bytes]) -> None:
        self.sheets["About"].column_dimensions["A"].width = 34
        self.sheets["About"].column_dimensions["B"].width = 90
        self.book.save(out)
