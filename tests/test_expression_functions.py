"""ODK's functions in show-ifs, constraints and calculations (survey/questionnaire/expressions.py):
the values worked out by hand in tests/function_cases.py (the browser computes the same table,
tests/browser/test_show_if_script.py), the functions refused by name, a calculation that could
only give text, and a hostile nest of calls; then a score written with if() and round() in the
spreadsheet, uploaded, published, answered and read back from the report, over HTTP."""

from __future__ import annotations

import html
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from exports.report import write_report
from exports.xlsform import XLSFormError, read_xlsform
from survey.models import Answer, Question
from survey.questionnaire.expressions import (
    MAX_DEPTH,
    MAX_LENGTH,
    ExpressionError,
    calculate,
    check_references,
    evaluate,
    parse,
    to_json,
    value,
)
from tests.conftest import Browser
from tests.function_cases import ANSWERS, CASES
from tests.survey_steps import PAGES, answer_page, complete_survey
from tests.test_calculations import EFFORT, insert_rows, odk_form, stored_value
from tests.test_editor import (  # noqa: F401 - `draft` is a fixture
    BASE,
    draft,
    in_draft,
    new_question,
    page_id,
)
from tests.test_publishing import spreadsheet, upload, versions_in


@pytest.mark.parametrize(("state", "expression", "expected"), CASES)
def test_each_function_gives_the_value_worked_out_by_hand(state, expression, expected):
    result = value(parse(expression), ANSWERS[state])
    assert type(result) is type(expected), (result, expected)
    assert result == expected


def test_a_call_is_written_for_the_browser():
    assert to_json(parse("if(${n} > 3, round(${d}, 1), true())")) == {
        "call": "if",
        "args": [
            {"op": ">", "left": {"var": "n"}, "right": {"value": 3.0}},
            {"call": "round", "args": [{"var": "d"}, {"value": 1.0}]},
            {"call": "true", "args": []},
        ],
    }


def test_only_the_branch_if_returns_is_computed():
    """A division by zero in the branch not taken changes nothing; in the one taken, the
    calculation has no value (never an error)."""
    answers = {"a": 4.0, "zero": 0.0}
    assert calculate(parse("if(${zero} = 0, 0, ${a} div ${zero})"), answers) == 0.0
    assert calculate(parse("if(${zero} != 0, 0, ${a} div ${zero})"), answers) is None
    assert calculate(parse("round(${a} div ${zero}, 2)"), answers) is None
    assert calculate(parse("if(${a} > 3, '1', '0')"), answers) == 1.0  # a number as text
    assert evaluate(parse("if(${missing} > 3, true(), false())"), answers) is False


@pytest.mark.parametrize(
    "function",
    ["pulldata('f', 'a', 'b', 'c')", "once(1)", "instance('x')", "position(..)", "uuid()",
     "now()", "today()", "indexed-repeat(${a}, ${a}, 1)", "random()", "jr:choice-name(${a}, 'x')",
     "pow(2, 3)", "format-date(${a}, '%Y')"],
)  # fmt: skip
def test_a_function_without_meaning_here_is_refused_by_name(function):
    with pytest.raises(ExpressionError) as refused:
        parse(f"{function} = 1")
    name = function.split("(")[0]
    assert str(refused.value.message) == f"ODK's function {name}() is not computed on this platform"
    assert refused.value.unsupported  # dropped with --skip-unsupported
    assert refused.value.position == 1


def test_an_unknown_function_is_a_mistake_not_an_odk_function():
    with pytest.raises(ExpressionError) as refused:
        parse("rond(${a}) = 1")
    assert str(refused.value.message) == "unknown word or function 'rond'"


@pytest.mark.parametrize(
    "calculation",
    ["concat(${a}, 'kg')", "if(${a} > 1, 'high', 'low')", "coalesce(concat(${a}), 'none')"],
)
def test_a_calculation_that_only_gives_text_is_refused(calculation):
    with pytest.raises(ExpressionError) as refused:
        check_references(calculation, ["a"], calculation=True)
    assert "this calculation only gives text" in str(refused.value.message)
    assert refused.value.unsupported
    # The same expression is fine in a show-if, which compares it.
    check_references(f"{calculation} = 'high'", ["a"])


@pytest.mark.parametrize(
    "calculation",
    ["if(${a} > 1, '1', '0')", "if(${a} > 1, 'high', 0)", "coalesce(${a}, 'none')",
     "string-length(concat(${a}, 'kg'))", "round(${a}, 1)"],
)  # fmt: skip
def test_a_calculation_that_can_give_a_number_is_taken(calculation):
    check_references(calculation, ["a"], calculation=True)


