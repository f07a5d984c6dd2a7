"""Issue 15 in a real Chromium at 360 px: what only a browser shows, measured with bounding boxes
(the resume code on one line, the 0-10 scale reading as one scale, the public toolkit's
previous/next links and print view, the Print buttons), screen reader names, and axe on the new
and changed pages. With SAVE_SCREENSHOTS=1 it also writes the small screenshots in
docs/screenshots."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from survey.auth.services import create_user
from tests.browser.checks import PHONE_WIDTH, axe_violations, phone_problems
from tests.browser.conftest import SCREENSHOTS
from tests.browser.flow import TOOLKIT_POSITION, fill_page, log_in, navigate, press_next, walk_to
from tests.conftest import PASSWORD
from tests.survey_steps import PAGES

pytestmark = pytest.mark.browser

BOXES = """(elements) => elements.map((el) => {
  const box = el.getBoundingClientRect();
  return {left: box.left, right: box.right, top: box.top, bottom: box.bottom,
          width: box.width, height: box.height, text: el.textContent.trim()};
})"""


def save(locator: Locator | Page, name: str) -> None:
    """A small screenshot of one part of a page, when SAVE_SCREENSHOTS=1."""
    import os

    if os.environ.get("SAVE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def line_boxes(locator: Locator) -> int:
    """How many line boxes an inline element is laid out in."""
    return locator.evaluate("(el) => el.getClientRects().length")


def resume_code(page: Page) -> Locator:
    return page.locator(".resume-code .code")


def assert_on_one_line(page: Page, code: Locator) -> None:
    expect(code).to_have_text(re.compile(r"^[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}$"))
    assert line_boxes(code) == 1
    box = code.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH
    font_size = float(code.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)"))
    assert box["height"] < 2 * font_size  # one line tall, not two
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_the_resume_code_stays_on_one_line_and_comes_back_after_resuming(phone: Page, new_context):
    walk_to(phone, 3)
    code = resume_code(phone)
    assert_on_one_line(phone, code)
    # The measurement can fail: the same code allowed to wrap breaks at a hyphen in this box.
    wrapped = code.evaluate(
        """(el) => { el.style.whiteSpace = 'normal'; el.style.display = 'inline';
                     el.parentElement.style.width = '9em';
                     const n = el.getClientRects().length;
                     el.style.whiteSpace = ''; el.style.display = '';
                     el.parentElement.style.width = '';
                     return n; }"""
    )
    assert wrapped > 1
    save(phone.locator(".resume-code"), "resume-code-360")
    typed = code.inner_text()

    other: BrowserContext = new_context()
    elsewhere = other.new_page()
    elsewhere.goto("/survey/resume")
    elsewhere.fill("#resume_code", typed.lower().replace("-", ""))
    navigate(elsewhere, lambda: elsewhere.locator("form [type=submit]").click())
    expect(elsewhere).to_have_url(re.compile("/survey/page/3$"))
    assert resume_code(elsewhere).inner_text() == typed
    assert_on_one_line(elsewhere, resume_code(elsewhere))


def green(colour: str) -> float:
    """The green channel, 0-1, of a computed colour: rgb(r, g, b) or color(srgb r g b)."""
    value = float(re.findall(r"[\d.]+", colour.removeprefix("color(srgb"))[1])
    return value if colour.startswith("color(") else value / 255


def pain_scale(page: Page) -> Locator:
    walk_to(page, 8)
    fill_page(page, {"tried_with_toolkit": "yes"})
    scale = page.locator("#q-pain_during")
    expect(scale).to_be_visible()
    return scale


def test_the_pain_scale_reads_as_one_scale_on_a_phone(phone: Page):
    scale = pain_scale(phone)
    box = scale.locator(".options-rating").bounding_box()
    options = scale.locator(".option").evaluate_all(BOXES)
    assert [o["text"] for o in options] == [str(i) for i in range(11)]
    first_row, second_row = options[:6], options[6:]
    # Two full-width rows, 0-5 then 6-10, each left to right, joined into one box.
    for row in (first_row, second_row):
        assert len({round(o["top"]) for o in row}) == 1
        lefts = [o["left"] for o in row]
        assert lefts == sorted(lefts)
        assert abs(row[0]["left"] - box["x"]) <= 1.5
        assert abs(row[-1]["right"] - (box["x"] + box["width"])) <= 1.5
    assert abs(second_row[0]["top"] - first_row[0]["bottom"]) <= 1.5  # no gap between rows
    for option in options:
        assert option["width"] >= 44 and option["height"] >= 44, option
    shades = scale.locator(".option").evaluate_all(
        "(els) => els.map((el) => getComputedStyle(el).backgroundColor)"
    )
    greens = [green(shade) for shade in shades]
    assert greens == sorted(greens, reverse=True) and greens[0] > greens[-1]  # deepens 0 -> 10
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    save(scale, "pain-scale-360")

    # What a screen reader announces: one group named by the question, eleven radios named 0-10,
    # each described by the hint that says what 0 and 10 mean.
    legend = scale.locator("legend").inner_text()
    group = phone.get_by_role("group", name=legend)
    expect(group.get_by_role("radio")).to_have_count(11)
    for value in range(11):
        radio = group.get_by_role("radio", name=str(value), exact=True)
        expect(radio).to_have_count(1)
        expect(radio).to_have_accessible_description(re.compile("0 means no pain"))


def test_the_pain_scale_is_one_row_on_a_wide_screen(desktop: Page):
    scale = pain_scale(desktop)
    tops = {round(o["top"]) for o in scale.locator(".option").evaluate_all(BOXES)}
    assert len(tops) == 1


def test_the_toolkit_page_reminds_once_and_shows_progress(phone: Page):
    walk_to(phone, TOOLKIT_POSITION)
    press_next(phone)  # nothing opened
    expect(phone).to_have_url(re.compile(f"/survey/page/{TOOLKIT_POSITION}$"))
    expect(phone.locator(".messages")).to_contain_text("You haven’t opened the toolkit yet.")
    problems = axe_violations(phone) + phone_problems(phone)
    save(phone.locator("main"), "toolkit-reminder-360")
    navigate(phone, lambda: phone.locator(".toolkit-contents a.button").click())
    navigate(phone, lambda: phone.locator("form.page-buttons [type=submit]").click())
    expect(phone.locator(".reading-progress")).to_contain_text(
        "Section 2 of 7 · 1 of 7 sections read"
    )
    problems += axe_violations(phone) + phone_problems(phone)
    navigate(phone, lambda: phone.locator(".breadcrumb a").click())
    expect(phone.locator(".reading-progress")).to_have_text("1 of 7 sections read")
    expect(phone.locator(".read-mark")).to_have_count(1)
    problems += axe_violations(phone) + phone_problems(phone)
    save(phone.locator(".toolkit-contents"), "toolkit-progress-360")
    # Read the rest: the toolkit page then says so, instead of offering to start.
    navigate(phone, lambda: phone.locator(".toolkit-contents a.button").click())
    while "/survey/toolkit/" in phone.url:
        navigate(phone, lambda: phone.locator("form.page-buttons [type=submit]").click())
    expect(phone.locator(".toolkit-finished")).to_contain_text("You have read every section")
    expect(phone.locator(".read-mark")).to_have_count(7)
    expect(phone.get_by_role("link", name="Start reading the toolkit")).to_have_count(0)
    problems += axe_violations(phone) + phone_problems(phone)
    assert not problems, "\n".join(problems)


def test_public_toolkit_previous_and_next_links_fit_a_phone(phone: Page):
    problems: list[str] = []
    for language in ("en", "fr"):
        phone.goto(f"/toolkit/steps?lang={language}")
        links = phone.locator(".toolkit-pager a").evaluate_all(BOXES)
        assert len(links) == 2
        for link in links:
            assert link["left"] >= 0 and link["right"] <= PHONE_WIDTH and link["height"] >= 44
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
        problems += axe_violations(phone)
    save(phone.locator(".toolkit-pager"), "toolkit-pager-360")
    navigate(phone, lambda: phone.locator(".toolkit-pager a[rel=next]").click())
    expect(phone).to_have_url(re.compile("/toolkit/after"))
    assert not problems, "\n".join(problems)


STUB_PRINT = "window.print = () => { window.printed = (window.printed || 0) + 1; };"


def test_print_view_has_a_button_a_margin_and_its_address(phone: Page):
    phone.add_init_script(STUB_PRINT)
    phone.goto("/toolkit/print")
    header = phone.locator(".print-view-header")
    first_line = header.locator("a").first.bounding_box()
    assert first_line is not None and first_line["y"] >= 12  # not against the top edge
    button = phone.get_by_role("button", name="Print the toolkit")
    expect(button).to_be_visible()
    button.click()
    assert phone.evaluate("window.printed") == 1
    address = phone.locator(".page-address")
    expect(address).to_be_hidden()  # on screen the address bar shows it
    phone.emulate_media(media="print")
    expect(address).to_be_visible()
    expect(address).to_contain_text(re.compile(r"http://127\.0\.0\.1:\d+/toolkit/$"))
    expect(button).to_be_hidden()
    phone.emulate_media(media="screen")
    problems = axe_violations(phone)
    save(header, "toolkit-print-header-360")
    assert not problems, "\n".join(problems)


def test_consent_copy_prints_and_the_study_information_passes_axe(phone: Page):
    phone.add_init_script(STUB_PRINT)
    problems: list[str] = []
    for language in ("en", "fr"):
        phone.goto(f"/survey/?lang={language}")
        expect(phone.locator(".study-information")).to_be_visible()
        problems += axe_violations(phone) + phone_problems(phone)
    phone.goto("/survey/?lang=en")
    walk_to(phone, 2)
    expect(phone.locator(".study-information")).to_contain_text("Approval number")
    problems += axe_violations(phone) + phone_problems(phone)
    save(phone.locator(".study-details"), "consent-study-information-360")
    navigate(phone, lambda: phone.get_by_role("link", name="Open a printable copy").click())
    expect(phone.locator("h1")).to_have_text("Your copy of the consent")
    problems += axe_violations(phone) + phone_problems(phone)
    phone.get_by_role("button", name="Print this page").click()
    assert phone.evaluate("window.printed") == 1
    phone.emulate_media(media="print")
    expect(phone.locator(".page-address")).to_be_visible()
    expect(phone.locator(".site-header")).to_be_hidden()
    phone.emulate_media(media="screen")
    save(phone, "consent-copy-360")
    phone.goto("/survey/page/2")
    fill_page(phone, PAGES[1][1])
    press_next(phone)
    phone.goto("/survey/consent/copy?lang=fr")
    problems += axe_violations(phone) + phone_problems(phone)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_study_information_admin_page_passes_axe(desktop: Page, db, language: str):
    create_user(db.session, "admin@example.org", PASSWORD, "admin")
    db.session.commit()
    log_in(desktop, "admin@example.org", language)
    assert desktop.goto("/staff/admin/study").status == 200
    problems = axe_violations(desktop)
    desktop.fill("#contact_email", "not an address")
    navigate(desktop, lambda: desktop.locator("form [type=submit][name=save]").click())
    expect(desktop.locator(".error-summary")).to_be_visible()
    problems += axe_violations(desktop)
    if language == "en":
        desktop.set_viewport_size({"width": 900, "height": 700})
        desktop.evaluate("window.scrollTo(0, 0)")
        save(desktop, "study-information-admin")  # the top of the page: small enough to keep
    assert not problems, "\n".join(problems)
