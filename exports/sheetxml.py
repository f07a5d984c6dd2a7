"""The report's two big sheets (Responses and Comments) written as sheet XML straight into the
.xlsx, a row at a time.

openpyxl makes a Python object for every cell it writes; at 100,000 responses of 45 columns that
is most of a report's time. Here a row is a few string joins. Everything else in the workbook
(the small sheets, the charts, the styles, the workbook's own parts) is still openpyxl's, and so
are each big sheet's top and tail (views, column widths, filter, print setup): openpyxl renders
them from the same worksheet object the small sheets are set up on (exports/layout.py), and
only the rows between them are written here.

What a cell can be: a number, text (always an inline string, so never a formula or an error
value, whatever it starts with), a date, a datetime or a time (an Excel serial number with a
date format), or nothing (None: no cell; "": an empty one). Text must already be cleaned of
characters XML cannot hold (exports/cells.py)."""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from typing import IO, Any

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

# How many rows are joined into one piece of XML for the compressing thread: big enough that
# zlib (which runs without the GIL) works on a few hundred KB at a time.
ROWS_PER_PIECE = 500
SHORT, KNOWN = 64, 10_000  # the short texts whose XML is kept, and how many at most
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


class CellStyles:
    """The cellXfs index of each style a streamed cell may need, as registered in the
    workbook's stylesheet by openpyxl (see WorkbookWriter)."""

    def __init__(self, bold: int, wrap: int, datetime_: int, date_: int, time_: int) -> None:
        self.bold, self.wrap = bold, wrap
        self.by_type = {datetime: datetime_, date: date_, time: time_}


class SheetRows:
    """Makes `<sheetData>`'s rows, one call per row, numbered from 1, and hands them to
    `write` as UTF-8, a few hundred rows at a time. `guard` makes a text safe and says whether
    it counted anything (then the text's XML is not kept: each time it comes, it counts)."""

    def __init__(
        self,
        write: Any,
        columns: int,
        styles: CellStyles,
        guard: Callable[[str], tuple[str, bool]],
    ) -> None:
        self.write = write
        self.styles = styles
        self.guard = guard
        self.letters = [get_column_letter(i + 1) for i in range(columns)]
        self.rows = 0
        self._pending: list[str] = []
        self._known: dict[str, str] = {}  # short text -> its cell's XML after the reference

    def append(
        self,
        values: Sequence[Any],
        *,
        bold: bool = False,
        wrap: Iterable[int] = (),
        height: float | None = None,
    ) -> int:
        """One row; `wrap` are the (0-based) columns whose text wraps, `height` its height in
        points if taller than the default. Its number."""
        self.rows += 1
        number = str(self.rows)
        if bold or wrap or height:
            row = self._styled(number, values, bold, frozenset(wrap), height)
        else:
            row = self._plain(number, values)
        self._pending.append(row)
        if len(self._pending) >= ROWS_PER_PIECE:
            self.flush()
        return self.rows

    def _plain(self, number: str, values: Sequence[Any]) -> str:
        """A row of unstyled cells (every Responses row): the common values, quickly."""
        parts = [f'<row r="{number}">']
        add = parts.append
        known = self._known
        for letter, value in zip(self.letters, values, strict=False):
            if value is None:
                continue
            kind = value.__class__
            if kind is int:
                add(f'<c r="{letter}{number}"><v>{value}</v></c>')
            elif kind is str and (rest := known.get(value)) is not None:
                add(f'<c r="{letter}{number}"{rest}')
            elif kind is float and value - value == 0:  # finite
                add(f'<c r="{letter}{number}"><v>{value!r}</v></c>')
            else:
                add(f'<c r="{letter}{number}"{self._cell(letter + number, value, None)}')
        add("</row>")
        return "".join(parts)

    def _styled(
        self,
        number: str,
        values: Sequence[Any],
        bold: bool,
        wrapped: frozenset[int],
        height: float | None,
    ) -> str:
        attributes = f' ht="{height:g}" customHeight="1"' if height else ""
        parts = [f'<row r="{number}"{attributes}>']
        for index, (letter, value) in enumerate(zip(self.letters, values, strict=False)):
            if value is not None:
                style = self.styles.bold if bold else self.styles.wrap if index in wrapped else None
                parts.append(f'<c r="{letter}{number}"{self._cell(letter + number, value, style)}')
        parts.append("</row>")
        return "".join(parts)

    def _cell(self, ref: str, value: Any, style: int | None) -> str:
        """A cell's XML after `<c r="ref"`, its text guarded; an unstyled short text's XML is
        kept when the guard left it unchanged (codes and short answers repeat)."""
        if value.__class__ is not str:
            return self._rest(ref, value, style)
        text, counted = self.guard(value)
        rest = self._rest(ref, text, style)
        if not counted and style is None and len(value) <= SHORT and len(self._known) < KNOWN:
            self._known[value] = rest
        return rest

    def _rest(self, ref: str, value: Any, style: int | None) -> str:
        """A cell's XML after `<c r="ref"`."""
        kind = value.__class__
        s = "" if style is None else f' s="{style}"'
        if kind is str:
            if not value:
                return f"{s}/>"  # as openpyxl writes "": no value, read back as an empty cell
            text = value.translate(_ESCAPES)
            space = ' xml:space="preserve"' if text != text.strip() else ""
            return f'{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'
        if kind is bool:
            return f'{s} t="b"><v>{int(value)}</v></c>'
        if kind in self.styles.by_type:
            return f' s="{self.styles.by_type[kind]}"><v>{to_excel(value)!r}</v></c>'
        if isinstance(value, (int, float)):  # numpy's numbers, an IntEnum...
            if not math.isfinite(value):
                raise ValueError(f"{value} in cell {ref}: a spreadsheet holds finite numbers")
            return f"{s}><v>{float(value)!r}</v></c>"
        raise TypeError(f"cannot write a {kind.__name__} in cell {ref}")

    def flush(self) -> None:
        if self._pending:
            self.write("".join(self._pending).encode("utf-8"))
            self._pending.clear()


class Compressing:
    """Writes pieces to a binary stream (an entry of the zip being written) in a thread: zlib
    and the CRC release the GIL, so compressing runs on the other core while the next rows are
    made. `close()` waits for the last piece and raises what the thread raised."""

    def __init__(self, out: IO[bytes], depth: int = 8) -> None:
        self.out = out
        self.pieces: queue.Queue[bytes | None] = queue.Queue(depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="xlsx-compress", daemon=True)
        self.thread.start()

    def write(self, piece: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.pieces.put(piece)

    def _run(self) -> None:
        while (piece := self.pieces.get()) is not None:
            if self.error is None:
                try:
                    self.out.write(piece)
                except BaseException as error:  # noqa: BLE001 - raised again in the caller
                    self.error = error

    def close(self) -> None:
        self.pieces.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error
