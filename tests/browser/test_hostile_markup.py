"""Markup typed by an admin into a question, and by a participant into an answer, stays text in a
real browser: Chromium opens no dialog on any page that shows it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from survey.auth.services import create_user
from tests.browser.flow import fill_page, log_in, navigate, press_next, walk_to
from tests.conftest import PASSWORD
from tests.survey_steps import PAGES

pytestmark = pytest.mark.browser

LABEL = "<img src=x onerror=alert('label')><script>alert('label')</script> Age?"
ANSWER = "\"><svg onload=alert('answer')></textarea><script>alert('answer')</script>"


def watch_dialogs(page: Page) -> list[str]:
    fired: list[str] = []
    page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
    return fired


def test_markup_from_the_editor_and_from_answers_never_runs(desktop: Page, new_context, db):
    create_user(db.session, "admin@example.org", PASSWORD, "admin")
    db.session.commit()
    admin_dialogs = watch_dialogs(desktop)
    log_in(desktop, "admin@example.org")

    # The admin writes the label through the editor, previews it and publishes it.
    desktop.goto("/staff/admin/questionnaire/")
    navigate(desktop, lambda: desktop.get_by_role("button", name="Start a draft").click())
    desktop.goto("/staff/admin/questionnaire/draft")
    edit = desktop.locator("#question-age_group a", has_text="Edit")
    navigate(desktop, edit.click)
    desktop.fill("#label_en", LABEL)
    navigate(desktop, lambda: desktop.locator("form [type=submit][name=submit]").click())
    desktop.goto("/staff/admin/questionnaire/preview/3")
    expect(desktop.locator("#survey-form")).to_contain_text(LABEL)
    desktop.goto("/staff/admin/questionnaire/draft/publish")
    desktop.check("#confirm")
    navigate(desktop, lambda: desktop.get_by_role("button", name="Publish").click())

    # A participant sees the label as text and types markup into an answer.
    participant = new_context().new_page()
    participant_dialogs = watch_dialogs(participant)
    walk_to(participant, 3)
    expect(participant.locator("#survey-form")).to_contain_text(LABEL)
    fill_page(participant, {**PAGES[2][1], "age_group": "30_34"})
    press_next(participant)
    participant.goto("/survey/page/3")  # back to the page: the label again, after saving
    expect(participant.locator("#survey-form")).to_contain_text(LABEL)
    participant.goto("/survey/page/4")
    fill_page(participant, {**PAGES[3][1], "info_formats_other": ANSWER})
    press_next(participant)
    participant.goto("/survey/page/4")
    expect(participant.locator('[name="info_formats_other"]')).to_have_value(ANSWER)

    # Staff pages that repeat the label and the answer.
    for url in ["/staff/dashboard", "/staff/", "/staff/admin/audit"]:
        desktop.goto(url)
    desktop.goto("/staff/dashboard")
    expect(desktop.locator("main")).to_contain_text(LABEL)
    assert admin_dialogs == [] and participant_dialogs == []
