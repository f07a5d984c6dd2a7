"""The admin's follow-up page: the settings (days, sender, texts EN/FR) used by the sign-up and
the emails, the rendered preview, refused values, and the audit log's record of a change."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from survey.models import AuditEvent
from tests.conftest import logged_in
from tests.follow_up_steps import (
    START,
    bodies,
    contact,
    follow_up,  # noqa: F401 - a fixture
    mail_to,  # noqa: F401 - a fixture
    received,
    run_queue,
    sign_up,
)
from tests.test_mail import smtp_server  # noqa: F401 - a fixture

PAGE = "/staff/admin/follow-up/"
SETTINGS = {
    "invite_after_days": "10",
    "remind_after_days": "3",
    "link_valid_days": "21",
    "sender": "Milk.Study@Example.ORG",
    "subject_en": "Ten days on: how is it going?",
    "subject_fr": "",
    "body_en": "Hello again.\n\nTwo minutes of your time would help us a lot.",
    "body_fr": "",
    "save": "x",
}


def test_the_settings_shape_the_offer_and_the_emails(app, db, browser, follow_up, mail_to):  # noqa: F811
    with time_machine.travel(START, tick=False) as clock:
        admin = logged_in(app, "admin")
        shown = admin.get(PAGE).get_data(as_text=True)
        assert 'value="14"' in shown and 'value="4"' in shown  # the defaults
        saved = admin.post(PAGE, SETTINGS)
        assert saved.status_code == 302
        page = admin.get(PAGE).get_data(as_text=True)
        assert "The follow-up settings were saved." in page
        preview = admin.get(f"{PAGE}preview/en/invitation")
        html = preview.get_data(as_text=True)
        assert "Two minutes of your time would help us a lot." in html
        assert "frame-ancestors 'self'" in preview.headers["Content-Security-Policy"]
        french = admin.get(f"{PAGE}preview-text/fr/reminder").get_data(as_text=True)
        assert french.startswith("Subject: Rappel\u202f: Quelques courtes questions, 10 jours")
        db.session.rollback()
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "follow_up.settings")
        ).all()
        assert event.details["changed"] == [
            "invite_after_days",
            "remind_after_days",
            "link_valid_days",
            "sender",
            "subject_en",
            "body_en",
        ]

        browser.get("/survey/thanks")  # before finishing: no offer (no finished response)
        sign_up(browser)
        thanks = browser.get("/survey/thanks").get_data(as_text=True)
        assert "You agreed that we may email you once" in thanks
        assert contact(db).due_at == START + timedelta(days=10)
        clock.move_to(START + timedelta(days=10))
        run_queue(app)
        [message] = received(mail_to)
        assert message["Subject"] == "Ten days on: how is it going?"
        assert message["From"] == "Milk.Study@example.org"
        text, _html = bodies(message)
        assert text.replace("\r\n", "\n").startswith(
            "Hello again.\n\nTwo minutes of your time would help us a lot."
        )
        assert (START + timedelta(days=10 + 21)).strftime("%Y-%m-%d") in text
        clock.move_to(START + timedelta(days=13))
        run_queue(app)
        assert received(mail_to)[1]["Subject"] == "Reminder: Ten days on: how is it going?"


def test_the_offer_on_the_thank_you_page_says_when(browser, follow_up):  # noqa: F811
    from tests.survey_steps import complete_survey

    complete_survey(browser)
    thanks = browser.get("/survey/thanks").get_data(as_text=True)
    assert "May we email you once in 14 days with a few short questions?" in thanks
    assert 'action="/follow-up/sign-up"' in thanks and 'type="email"' in thanks


def test_bad_settings_are_refused_with_their_reasons(app, db, admin, follow_up):  # noqa: F811
    refused = admin.post(
        PAGE,
        {
            **SETTINGS,
            "remind_after_days": "21",
            "invite_after_days": "0",
            "sender": "not an address",
        },
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "The reminder must go out while the link still works" in page
    assert "Enter a number from 1 to 365." in page
    assert "This does not look like an email address." in page
    db.session.rollback()
    assert db.session.scalars(select(AuditEvent.action)).all().count("follow_up.settings") == 0


def test_the_queue_counts_show_no_address(app, db, browser, follow_up):  # noqa: F811
    sign_up(browser)
    page = logged_in(app, "admin").get(PAGE).get_data(as_text=True)
    assert "Agreed to the follow-up</th><td>1</td>" in page
    assert "Waiting for their day</th><td>1</td>" in page and "Due now</th><td>0</td>" in page
    assert "example.org" not in page.lower().replace("milk-study@example.org", "")


def test_a_preview_of_no_such_language_or_wave_is_404(admin, follow_up):  # noqa: F811
    assert admin.get(f"{PAGE}preview/de/invitation").status_code == 404
    assert admin.get(f"{PAGE}preview-text/en/third").status_code == 404
