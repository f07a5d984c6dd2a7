"""Default answers (XLSForm's `default`): read and checked for their question's type, kept on the
question, written back to the spreadsheet, and prefilled the first time the participant sees
the page, never over an answer they gave or cleared."""

from __future__ import annotations

import html
import io
from datetime import date, datetime, time

import pytest
from flask_migrate import upgrade
from openpyxl import Workbook, load_workbook
from sqlalchemy import select, text

from exports.xlsform import XLSFormError, read_xlsform, write_xlsform
from survey.extensions import db as database
from survey.models import Answer, Question
from survey.questionnaire.types import DefaultRefused, QuestionType, spec_of
from tests.survey_steps import PAGES, answer_page, complete_survey
from tests.test_app import first_release_with_data
from tests.test_dates_and_times import add_question
from tests.test_editor import (  # noqa: F401 - `draft` is a fixture
    BASE,
    draft,
    in_draft,
    new_question,
    page_id,
    post,
    the_draft,
)

# --- what a default may be ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "written", "value"),
    [
        (QuestionType.SINGLE_CHOICE, "b", "b"),
        (QuestionType.MULTIPLE_CHOICE, "a  c", ["a", "c"]),
        (QuestionType.RATING, "7", 7.0),
        (QuestionType.INTEGER, " -3 ", -3.0),
        (QuestionType.DECIMAL, "2.5", 2.5),
        (QuestionType.DATE, "2026-03-14", date(2026, 3, 14)),
        (QuestionType.TIME, "14:30", time(14, 30)),
        (QuestionType.DATETIME, "2026-03-14T14:30", datetime(2026, 3, 14, 14, 30)),
        (QuestionType.SHORT_TEXT, "Paris", "Paris"),
    ],
)
def test_a_default_is_read_as_its_types_answer(kind, written, value):
    assert spec_of(kind).read_default(written, ["a", "b", "c"]) == value


@pytest.mark.parametrize(
    ("kind", "written", "message"),
    [
        (QuestionType.SINGLE_CHOICE, "z", "'z' is not a code of its choice list"),
        (QuestionType.MULTIPLE_CHOICE, "a z", "'z' is not a code of its choice list"),
        (QuestionType.INTEGER, "2.5", "'2.5' is not an answer to this type of question (integer)"),
        (
            QuestionType.RATING,
            "seven",
            "'seven' is not an answer to this type of question (0-10 rating)",
        ),
        (QuestionType.DECIMAL, "nan", "'nan' is not an answer to this type of question (decimal)"),
        (
            QuestionType.DATE,
            "14/03/2026",
            "'14/03/2026' is not an answer to this type of question (date)",
        ),
        (
            QuestionType.TIME,
            "half past two",
            "is not an answer to this type of question (time of day)",
        ),
        (QuestionType.NOTE, "x", "this type of question (note) takes no default"),
        (QuestionType.CALCULATE, "1", "this type of question (calculated) takes no default"),
    ],
)
def test_a_default_that_is_no_answer_is_refused(kind, written, message):
    with pytest.raises(DefaultRefused) as refused:
        spec_of(kind).read_default(written, ["a", "b", "c"])
    assert message in str(refused.value)


# --- the spreadsheet ------------------------------------------------------------------------------

SURVEY = [
    ["type", "name", "label", "default"],
    ["begin_group", "about", "About", None],
    ["select_one yn", "smoker", "Smoker?", "no"],
    ["integer", "children", "Children?", "1"],
    ["date", "born", "Born?", "2026-03-14"],
    ["end_group", None, None, None],
]
CHOICES = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]


def odk_form(survey: list[list], tmp_path) -> str:
    book = Workbook()
    book.active.title = "survey"
    for row in survey:
        book["survey"].append(row)
    choices = book.create_sheet("choices")
    for row in CHOICES:
        choices.append(row)
    path = tmp_path / "odk.xlsx"
    book.save(path)
    return str(path)


