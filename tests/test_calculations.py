"""Calculated questions (XLSForm `calculate` and its `calculation` column): the parser's
arithmetic, the editor's and the spreadsheet's checks, and a score defined in the spreadsheet
computed on the server as the participant saves pages, stored, and exported."""

from __future__ import annotations

import html
import io

import pytest
from flask_migrate import downgrade, upgrade
from openpyxl import Workbook, load_workbook
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from exports.report import write_report
from exports.xlsform import XLSFormError, read_xlsform, write_xlsform
from survey.extensions import db as database
from survey.models import Answer, Question
from survey.questionnaire.expressions import (
    MAX_OPERATORS,
    ExpressionError,
    Literal,
    calculate,
    evaluate,
    parse,
)
from tests.conftest import Browser
from tests.survey_steps import PAGES, answer_page, complete_survey
from tests.test_app import first_release_with_data, schema_names
from tests.test_editor import (  # noqa: F401 - `draft` is a fixture
    BASE,
    draft,
    in_draft,
    new_question,
    page_id,
    post,
    the_draft,
)
from tests.test_publishing import spreadsheet, survey_row, upload, versions_in

# --- the parser's arithmetic -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7.0),  # * before +
        ("(1 + 2) * 3", 9.0),
        ("2 - 3 - 4", -5.0),  # left to right
        ("7 div 2", 3.5),
        ("7 mod 3", 1.0),
        ("-7 mod 3", -1.0),  # XPath: the sign of the dividend
        ("10 - -2", 12.0),
        ("-(2 + 3)", -5.0),
        ("8 div 2 div 2", 2.0),
        ("${a} + ${b} * ${c}", 2 + 3 * 4.0),
        ("(${a} + ${b} + ${c}) div 3", 3.0),
        ("${a} * 2 > 3", 1.0),  # a comparison's truth is 1 or 0
        (".5 + 1", 1.5),
        ("${weeks}-1", 11.0),  # no space needed before a minus
    ],
)
def test_arithmetic_follows_xpath_precedence(text, expected):
    answers = {"a": 2.0, "b": 3.0, "c": 4.0, "weeks": "12"}
    assert calculate(parse(text), answers) == expected


@pytest.mark.parametrize(
    "text",
    [
        "${a} div 0",
        "${a} mod ${zero}",
        "${missing} + 1",
        "${word} * 2",
        "${ticked} + 1",  # several choices: a list, not a number
        "-${missing}",
        f"{'9' * 300} * {'9' * 300}",  # past the largest float
    ],
)
def test_no_value_without_numbers_or_dividing_by_zero(text):
    answers = {"a": 4.0, "zero": 0.0, "word": "many", "ticked": ["a", "b"]}
    assert calculate(parse(text), answers) is None


def test_a_missing_value_compares_as_unanswered():
    assert evaluate(parse("${a} div ${b} > 1"), {"a": 4.0, "b": 0.0}) is False
    assert evaluate(parse("${a} div ${b} != 1"), {"a": 4.0, "b": 0.0}) is True
    assert evaluate(parse("${a} + 1 >= 5"), {"a": 4.0}) is True


def test_a_negative_number_is_still_a_literal():
    assert parse("-3") == Literal(-3.0)
    assert evaluate(parse(". >= -1"), {".": -1.0}) is True


@pytest.mark.parametrize(
    ("text", "position"),
    [("1 +", 4), ("${a} * * 2", 8), ("(1 + 2", 7), ("${a} div", 9), ("2 mod mod 3", 7)],
)
def test_broken_arithmetic_names_its_position(text, position):
    with pytest.raises(ExpressionError) as raised:
        parse(text)
    assert raised.value.position == position


def test_a_very_long_chain_meets_a_message_not_the_recursion_limit():
    chain = " + ".join(["1"] * (MAX_OPERATORS + 2))
    with pytest.raises(ExpressionError) as raised:
        parse(chain)
    assert f"more than {MAX_OPERATORS} arithmetic operators" in str(raised.value)
    longest = " + ".join(["1"] * (MAX_OPERATORS + 1))
    assert calculate(parse(longest), {}) == MAX_OPERATORS + 1


# --- the spreadsheet ---------------------------------------------------------------------------

FORM_ROWS = [
    ["type", "name", "label", "calculation", "relevant"],
    ["begin_group", "effort", "Effort", None, None],
    ["range", "effort_1", "First", None, None],
    ["range", "effort_2", "Second", None, None],
    ["calculate", "effort_half", None, "${effort_1} div ${effort_2}", None],
    ["end_group", None, None, None, None],
    ["calculate", "effort_total", None, "${effort_1} + ${effort_2}", None],
]


