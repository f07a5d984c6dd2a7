"""A page's show-if (XLSForm's group `relevant`): kept on the page through the spreadsheet and the
editor, skipping the page in the participant's flow, and counted where exports count a
question's show-if."""

from __future__ import annotations

import html
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from exports.report import write_report
from exports.xlsform import read_xlsform, write_xlsform
from survey.models import Answer, Page, Question
from tests.factories import make_response
from tests.survey_steps import PAGES, answer_page
from tests.test_editor import BASE, draft, in_draft, post, the_draft  # noqa: F401 - a fixture

SURVEY = [
    ["type", "name", "label", "relevant"],
    ["begin_group", "about", "About", None],
    ["integer", "age", "Age?", None],
    ["end_group", None, None, None],
    ["begin_group", "adult", "Adults", "${age} >= 18"],
    ["text", "work", "Work?", None],
    ["begin_group", "job", "Job", "${age} < 70"],
    ["text", "title", "Title?", "${age} > 20"],
    ["end_group", None, None, None],
    ["end_group", None, None, None],
]


def odk_form(tmp_path) -> str:
    book = Workbook()
    book.active.title = "survey"
    for row in SURVEY:
        book["survey"].append(row)
    path = tmp_path / "odk.xlsx"
    book.save(path)
    return str(path)


def test_a_group_relevant_is_its_pages_show_if(tmp_path):
    pages = {p["name"]: p for p in read_xlsform(odk_form(tmp_path)).definition["pages"]}
    assert "show_if" not in pages["about"]
    assert pages["adult"]["show_if"] == "${age} >= 18"
    assert pages["job"]["show_if"] == "(${age} >= 18) and (${age} < 70)"  # nested: both
    work = pages["adult"]["questions"][0]
    title = pages["job"]["questions"][0]
    assert "show_if" not in work  # the group's is no longer copied onto its questions
    assert title["show_if"] == "${age} > 20"


def test_a_page_show_if_round_trips(tmp_path):
    first = read_xlsform(odk_form(tmp_path)).definition
    written = io.BytesIO()
    write_xlsform(first, written)
    again = read_xlsform(io.BytesIO(written.getvalue())).definition
    written_again = io.BytesIO()
    write_xlsform(again, written_again)
    assert again["pages"] == first["pages"]
    sheets = [
        [list(r) for r in load_workbook(io.BytesIO(d.getvalue()))["survey"].values]
        for d in (written, written_again)
    ]
    assert sheets[0] == sheets[1]
    header = sheets[0][0]
    adult = next(r for r in sheets[0] if r[header.index("name")] == "adult")
    assert adult[header.index("type")] == "begin_group"
    assert adult[header.index("relevant")] == "${age} >= 18"


# --- the participant's flow ---------------------------------------------------------------------


@pytest.fixture
def conditional(db, version):
    """Page 4 (breastfeeding) is shown only to those not pregnant."""
    page = db.session.scalar(select(Page).where(Page.version_id == version.id, Page.position == 4))
    page.show_if = "${pregnant} = 'no'"
    db.session.commit()
    return version


def test_a_page_whose_show_if_is_false_is_skipped_and_its_answers_removed(browser, db, conditional):
    answer_page(browser, 1)
    answer_page(browser, 2)
    shown = answer_page(browser, 3, {**PAGES[2][1], "pregnant": "no"})
    assert shown.headers["Location"].endswith("/survey/page/4")
    assert answer_page(browser, 4).status_code == 302

    skipped = answer_page(browser, 3, {**PAGES[2][1], "pregnant": "yes", "pregnancy_weeks": "20"})
    assert skipped.headers["Location"].endswith("/survey/page/5")
    db.session.rollback()
    names = set(db.session.scalars(select(Question.name).join(Answer)))
    assert "pregnant" in names and "feeding_status" not in names  # page 4's answers are gone


def test_exports_count_a_question_shown_only_where_its_page_is(db, conditional):
    make_response(db, conditional, {"pregnant": "no", "feeding_status": "mixed"})
    make_response(db, conditional, {"pregnant": "yes", "pregnancy_weeks": 20.0})
    make_response(db, conditional, {"pregnant": "no"})
    out = io.BytesIO()
    write_report(db.session, out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    summary = [r for r in book["Summary"].iter_rows(values_only=True) if r[0] == "feeding_status"]
    header = next(book["Summary"].iter_rows(values_only=True))
    first = summary[0]
    # Shown to the two not pregnant; answered by one.
    assert first[header.index("denominator (shown)")] == 2
    assert first[header.index("answered")] == 1
    codebook = {r[0]: r for r in book["Codebook"].iter_rows(values_only=True)}
    assert codebook["feeding_status"][6] == "${pregnant} = 'no'"


# --- the editor -----------------------------------------------------------------------------------


def page_form_data(page: Page, **changes) -> dict:
    data = {
        "name": page.name,
        "kind": page.kind,
        "title_en": page.title_en,
        "title_fr": page.title_fr or "",
        "intro_en": page.intro_en or "",
        "intro_fr": page.intro_fr or "",
        "screen_out_if": page.screen_out_if or "",
        "show_if": page.show_if or "",
        "submit": "x",
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("name", "show_if", "problem"),
    [
        ("breastfeeding", "${comment_liked} = 'x'",
         "page breastfeeding: show-if: ${comment_liked} is asked later, so it cannot decide "
         "this (at character 1)"),
        ("breastfeeding", "${feeding_status} = 'mixed'",
         "page breastfeeding: show-if: ${feeding_status} is asked later"),
        ("consent", "${eligibility} = 'x'",
         "page consent: the consent page is always shown: it takes no show-if"),
    ],
)  # fmt: skip
def test_the_editor_checks_a_page_show_if(admin, db, draft, name, show_if, problem):  # noqa: F811 - the draft fixture
    page = in_draft(db, Page, name=name)
    url = f"{BASE}/draft/pages/{page.id}"
    admin.get(url)
    response = admin.post(url, page_form_data(page, show_if=show_if))
    assert response.status_code == 400
    assert problem in html.unescape(response.get_data(as_text=True))
    assert in_draft(db, Page, name=name).show_if is None


def test_the_editor_saves_a_page_show_if(admin, db, draft):  # noqa: F811 - the draft fixture
    page = in_draft(db, Page, name="breastfeeding")
    url = f"{BASE}/draft/pages/{page.id}"
    admin.get(url)
    saved = admin.post(url, page_form_data(page, show_if="${pregnant} = 'no'"))
    assert saved.status_code == 302
    assert in_draft(db, Page, name="breastfeeding").show_if == "${pregnant} = 'no'"
    assert "shown only if" in admin.get(f"{BASE}/draft").get_data(as_text=True)
