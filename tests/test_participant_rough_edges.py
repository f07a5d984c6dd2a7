"""The participant's rough edges (issue 15, part 4), through HTTP: the one reminder for an
unopened toolkit and its column in the report, reading progress in the toolkit, the resume code
shown again after resuming elsewhere, previous/next links and the print view of the public
toolkit, integer bounds, and the favicon. tests/browser/test_rough_edges.py measures the layout
points at 360 px."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from exports.report import write_report
from survey.toolkit.content import SECTIONS
from tests.conftest import responses
from tests.survey_steps import PAGES, TOOLKIT_POSITION, complete_survey

TOOLKIT_PAGE = f"/survey/page/{TOOLKIT_POSITION}"
REMINDER = "You haven’t opened the toolkit yet."


def reach_toolkit(browser) -> None:
    complete_survey(browser, upto=TOOLKIT_POSITION - 1)


def next_on_toolkit(browser):
    return browser.post(TOOLKIT_PAGE, {"next": "x"})


def read(browser, key: str):
    return browser.post(f"/survey/toolkit/{key}", {"submit": "x"})


def test_an_unopened_toolkit_gets_one_gentle_reminder_then_lets_them_go_on(browser, db):
    reach_toolkit(browser)
    first = next_on_toolkit(browser)
    assert first.status_code == 302 and first.headers["Location"].endswith(TOOLKIT_PAGE)
    page = browser.get(TOOLKIT_PAGE).get_data(as_text=True)
    assert REMINDER in page and "press Next again" in page
    [response] = responses(db)
    assert response.toolkit_prompt_shown and response.current_position == TOOLKIT_POSITION
    again = next_on_toolkit(browser)
    assert again.headers["Location"].endswith(f"/survey/page/{TOOLKIT_POSITION + 1}")
    assert REMINDER not in browser.get(TOOLKIT_PAGE).get_data(as_text=True)  # only once
    assert responses(db)[0].current_position == TOOLKIT_POSITION + 1


def test_no_reminder_once_a_section_was_opened(browser, db):
    reach_toolkit(browser)
    read(browser, "steps")
    sent = next_on_toolkit(browser)
    assert sent.headers["Location"].endswith(f"/survey/page/{TOOLKIT_POSITION + 1}")
    assert not responses(db)[0].toolkit_prompt_shown


def test_the_report_says_who_was_reminded(db, make_browser):
    reminded, reader = make_browser(), make_browser()
    complete_survey(reminded)  # presses Next past the reminder
    reach_toolkit(reader)
    read(reader, "what")
    complete_survey(reader)  # only the pages not yet answered change nothing
    db.session.rollback()
    out = io.BytesIO()
    write_report(db.session, out)
    sheet = load_workbook(out)["Responses"]
    header = [c.value for c in sheet[1]]
    column = header.index("toolkit_prompt_shown")
    by_opened = {
        row[header.index("toolkit_sections_opened")].value: row[column].value
        for row in sheet.iter_rows(min_row=2)
    }
    assert by_opened == {0: 1, 1: 0}
    codebook = {r[0].value: r[1].value for r in load_workbook(out)["Codebook"].iter_rows()}
    assert "without opening any section" in codebook["toolkit_prompt_shown"]


def test_the_toolkit_page_shows_which_sections_were_read(browser):
    reach_toolkit(browser)
    fresh = browser.get(TOOLKIT_PAGE).get_data(as_text=True)
    assert "0 of 7 sections read" in fresh and "Start reading the toolkit" in fresh
    read(browser, "what")
    read(browser, "when")
    page = browser.get(TOOLKIT_PAGE).get_data(as_text=True)
    assert "2 of 7 sections read" in page
    marked = re.findall(r'/survey/toolkit/(\w+)">[^<]+</a> <span class="read-mark">', page)
    assert marked == ["what", "when"]
    assert (
        'href="/survey/toolkit/prepare" class="button secondary">Continue reading: Getting ready'
        in page
    )
    section = browser.get("/survey/toolkit/steps").get_data(as_text=True)
    assert "Section 4 of 7" in section and "2 of 7 sections read" in section


def test_after_the_last_section_the_toolkit_page_says_so(browser):
    reach_toolkit(browser)
    for section in SECTIONS:
        last = read(browser, section.key)
    assert last.headers["Location"].endswith(TOOLKIT_PAGE)
    page = browser.get(TOOLKIT_PAGE).get_data(as_text=True)
    assert "7 of 7 sections read" in page
    assert "You have read every section of the toolkit." in page
    assert "Start reading the toolkit" not in page and "Continue reading" not in page
    french = browser.get(f"{TOOLKIT_PAGE}?lang=fr").get_data(as_text=True)
    assert "Vous avez lu toutes les sections de la trousse." in french


def test_the_resume_code_is_shown_again_after_resuming_in_a_new_browser(browser, make_browser):
    complete_survey(browser, upto=3)
    page = browser.get("/survey/page/4").get_data(as_text=True)
    code = re.search(r'class="code">([A-Z2-9-]+)<', page).group(1)
    other = make_browser()
    typed = code.lower().replace("-", " ")  # as someone might type it
    assert other.post("/survey/resume", {"resume_code": typed}).status_code == 302
    shown = other.get("/survey/page/4").get_data(as_text=True)
    assert f'<strong class="code">{code}</strong>' in shown


def test_the_resume_code_is_shown_after_a_lost_session_is_resumed_on_a_page(browser, make_browser):
    complete_survey(browser, upto=2)
    code = re.search(
        r'class="code">([A-Z2-9-]+)<', browser.get("/survey/page/3").get_data(as_text=True)
    ).group(1)
    stranger = make_browser()
    stranger.get("/survey/resume")
    saved = stranger.post(
        "/survey/page/3", {**PAGES[2][1], "next": "x", "resume_code": code}, fetch=False
    )
    assert saved.status_code == 302
    assert f'<strong class="code">{code}</strong>' in stranger.get("/survey/page/4").get_data(
        as_text=True
    )


def test_public_toolkit_sections_link_to_the_previous_and_next(client):
    keys = [s.key for s in SECTIONS]
    for at, key in enumerate(keys):
        page = client.get(f"/toolkit/{key}").get_data(as_text=True)
        previous = re.findall(r'href="/toolkit/(\w+)" rel="prev"', page)
        following = re.findall(r'href="/toolkit/(\w+)" rel="next"', page)
        assert previous == ([keys[at - 1]] if at > 0 else []), key
        assert following == ([keys[at + 1]] if at + 1 < len(keys) else []), key
    french = client.get("/toolkit/prepare?lang=fr").get_data(as_text=True)
    assert '<span class="pager-direction">Précédent</span>' in french


def test_the_print_view_has_a_print_button_and_carries_its_address(client):
    page = client.get("/toolkit/print").get_data(as_text=True)
    assert re.search(r"<button[^>]*data-print[^>]*>Print the toolkit</button>", page)
    assert re.search(r'src="/static/print.js\?v=\w+"', page)
    assert (
        'class="print-only page-address">Online, in English and French: http://localhost/toolkit/<'
        in page
    )
    script = client.get("/static/print.js")
    script.close()
    assert script.status_code == 200


def test_integer_questions_render_whole_bounds(browser):
    complete_survey(browser, upto=2)
    page = browser.get("/survey/page/3").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="pregnancy_weeks"[^>]*>', page).group(0)
    assert 'min="1"' in field and 'max="42"' in field and ".0" not in field


def test_favicon_is_a_small_icon(client):
    icon = client.get("/favicon.ico")
    data = icon.get_data()
    icon.close()  # a static file is streamed from its open file
    assert icon.status_code == 200
    assert icon.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header: reserved 0, type 1
    assert len(data) < 4096
