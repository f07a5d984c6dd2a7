"""The report reads true on screen and on paper (issue 14, part 3): charts start at 0 and list
categories top to bottom in questionnaire order, columns fit what they hold, every sheet prints
landscape one page wide with its header repeated, and About says its filters in words. Read back
from the file: the chart XML, the column widths, the print settings."""

from __future__ import annotations

import io
import math
import os
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from exports.filters import ExportFilters
from exports.report import write_report
from survey.demo import generate_responses
from tests.test_exports import known, libreoffice_convert, needs_libreoffice  # noqa: F401

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
DEFAULT_WIDTH = 8.43  # Excel's width of a column that sets none
ROW_POINTS = 15.0  # one line of the default font


def written(db, **kwargs) -> bytes:
    out = io.BytesIO()
    write_report(db.session, out, generated_by="tester@example.org", **kwargs)
    return out.getvalue()


def charts_of(data: bytes) -> list[ElementTree.Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = sorted(n for n in package.namelist() if n.startswith("xl/charts/chart"))
        return [ElementTree.fromstring(package.read(n)) for n in names]  # noqa: S314 - our own file


def title_of(chart: ElementTree.Element) -> str:
    return "".join(t.text or "" for t in chart.iter(f"{A}t") if _in_title(chart, t))


def _in_title(chart: ElementTree.Element, text: ElementTree.Element) -> bool:
    title = chart.find(f"{C}chart/{C}title")
    return title is not None and any(t is text for t in title.iter(f"{A}t"))


def value(element: ElementTree.Element, path: str) -> str | None:
    found = element.find(path)
    return None if found is None else found.get("val")


def categories(wb, chart: ElementTree.Element) -> list[str]:
    """The category cells the chart's first series names, read from the sheet."""
    reference = chart.find(f".//{C}ser/{C}cat//{C}f").text  # 'Charts'!$A$3:$A$6
    sheet, cells = reference.split("!")
    first, last = cells.replace("$", "").split(":")
    ws = wb[sheet.strip("'")]
    return [row[0].value for row in ws[first:last]]


def test_every_chart_counts_from_zero_and_reads_top_to_bottom(db, known, version):  # noqa: F811
    data = written(db)
    wb = load_workbook(io.BytesIO(data))
    charts = charts_of(data)
    assert len(charts) >= 10
    by_title = {title_of(c): c for c in charts}
    for title, chart in by_title.items():
        value_axis = chart.find(f".//{C}valAx")
        assert value(value_axis, f"{C}scaling/{C}min") == "0", title
        horizontal = value(chart, f".//{C}barChart/{C}barDir") == "bar"
        orientation = value(chart, f".//{C}catAx/{C}scaling/{C}orientation")
        # Excel draws the first category at the bottom unless the axis runs max to min; the
        # value axis then belongs at the bottom too (it crosses at the max category).
        assert orientation == ("maxMin" if horizontal else "minMax"), title
        if horizontal:
            assert value(value_axis, f"{C}crosses") == "max", title

    questions = {q.name: q for q in version.questions}
    # Titles are the questions' words (or the page's, over its block of statements).
    parity = questions["parity"]
    assert [c.label_en for c in parity.choices] == categories(wb, by_title[parity.label_en])
    ratings_page = questions["rating_layout"].page
    statements = [q.label_en for q in ratings_page.questions if q.type == "likert"]
    assert categories(wb, by_title[ratings_page.title_en]) == statements
    usability_page = questions["sus_04"].page
    assert categories(wb, by_title[usability_page.title_en])[3] == questions["sus_04"].label_en
    pain = questions["pain_during"]
    assert categories(wb, by_title[pain.label_en]) == [str(i) for i in range(11)]
    codes = {name for name in questions if "_" in name}  # not words like "consent"
    assert not any(code in title for title in by_title for code in codes)
    assert not any(title.startswith("Likert:") for title in by_title)


def shown(value) -> str:
    """What a cell shows with openpyxl's default formats, worked out here."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def width_of(ws, column: int) -> float:
    dimension = ws.column_dimensions.get(get_column_letter(column))
    return dimension.width if dimension is not None and dimension.width else DEFAULT_WIDTH


def test_columns_fit_what_they_hold(db, known):  # noqa: F811
    wb = load_workbook(io.BytesIO(written(db)))
    responses = wb["Responses"]
    header = [c.value for c in responses[1]]
    for column, name in enumerate(header, start=1):
        width = width_of(responses, column)
        # The header with the filter button (about 2 units) beside it.
        assert width >= len(name) + 2, name
        longest = max(
            len(shown(row[0]))
            for row in responses.iter_rows(
                min_row=2, min_col=column, max_col=column, values_only=True
            )
        )
        assert width >= longest + 1, (name, width, longest)
    assert width_of(responses, header.index("started_at_utc") + 1) >= 20  # was 16: ###
    assert width_of(responses, 1) >= 23  # response ids are 22 characters and more

    # The other sheets: a text fits its column on one line, or wraps in a row tall enough.
    for name in ("Codebook", "Summary", "Charts", "Comments", "About"):
        ws = wb[name]
        for row in ws.iter_rows():
            for cell in row:
                text = shown(cell.value)
                width = width_of(ws, cell.column)
                if len(text) <= width - 1:
                    continue
                assert cell.alignment.wrap_text, (name, cell.coordinate, text)
                lines = sum(
                    max(1, math.ceil(len(line) / (width - 1))) for line in text.splitlines()
                )
                height = ws.row_dimensions[cell.row].height or ROW_POINTS
                assert height >= min(lines * ROW_POINTS, 409), (name, cell.coordinate, text)

    about = wb["About"]
    labels = [row[0] for row in about.iter_rows(min_row=2, values_only=True)]
    assert width_of(about, 1) >= max(map(len, labels)) + 1  # every label on one line


def test_every_sheet_prints_landscape_one_page_wide_with_its_header(db, known):  # noqa: F811
    wb = load_workbook(io.BytesIO(written(db)))
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
        assert ws.print_title_rows in ("1:1", "$1:$1"), ws.title


def about(db, **kwargs) -> dict:
    wb = load_workbook(io.BytesIO(written(db, **kwargs)))
    return dict(wb["About"].iter_rows(min_row=2, values_only=True))


def test_about_says_its_filters_in_words(db, known):  # noqa: F811
    assert about(db)["Filters"] == (
        "started on any date; complete and partial responses; every questionnaire version; "
        "answered in any language"
    )
    filters = ExportFilters(
        since=date(2026, 11, 1),
        until=date(2026, 11, 30),
        status="complete",
        versions=(1,),
        language="fr",
    )
    assert about(db, filters=filters)["Filters"] == (
        "started from 2026-11-01 to 2026-11-30 (UTC, both days included); complete responses "
        "only; questionnaire version 1; answered in French"
    )
    only_since = ExportFilters(since=date(2026, 11, 3), status="partial")
    words = about(db, filters=only_since)["Filters"]
    assert words.startswith("started on or after 2026-11-03 (UTC); partial responses only")
    assert "{" not in words and '"' not in words


needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None and not os.environ.get("CI"),
    reason="pdftotext is not installed (poppler-utils; CI installs it)",
)


@needs_libreoffice
@needs_pdftotext
def test_libreoffice_prints_the_report_readably(db, version, tmp_path):
    """120 demo responses, printed by LibreOffice: a few pages, not a hundred (126 before), and
    no cell shows ### for a date too wide for its column."""
    generate_responses(db.session, version, 120, seed=1)
    db.session.commit()
    path = tmp_path / "report.xlsx"
    path.write_bytes(written(db))
    libreoffice_convert([path], "pdf", tmp_path, tmp_path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = text.rstrip("\f").split("\f")  # pdftotext ends every page with a form feed
    assert 6 <= len(pages) <= 30, len(pages)
    assert not any("###" in page for page in pages)
    assert "started_at_utc" in text and "Part 2: Using the toolkit" in text
