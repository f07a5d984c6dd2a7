"""What the browser tests check on a page as it is now: axe-core (WCAG 2.2 A and AA, and axe's
best practices), and on a 360 px phone no sideways scrolling and targets big enough for a thumb.
One home for them, as the participant's walks, the staff pages and the follow-up all check."""

from __future__ import annotations

import json

from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.flow import fill_page, press_next

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


def participant_page_problems(page: Page, name: str) -> list[str]:
    """axe and the phone's measures on a participant's page as it opened, and for the pages in
    WITH_ERRORS again as they come back with the messages of a Next pressed too early (the
    page is left showing them)."""
    problems = axe_violations(page) + phone_problems(page)
    if name in WITH_ERRORS:
        fill_page(page, WITH_ERRORS[name])
        press_next(page)
        assert page.locator(".error-summary").is_visible(), name
        problems += axe_violations(page) + phone_problems(page)
    return problems


def answered_page_problems(page: Page, name: str) -> list[str]:
    """axe and the phone's measures on the pages in WITH_FOLLOW_UPS once answered."""
    if name not in WITH_FOLLOW_UPS:
        return []
    return axe_violations(page) + phone_problems(page)
