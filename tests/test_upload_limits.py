"""Hostile questionnaire spreadsheets and show-if conditions: zip bombs, dense workbooks, huge
cells and deeply nested expressions are refused with a short message naming the limit, nothing
is written, and the upload is read before the request takes SQLite's write lock."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, make_url, select

from exports.xlsform import XLSFormError, read_xlsform, write_xlsform
from survey.editor import spreadsheet as editor_spreadsheet
from survey.models import AuditEvent, Question, QuestionnaireVersion
from survey.questionnaire.loader import DEFAULT_QUESTIONNAIRE
from tests.test_editor import BASE, edit_question, in_draft, snapshot, text_of
from tests.test_publishing import post_file

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHORT_PAGE = 40_000  # an error page is a few kilobytes, never an echo of the upload


def default_workbook() -> bytes:
    out = io.BytesIO()
    write_xlsform(json.loads(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8")), out)
    return out.getvalue()


SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)


def rebuilt(
    workbook: bytes, changes: dict[str, bytes], extra: int = 0, big: bytes = b""
) -> io.BytesIO:
    """The workbook with some members replaced or added, `extra` small ones more, and `big`
    (repeated 40 times) as its one shared string. A shared strings member is declared in
    [Content_Types].xml, so openpyxl reads it."""
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(workbook))
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml" and (
                big or "xl/sharedStrings.xml" in changes
            ):
                data = data.replace(b"</Types>", SHARED_STRINGS_TYPE.encode())
            if info.filename not in changes:
                target.writestr(info, data)
        for name, data in changes.items():
            target.writestr(name, data)
        for n in range(extra):
            target.writestr(f"docProps/custom{n}.xml", b"<x/>")
        if big:
            with target.open("xl/sharedStrings.xml", "w") as member:
                member.write(f'<sst xmlns="{MAIN}"><si><t>'.encode())
                for _ in range(40):
                    member.write(big)
                member.write(b"</t></si></sst>")
    out.seek(0)
    return out


def survey_sheet_xml(workbook: bytes) -> tuple[str, str]:
    """The survey sheet's member name and XML (the writer puts it first)."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as source:
        return "xl/worksheets/sheet1.xml", source.read("xl/worksheets/sheet1.xml").decode()


def with_survey_rows(workbook: bytes, rows_xml: str) -> io.BytesIO:
    """The workbook with rows added at the end of the survey sheet."""
    name, xml = survey_sheet_xml(workbook)
    return rebuilt(
        workbook, {name: xml.replace("</sheetData>", rows_xml + "</sheetData>").encode()}
    )


def inline_row(number: int, cells: dict[str, str]) -> str:
    """A sheet row of inline-string cells, by column letter."""
    parts = []
    for letter, text in cells.items():
        escaped = text.replace("&", "&amp;").replace("<", "&lt;")
        parts.append(f'<c r="{letter}{number}" t="inlineStr"><is><t>{escaped}</t></is></c>')
    return f'<row r="{number}">{"".join(parts)}</row>'


def survey_columns(workbook: bytes) -> dict[str, str]:
    """Header -> column letter on the survey sheet."""
    book = load_workbook(io.BytesIO(workbook), read_only=True)
    header = next(book["survey"].iter_rows(max_row=1, values_only=True))
    book.close()
    return {str(h): get_column_letter(i + 1) for i, h in enumerate(header) if h}


def last_survey_row(workbook: bytes) -> int:
    _name, xml = survey_sheet_xml(workbook)
    return max(int(n) for n in re.findall(r'<row r="(\d+)"', xml))


def question_row(
    workbook: bytes, number: int, name: str, relevant: str = "", columns: dict | None = None
) -> str:
    """A text question row (after the last page's end_group: a page of its own)."""
    columns = columns or survey_columns(workbook)
    cells = {columns["type"]: "text", columns["name"]: name, columns["label::English (en)"]: "Q"}
    if relevant:
        cells[columns["relevant"]] = relevant
    return inline_row(number, cells)