def test_show_ifs_call_functions_but_regex():
    check_references("string-length(${a}) > 2 and count-selected(${a}) < 3", ["a"])
    with pytest.raises(ExpressionError) as refused:
        check_references("if(regex(${a}, 'x'), 1, 0) = 1", ["a"])
    assert str(refused.value.message) == "regex() is only read in a constraint"


@pytest.mark.parametrize("opening", ["if(", "round(", "not(", "coalesce(1, "])
def test_a_deep_nest_of_calls_meets_a_message(opening):
    for levels in (MAX_DEPTH + 1, MAX_LENGTH // len(opening)):
        text = (opening * levels)[:MAX_LENGTH]
        with pytest.raises(ExpressionError) as refused:
            parse(text)
        assert "nest more than 20 levels deep" in str(refused.value.message)
    # 20 levels are fine.
    nested = "round(" * MAX_DEPTH + "2.5" + ")" * MAX_DEPTH
    assert calculate(parse(nested), {}) == 3.0


def test_many_arguments_cost_little():
    """concat() takes any number of arguments: the expression's length bounds them."""
    text = "concat(" + ", ".join(["${a}"] * 300) + ")"
    assert len(text) < MAX_LENGTH
    assert value(parse(text), {"a": "x"}) == "x" * 300


# --- in the spreadsheet, end to end ------------------------------------------------------------

MEAN = "round((${effort_1} + ${effort_2} + ${effort_3}) div 3, 1)"
BAND = "if(${effort_mean} >= 5, 2, if(${effort_mean} >= 2.5, 1, 0))"
CENTRED = "round((${effort_1} - ${effort_2}) div 2)"


@pytest.fixture
def banded(admin, db, version):
    """Three 0-10 items on page 3 and, after them, scores written with round() and if(),
    uploaded and published through the web pages (CSRF on)."""
    workbook = spreadsheet(admin)
    calculations = [
        {"type": "calculate", "name": "effort_mean", "calculation": MEAN},
        {"type": "calculate", "name": "effort_band", "calculation": BAND},
        {"type": "calculate", "name": "effort_centred", "calculation": CENTRED},
    ]
    insert_rows(workbook, "pregnant", EFFORT + calculations)
    uploaded = upload(admin, workbook)
    assert uploaded.status_code == 302, html.unescape(uploaded.get_data(as_text=True))[-3000:]
    admin.get(f"{BASE}/draft/publish")
    assert admin.post(f"{BASE}/draft/publish", {"confirm": "y"}).status_code == 302
    assert versions_in(db)[-1] == (2, "published")


def test_a_score_written_with_if_and_round_is_computed_and_reported(app, browser, db, banded):
    complete_survey(browser, upto=2)
    efforts = {"effort_1": "7", "effort_2": "4", "effort_3": "9"}
    for number, answers in PAGES[2:]:
        merged = {**answers, **(efforts if number == 3 else {})}
        assert answer_page(browser, number, merged).status_code == 302
    # (7 + 4 + 9) / 3 = 6.666... -> 6.7; 6.7 >= 5 -> band 2; (7 - 4) / 2 = 1.5 -> 2
    assert stored_value(db, "effort_mean") == 6.7
    assert stored_value(db, "effort_band") == 2.0
    assert stored_value(db, "effort_centred") == 2.0

    out = io.BytesIO()
    write_report(db.session, out)
    sheet = load_workbook(io.BytesIO(out.getvalue()))["Responses"]
    header = [c.value for c in sheet[1]]
    row = {name: sheet.cell(2, header.index(name) + 1).value for name in header}
    assert (row["effort_mean"], row["effort_band"], row["effort_centred"]) == (6.7, 2, 2)


def test_a_negative_half_and_a_missing_input_in_a_spreadsheet_score(app, browser, db, banded):
    complete_survey(browser, upto=2)
    # (1 + 2 + 5) / 3 = 2.666... -> 2.7 -> band 1; (1 - 2) / 2 = -0.5 -> 0 (a half goes up)
    answer_page(browser, 3, {**PAGES[2][1], "effort_1": "1", "effort_2": "2", "effort_3": "5"})
    assert stored_value(db, "effort_mean") == 2.7
    assert stored_value(db, "effort_band") == 1.0
    assert stored_value(db, "effort_centred") == 0.0
    # Another participant leaves effort_2 out: the mean and the centred score have no value;
    # the band's if() then compares nothing ('' >= 5 and '' >= 2.5 are false): 0, as in ODK.
    other = Browser(app.test_client())
    complete_survey(other, upto=2)
    answer_page(other, 3, {**PAGES[2][1], "effort_1": "1", "effort_3": "5"})
    db.session.rollback()
    stored = {
        name: sorted(
            db.session.scalars(
                select(Answer.value_number).join(Question).where(Question.name == name)
            )
        )
        for name in ("effort_mean", "effort_band", "effort_centred")
    }
    assert stored == {
        "effort_mean": [2.7],  # the first participant's only
        "effort_band": [0.0, 1.0],
        "effort_centred": [0.0],
    }


def test_a_text_calculation_in_the_spreadsheet_is_refused_at_its_cell(admin, db, version):
    workbook = spreadsheet(admin)
    insert_rows(
        workbook,
        "pregnant",
        [
            *EFFORT,
            {"type": "calculate", "name": "unit", "calculation": "concat(${effort_1}, 'kg')"},
        ],
    )
    refused = upload(admin, workbook)
    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    assert "column calculation: this calculation only gives text" in page
    assert versions_in(db)[-1] == (1, "published")


def test_odk_functions_in_an_odk_form(tmp_path):
    rows = [
        ["type", "name", "label", "calculation", "relevant"],
        ["begin_group", "effort", "Effort", None, None],
        ["integer", "effort_1", "First", None, None],
        ["calculate", "band", None, "if(${effort_1} > 5, 1, 0)", None],
        ["calculate", "fruit", None, "pulldata('fruits', 'name', 'key', ${effort_1})", None],
        ["text", "why", "Why?", None, "round(${effort_1} div 2) >= 3"],
        ["end_group", None, None, None, None],
    ]
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(odk_form(rows, tmp_path))
    [error] = refused.value.errors
    assert (error.row, str(error.message)) == (
        5,
        "ODK's function pulldata() is not computed on this platform (at character 1)",
    )
    result = read_xlsform(odk_form(rows, tmp_path), skip_unsupported=True)
    questions = {q["name"]: q for p in result.definition["pages"] for q in p["questions"]}
    assert questions["band"]["calculation"] == "if(${effort_1} > 5, 1, 0)"
    assert questions["why"]["show_if"] == "round(${effort_1} div 2) >= 3"
    assert "fruit" not in questions


def test_kobos_version_row_is_skipped_and_other_text_calculations_dropped(tmp_path):
    """KoboToolbox writes its deployment's version as a calculate row holding a quoted text:
    skipped with a notice, so the form still imports as it is; any other calculation that
    only gives text is refused, or dropped with --skip-unsupported."""
    rows = [
        ["type", "name", "label", "calculation"],
        ["integer", "age", "Age", None],
        ["calculate", "__version__", None, "'vpxoCS8NkZ25G5wAschCZD'"],
    ]
    result = read_xlsform(odk_form(rows, tmp_path))
    names = [q["name"] for p in result.definition["pages"] for q in p["questions"]]
    assert names == ["age"]
    assert any(
        n.row == 3 and "__version__ is the version KoboToolbox gives a form" in str(n)
        for n in result.notices
    )

    rows[2][1] = "unit"
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(odk_form(rows, tmp_path))
    [error] = refused.value.errors
    assert (error.row, error.column) == (3, "calculation")
    assert "this calculation only gives text" in str(error.message)
    dropped = read_xlsform(odk_form(rows, tmp_path), skip_unsupported=True)
    assert [q["name"] for p in dropped.definition["pages"] for q in p["questions"]] == ["age"]


# --- the editor ---------------------------------------------------------------------------------


def test_the_editor_saves_a_calculation_and_a_show_if_calling_functions(admin, db, draft):  # noqa: F811 - the draft fixture
    target = f"{BASE}/draft/pages/{page_id(db, 'about_you')}/questions/new"
    admin.get(target)
    calculation = "if(${parity} > 2, round(${parity} div 2), 0)"
    fields = new_question(name="older", type="calculate", calculation=calculation)
    assert admin.post(target, fields).status_code == 302
    assert in_draft(db, Question, name="older").calculation == calculation
    admin.get(target)
    show_if = "coalesce(${parity}, 0) >= 1 and string-length(${home_language}) > 0"
    fields = new_question(name="since", type="short_text", show_if=show_if)
    assert admin.post(target, fields).status_code == 302
    assert in_draft(db, Question, name="since").show_if == show_if