def odk_form(rows: list[list], tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in rows:
        sheet.append(row)
    path = tmp_path / "odk.xlsx"
    book.save(path)
    return path


def test_an_odk_form_with_calculate_rows_imports(tmp_path):
    result = read_xlsform(odk_form(FORM_ROWS, tmp_path))
    pages = result.definition["pages"]
    questions = {q["name"]: q for page in pages for q in page["questions"]}
    assert questions["effort_half"] == {
        "name": "effort_half",
        "type": "calculate",
        "label": {"en": "effort_half"},
        "calculation": "${effort_1} div ${effort_2}",
    }
    assert questions["effort_total"]["calculation"] == "${effort_1} + ${effort_2}"
    # The ungrouped calculation makes a page of its own, which the flow skips (see below).
    assert [page["name"] for page in pages] == ["effort", "page_2"]


def test_calculations_round_trip_identically(tmp_path):
    first = read_xlsform(odk_form(FORM_ROWS, tmp_path)).definition
    out = io.BytesIO()
    write_xlsform({**first, "title": {"en": "T"}}, out)
    again = read_xlsform(io.BytesIO(out.getvalue())).definition
    out_again = io.BytesIO()
    write_xlsform({**again, "title": {"en": "T"}}, out_again)
    assert again["pages"] == first["pages"]
    cells = [
        [[c.value for c in row] for row in load_workbook(io.BytesIO(data))["survey"].iter_rows()]
        for data in (out.getvalue(), out_again.getvalue())
    ]
    assert cells[0] == cells[1]
    header = cells[0][0]
    total = next(row for row in cells[0] if row[header.index("name")] == "effort_total")
    assert total[header.index("type")] == "calculate"
    assert total[header.index("calculation")] == "${effort_1} + ${effort_2}"


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (["calculate", "later", None, "${effort_3} * 2", None], "calculation",
         "${effort_3} is asked later, so it cannot decide this (at character 1)"),
        (["calculate", "nope", None, "${nobody} + 1", None], "calculation",
         "unknown variable ${nobody} (at character 1)"),
        (["calculate", "loop", None, "${loop} + 1", None], "calculation",
         "${loop} is this question itself"),
        (["calculate", "broken", None, "${effort_1} +", None], "calculation",
         "expected a value, the expression ended (at character 14)"),
        (["calculate", "empty", None, None, None], "calculation",
         "a calculate row needs a calculation"),
        (["integer", "counted", "How many?", "${effort_1} + 1", None], "calculation",
         "calculation does not apply to a integer row"),
    ],
)  # fmt: skip
def test_a_bad_calculation_is_refused_at_its_cell(tmp_path, row, column, message):
    rows = [*FORM_ROWS[:4], row, ["range", "effort_3", "Third", None, None], *FORM_ROWS[5:]]
    with pytest.raises(XLSFormError) as raised:
        read_xlsform(odk_form(rows, tmp_path))
    [error] = [e for e in raised.value.errors if e.column == column]
    assert error.row == 5
    assert message in str(error)


def test_a_calculation_this_parser_cannot_compute_is_dropped_when_skipping(tmp_path):
    rows = [
        *FORM_ROWS[:4],
        ["calculate", "rounded", None, "pulldata('fruits', 'name', 'key', ${effort_1})", None],
        ["text", "why", "Why?", None, "${rounded} > 3"],
        *FORM_ROWS[5:],
    ]
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(odk_form(rows, tmp_path))
    assert "ODK's function pulldata() is not computed on this platform" in str(refused.value)

    result = read_xlsform(odk_form(rows, tmp_path), skip_unsupported=True)
    names = [q["name"] for page in result.definition["pages"] for q in page["questions"]]
    assert "rounded" not in names and "why" in names
    why = next(q for p in result.definition["pages"] for q in p["questions"] if q["name"] == "why")
    assert "show_if" not in why  # it read the dropped calculation: always shown
    notices = [str(n) for n in result.notices]
    assert any("rounded has no calculation left: dropped" in n for n in notices)
    assert any("reads ${rounded}, which is not imported: dropped" in n for n in notices)


# --- a score defined in the spreadsheet, end to end ----------------------------------------------


def insert_rows(workbook, after: str, rows: list[dict]) -> None:
    sheet = workbook["survey"]
    header = [c.value for c in sheet[1]]
    at = survey_row(workbook, after) + 1
    sheet.insert_rows(at, len(rows))
    for offset, cells in enumerate(rows):
        for column, value in cells.items():
            sheet.cell(at + offset, header.index(column) + 1).value = value


EFFORT = [
    {
        "type": "range",
        "name": f"effort_{i}",
        "label::English (en)": f"Effort {i}",
        "parameters": "start=0 end=10 step=1",
    }
    for i in (1, 2, 3)
]
TOTAL = "${effort_1} + ${effort_2} + ${effort_3}"