def test_defaults_are_read_kept_and_written_back(tmp_path):
    first = read_xlsform(odk_form(SURVEY, tmp_path)).definition
    questions = {q["name"]: q for p in first["pages"] for q in p["questions"]}
    assert {name: q.get("default") for name, q in questions.items()} == {
        "smoker": "no",
        "children": "1",
        "born": "2026-03-14",
    }
    out = io.BytesIO()
    write_xlsform(first, out)
    again = read_xlsform(io.BytesIO(out.getvalue())).definition
    assert again["pages"] == first["pages"]
    sheet = load_workbook(io.BytesIO(out.getvalue()))["survey"]
    header = [c.value for c in sheet[1]]
    smoker = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "smoker")
    assert smoker[header.index("default")] == "no"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["select_one yn", "smoker", "Smoker?", "maybe"],
         "'maybe' is not a code of its choice list"),
        (["integer", "children", "Children?", "one"],
         "'one' is not an answer to this type of question (integer)"),
        (["note", "hello", "Hello", "x"], "this type of question (note) takes no default"),
    ],
)  # fmt: skip
def test_a_bad_default_is_refused_at_its_cell(tmp_path, row, message):
    survey = [*SURVEY[:2], row, *SURVEY[5:]]
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(odk_form(survey, tmp_path))
    [error] = refused.value.errors
    assert (error.sheet, error.row, error.column) == ("survey", 3, "default")
    assert message in str(error)


def test_a_default_odk_computes_is_dropped_when_skipping(tmp_path):
    survey = [*SURVEY[:3], ["date", "seen", "Seen on?", "today()"], *SURVEY[5:]]
    with pytest.raises(XLSFormError):
        read_xlsform(odk_form(survey, tmp_path))
    result = read_xlsform(odk_form(survey, tmp_path), skip_unsupported=True)
    seen = next(
        q for p in result.definition["pages"] for q in p["questions"] if q["name"] == "seen"
    )
    assert "default" not in seen
    assert any("a default computed by ODK is not supported" in str(n) for n in result.notices)


# --- the participant's page ---------------------------------------------------------------------


def stored(db, name: str) -> Answer | None:
    db.session.rollback()
    return db.session.scalar(select(Answer).join(Question).where(Question.name == name))


@pytest.fixture
def defaulted(db, version):
    """Page 3 asks how many cups of water a day, 17 by default; page 1 asks a short text with
    a default, before consent."""
    add_question(db, version, 3, name="cups", type="integer", default_answer="17")
    add_question(db, version, 1, name="city", type="short_text", default_answer="Lyon")
    return version


def test_the_default_prefills_the_page_seen_the_first_time(browser, db, defaulted):
    first = browser.get("/survey/page/1").get_data(as_text=True)
    assert 'name="city"' in first and 'value="Lyon"' in first
    complete_survey(browser, upto=2)
    page = browser.get("/survey/page/3").get_data(as_text=True)
    assert 'name="cups"' in page and 'value="17"' in page
    assert stored(db, "cups") is None  # prefilled, not answered until saved

    answer_page(browser, 3, {**PAGES[2][1], "cups": "17"})
    assert stored(db, "cups").value_number == 17.0


def test_a_cleared_default_stays_cleared(browser, db, defaulted):
    complete_survey(browser, upto=2)
    cleared = answer_page(browser, 3, {**PAGES[2][1], "cups": ""}, button="back")
    assert cleared.status_code == 302
    assert stored(db, "cups") is None

    again = browser.get("/survey/page/3").get_data(as_text=True)
    assert 'name="cups"' in again and 'value="17"' not in again


def test_an_answer_given_is_never_replaced_by_the_default(browser, db, defaulted):
    complete_survey(browser, upto=2)
    answer_page(browser, 3, {**PAGES[2][1], "cups": "3"})
    assert stored(db, "cups").value_number == 3.0
    page = browser.get("/survey/page/3").get_data(as_text=True)
    assert 'value="3"' in page and 'value="17"' not in page


def test_a_page_left_before_consent_shows_what_was_typed(browser, db, defaulted):
    answer_page(browser, 1, {**PAGES[0][1], "city": "Nantes"})
    page = browser.get("/survey/page/1").get_data(as_text=True)
    assert 'value="Nantes"' in page and 'value="Lyon"' not in page


