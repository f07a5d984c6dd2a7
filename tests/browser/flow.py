"""Walking the survey in a real browser: answers from tests/survey_steps.py, typed and tapped
the way a person does, with a hook called on every page reached; or, to reach a later page
only, the same answers posted over HTTP from the browser's context (walk_to)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from playwright.sync_api import APIRequestContext, APIResponse, Page, expect
from sqlalchemy import select

from survey.models import Answer, Response
from survey.toolkit.content import SECTIONS
from tests.conftest import CSRF_INPUT, PASSWORD
from tests.survey_steps import PAGES

Visit = Callable[[Page, str], None]
TOOLKIT_POSITION = 5
FORM_POST = {"Content-Type": "application/x-www-form-urlencoded"}


def _nothing(page: Page, name: str) -> None:
    return None


def navigate(page: Page, action: Callable[[], object]) -> None:
    """Do something that loads a new page, and wait until it has loaded."""
    with page.expect_navigation():
        action()


def fill_page(page: Page, answers: dict, tap: bool = False) -> None:
    """Answer the current page's questions: choose radios and checkboxes, type text."""
    form = page.locator("form.survey-page")
    for name, value in answers.items():
        if isinstance(value, list):
            for code in value:
                option = form.locator(f'input[name="{name}"][value="{code}"]')
                option.tap() if tap else option.check()
                expect(option).to_be_checked()
            continue
        field = form.locator(f'[name="{name}"]')
        kind = field.first.get_attribute("type")
        if kind in ("radio", "checkbox"):
            option = form.locator(f'input[name="{name}"][value="{value}"]')
            option.tap() if tap else option.check()
            expect(option).to_be_checked()
        else:
            field.fill(value)


def press_next(page: Page) -> None:
    navigate(page, lambda: page.locator('form input[name="next"]').click())


def read_toolkit(page: Page, visit: Visit = _nothing) -> None:
    """From the survey's toolkit page, read every section with its "Next section" button."""
    navigate(page, lambda: page.locator(".toolkit-contents a.button").click())
    for section in SECTIONS:
        expect(page).to_have_url(re.compile(f"/survey/toolkit/{section.key}$"))
        visit(page, f"toolkit-{section.key}")
        navigate(page, lambda: page.locator("form.page-buttons [type=submit]").click())
    expect(page).to_have_url(re.compile(f"/survey/page/{TOOLKIT_POSITION}$"))


def start(page: Page, language: str = "en") -> None:
    page.goto(f"/survey/?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", language)


def _submit(
    request: APIRequestContext, opened: APIResponse, answers: dict, button: str = "next"
) -> APIResponse:
    """Press the button on the page `opened` holds, with these answers and its CSRF token; the
    response is the page the server then leads to."""
    token = CSRF_INPUT.search(opened.text())
    assert token, opened.url
    form = urlencode({"csrf_token": token.group(1), **answers, button: "x"}, doseq=True)
    submitted = request.post(opened.url, data=form, headers=FORM_POST)
    assert submitted.ok, (opened.url, submitted.status)
    return submitted


def answer_over_http(page: Page, upto: int, language: str = "en") -> str:
    """Start the survey and answer its first `upto` pages over HTTP, with the page's browser
    context's own cookies (the requests a browser sends, the same answers), drawing nothing;
    returns the path the last Next led to. For tests that check a later page only:
    walk_survey's callers walk every page in Chromium."""
    request = page.context.request
    request.get(f"/survey/?lang={language}")
    opened = request.get(f"/survey/page/{PAGES[0][0]}")
    for at, answers in PAGES[:upto]:
        opened = _submit(request, opened, answers)
        if at == TOOLKIT_POSITION:  # the toolkit left unread: past its one reminder
            opened = _submit(request, opened, {})
    return urlsplit(opened.url).path


def walk_to(page: Page, position: int, language: str = "en") -> None:
    """Start the survey and answer every page before `position` (over HTTP), then open it."""
    path = answer_over_http(page, position - 1, language)
    assert path == f"/survey/page/{position}", path
    page.goto(path)
    expect(page).to_have_url(re.compile(f"{path}$"))


def finish(page: Page, language: str = "en") -> None:
    """Answer the whole survey (over HTTP), then open the thank-you page."""
    path = answer_over_http(page, len(PAGES), language)
    assert path == "/survey/thanks", path
    page.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", language)


def stored(db) -> tuple[Response, dict[str, object]]:
    """The one response in the database, read afresh, and its answers by question name."""
    db.session.rollback()
    [response] = db.session.scalars(select(Response)).all()
    rows = db.session.scalars(select(Answer).where(Answer.response_id == response.id))
    return response, {answer.question.name: answer.value for answer in rows}


def walk_survey(
    page: Page,
    language: str = "en",
    visit: Visit = _nothing,
    answered: Visit = _nothing,
    tap: bool = False,
) -> None:
    """From the start page to the thank-you page, calling visit(page, name) on each page as it
    opens, and answered(page, name) on each survey page once its answers are in."""
    start(page, language)
    visit(page, "start")
    navigate(page, lambda: page.locator(".start-actions a.primary").click())
    for position, answers in PAGES:
        expect(page).to_have_url(re.compile(f"/survey/page/{position}$"))
        visit(page, f"survey-page-{position}")
        if position == TOOLKIT_POSITION:
            read_toolkit(page, visit)
        fill_page(page, answers, tap=tap)
        answered(page, f"survey-page-{position}")
        press_next(page)
    expect(page).to_have_url(re.compile("/survey/thanks$"))
    visit(page, "thanks")


def log_in(page: Page, email: str, language: str = "en") -> None:
    """Log this staff member in from the page's browser context, posting the login form over
    HTTP (its cookies are the context's): for tests of the pages behind it. The login page
    itself is drawn, checked and posted in Chromium by test_accessibility's staff test."""
    request = page.context.request
    opened = request.get(f"/staff/login?lang={language}")
    landed = _submit(request, opened, {"email": email, "password": PASSWORD}, button="submit")
    assert urlsplit(landed.url).path == "/staff/", landed.url
