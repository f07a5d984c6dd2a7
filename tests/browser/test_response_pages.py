"""The pages of issue 15's parts 2 and 3 in a real Chromium: the staff's response browser and
one response's page (desktop), and a participant withdrawing on a 360 px phone, through the
code and the confirmation. axe finds nothing on any of them, in English and French; the phone
pages do not scroll sideways and their targets are big enough for a thumb."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from survey.auth.services import create_user
from survey.demo import generate_responses
from survey.models import Answer, Response
from survey.participate import services
from survey.staff import decisions
from survey.withdrawal import withdraw
from tests.browser.checks import axe_violations, phone_problems
from tests.browser.flow import log_in, navigate
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
OUTSIDE = """() => [...document.querySelectorAll('main .button, main [type=submit], main input')]
  .filter((el) => el.offsetParent !== null && el.type !== 'hidden')
  .filter((el) => { const box = el.getBoundingClientRect();
                    return box.left < 0 || box.right > window.innerWidth; })
  .map((el) => el.outerHTML.slice(0, 80))"""


@pytest.mark.parametrize("language", ["en", "fr"])
def test_staff_response_pages_pass_axe(desktop: Page, db, version, language: str, screenshot):
    admin = create_user(db.session, "admin@example.org", PASSWORD, "admin")
    generate_responses(db.session, version, 30, seed=7)
    db.session.flush()
    first, second, third = db.session.scalars(
        select(Response).order_by(Response.started_at.desc()).limit(3)
    ).all()
    decisions.exclude(db.session, second, "duplicate", "same person as the one before", admin, None)
    withdraw(db.session, third, admin, None)
    db.session.commit()
    log_in(desktop, "admin@example.org", language)
    problems: list[str] = []
    pages = {
        "staff-responses": "/staff/",
        "staff-responses-filtered": "/staff/?status=complete&sort=oldest&page=2",
        "staff-response": f"/staff/responses/{first.id}",
        "staff-response-excluded": f"/staff/responses/{second.id}",
        "staff-response-withdrawn": f"/staff/responses/{third.id}",
    }
    for name, url in pages.items():
        assert desktop.goto(url).status == 200, url
        problems.extend(axe_violations(desktop))
        if language == "en":
            screenshot(desktop, f"{name}-en")
    desktop.goto("/staff/?q=%3F%3F")  # refused search: the message next to the field
    expect(desktop.locator(".field-error")).to_be_visible()
    problems.extend(axe_violations(desktop))
    desktop.goto(f"/staff/responses/{first.id}")
    navigate(desktop, lambda: desktop.locator("#exclusion-title ~ form [type=submit]").click())
    expect(desktop.locator(".field-error").first).to_be_visible()  # no reason chosen
    problems.extend(axe_violations(desktop))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_participant_withdraws_on_a_phone(
    phone: Page, app: Flask, db, version, language: str, screenshot
):
    response, code = services.start_response(
        db.session, version, language, {"eligibility": "breastfeeding"}, app.config["SECRET_KEY"]
    )
    services.save_answers(
        db.session, response, {q: "30_34" for q in version.questions if q.name == "age_group"}
    )
    db.session.commit()
    problems: list[str] = []

    def check(name: str) -> None:
        problems.extend(axe_violations(phone))
        problems.extend(phone_problems(phone))
        outside = phone.evaluate(OUTSIDE)  # cut off at either edge, which scrollWidth misses
        problems.extend(f"{name}: {what} is not wholly on the screen" for what in outside)
        if language == "en":
            screenshot(phone, f"{name}-en")

    phone.goto(f"/survey/resume?lang={language}")
    navigate(phone, lambda: phone.locator(".withdraw-link a").click())
    assert phone.url.endswith("/survey/withdraw")
    check("withdraw")
    phone.fill("#resume_code", "WRONG-WRONG-WRONG")
    navigate(phone, lambda: phone.locator("form [type=submit]").click())
    expect(phone.locator(".field-error")).to_be_visible()
    check("withdraw-wrong-code")
    phone.fill("#resume_code", code)
    navigate(phone, lambda: phone.locator("form [type=submit]").click())
    expect(phone.locator("h1")).to_have_count(1)
    check("withdraw-confirm")
    navigate(phone, lambda: phone.locator("form [type=submit]").click())
    assert phone.url.endswith("/survey/withdrawn")
    check("withdrawn")
    db.session.rollback()
    assert db.session.get(Response, response.id).is_withdrawn
    answers = select(func.count()).select_from(Answer).where(Answer.response_id == response.id)
    assert db.session.scalar(answers) == 0
    assert not problems, "\n".join(problems)
