"""axe-core on every page a participant or a staff member sees, in English and French (WCAG 2.2
A and AA, and axe's best practices), and on the phone: no sideways scrolling, and targets big
enough for a thumb."""

from __future__ import annotations

import json
import re

import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from survey.auth.services import create_user
from survey.demo import generate_responses
from survey.editor import versions
from survey.toolkit.content import SECTIONS
from tests.browser.flow import fill_page, navigate, press_next, start, walk_survey
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
PHONE_WIDTH = 360
MIN_TARGET = 44
# Pages also checked as they come back with error messages (required questions left empty),
# after these answers (on page 8, "yes" brings the 0-10 pain scale, left empty).
WITH_ERRORS = {
    "survey-page-1": {},
    "survey-page-3": {},
    "survey-page-8": {"tried_with_toolkit": "yes"},
}

# Pages checked again once answered: the answers bring follow-up questions (show-if).
WITH_FOLLOW_UPS = {"survey-page-4", "survey-page-8"}

# Everything in the participant's form that takes a tap: option rows, buttons, links, fields.
TARGETS = """() => [...document.querySelectorAll(
    'form .option, form .button, form [type=submit], form a, .start-actions .button,'
    + ' form input[type=text], form input[type=number], form textarea')]
  .filter((el) => el.offsetParent !== null)
  .map((el) => {
    const box = el.getBoundingClientRect();
    return {what: el.outerHTML.slice(0, 120), width: box.width, height: box.height};
  })"""

_axe = Axe()


def axe_violations(page: Page) -> list[str]:
    """One line per axe violation on the page as it is now, naming the elements."""
    if page.evaluate("typeof window.axe === 'undefined'"):  # once per document, not per check
        page.evaluate(_axe.axe_script)
    results = AxeResults(page.evaluate(f"axe.run(document, {json.dumps(AXE_OPTIONS)})"))
    return [
        f"{page.url} {violation['id']} ({violation['impact']}): {violation['help']} "
        f"{[node['target'] for node in violation['nodes']][:5]}"
        for violation in results.response["violations"]
    ]


def phone_problems(page: Page) -> list[str]:
    """Sideways scrolling or too-small targets on a 360 px wide phone."""
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE_WIDTH:
        problems.append(f"{page.url}: the page is {width} px wide, it scrolls sideways")
    for target in page.evaluate(TARGETS):
        if min(target["width"], target["height"]) < MIN_TARGET:
            problems.append(
                f"{page.url}: {target['width']:.0f}x{target['height']:.0f} px target "
                f"{target['what']}"
            )
    return problems


@pytest.mark.parametrize("language", ["en", "fr"])
def test_participant_pages_pass_axe_and_fit_a_phone(phone: Page, language: str):
    problems: list[str] = []

    def check(page: Page, name: str) -> None:
        problems.extend(axe_violations(page))
        problems.extend(phone_problems(page))
        if name in WITH_ERRORS:  # the same page again, with the messages of an empty Next
            fill_page(page, WITH_ERRORS[name])
            press_next(page)
            assert page.locator(".error-summary").is_visible(), name
            problems.extend(axe_violations(page))
            problems.extend(phone_problems(page))

    def check_answered(page: Page, name: str) -> None:
        if name in WITH_FOLLOW_UPS:
            problems.extend(axe_violations(page))
            problems.extend(phone_problems(page))

    walk_survey(phone, language, visit=check, answered=check_answered)

    start(phone, language)
    navigate(phone, lambda: phone.locator(".start-actions a.secondary").click())
    check(phone, "resume")

    phone.goto("/survey/invitation")  # where invitation-only studies start
    check(phone, "invitation")

    phone.context.clear_cookies()
    start(phone, language)
    navigate(phone, lambda: phone.locator(".start-actions a.primary").click())
    phone.locator('input[name="eligibility"][value="none"]').check()
    navigate(phone, lambda: phone.locator('input[name="next"]').click())
    assert phone.url.endswith("/survey/not-eligible")
    check(phone, "not-eligible")

    # Every section's content was checked above, in the survey's frame; the public pages put
    # the same content (toolkit/sections/) in a frame of their own, whose pager differs only
    # at the ends: the first and last sections check it.
    ends = [f"/toolkit/{section.key}" for section in (SECTIONS[0], SECTIONS[-1])]
    for url in ["/toolkit/", *ends, "/toolkit/print"]:
        phone.goto(url)
        check(phone, url)

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_staff_pages_pass_axe(desktop: Page, db, version, language: str):
    create_user(db.session, "admin@example.org", PASSWORD, "admin")
    generate_responses(db.session, version, 40, seed=5)  # charts and tables to look at
    db.session.commit()
    problems: list[str] = []
    desktop.goto(f"/staff/login?lang={language}")
    problems.extend(axe_violations(desktop))
    desktop.fill("#email", "admin@example.org")
    desktop.fill("#password", PASSWORD)
    navigate(desktop, lambda: desktop.locator("form [type=submit]").click())
    for url in ["/staff/", "/staff/dashboard", "/staff/exports"]:
        desktop.goto(url)
        for details in desktop.locator("details").all():  # the charts' tables too
            details.evaluate("element => { element.open = true; }")
        problems.extend(axe_violations(desktop))
    navigate(desktop, lambda: desktop.locator("form [type=submit][name=submit]").click())
    expect(desktop.locator("#job-status")).to_contain_text(re.compile(r"\d"))
    expect(desktop.locator(".job a.button")).to_be_visible(timeout=30_000)  # the export is ready
    problems.extend(axe_violations(desktop))
    desktop.goto("/staff/exports")
    problems.extend(axe_violations(desktop))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_admin_pages_pass_axe(desktop: Page, db, version, language: str):
    """The editor (draft, a question, a choice list, publishing, a preview), users, audit log."""
    admin = create_user(db.session, "admin@example.org", PASSWORD, "admin")
    draft = versions.open_draft(db.session, version.questionnaire, admin)
    db.session.commit()
    question, choice_list = draft.questions[0], draft.questions[0].choice_list
    base = "/staff/admin/questionnaire"
    desktop.goto(f"/staff/login?lang={language}")
    desktop.fill("#email", "admin@example.org")
    desktop.fill("#password", PASSWORD)
    navigate(desktop, lambda: desktop.locator("form [type=submit]").click())
    problems: list[str] = []
    for url in [
        f"{base}/",
        f"{base}/draft",
        f"{base}/draft/questions/{question.id}",
        f"{base}/draft/lists/{choice_list.id}",
        f"{base}/draft/publish",
        f"{base}/preview/3",
        "/staff/admin/users",
        "/staff/admin/users/1",
        "/staff/admin/audit",
        "/staff/admin/invitations",
    ]:
        assert desktop.goto(url).status == 200, url
        problems.extend(f"{url}: {p}" for p in axe_violations(desktop))
    # A refused edit: the page comes back with its error messages.
    desktop.goto(f"{base}/draft/questions/{question.id}")
    desktop.fill("#show_if", "${nowhere} = 'x'")
    navigate(desktop, lambda: desktop.locator("form [type=submit][name=submit]").click())
    expect(desktop.locator(".error-summary")).to_contain_text("nowhere")
    problems.extend(f"refused edit: {p}" for p in axe_violations(desktop))
    assert not problems, "\n".join(problems)
