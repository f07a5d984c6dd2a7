"""Time-of-day and date-and-time questions in a real browser on a phone: Chromium's own time and
datetime-local inputs, a follow-up shown live from the time typed, and the answers stored typed."""

from __future__ import annotations

import re
from datetime import datetime, time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.flow import fill_page, press_next, stored, walk_to
from tests.survey_steps import PAGES
from tests.test_dates_and_times import add_question

pytestmark = pytest.mark.browser


@pytest.fixture
def timed(db, version):
    """Page 3 also asks when the participant woke and last expressed milk, and, of those who
    woke before eight, a follow-up on the same page (so the page's script decides)."""
    add_question(db, version, 3, name="woke_at", type="time")
    add_question(db, version, 3, name="last_expressed", type="datetime")
    add_question(
        db, version, 3, name="early_tip", type="short_text", show_if="${woke_at} < '08:00'"
    )


def test_time_inputs_show_a_follow_up_live_and_are_stored_typed(timed, phone: Page, db):
    walk_to(phone, 3)
    woke = phone.locator("#woke_at")
    expect(woke).to_have_attribute("type", "time")
    expect(phone.locator("#last_expressed")).to_have_attribute("type", "datetime-local")
    tip = phone.locator("#q-early_tip")
    expect(tip).to_be_hidden()  # unanswered: no time is before eight
    woke.fill("06:45")
    expect(tip).to_be_visible()
    woke.fill("09:15")
    expect(tip).to_be_hidden()
    woke.fill("07:59")
    expect(tip).to_be_visible()
    phone.locator("#early_tip").fill("Before the baby woke")
    phone.locator("#last_expressed").fill("2026-03-14T05:30")
    fill_page(phone, PAGES[2][1])
    press_next(phone)
    expect(phone).to_have_url(re.compile("/survey/page/4$"))

    _, answers = stored(db)
    assert answers["woke_at"] == time(7, 59)
    assert answers["last_expressed"] == datetime(2026, 3, 14, 5, 30)
    assert answers["early_tip"] == "Before the baby woke"
