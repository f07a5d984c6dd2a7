"""axe-core on every page a participant or a staff member sees, in English and French (WCAG 2.2
A and AA, and axe's best practices), and on the phone: no sideways scrolling, and targets big
enough for a thumb (the checks: tests/browser/checks.py). The survey's own pages are checked
on the phone's walk through them (tests/browser/test_participant.py), the rest here."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from survey.auth.services import create_user
from survey.demo import generate_responses
from survey.editor import versions
from survey.toolkit.content import SECTIONS
from tests.browser.checks import axe_violations, participant_page_problems
from tests.browser.flow import log_in, navigate, start
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "fr"])
def test_participant_pages_pass_axe_and_fit_a_phone(phone: Page, language: str):
    """The participant's pages off the survey's path; the survey's own pages, with their
    error messages and follow-up questions, are checked on the way through it by
    tests/browser/test_participant.py::test_whole_survey_on_a_phone (one walk for both)."""
    problems: list[str] = []

    def check(page: Page, name: str) -> None:
        problems.extend(participant_page_problems(page, name))

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

    # Every section's content is checked in the survey's frame on the walk; the public pages
    # put the same content (toolkit/sections/) in a frame of their own, whose pager differs
    # only at the ends: the first and last sections check it.
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
    log_in(desktop, "admin@example.org", language)
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
