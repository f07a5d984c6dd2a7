"""Writes the evaluation workbook with openpyxl in write-only mode: the Responses and Comments
sheets stream row by row; the small sheets are kept until the end, when their columns are fitted
to what they hold. Every sheet gets the same print setup (exports/layout.py). Never sees a
database."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from exports.cells import EXCEL_CELL_LIMIT, GuardCounts, clean_text, fit_to_cell, looks_like_formula
from exports.layout import (
    column_width,
    fitted_widths,
    header_width,
    likert_colour,
    row_height,
    set_up_printing,
)

SHEETS = ("Responses", "Codebook", "Summary", "Outcomes", "Charts", "Comments", "About")
# Written as they come, so their widths are declared with the header, before any row.
STREAMED = frozenset({"Responses", "Comments"})
ROW_CM = 0.53  # a row of the default height (15 points)
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_RISKY_FIRST = frozenset("=+-@\t\r\n#")


class WorkbookWriter:
    def __init__(self, counts: GuardCounts) -> None:
        self.counts = counts
        self.book = Workbook(write_only=True)
        self.sheets = {}
        for name in SHEETS:
            self.sheets[name] = self.book.create_sheet(name)
            set_up_printing(self.sheets[name])
        self.rows = dict.fromkeys(SHEETS, 0)
        self.columns: dict[str, int] = {}
        # The small sheets' rows, written at save() once their widths are known.
        self.buffered: dict[str, list[list[Any]]] = {n: [] for n in SHEETS if n not in STREAMED}
        self.widest: dict[str, list[float]] = {}
        self.header_needs: dict[str, list[float]] = {}
        self.streamed_widths: dict[str, list[float]] = {}
        # Charts go in one column right of the widest table, so none covers a table.
        self.charts: list[tuple[BarChart, int]] = []
        self.chart_table_columns = 0

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
        if sheet in self.buffered:
            self.buffered[sheet].append(cells)
        else:
            self.sheets[sheet].append(cells)
        self.rows[sheet] += 1
        return self.rows[sheet]

    def header(self, sheet: str, names: list[str], widths: list[float] | None = None) -> None:
        """The bold header row, frozen. A streamed sheet's columns get `widths` (what its values
        will need; the header's own width when that is more); a buffered sheet's are fitted to
        its rows at the end, and `widths` are then the most each column may take before its
        text wraps."""
        if sheet in STREAMED:
            self.streamed_widths[sheet] = []
            for i, name in enumerate(names):
                width = column_width(max(header_width(name), widths[i] if widths else 0.0))
                self.sheets[sheet].column_dimensions[get_column_letter(i + 1)].width = width
                self.streamed_widths[sheet].append(width)
        else:
            self.header_needs[sheet] = [header_width(name) for name in names]
            if widths:
                self.widest[sheet] = list(widths)
        self.sheets[sheet].freeze_panes = "A2"
        self.append(sheet, names, bold=True)
        self.columns[sheet] = len(names)

    def autofilter(self, sheet: str) -> None:
        last = get_column_letter(self.columns[sheet])
        self.sheets[sheet].auto_filter.ref = f"A1:{last}{max(self.rows[sheet], 1)}"

    # --- long text ---------------------------------------------------------------------
    def comment_rows(self, fixed: list[Any], text: str) -> None:
        """One row per open-text answer; text longer than a cell continues on the next rows."""
        text = clean_text(text, GuardCounts())  # already counted on the Responses sheet
        parts = [text[i : i + EXCEL_CELL_LIMIT] for i in range(0, len(text), EXCEL_CELL_LIMIT)] or [
            ""
        ]
        ws = self.sheets["Comments"]
        *ids, question = fixed
        for number, part in enumerate(parts, start=1):
            wrapped = [self._wrapped(ws, self.cell("Comments", text)) for text in (question, part)]
            row = [*ids, *wrapped, f"{number} of {len(parts)}"]
            self._set_height(
                "Comments", self.rows["Comments"] + 1, row, self.streamed_widths["Comments"]
            )
            self.append("Comments", row)

    # --- charts ------------------------------------------------------------------------
    def chart_table(
        self,
        title: str,
        categories: list[str],
        series: list[tuple[str, list[Any]]],
        kind: str,
        corner: str = "",
    ) -> None:
        """A small data table on the Charts sheet and a native Excel bar chart drawn from it:
        the value axis starts at 0, and horizontal bars list the categories top to bottom in
        the table's order."""
        top = self.append("Charts", [title], bold=True)
        first = self.append("Charts", [corner, *[name for name, _values in series]], bold=True)
        for i, category in enumerate(categories):
            self.append("Charts", [category, *[values[i] for _name, values in series]])
        last = self.rows["Charts"]
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
        if kind == "likert":  # long statements beside the bars, the scale below them
            chart.height = max(7.0, 3.0 + 0.9 * len(categories))
            chart.width = 26
        ws = self.sheets["Charts"]
        data = Reference(ws, min_col=2, max_col=1 + len(series), min_row=first, max_row=last)
        chart.add_data(data, titles_from_data=True)
        labels = Reference(ws, min_col=1, min_row=first + 1, max_row=last)
        for i, one in enumerate(chart.series):
            one.cat = AxDataSource(strRef=StrRef(f=str(labels)))  # text, not numbers
            if kind == "likert":
                one.graphicalProperties.solidFill = likert_colour(i).lstrip("#")
        _axes_read_true(chart)
        if len(series) == 1:
            chart.legend = None
        elif chart.legend is not None:
            chart.legend.position = "b"
        self.charts.append((chart, top))
        self.chart_table_columns = max(self.chart_table_columns, 1 + len(series))
        # The next table starts below this chart (rows are at least ROW_CM tall), so every
        # chart stands beside its own table.
        for _blank in range(math.ceil(chart.height / ROW_CM) + 1 - (last - top + 1)):
            self.append("Charts", [])
        self.append("Charts", [])

    def _write_buffered(self, sheet: str) -> None:
        """Columns as wide as their longest value (up to a limit past which text wraps), then
        the rows."""
        ws, rows = self.sheets[sheet], self.buffered[sheet]
        widths = fitted_widths(
            ([(_value(c), _is_bold(c)) for c in row] for row in rows),
            self.widest.get(sheet, ()),
            self.header_needs.get(sheet, ()),
        )
        for i, width in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = width
        for number, row in enumerate(rows, start=1):
            if self._set_height(sheet, number, row, widths):  # a taller row: all its cells top
                ws.append([self._wrapped(ws, c) if c is not None else c for c in row])
            else:
                ws.append(row)

    def _set_height(self, sheet: str, number: int, row: list[Any], widths: list[float]) -> bool:
        """Makes the row tall enough for text that wraps; whether it had to."""
        cells = [(_value(c), _is_bold(c), w) for c, w in zip(row, widths, strict=False)]
        if (height := row_height(cells)) is None:
            return False
        self.sheets[sheet].row_dimensions[number].height = height
        return True

    @staticmethod
    def _wrapped(ws: Any, cell: Any) -> Cell:
        if not isinstance(cell, Cell):
            cell = WriteOnlyCell(ws, value=cell)
        cell.alignment = _WRAP
        return cell

    def save(self, out: str | IO[bytes]) -> None:
        column = get_column_letter(self.chart_table_columns + 2)
        for chart, row in self.charts:
            self.sheets["Charts"].add_chart(chart, f"{column}{row}")
        for sheet in self.buffered:
            self._write_buffered(sheet)
        self.book.save(out)


def _axes_read_true(chart: BarChart) -> None:
    """Lengths compare truly only from 0; a horizontal bar chart reads top to bottom, so its
    category axis runs max to min, and the value axis crosses it at the max (the bottom)."""
    chart.y_axis.scaling.min = 0
    chart.x_axis.delete = False  # said outright: openpyxl 3.1 leaves it to the reader's default
    chart.y_axis.delete = False
    if chart.type == "bar":
        chart.x_axis.scaling.orientation = "maxMin"
        chart.y_axis.crosses = "max"


def _value(cell: Any) -> Any:
    return cell.value if isinstance(cell, Cell) else cell


def _is_bold(cell: Any) -> bool:
    return isinstance(cell, Cell) and bool(cell.font and cell.font.b)
