"""The follow-up's participant pages in a real Chromium on a 360 px phone: the offer on the
thank-you page (a wrong address, then a right one), the confirmation, the email as a mail
program shows its HTML part, and the follow-up questionnaire opened by the email's link. axe
finds nothing, in English and French; nothing scrolls sideways; targets fit a thumb.
With SAVE_SCREENSHOTS=1 the English pages are saved to docs/screenshots/."""

from __future__ import annotations

import email
import os
import re
from email.policy import default as default_policy
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import update

from survey.follow_up import sending
from survey.models import FollowUpContact, utcnow
from tests.browser.checks import axe_violations, phone_problems
from tests.browser.conftest import SCREENSHOTS
from tests.browser.flow import fill_page, finish, log_in, navigate
from tests.follow_up_steps import FOLLOW_UP_ANSWERS, LINK
from tests.follow_up_steps import follow_up as follow_up  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_follow_up_on_a_phone(
    phone: Page,
    app: Flask,
    db,
    follow_up,  # noqa: F811
    language: str,
    screenshot,
    tmp_path,
):
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    problems: list[str] = []

    def check(name: str) -> None:
        problems.extend(axe_violations(phone))
        problems.extend(phone_problems(phone))
        if language == "en":
            screenshot(phone, name)

    finish(phone, language)  # the survey's pages are walked in Chromium elsewhere
    expect(phone.locator("#follow-up-title")).to_be_visible()
    check("follow-up-offer-360")

    phone.fill("#email", "parent@example")
    phone.locator("#agree").check()
    navigate(phone, lambda: phone.locator(".follow-up-offer [type=submit]").click())
    expect(phone.locator("#email-error")).to_be_visible()
    check("follow-up-offer-error-360")

    phone.fill("#email", "parent@example.org")
    if not phone.locator("#agree").is_checked():
        phone.locator("#agree").check()
    navigate(phone, lambda: phone.locator(".follow-up-offer [type=submit]").click())
    assert phone.url.endswith("/follow-up/signed-up")
    expect(phone.locator(".follow-up-address")).to_have_text("parent@example.org")
    check("follow-up-signed-up-360")

    # The invitation's day: the consumer writes it to the outbox (no MAIL_SERVER here).
    db.session.execute(update(FollowUpContact).values(due_at=utcnow()))
    db.session.commit()
    assert sending.run(app).sent["invitation"] == 1
    [eml] = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    phone.goto("about:blank")  # as a mail program shows it: with its inline styles, no CSP
    phone.set_content(html)
    expect(phone.locator("a", has_text=re.compile("Answer the questions|Répondre"))).to_be_visible()
    problems.extend(f"email: {p}" for p in phone_problems(phone))
    if language == "en":
        screenshot(phone, "follow-up-email-360")

    link = urlsplit(LINK.search(text).group(0)).path  # type: ignore[union-attr]
    phone.goto(link)
    expect(phone).to_have_url(re.compile(r"/follow-up/page/1$"))
    expect(phone.locator("html")).to_have_attribute("lang", language)
    expect(phone.locator(".resume-code")).to_have_count(0)
    fill_page(phone, {"expressed_since": "yes"}, tap=True)
    expect(phone.locator('[name="pain_last_time"]').first).to_be_visible()  # its show-if
    check("follow-up-page-360")
    fill_page(phone, {k: v for k, v in FOLLOW_UP_ANSWERS.items() if k != "expressed_since"})
    navigate(phone, lambda: phone.locator('form input[name="next"]').click())
    assert phone.url.endswith("/follow-up/thanks")
    check("follow-up-thanks-360")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_admins_follow_up_page_passes_axe(
    desktop: Page,
    db,
    follow_up,  # noqa: F811
    language: str,
    screenshot,
):
    from survey.auth.services import create_user
    from tests.conftest import PASSWORD

    create_user(db.session, "admin@example.org", PASSWORD, "admin")
    db.session.commit()
    log_in(desktop, "admin@example.org", language)
    problems: list[str] = []
    assert desktop.goto("/staff/admin/follow-up/").status == 200
    # The preview frames load the email as the participant gets it.
    frame = desktop.frame_locator("iframe.email-preview").first
    expect(frame.locator("a").first).to_be_visible()
    problems.extend(axe_violations(desktop))
    if language == "en":
        screenshot(desktop, "follow-up-admin")
        if os.environ.get("SAVE_SCREENSHOTS") == "1":  # a full-page shot leaves frames blank
            desktop.locator("iframe.email-preview").first.scroll_into_view_if_needed()
            desktop.screenshot(path=str(SCREENSHOTS / "follow-up-admin-preview.png"))
    desktop.fill("#remind_after_days", "40")  # past the link's 30 days
    navigate(desktop, lambda: desktop.locator("form [type=submit][name=save]").click())
    expect(desktop.locator(".error-summary")).to_be_visible()
    problems.extend(f"refused: {p}" for p in axe_violations(desktop))
    assert not problems, "\n".join(problems)