def imports(db) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).where(AuditEvent.action == "questionnaire.import")
    )


def versions(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(QuestionnaireVersion))


def refused(admin, db, data: io.BytesIO, *expected: str) -> str:
    """Upload through the editor page; the upload is refused with a short page naming the
    problem, and nothing is written."""
    before = versions(db), imports(db)
    response = post_file(admin, data, "questionnaire.xlsx")
    page = text_of(response)
    assert response.status_code == 400, page[:2000]
    assert len(response.data) < SHORT_PAGE
    assert "Nothing was changed" in page
    for text in expected:
        assert text in page, page[:4000]
    assert (versions(db), imports(db)) == before
    return page


# --- the zip: members, sizes -----------------------------------------------------------------


def test_a_member_that_unpacks_past_the_limit_is_refused_unread(admin, db):
    """One cell of 40 MB (a zip bomb: a few kilobytes packed) is refused before it is read."""
    data = rebuilt(default_workbook(), {}, big=b"A" * (1024 * 1024))
    assert len(data.getvalue()) < 1024 * 1024  # under the upload limit: only unpacking is big
    page = refused(admin, db, data, "xl/sharedStrings.xml unpacks to more than 4 MB")
    assert "AAAAAAAAAA" not in page


def test_a_workbook_that_unpacks_past_the_total_limit_is_refused(admin, db):
    padding = {f"xl/media/pad{n}.bin": b"\0" * (3 * 1024 * 1024) for n in range(3)}
    data = rebuilt(default_workbook(), padding)
    refused(admin, db, data, "the workbook unpacks to more than 8 MB")


def test_a_workbook_of_too_many_members_is_refused(admin, db):
    data = rebuilt(default_workbook(), {}, extra=200)
    refused(admin, db, data, "the workbook holds more than 100 files")


def test_many_shared_strings_are_refused_before_they_are_read(admin, db):
    """120 KB packed, 2.6 M strings once took 47 s; here 60 000 strings, small unpacked."""
    xml = f'<sst xmlns="{MAIN}">' + "<si><t/></si>" * 60_000 + "</sst>"
    data = rebuilt(default_workbook(), {"xl/sharedStrings.xml": xml.encode()})
    refused(admin, db, data, "the workbook holds more than 50000 texts")


def test_a_row_of_too_many_cells_is_refused_before_it_is_read(admin, db):
    """A row of a million cells once took 1 GB; empty cells cost four bytes each unpacked."""
    workbook = default_workbook()
    data = with_survey_rows(
        workbook, f'<row r="{last_survey_row(workbook) + 1}">' + "<c/>" * 5000 + "</row>"
    )
    refused(admin, db, data, "a row holds more than 1000 cells")


def test_too_many_cells_are_refused_before_they_are_read(admin, db):
    workbook = default_workbook()
    first = last_survey_row(workbook) + 1
    rows = "".join(f'<row r="{first + n}">' + "<c/>" * 900 + "</row>" for n in range(250))
    refused(
        admin, db, with_survey_rows(workbook, rows), "the workbook holds more than 200000 cells"
    )


def test_the_cli_refuses_a_bomb_with_the_same_message(runner, db, tmp_path: Path):
    xml = f'<sst xmlns="{MAIN}">' + "<si><t/></si>" * 60_000 + "</sst>"
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(rebuilt(default_workbook(), {"xl/sharedStrings.xml": xml.encode()}).read())
    before = versions(db)
    result = runner.invoke(args=["questionnaire", "import", str(path)])
    assert result.exit_code == 1
    assert "error: file: the workbook holds more than 50000 texts" in result.output
    assert versions(db) == before


# --- cells: the editor's limits, short echoes --------------------------------------------------


