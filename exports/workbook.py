"""Writes the evaluation workbook. The Responses and Comments sheets stream row by row as sheet
XML (exports/sheetxml.py): Responses straight into the .xlsx being written, compressed on the
other core; Comments into a temporary file until the end. The small sheets, the charts and the
workbook's parts are openpyxl's (write-only mode); the small sheets are kept until the end, when
their columns are fitted to what they hold. Every sheet gets the same print setup
(exports/layout.py). Never sees a database."""

from __future__ import annotations

import contextlib
import io
import math
import re
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter

from exports.cells import EXCEL_CELL_LIMIT, GuardCounts, clean_text, guarded_text
from exports.layout import (
    column_width,
    fitted_widths,
    header_width,
    likert_colour,
    row_height,
    set_up_printing,
)
from exports.sheetxml import CellStyles, Compressing, SheetRows

SHEETS = ("Responses", "Codebook", "Summary", "Outcomes", "Charts", "Comments", "About")
# With the follow-up wave in use, its long form (one row per wave) follows the Comments sheet.
WITH_WAVES = (*SHEETS[:6], "Waves", *SHEETS[6:])
# Written as they come, so their widths are declared with the header, before any row.
STREAMED = frozenset({"Responses", "Comments", "Waves"})
ROW_CM = 0.53  # a row of the default height (15 points)
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_RISKY_FIRST = frozenset("=+-@\t\r\n#")
_EMPTY_ROWS = re.compile(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>")
# Above this many cells the Responses sheet's zip entry is written with ZIP64 sizes (its XML may
# pass zip's 4 GB, at about 35 bytes a cell); below it, without, as Excel expects of a small file.
ZIP64_CELLS = 25_000_000
# zlib's fastest level: the sheet XML compresses three times faster than at the default (6),
# into a file about a third bigger (10,000 responses: 0.14 s and 3.8 MB against 0.46 s and
# 2.8 MB, docs/benchmarks.md). Compressing is a report's largest single cost after its rows.
COMPRESSION_LEVEL = 1
COMMENTS_WRAPPED = (4, 5)  # the question and the text: long, so they wrap
# Where the whole of a text cut to fit a cell can be read, by the sheet it was cut on.
WHOLE_TEXT = {"Responses": "on the Comments sheet"}
EXCEL_ROWS = 1_048_576  # a sheet's rows in Excel (and LibreOffice), the header included


class SheetFull(ValueError):
    """More rows than a spreadsheet's sheet holds."""


class WorkbookWriter:
    """`out` is where the .xlsx goes; it is written from the first streamed row and is only a
    valid file once `save()` returns. `cells` (rows times columns of the Responses sheet, when
    known) decides whether its zip entry needs ZIP64 sizes."""

    def __init__(
        self,
        counts: GuardCounts,
        out: str | IO[bytes],
        cells: int = 0,
        sheets: tuple[str, ...] = SHEETS,
    ) -> None:
        self.counts = counts
        self.archive = zipfile.ZipFile(
            out, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION_LEVEL
        )
        self.zip64 = cells > ZIP64_CELLS
        self.book = Workbook(write_only=True)
        self.sheets = {}
        for name in sheets:
            self.sheets[name] = self.book.create_sheet(name)
            set_up_printing(self.sheets[name])
        self.styles = _register_styles(self.sheets["Responses"])
        self.rows = dict.fromkeys(sheets, 0)
        self.columns: dict[str, int] = {}
        # The small sheets' rows, written at save() once their widths are known.
        self.buffered: dict[str, list[list[Any]]] = {n: [] for n in sheets if n not in STREAMED}
        self.widest: dict[str, list[float]] = {}
        self.header_needs: dict[str, list[float]] = {}
        self.streamed_widths: dict[str, list[float]] = {}
        self.streams: dict[str, _Stream] = {}
        # Charts go in one column right of the widest table, so none covers a table.
        self.charts: list[tuple[BarChart, int]] = []
        self.chart_table_columns = 0

    # --- cells -------------------------------------------------------------------------
    def _cell(self, sheet: str, value: Any, bold: bool = False) -> Any:
        """A value for a buffered sheet, made safe: text is cleaned, never a formula or an
        error value."""
        if isinstance(value, str):
            value, _counted = guarded_text(value, self.counts)
            if value and value[0] in _RISKY_FIRST:
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

    def append(self, sheet: str, values: Sequence[Any], bold: bool = False) -> int:
        """One row; a streamed sheet's text is guarded as its XML is made (exports/sheetxml.py)."""
        self._make_room(sheet)
        if sheet in self.buffered:
            if bold:
                cells = [self._cell(sheet, v, True) for v in values]
            else:  # only text needs the guard
                cells = [self._cell(sheet, v) if v.__class__ is str else v for v in values]
            self.buffered[sheet].append(cells)
        else:
            self.streams[sheet].rows.append(values, bold=bold)
        self.rows[sheet] += 1
        return self.rows[sheet]

    def append_rendered(self, sheet: str, data: bytes, rows: int) -> None:
        """A streamed sheet's rows made elsewhere as its XML (exports/rendering.py), numbered
        from the row after its last."""
        self._make_room(sheet, rows)
        stream = self.streams[sheet]
        stream.rows.flush()
        stream.sink.write(data)
        stream.rows.rows += rows
        self.rows[sheet] += rows

    def _make_room(self, sheet: str, rows: int = 1) -> None:
        if self.rows[sheet] + rows > EXCEL_ROWS:
            raise SheetFull(f"the {sheet} sheet would need more than {EXCEL_ROWS:,} rows")

    def header(self, sheet: str, names: list[str], widths: list[float] | None = None) -> None:
        """The bold header row, frozen. A streamed sheet's columns get `widths` (what its values
        will need; the header's own width when that is more); a buffered sheet's are fitted to
        its rows at the end, and `widths` are then the most each column may take before its
        text wraps."""
        ws = self.sheets[sheet]
        ws.freeze_panes = "A2"
        if sheet in STREAMED:
            self.streamed_widths[sheet] = []
            for i, name in enumerate(names):
                width = column_width(max(header_width(name), widths[i] if widths else 0.0))
                ws.column_dimensions[get_column_letter(i + 1)].width = width
                self.streamed_widths[sheet].append(width)
            self.streams[sheet] = self._stream(sheet, len(names))
        else:
            self.header_needs[sheet] = [header_width(name) for name in names]
            if widths:
                self.widest[sheet] = list(widths)
        self.append(sheet, names, bold=True)
        self.columns[sheet] = len(names)

    def _stream(self, sheet: str, columns: int) -> _Stream:
        """Responses goes straight into the archive (one entry may be open at a time); Comments
        waits in a temporary file."""
        top, _tail = _rendered(self.sheets[sheet])
        if sheet == "Responses":
            entry = self.archive.open(self._sheet_path(sheet), "w", force_zip64=self.zip64)
            stream = _Stream(Compressing(entry), entry)
        else:
            spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed in _finish or discard
            stream = _Stream(spool, spool)
        stream.sink.write(top + b"<sheetData>")
        where = WHOLE_TEXT.get(sheet, "")
        stream.rows = SheetRows(
            stream.sink.write,
            columns,
            self.styles,
            lambda text: guarded_text(text, self.counts, where),
        )
        return stream

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
        *ids, question = fixed
        widths = self.streamed_widths["Comments"]
        for number, part in enumerate(parts, start=1):
            row = [*ids, question, part, f"{number} of {len(parts)}"]
            # The other columns are as wide as what they hold: only these two can wrap.
            height = row_height([(row[i], False, widths[i]) for i in COMMENTS_WRAPPED])
            self._make_room("Comments")
            self.streams["Comments"].rows.append(row, wrap=COMMENTS_WRAPPED, height=height)
            self.rows["Comments"] += 1

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

    def save(self) -> None:
        """Finish the streamed sheets (their tails as openpyxl renders them now: the filter's
        range is known), then add openpyxl's parts of the workbook, all but its own empty
        versions of the streamed sheets."""
        column = get_column_letter(self.chart_table_columns + 2)
        for chart, row in self.charts:
            self.sheets["Charts"].add_chart(chart, f"{column}{row}")
        for sheet in self.buffered:
            self._write_buffered(sheet)
        for sheet in sorted(self.streams, key=lambda s: s != "Responses"):  # its entry is open
            self._finish(sheet)
        made = io.BytesIO()
        self.book.save(made)
        streamed = {self._sheet_path(sheet) for sheet in self.streams}
        with zipfile.ZipFile(made) as parts:
            if not streamed <= set(parts.namelist()):
                raise RuntimeError(f"openpyxl named the sheets otherwise: {parts.namelist()}")
            for info in parts.infolist():
                if info.filename not in streamed:
                    self.archive.writestr(
                        info, parts.read(info), zipfile.ZIP_DEFLATED, COMPRESSION_LEVEL
                    )
        self.archive.close()

    def _finish(self, sheet: str) -> None:
        stream = self.streams[sheet]
        stream.rows.flush()
        _top, tail = _rendered(self.sheets[sheet])
        stream.sink.write(b"</sheetData>" + tail)
        if sheet == "Responses":
            stream.sink.close()
            stream.closing.close()
            return
        spool = stream.closing
        spool.seek(0)
        with self.archive.open(self._sheet_path(sheet), "w", force_zip64=self.zip64) as entry:
            while piece := spool.read(1 << 20):
                entry.write(piece)
        spool.close()

    def _sheet_path(self, sheet: str) -> str:
        """Where openpyxl puts a worksheet in the archive: numbered in the workbook's order."""
        return f"xl/worksheets/sheet{list(self.sheets).index(sheet) + 1}.xml"

    def discard(self) -> None:
        """Give up on a workbook half written (an error on the way): close what is open."""
        for stream in self.streams.values():
            with contextlib.suppress(Exception):
                stream.sink.close()
            with contextlib.suppress(Exception):
                stream.closing.close()
        with contextlib.suppress(Exception):
            self.archive.close()


class _Stream:
    """A streamed sheet: where its XML goes (`sink`), what to close when it is done, and the
    rows writer (set once the sheet's top is written)."""

    def __init__(self, sink: Any, closing: Any) -> None:
        self.sink, self.closing = sink, closing
        self.rows: SheetRows


def _rendered(ws: Any) -> tuple[bytes, bytes]:
    """The worksheet's XML before and after its rows, as openpyxl writes it today."""
    writer = WorksheetWriter(ws, out=io.BytesIO())
    writer.write_top()
    xf = writer.xf.send(True)
    if xf is None:  # the generator hands its xmlfile back when sent True
        raise RuntimeError("openpyxl's worksheet writer changed: see exports/workbook.py")
    with xf.element("sheetData"):
        pass
    writer.xf.send(None)
    writer.write_tail()
    top, tail = _EMPTY_ROWS.split(writer.read(), maxsplit=1)
    return top, tail


def _register_styles(ws: Any) -> CellStyles:
    """Add to the workbook's stylesheet the styles streamed cells use, and find their numbers:
    bold (headers), wrapped at the top (long text), and the date, datetime and time formats
    openpyxl gives those values."""

    def style(value: Any, **attributes: Any) -> int:
        cell = WriteOnlyCell(ws, value=value)
        for name, setting in attributes.items():
            setattr(cell, name, setting)
        return int(cell.style_id)

    return CellStyles(
        bold=style("x", font=_BOLD),
        wrap=style("x", alignment=_WRAP),
        datetime_=style(datetime(2000, 1, 1)),
        date_=style(date(2000, 1, 1)),
        time_=style(time(0, 0)),
    )


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
