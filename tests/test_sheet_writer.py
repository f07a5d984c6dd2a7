"""The report's own writer of its big sheets (exports/sheetxml.py through WorkbookWriter): what
it writes reads back identically with openpyxl and with pandas, whatever the values; a report
too big for a spreadsheet is refused with a message pointing to CSV; a report that fails half
way leaves no file."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

import exports.report
import exports.workbook
from exports.cells import EXCEL_CELL_LIMIT, GuardCounts
from exports.report import ExportError, write_csv, write_report
from exports.stats import Statistics
from exports.workbook import WorkbookWriter
from survey.demo import generate_responses
from survey.models import ExportJob, QuestionnaireVersion
from survey.participate import services
from tests.factories import make_response
from tests.test_exports import BASE

HEADER = ["id", "number", "decimal", "when", "day", "clock", "text", "flag"]
ASTRAL = "\U0001f600 \U00020000 \U000e0041 \U000f0000"  # emoji, CJK ext. B, a tag, private use
ROWS = [
    [1, 0, 0.1, datetime(2026, 11, 30, 13, 5, 59), date(2026, 1, 31), time(23, 59), "plain", True],
    [2, -7, 1e-7, datetime(1999, 12, 31, 0, 0, 1), date(1900, 3, 1), time(0, 0), ASTRAL, False],
    [3, 10**15, 123456.789, None, None, None, None, None],
    [4, None, None, None, None, None, "  spaces kept  ", None],
    [5, 2, 2.5, None, None, None, "a & b < c > d \"q\" 'a'", None],
    [6, 3, None, None, None, None, "line one\r\nline two\nthree\rfour", None],
    [7, 4, None, None, None, None, "=1+1", None],
    [8, 5, None, None, None, None, "#N/A", None],
    [9, 6, None, None, None, None, "x" * EXCEL_CELL_LIMIT, None],
    [10, 7, None, None, None, None, "bell \x07 and nul \x00 replaced", None],
]  # fmt: skip


def expected(value):
    """As a reader gives it back: Excel has no date without a time, so a date is midnight."""
    if type(value) is date:
        return datetime.combine(value, time())
    if isinstance(value, str):
        return value.replace("\x07", "\ufffd").replace("\x00", "\ufffd")
    return value


def written(tmp_path, rows=ROWS) -> tuple[str, GuardCounts]:
    path = str(tmp_path / "sheet.xlsx")
    counts = GuardCounts()
    writer = WorkbookWriter(counts, path)
    writer.header("Responses", HEADER)
    for row in rows:
        writer.append("Responses", row)
    writer.autofilter("Responses")
    writer.save()
    return path, counts


@pytest.mark.parametrize("read_only", [False, True])
def test_every_kind_of_value_reads_back_with_openpyxl(tmp_path, read_only):
    path, counts = written(tmp_path)
    book = load_workbook(path, read_only=read_only)
    ws = book["Responses"]
    rows = [list(r) + [None] * (len(HEADER) - len(r)) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == HEADER  # read-only mode ends a row at its last cell: padded to compare
    for got, row in zip(rows[1:], ROWS, strict=True):
        assert got == [expected(v) for v in row], row[0]
    assert counts.replaced_characters == 2
    assert counts.text_kept_as_text == 2  # "=1+1" and "#N/A"
    if not read_only:
        cells = [c for row in ws.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type in ("f", "e")]
        assert all(c.font.b for c in ws[1])
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:H11"
    book.close()


def test_a_repeated_text_is_guarded_and_counted_every_time(tmp_path):
    """The writer keeps the XML of short texts it has seen, but only of texts the guard left
    as they were: a formula-like or dirty text counts each time it comes, and a clean one
    seen first in a bold header is still written plain in the rows."""
    rows = [[i, "=SUM(A1)", "nul\x00", "@home", "text"] for i in range(5)]
    path, counts = written(tmp_path, rows=[*rows])
    assert counts.text_kept_as_text == 10  # "=SUM(A1)" and "@home", five times each
    assert counts.replaced_characters == 5
    ws = load_workbook(path)["Responses"]
    for row in ws.iter_rows(min_row=2, max_row=6):
        assert [c.value for c in row[1:5]] == ["=SUM(A1)", "nul\ufffd", "@home", "text"]
        assert [c.data_type for c in row[1:5]] == ["s"] * 4
        assert not any(c.font.b for c in row)


def test_every_kind_of_value_reads_back_with_pandas(tmp_path):
    path, _counts = written(tmp_path)
    frame = pd.read_excel(path, sheet_name="Responses", engine="openpyxl")
    assert list(frame.columns) == HEADER
    assert frame["number"].tolist()[:3] == [0, -7, 10**15]
    assert frame["decimal"].tolist()[:3] == [0.1, 1e-7, 123456.789]
    assert frame["when"].tolist()[:2] == [
        pd.Timestamp(2026, 11, 30, 13, 5, 59),
        pd.Timestamp(1999, 12, 31, 0, 0, 1),
    ]
    assert pd.isna(frame["when"][2]) and pd.isna(frame["number"][3])
    # pandas reads the text "#N/A" as missing unless told not to; empty cells are then "".
    texts = pd.read_excel(path, sheet_name="Responses", keep_default_na=False)["text"].tolist()
    assert texts == [expected(r[6]) or "" for r in ROWS]
    assert texts[1] == ASTRAL and len(texts[8]) == EXCEL_CELL_LIMIT


def test_zip64_entries_read_back_the_same(tmp_path, monkeypatch):
    """Past about 25 million cells the Responses sheet is written with ZIP64 sizes (its XML may
    pass 4 GB); forced here on a small file, which must read back the same."""
    monkeypatch.setattr(exports.workbook, "ZIP64_CELLS", 0)
    path = str(tmp_path / "zip64.xlsx")
    writer = WorkbookWriter(GuardCounts(), path, cells=1)
    writer.header("Responses", HEADER)
    for row in ROWS:
        writer.append("Responses", row)
    writer.save()
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        entry = archive.getinfo("xl/worksheets/sheet1.xml")
    with open(path, "rb") as raw:  # the entry's local header: its extra field is ZIP64's (1)
        raw.seek(entry.header_offset)
        header = raw.read(30)
        name, extra = int.from_bytes(header[26:28], "little"), header[28:30]
        raw.seek(entry.header_offset + 30 + name)
        assert int.from_bytes(extra, "little") >= 4 and raw.read(2) == b"\x01\x00"
    ws = load_workbook(path)["Responses"]
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert rows == [[expected(v) for v in row] for row in ROWS]


def test_more_responses_than_a_sheet_holds_are_refused_pointing_to_csv(
    runner, db, version, tmp_path, monkeypatch
):
    generate_responses(db.session, version, 4, seed=2)
    db.session.commit()
    monkeypatch.setattr(exports.report, "EXCEL_ROWS", 4)  # Excel's is 1,048,576
    out = tmp_path / "big.xlsx"
    result = runner.invoke(args=["export", str(out)])
    assert result.exit_code == 1, result.output
    assert "4 responses are more than a spreadsheet's 3 rows: export them as CSV" in result.output
    assert not out.exists()
    assert runner.invoke(args=["export", str(tmp_path / "big.csv"), "--csv"]).exit_code == 0


def test_more_comments_than_a_sheet_holds_are_refused_pointing_to_csv(
    runner, db, version, tmp_path, monkeypatch
):
    """Text longer than a cell continues on the Comments sheet's next rows, so that sheet can
    be the one that overflows."""
    by_name = {q.name: q for q in version.questions}
    for _ in range(2):
        response = make_response(db, version, BASE)
        services.save_answers(db.session, response, {by_name["comment_liked"]: "x" * 100_000})
        db.session.commit()
    monkeypatch.setattr(exports.workbook, "EXCEL_ROWS", 5)  # Responses needs 3, Comments 9
    out = tmp_path / "comments.xlsx"
    result = runner.invoke(args=["export", str(out)])
    assert result.exit_code == 1, result.output
    assert "the Comments sheet would need more than 5 rows" in result.output
    assert "export the responses as CSV" in result.output
    assert not out.exists()


def test_a_report_failing_half_way_leaves_no_file(db, version, tmp_path, monkeypatch):
    """The figures are made in a second process: its failure reaches the caller."""
    generate_responses(db.session, version, 5, seed=3)
    db.session.commit()

    def broken(self, record):
        raise ZeroDivisionError("counting went wrong")

    monkeypatch.setattr(Statistics, "add", broken)
    out = tmp_path / "half.xlsx"
    with pytest.raises(RuntimeError, match="counting went wrong"):
        write_report(db.session, str(out))
    assert not out.exists()
    stream = io.BytesIO()
    with pytest.raises(RuntimeError, match="counting went wrong"):
        write_report(db.session, stream)


def test_an_unsuitable_grouping_is_refused_before_anything_is_written(db, version, tmp_path):
    out = tmp_path / "never.xlsx"
    from exports.rows import ExportOptions

    with pytest.raises(ExportError):
        write_report(db.session, str(out), options=ExportOptions(by="comment_liked"))
    assert not out.exists()


@pytest.mark.parametrize("writer", [write_report, write_csv])
def test_progress_is_reported_after_each_chunk_and_ends_at_the_total(db, version, writer):
    generate_responses(db.session, version, 7, seed=4)
    db.session.commit()
    calls: list[tuple[int, int]] = []
    info = writer(db.session, io.BytesIO(), progress=lambda *call: calls.append(call), chunk=3)
    assert calls == [(3, 7), (6, 7), (7, 7)] and info.rows == 7


def test_an_export_job_ends_with_all_its_rows_done(db, investigator):
    generate_responses(db.session, db.session.scalar(select(QuestionnaireVersion)), 5, seed=6)
    db.session.commit()
    made = investigator.post("/staff/exports", {"status": "all", "format": "xlsx", "submit": "x"})
    db.session.rollback()
    job = db.session.get(ExportJob, made.headers["Location"].rsplit("/", 1)[1])
    assert (job.status, job.done, job.total, job.rows) == ("done", 5, 5, 5)
