"""How the report's sheets read on screen and on paper: column widths that fit what the columns
hold, and one print setup for every sheet."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from openpyxl.worksheet.properties import PageSetupProperties

# Column widths are in Excel's unit: the width of one digit in the default font (Calibri 11;
# LibreOffice's Carlito has the same metrics). Text is measured as if every character were a
# digit: Calibri's letters are narrower on average, so the estimate errs on the wide side.
PADDING = 1.5  # the cell's margins
FILTER_BUTTON = 2.5  # an autofilter's drop-down button covers the end of a header
BOLD = 1.1  # bold text is about a tenth wider
NARROWEST = 6.0
WIDEST = 60.0  # longer text wraps in the buffered sheets (and spills or is cut in streamed ones)
LINE_HEIGHT = 15.0  # points: one line of Calibri 11, a row's default height
TALLEST = 409.0  # the tallest row Excel allows, in points
DATETIME_TEXT = (
    "2026-12-31 23:59:59"  # openpyxl's default format for a datetime: yyyy-mm-dd h:mm:ss
)
DATE_TEXT = "2026-12-31"


# Likert answers from disagree to agree, in a diverging palette (ColorBrewer RdBu), for the
# dashboard's charts and the workbook's; a longer scale's extra points are grey.
LIKERT_COLOURS = ("#b2182b", "#ef8a62", "#bdbdbd", "#67a9cf", "#2166ac")
OTHER_COLOUR = "#999999"


def likert_colour(index: int) -> str:
    return LIKERT_COLOURS[index] if index < len(LIKERT_COLOURS) else OTHER_COLOUR


def shown_text(value: Any) -> str:
    """The text a cell shows for `value` with openpyxl's default number formats."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return DATETIME_TEXT
    if isinstance(value, date):
        return DATE_TEXT
    if isinstance(value, time):
        return "23:59:59"
    if isinstance(value, bool):
        return "FALSE"
    if isinstance(value, float):
        return f"{value:.10g}"  # Excel's General format shows at most about 10 digits
    return str(value)


def text_width(value: Any, bold: bool = False) -> float:
    """The width (in Excel's unit) a column needs to show `value` whole on one line."""
    text = shown_text(value)
    longest = max((len(line) for line in text.splitlines()), default=0)
    return longest * (BOLD if bold else 1.0)


def column_width(needed: float, widest: float = WIDEST) -> float:
    """A column's width: what its longest value needs, padded, within sensible bounds."""
    return float(min(max(math.ceil(needed + PADDING), NARROWEST), widest))


def header_width(name: str, filtered: bool = True) -> float:
    """What a bold header needs, with room for the autofilter's button."""
    return text_width(name, bold=True) + (FILTER_BUTTON if filtered else 0.0)


def fitted_widths(
    rows: Iterable[Sequence[tuple[Any, bool]]],
    widest: Sequence[float] = (),
    at_least: Sequence[float] = (),
) -> list[float]:
    """Each column's width from every (value, bold) cell in it and what it needs `at_least` (a
    header with its filter button); text past `widest` (per column, WIDEST by default) wraps."""
    needed = list(at_least)
    for row in rows:
        for i, (value, bold) in enumerate(row):
            if i >= len(needed):
                needed.append(0.0)
            needed[i] = max(needed[i], text_width(value, bold))
    return [column_width(n, widest[i] if i < len(widest) else WIDEST) for i, n in enumerate(needed)]


def lines_needed(value: Any, bold: bool, width: float) -> int:
    """How many lines `value` wraps to in a column `width` wide (an estimate, on the safe side:
    text_width overrates most text)."""
    room, factor = max(width - PADDING, 1.0), BOLD if bold else 1.0
    return sum(  # each line's text_width, without making its text again
        max(1, math.ceil(len(line) * factor / room))
        for line in (shown_text(value).splitlines() or [""])
    )


def row_height(cells: Iterable[tuple[Any, bool, float]]) -> float | None:
    """A row's height for its (value, bold, column width) cells when any wraps onto more than
    one line; None (the default height) otherwise. Readers do not all size such rows
    themselves (LibreOffice does not), so the report says it."""
    lines = max((lines_needed(v, b, w) for v, b, w in cells), default=1)
    return min(lines * LINE_HEIGHT, TALLEST) if lines > 1 else None


def set_up_printing(ws: Any) -> None:
    """Landscape, one page wide (as many tall as it takes), the header row on every page. Must
    run before the first row of a write-only sheet is written (fitToPage is in its head)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"