@pytest.fixture
def scored(admin, db, version):
    """The published questionnaire with three 0-10 items on page 3 and, after them, their sum
    and the first divided by the second, published through the web pages."""
    workbook = spreadsheet(admin)
    calculations = [
        {"type": "calculate", "name": "effort_total", "calculation": TOTAL},
        {"type": "calculate", "name": "effort_ratio", "calculation": "${effort_1} div ${effort_2}"},
    ]
    insert_rows(workbook, "pregnant", EFFORT + calculations)
    uploaded = upload(admin, workbook)
    assert uploaded.status_code == 302, html.unescape(uploaded.get_data(as_text=True))[-3000:]
    admin.get(f"{BASE}/draft/publish")
    published = admin.post(f"{BASE}/draft/publish", {"confirm": "y"})
    assert published.status_code == 302
    assert versions_in(db)[-1] == (2, "published")


def stored_value(db, name: str) -> float | None:
    db.session.rollback()
    answer = db.session.scalar(select(Answer).join(Question).where(Question.name == name))
    return None if answer is None else answer.value_number


def test_a_spreadsheet_score_is_computed_when_the_page_is_saved(app, browser, db, scored):
    complete_survey(browser, upto=2)
    page = browser.get("/survey/page/3").get_data(as_text=True)
    assert 'name="effort_1"' in page
    assert "effort_total" not in page and "effort_ratio" not in page  # never shown

    efforts = {"effort_1": "7", "effort_2": "4", "effort_3": "9"}
    assert answer_page(browser, 3, {**PAGES[2][1], **efforts}).status_code == 302
    assert stored_value(db, "effort_total") == 20.0  # 7 + 4 + 9
    assert stored_value(db, "effort_ratio") == 1.75  # 7 / 4

    # Changed answers compute it again; a division by zero leaves it unanswered, never a 500.
    again = answer_page(browser, 3, {**PAGES[2][1], **efforts, "effort_2": "0"})
    assert again.status_code == 302
    assert stored_value(db, "effort_total") == 16.0  # 7 + 0 + 9
    assert stored_value(db, "effort_ratio") is None

    complete_survey_from(browser, 3, {**efforts, "effort_3": "10"})
    assert stored_value(db, "effort_total") == 21.0  # 7 + 4 + 10

    out = io.BytesIO()
    write_report(db.session, out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    sheet = book["Responses"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("effort_total") + 1).value == 21
    assert sheet.cell(2, header.index("effort_ratio") + 1).value == 1.75
    codebook = {row[0]: row for row in book["Codebook"].iter_rows(values_only=True)}
    assert codebook["effort_total"][3] == "calculated"
    assert f"computed on the server as {TOTAL}" in codebook["effort_total"][9]

    # Another participant leaves an input out: the sum has no value (as in ODK): not stored.
    other = Browser(app.test_client())
    complete_survey(other, upto=2)
    answer_page(other, 3, {**PAGES[2][1], "effort_1": "7", "effort_3": "9"})
    db.session.rollback()
    totals = db.session.scalars(
        select(Answer.value_number).join(Question).where(Question.name == "effort_total")
    )
    assert list(totals) == [21.0]  # the first participant's only


def complete_survey_from(browser, position: int, extra: dict) -> None:
    for number, answers in PAGES[position - 1 :]:
        merged = {**answers, **(extra if number == position else {})}
        response = answer_page(browser, number, merged)
        assert response.status_code == 302, (number, response.get_data(as_text=True)[:2000])


def test_a_page_of_calculations_only_is_skipped(runner, db, browser, tmp_path):
    """An ODK form's calculations outside any group make a page the participant never sees."""
    out = tmp_path / "milk.xlsx"
    assert runner.invoke(args=["questionnaire", "export", str(out)]).exit_code == 0
    workbook = load_workbook(out)
    sheet = workbook["survey"]
    header = [c.value for c in sheet[1]]
    row = survey_row(workbook, "breastfeeding")  # page 4's begin_group: a page before it
    sheet.insert_rows(row, 3)
    for offset, cells in enumerate(
        [
            {"type": "begin_group", "name": "computed", "label::English (en)": "Computed"},
            {"type": "calculate", "name": "older", "calculation": "${parity} + 1"},
            {"type": "end_group"},
        ]
    ):
        for column, value in cells.items():
            sheet.cell(row + offset, header.index(column) + 1).value = value
    workbook.save(out)
    imported = runner.invoke(args=["questionnaire", "import", str(out), "--publish"])
    assert imported.exit_code == 0, imported.output

    complete_survey(browser, upto=2)
    saved = answer_page(browser, 3, {**PAGES[2][1], "parity": "2"})
    assert saved.headers["Location"].endswith("/survey/page/5")  # page 4 holds only it
    assert stored_value(db, "older") == 3.0  # parity 2 + 1


# --- the editor ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calculation", "problem"),
    [
        ("${parity} + ${comment_liked}",
         "calculation: ${comment_liked} is asked later, so it cannot decide this "
         "(at character 13)"),
        ("${nope} * 2", "calculation: unknown variable ${nope} (at character 1)"),
        ("${parity} +", "calculation: expected a value, the expression ended (at character 12)"),
        ("", "a calculated question needs a calculation"),
        # ODK's functions: what cannot be computed here is refused by name or by kind.
        ("concat(${parity}, ' children')",
         "calculation: this calculation only gives text, and a calculated question holds a "
         "number (at character 1)"),
        ("once(${parity})",
         "calculation: ODK's function once() is not computed on this platform (at character 1)"),
        ("round(${parity}, 1, 2)", "calculation: round() takes 1 to 2 arguments (at character 1)"),
        ("if(${parity} > 1, 2)", "calculation: if() takes 3 argument(s) (at character 1)"),
    ],
)  # fmt: skip
def test_the_editor_checks_a_calculation_like_a_show_if(admin, db, draft, calculation, problem):  # noqa: F811 - the draft fixture
    target = f"{BASE}/draft/pages/{page_id(db, 'about_you')}/questions/new"
    admin.get(target)
    fields = new_question(name="older", type="calculate", calculation=calculation)
    response = admin.post(target, fields)
    assert response.status_code == 400
    assert problem in html.unescape(response.get_data(as_text=True))
    assert in_draft(db, Question, name="older") is None


