"""The participant's survey in a real browser: on a phone in English and in French (axe and the
phone's measures on every page on the way), by keyboard alone, with show-if conditions live (and
without JavaScript), and resumed in another browser."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from survey.models import ResponseStatus
from survey.toolkit.content import SECTIONS
from tests.browser.checks import answered_page_problems, participant_page_problems
from tests.browser.flow import (
    TOOLKIT_POSITION,
    fill_page,
    navigate,
    press_next,
    start,
    stored,
    walk_survey,
    walk_to,
)
from tests.conftest import responses
from tests.survey_steps import PAGES

pytestmark = pytest.mark.browser

SECTION_KEYS = [section.key for section in SECTIONS]
EVERY_PAGE = [
    "start",
    *[f"survey-page-{n}" for n in range(1, TOOLKIT_POSITION + 1)],
    *[f"toolkit-{key}" for key in SECTION_KEYS],
    *[f"survey-page-{n}" for n in range(TOOLKIT_POSITION + 1, len(PAGES) + 1)],
    "thanks",
]
ANSWERED = sum(1 for _, page in PAGES for value in page.values() if value not in ("", []))


def assert_complete(db, language: str) -> dict[str, object]:
    response, answers = stored(db)
    assert response.status == ResponseStatus.COMPLETE
    assert response.submitted_at is not None
    assert response.language == language
    assert answers["eligibility"] == "breastfeeding"
    assert answers["info_formats"] == ["online", "video", "other"]
    assert answers["info_formats_other"] == "Podcasts"
    assert answers["pain_during"] == 2.0
    assert answers["comment_liked"] == "The clock pictures."
    assert "pregnancy_weeks" not in answers
    assert len(answers) == ANSWERED
    return answers


@pytest.mark.parametrize("language", ["en", "fr"])
def test_whole_survey_on_a_phone(phone: Page, app: Flask, db, language: str, screenshot):
    """Tapped through from the start page to the thank-you page; on the way every page passes
    axe and fits the phone as it opens, again with its error messages where an early Next
    brings some (tests/browser/checks.py WITH_ERRORS), and once answered where answers bring
    follow-up questions. The answers are stored as tapped."""
    reached: list[str] = []
    problems: list[str] = []

    def visit(page: Page, name: str) -> None:
        expect(page.locator("html")).to_have_attribute("lang", language)
        reached.append(name)
        if language == "en" and not name.startswith("survey-page-"):
            screenshot(page, f"{name}-en")
        problems.extend(participant_page_problems(page, name))

    def answered(page: Page, name: str) -> None:
        if language == "en":  # the survey's pages as answered, follow-up questions showing
            screenshot(page, f"{name}-en")
        problems.extend(answered_page_problems(page, name))

    walk_survey(phone, language, visit=visit, answered=answered, tap=True)

    assert not problems, "\n".join(problems)
    assert reached == EVERY_PAGE
    with app.test_request_context(), force_locale(language):
        thanks = gettext("Thank you!")
    expect(phone.locator("h1")).to_have_text(thanks)
    assert_complete(db, language)
    response, _ = stored(db)
    assert {view.section: view.opened for view in response.toolkit_views} == dict.fromkeys(
        SECTION_KEYS, 1
    )


def test_screened_out_on_a_phone(phone: Page, db, screenshot):
    start(phone)
    navigate(phone, lambda: phone.locator(".start-actions a.primary").click())
    phone.locator('input[name="eligibility"][value="none"]').tap()
    press_next(phone)
    expect(phone).to_have_url(re.compile("/survey/not-eligible$"))
    screenshot(phone, "not-eligible-en")
    assert responses(db) == []  # nothing kept


# --- Keyboard only ------------------------------------------------------------------------

FOCUS = """(selector) => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    matches: element.matches(selector),
    value: element.value,
    outline: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    html: element.outerHTML.slice(0, 100),
  };
}"""


class Keyboard:
    """Tab, Shift+Tab, arrows, Space and Enter: nothing else touches the page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.outlines: list[dict] = []

    def focus(self, selector: str = "*") -> dict:
        return self.page.evaluate(FOCUS, selector)

    def tab_to(self, selector: str, backwards: bool = False, limit: int = 150) -> dict:
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            focused = self.focus(selector)
            if focused["matches"]:
                return focused
        raise AssertionError(f"{selector} never had the focus ({limit} presses)")

    def outline_shows(self, what: str) -> None:
        """The focused element has a visible focus outline."""
        focused = self.focus()
        assert focused["outline"] != "none" and focused["width"] >= 2, (what, focused)
        self.outlines.append(focused)

    def follow(self, selector: str) -> None:
        """Tab to a link or button and press Enter; wait for the next page."""
        self.tab_to(selector)
        navigate(self.page, lambda: self.page.keyboard.press("Enter"))

    def answer(self, name: str, value) -> None:
        page = self.page
        options = page.locator(f'form [name="{name}"]')
        kind = options.first.get_attribute("type")
        if kind == "radio":
            values = options.evaluate_all("inputs => inputs.map((input) => input.value)")
            here = values.index(self.tab_to(f'[name="{name}"]')["value"])
            there = values.index(value)
            if here == there:
                page.keyboard.press("Space")
            for _ in range(abs(there - here)):
                page.keyboard.press("ArrowDown" if there > here else "ArrowUp")
            expect(page.locator(f'[name="{name}"][value="{value}"]')).to_be_checked()
        elif kind == "checkbox":
            values = options.evaluate_all("inputs => inputs.map((input) => input.value)")
            for code in sorted(value, key=values.index):  # Tab only goes forward
                self.tab_to(f'[name="{name}"][value="{code}"]')
                page.keyboard.press("Space")
                expect(page.locator(f'[name="{name}"][value="{code}"]')).to_be_checked()
        elif value:
            self.tab_to(f'[name="{name}"]')
            page.keyboard.type(value)
            expect(page.locator(f'form [name="{name}"]')).to_have_value(value)