def test_a_label_longer_than_the_editor_allows_is_a_mistake_at_its_cell(admin, db):
    workbook = default_workbook()
    number = last_survey_row(workbook) + 1
    row = question_row(workbook, number, "too_long")
    label = survey_columns(workbook)["label::English (en)"]
    row = row.replace("<t>Q</t>", "<t>" + "L" * 5001 + "</t>")
    page = refused(
        admin,
        db,
        with_survey_rows(workbook, row),
        f"survey, row {number}, column label::English (en): longer than 5000 characters",
    )
    assert label and "L" * 81 not in page


def test_a_huge_cell_is_a_mistake_and_its_echo_is_short(admin, db):
    """A 1 MB type cell (inside every limit of the zip) is named, with 80 characters of it."""
    workbook = default_workbook()
    number = last_survey_row(workbook) + 1
    columns = survey_columns(workbook)
    row = inline_row(number, {columns["type"]: "x" * 1_000_000, columns["name"]: "huge"})
    page = refused(
        admin,
        db,
        with_survey_rows(workbook, row),
        f"survey, row {number}, column type: longer than 10000 characters",
    )
    assert "x" * 81 not in page


def test_a_mistake_echoes_at_most_80_characters_of_a_cell(admin, db):
    workbook = default_workbook()
    number = last_survey_row(workbook) + 1
    columns = survey_columns(workbook)
    row = inline_row(number, {columns["type"]: "y" * 5000, columns["name"]: "echoed"})
    page = refused(admin, db, with_survey_rows(workbook, row), "y" * 79 + "…")
    assert "y" * 81 not in page


# --- show-if conditions: length and nesting ----------------------------------------------------

DEEP = [
    ("(" * 200 + "${pregnant} = 'yes'" + ")" * 200, "brackets nest more than 20 levels deep"),
    ("not(" * 300 + "${pregnant} = 'yes'" + ")" * 300, "brackets nest more than 20 levels deep"),
]


@pytest.mark.parametrize("expression, message", DEEP, ids=["parentheses", "not"])
def test_the_show_if_field_refuses_deep_nesting(admin, db, expression, message):
    admin.get(f"{BASE}/")
    admin.post(f"{BASE}/draft/start", {}, fetch=False)
    before = snapshot(db)
    response = edit_question(admin, db, "pregnancy_weeks", show_if=expression)
    assert response.status_code == 400
    page = text_of(response)
    assert "Nothing was saved" in page and message in page
    assert snapshot(db) == before


def test_twenty_levels_of_brackets_are_still_fine(admin, db):
    admin.get(f"{BASE}/")
    admin.post(f"{BASE}/draft/start", {}, fetch=False)
    expression = "not(" * 10 + "(" * 10 + "${pregnant} = 'yes'" + ")" * 20
    response = edit_question(admin, db, "pregnancy_weeks", show_if=expression)
    assert response.status_code == 302
    assert in_draft(db, Question, name="pregnancy_weeks").show_if == expression


@pytest.mark.parametrize("expression, message", DEEP, ids=["parentheses", "not"])
def test_the_spreadsheet_refuses_deep_nesting_at_its_cell(admin, db, expression, message):
    workbook = default_workbook()
    number = last_survey_row(workbook) + 1
    row = question_row(
        workbook, number, "deep", relevant=expression.replace("${pregnant}", "${parity}")
    )
    refused(
        admin,
        db,
        with_survey_rows(workbook, row),
        f"survey, row {number}, column relevant: {message}",
    )


def test_the_spreadsheet_refuses_a_long_show_if_at_its_cell(admin, db):
    workbook = default_workbook()
    number = last_survey_row(workbook) + 1
    expression = " or ".join(["${parity} = '1'"] * 200)  # 3 kB
    row = question_row(workbook, number, "long", relevant=expression)
    refused(
        admin,
        db,
        with_survey_rows(workbook, row),
        f"survey, row {number}, column relevant: the expression is longer than 2000 characters",
    )