def test_the_editor_saves_a_calculation_and_refuses_a_cycle(admin, db, draft):  # noqa: F811 - the draft fixture
    target = f"{BASE}/draft/pages/{page_id(db, 'about_you')}/questions/new"
    admin.get(target)
    fields = new_question(name="older", type="calculate", calculation="${parity} + 1")
    assert admin.post(target, fields).status_code == 302
    assert in_draft(db, Question, name="older").calculation == "${parity} + 1"
    assert "Computed as" in admin.get(f"{BASE}/draft").get_data(as_text=True)

    question = in_draft(db, Question, name="older")
    edit = f"{BASE}/draft/questions/{question.id}"
    admin.get(edit)
    fields = new_question(name="older", type="calculate", calculation="${older} * 2")
    looped = admin.post(edit, fields)
    assert looped.status_code == 400
    assert "${older} is this question itself" in html.unescape(looped.get_data(as_text=True))

    fields = new_question(name="older", type="calculate", calculation="1", min_value="3")
    bounded = admin.post(edit, fields)
    assert bounded.status_code == 400  # a calculation has no smallest answer to check
    assert in_draft(db, Question, name="older").calculation == "${parity} + 1"


# --- the migration ------------------------------------------------------------------------------

BEFORE_CALCULATIONS = "c4a8e2d61f07"


def test_the_calculation_migration_takes_the_type_and_goes_back(app, capfd):
    with app.app_context():
        from_models = schema_names(database.engine)
        first_release_with_data()
        upgrade(revision=BEFORE_CALCULATIONS)
        before = schema_names(database.engine)
        insert = text(
            "INSERT INTO question (page_id, position, name, type, label_en, required, "
            "identifier, calculation) VALUES (1, 2, 'older', 'calculate', 'Older', false, "
            "false, '${parity} + 1')"
        )
        with pytest.raises(DBAPIError), database.engine.begin() as connection:
            connection.execute(insert)  # no calculation column, nor the type, yet
        upgrade()
        with database.engine.begin() as connection:
            connection.execute(insert)
            connection.execute(
                text(
                    "INSERT INTO answer (response_id, question_id, value_number, answered_at) "
                    "VALUES ('r1', 2, 3, '2026-11-01 00:00:00+00:00')"
                )
            )
        with pytest.raises(IntegrityError), database.engine.begin() as connection:
            connection.execute(text("UPDATE question SET type = 'sum' WHERE id = 2"))
        with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
            downgrade(revision=BEFORE_CALCULATIONS)
        assert "1 calculated questions exist: remove them" in capfd.readouterr().err
        with database.engine.begin() as connection:
            connection.execute(text("DELETE FROM answer WHERE question_id = 2"))
            connection.execute(text("DELETE FROM question WHERE id = 2"))
        downgrade(revision=BEFORE_CALCULATIONS)
        assert schema_names(database.engine) == before
        upgrade()
        assert schema_names(database.engine) == from_models