def test_whole_survey_by_keyboard_alone(desktop: Page, db):
    keys = Keyboard(desktop)
    start(desktop)
    keys.tab_to(".skip-link", limit=1)  # the first Tab offers to skip to the content
    keys.outline_shows("skip link")
    assert desktop.locator(".skip-link").bounding_box()["x"] >= 0  # on screen when focused
    keys.follow(".start-actions a.primary")

    for position, answers in PAGES:
        expect(desktop).to_have_url(re.compile(f"/survey/page/{position}$"))
        if position == TOOLKIT_POSITION:
            keys.follow(".toolkit-contents a.button")
            for key in SECTION_KEYS:
                expect(desktop).to_have_url(re.compile(f"/survey/toolkit/{key}$"))
                keys.follow("form.page-buttons [type=submit]")
        for name, value in answers.items():
            keys.answer(name, value)
            if position == 3 and name == "age_group":
                keys.outline_shows("radio button")
            if position == 4 and name == "info_formats":
                keys.outline_shows("checkbox")
            if position == 4 and name == "info_formats_other":
                keys.outline_shows("text field")
        if position == 3:
            # "No" hides the weeks question: Tab skips it, and Shift+Tab comes back to "No".
            expect(desktop.locator("#q-pregnancy_weeks")).to_be_hidden()
            keys.tab_to('input[name="next"]', limit=1)
            keys.outline_shows("Next button")
            assert keys.tab_to('[name="pregnant"]', backwards=True, limit=1)["value"] == "no"
        keys.follow('input[name="next"]')

    expect(desktop).to_have_url(re.compile("/survey/thanks$"))
    keys.tab_to("main a")
    keys.outline_shows("link")
    assert_complete(db, "en")


def test_enter_in_a_field_goes_on_to_the_next_page(desktop: Page):
    """Enter submits with the form's first submit button: Next, not a language button."""
    walk_to(desktop, 3)
    fill_page(desktop, PAGES[2][1])
    navigate(desktop, lambda: desktop.locator('input[name="parity"]:checked').press("Enter"))
    expect(desktop).to_have_url(re.compile("/survey/page/4$"))
    fill_page(desktop, PAGES[3][1])
    navigate(desktop, lambda: desktop.locator("#info_formats_other").press("Enter"))
    expect(desktop).to_have_url(re.compile("/survey/page/5$"))
    expect(desktop.locator("html")).to_have_attribute("lang", "en")


# --- Show-if ------------------------------------------------------------------------------