def switch_to_french(browser, position: int, data: dict):
    return browser.post(
        f"/survey/page/{position}?lang=fr", {**data, "switch_language": "fr"}, fetch=False
    )


def test_a_default_cleared_before_consent_stays_cleared(browser, db, defaulted):
    """Page 1 with every field left empty (its eligibility question made optional for this):
    the session then holds no answer of the page, yet it was saved, so its default is gone,
    whichever button saved it."""
    eligibility = db.session.scalar(select(Question).where(Question.name == "eligibility"))
    eligibility.required = False
    db.session.commit()
    assert 'value="Lyon"' in browser.get("/survey/page/1").get_data(as_text=True)

    switched = switch_to_french(browser, 1, {"city": ""})
    assert switched.status_code == 302
    assert switched.headers["Location"].endswith("/survey/page/1")
    again = browser.get("/survey/page/1").get_data(as_text=True)
    assert 'lang="fr"' in again  # the page drawn again, in French
    assert 'name="city"' in again and 'value="Lyon"' not in again

    cleared = answer_page(browser, 1, {"city": ""})
    assert cleared.headers["Location"].endswith("/survey/page/2")
    before = browser.get("/survey/page/1").get_data(as_text=True)
    assert 'name="city"' in before and 'value="Lyon"' not in before

    consented = answer_page(browser, 2, PAGES[1][1])
    assert consented.headers["Location"].endswith("/survey/page/3")
    assert stored(db, "city") is None  # a cleared default is no answer


def test_a_default_cleared_after_consent_stays_cleared(browser, db, defaulted):
    complete_survey(browser, upto=2)
    switched = switch_to_french(browser, 3, {**PAGES[2][1], "cups": ""})
    assert switched.headers["Location"].endswith("/survey/page/3")
    again = browser.get("/survey/page/3").get_data(as_text=True)
    assert 'lang="fr"' in again
    assert 'name="cups"' in again and 'value="17"' not in again
    assert stored(db, "cups") is None


def test_a_default_typed_over_before_consent_is_the_answer(browser, db, defaulted):
    answer_page(browser, 1, {**PAGES[0][1], "city": "Nantes"})
    answer_page(browser, 2, PAGES[1][1])
    assert stored(db, "city").value_text == "Nantes"


# --- the editor -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"type": "integer", "default_answer": "2.5"},
         "default: '2.5' is not an answer to this type of question (integer)"),
        ({"type": "integer", "default_answer": "50", "max_value": "20"},
         "default: it is outside the smallest and largest answers allowed"),
        ({"type": "short_text", "default_answer": "abcdef", "max_length": "3"},
         "default: it is longer than the longest answer allowed"),
        ({"type": "date", "default_answer": "tomorrow"},
         "default: 'tomorrow' is not an answer to this type of question (date)"),
    ],
)  # fmt: skip
def test_the_editor_refuses_a_default_that_is_no_answer(admin, db, draft, fields, problem):  # noqa: F811 - the draft fixture
    target = f"{BASE}/draft/pages/{page_id(db, 'about_you')}/questions/new"
    admin.get(target)
    response = admin.post(target, new_question(name="cups", **fields))
    assert response.status_code == 400
    assert problem in html.unescape(response.get_data(as_text=True))
    assert in_draft(db, Question, name="cups") is None


def test_the_editor_keeps_a_default(admin, db, draft):  # noqa: F811 - the draft fixture
    target = f"{BASE}/draft/pages/{page_id(db, 'about_you')}/questions/new"
    admin.get(target)
    fields = new_question(name="cups", type="integer", default_answer="8")
    assert admin.post(target, fields).status_code == 302
    assert in_draft(db, Question, name="cups").default_answer == "8"


# --- the migration --------------------------------------------------------------------------------


def test_the_migration_keeps_responses_from_being_prefilled_again(app):
    with app.app_context():
        first_release_with_data()
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE response SET current_position = 4"))
        upgrade()
        with database.engine.begin() as connection:
            saved = connection.execute(text("SELECT saved_position FROM response")).scalars()
            assert list(saved) == [4]