def test_a_workbook_of_long_expressions_is_refused_quickly():
    """Thousands of show-ifs at the length limit, one shared text (a 72 kB file once ran past
    60 s): the conditions of a workbook add up to 50 000 characters at most."""
    workbook = default_workbook()
    first = last_survey_row(workbook) + 1
    expression = " or ".join(["${parity} = '1'"] * 130)[:1990]
    expression = expression[: expression.rfind(" or ")]
    columns = survey_columns(workbook)
    type_, name, label, relevant = (
        columns[c] for c in ("type", "name", "label::English (en)", "relevant")
    )
    rows = "".join(
        f'<row r="{n}"><c r="{type_}{n}" t="s"><v>1</v></c>'
        f'<c r="{name}{n}" t="inlineStr"><is><t>q{n}</t></is></c>'
        f'<c r="{label}{n}" t="s"><v>2</v></c><c r="{relevant}{n}" t="s"><v>0</v></c></row>'
        for n in range(first, 5001)
    )
    strings = "".join(f"<si><t>{text}</t></si>" for text in (expression, "text", "Q"))
    sheet, xml = survey_sheet_xml(workbook)
    data = rebuilt(
        workbook,
        {
            sheet: xml.replace("</sheetData>", rows + "</sheetData>").encode(),
            "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">{strings}</sst>'.encode(),
        },
    )
    assert len(data.getvalue()) < 200_000
    started = time.perf_counter()
    with pytest.raises(XLSFormError) as raised:
        read_xlsform(data)
    assert time.perf_counter() - started < 10
    assert [str(error) for error in raised.value.errors] == [
        "survey: the conditions (relevant, constraint, screen_out_if) add up to more than 50000 "
        "characters"
    ]


def test_deep_nesting_in_the_parser_is_an_expression_error_not_a_recursion_error():
    from survey.questionnaire.expressions import ExpressionError, parse

    for expression, message in DEEP:
        with pytest.raises(ExpressionError) as raised:
            parse(expression)
        assert message in str(raised.value)


# --- the write lock ------------------------------------------------------------------------


def test_the_upload_is_read_before_the_write_lock_is_taken(admin, db, app, monkeypatch):
    """While the workbook is read, another connection can still write: the request has not
    taken SQLite's write lock (participants' saves would wait behind a long parse)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's write lock")
    seen: list[str] = []
    real_read = editor_spreadsheet.read_xlsform

    def read_while_another_writes(source, *options):
        other = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if the request holds the lock
            other.execute("ROLLBACK")
            seen.append("free")
        except sqlite3.OperationalError as error:
            seen.append(str(error))
        finally:
            other.close()
        return real_read(source, *options)

    monkeypatch.setattr(editor_spreadsheet, "read_xlsform", read_while_another_writes)
    response = post_file(admin, io.BytesIO(default_workbook()), "questionnaire.xlsx")
    assert seen == ["free"]
    assert response.status_code == 302  # and the draft is then written
    assert imports(db) == 1


def test_read_xlsform_raises_for_a_bomb_without_flask():
    xml = f'<sst xmlns="{MAIN}">' + "<si><t/></si>" * 60_000 + "</sst>"
    with pytest.raises(XLSFormError) as raised:
        read_xlsform(rebuilt(default_workbook(), {"xl/sharedStrings.xml": xml.encode()}))
    assert str(raised.value) == "file: the workbook holds more than 50000 texts"


def test_a_french_speaking_admin_reads_the_limits_in_french(admin, db):
    admin.get(f"{BASE}/?lang=fr")
    admin.post(f"{BASE}/draft/start", {}, fetch=False)
    response = edit_question(admin, db, "pregnancy_weeks", show_if=DEEP[0][0])
    assert response.status_code == 400
    assert "les parenthèses s’imbriquent sur plus de 20 niveaux (au caractère 21)" in text_of(
        response
    )
    xml = f'<sst xmlns="{MAIN}">' + "<si><t/></si>" * 60_000 + "</sst>"
    data = rebuilt(default_workbook(), {"xl/sharedStrings.xml": xml.encode()})
    response = post_file(admin, data, "questionnaire.xlsx")
    assert response.status_code == 400
    assert "fichier\u00a0: le classeur contient plus de 50000 textes" in text_of(response)