def test_show_if_questions_appear_and_disappear_as_answers_change(phone: Page, db):
    walk_to(phone, 3)
    weeks = phone.locator("#q-pregnancy_weeks")
    expect(weeks).to_be_hidden()
    phone.locator('input[name="pregnant"][value="yes"]').tap()
    expect(weeks).to_be_visible()
    phone.locator("#pregnancy_weeks").fill("20")
    phone.locator('input[name="pregnant"][value="no"]').tap()
    expect(weeks).to_be_hidden()
    expect(phone.locator("#pregnancy_weeks")).to_have_value("20")  # kept, not cleared
    expect(phone.locator("#pregnancy_weeks")).to_be_enabled()
    fill_page(phone, PAGES[2][1])
    press_next(phone)

    expect(phone).to_have_url(re.compile("/survey/page/4$"))
    duration = phone.locator("#q-exclusive_duration")
    other = phone.locator("#q-info_formats_other")
    expect(duration).to_be_hidden()
    expect(other).to_be_hidden()
    for status, shown in [("mixed", True), ("exclusive", False), ("stopped", True)]:
        phone.locator(f'input[name="feeding_status"][value="{status}"]').tap()
        expect(duration).to_be_visible() if shown else expect(duration).to_be_hidden()
    other_box = phone.locator('input[name="info_formats"][value="other"]')
    other_box.tap()
    expect(other).to_be_visible()
    other_box.tap()
    expect(other).to_be_hidden()
    phone.locator('input[name="info_formats"][value="video"]').tap()
    expect(other).to_be_hidden()
    fill_page(phone, {**PAGES[3][1], "info_formats": ["online", "other"]})
    expect(other).to_be_visible()
    press_next(phone)

    for position in range(5, 8):
        fill_page(phone, PAGES[position - 1][1])
        press_next(phone)
        if position == TOOLKIT_POSITION:  # no section opened: past the one reminder
            press_next(phone)
    expect(phone).to_have_url(re.compile("/survey/page/8$"))
    pain = phone.locator("#q-pain_during")
    expect(pain).to_be_hidden()
    phone.locator('input[name="tried_with_toolkit"][value="yes"]').tap()
    expect(pain).to_be_visible()
    expect(pain.locator("input[type=radio]")).to_have_count(11)  # the 0-10 scale
    phone.locator('input[name="tried_with_toolkit"][value="no"]').tap()
    expect(pain).to_be_hidden()

    _, answers = stored(db)
    assert answers["pregnant"] == "no"
    assert "pregnancy_weeks" not in answers  # typed, then hidden: not kept
    assert answers["feeding_status"] == "mixed"
    assert answers["info_formats_other"] == "Podcasts"


def test_without_javascript_every_question_shows_and_the_server_decides(new_context, db):
    page = new_context(java_script_enabled=False).new_page()
    walk_to(page, 3)
    expect(page.locator("#q-pregnancy_weeks")).to_be_visible()
    fill_page(page, {**PAGES[2][1], "pregnant": "no", "pregnancy_weeks": "12"})
    press_next(page)
    expect(page).to_have_url(re.compile("/survey/page/4$"))
    expect(page.locator("#q-exclusive_duration")).to_be_visible()
    expect(page.locator("#q-info_formats_other")).to_be_visible()

    _, answers = stored(db)
    assert answers["pregnant"] == "no"
    assert "pregnancy_weeks" not in answers


# --- Resume -------------------------------------------------------------------------------


def test_resume_in_a_new_browser_with_the_code_on_the_page(new_context, screenshot):
    first = new_context().new_page()
    walk_to(first, 4)
    code = first.locator(".resume-code .code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}", code)

    other = new_context().new_page()  # no cookies from the first browser
    start(other)
    navigate(other, lambda: other.locator(".start-actions a.secondary").click())
    expect(other).to_have_url(re.compile("/survey/resume$"))
    screenshot(other, "resume-en")
    other.locator("#resume_code").fill(code.lower().replace("-", " "))  # as typed in a hurry
    navigate(other, lambda: other.locator("form [type=submit]").click())
    expect(other).to_have_url(re.compile("/survey/page/4$"))
    navigate(other, lambda: other.locator('input[name="back"]').click())
    expect(other).to_have_url(re.compile("/survey/page/3$"))
    expect(other.locator('input[name="age_group"][value="30_34"]')).to_be_checked()
