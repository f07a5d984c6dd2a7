"""What the follow-up's tests share: the follow-up questionnaire loaded, an SMTP server the app
sends to, signing up through the thank-you page, and reading the emails back."""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from survey.follow_up import contacts, sending
from survey.models import FollowUpContact
from survey.questionnaire.loader import load_follow_up_questionnaire
from tests.factories import make_response
from tests.survey_steps import complete_survey

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ADDRESS = "Parent.Tester+milk@Example.ORG"  # stored as typed, domain in lower case
STORED_ADDRESS = "Parent.Tester+milk@example.org"
FOLLOW_UP_ANSWERS = {
    "expressed_since": "yes",
    "expression_frequency": "several_weekly",
    "pain_last_time": "3",
    "confidence_now": "5",
    "returned_to_toolkit": "yes",
    "comments": "The clock drawing stayed with me.",
}


@pytest.fixture
def follow_up(app, db):
    """The follow-up questionnaire, as `flask setup` loads it."""
    load_follow_up_questionnaire(db.session, app.config["FOLLOW_UP_SLUG"])
    db.session.commit()


@pytest.fixture
def mail_to(app, smtp_server):
    """The app sends to the in-process SMTP server; yields its inbox."""
    controller, inbox, _logins = smtp_server
    app.config.update(
        MAIL_SERVER=controller.hostname,
        MAIL_PORT=controller.port,
        MAIL_SECURITY="none",
        MAIL_SENDER="milk-study@example.org",
    )
    return inbox


def sign_up(browser, address: str = ADDRESS, language: str = "en", **overrides):
    """Finish the survey and agree to the follow-up on the thank-you page."""
    complete_survey(browser)
    thanks = browser.get(f"/survey/thanks?lang={language}")
    assert thanks.status_code == 200
    data = {"email": address, "agree": "y", "submit": "x", **overrides}
    return browser.post("/follow-up/sign-up", data, fetch=False)


def run_queue(app) -> sending.Run:
    """The periodic task's body, as the consumer runs it every minute."""
    return sending.run(app)


def received(inbox) -> list[EmailMessage]:
    return [
        email.message_from_bytes(content, policy=default_policy)  # type: ignore[misc]
        for _sender, _to, content in inbox.received
    ]


def bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


LINK = re.compile(r"https?://[^\s\"<>]+/follow-up/answer/[0-9a-f]+")
UNSUBSCRIBE = re.compile(r"https?://[^\s\"<>]+/follow-up/unsubscribe/[0-9a-f]+")


def link_of(message: EmailMessage) -> str:
    """The personal link's path, read from the plain-text body."""
    text, _html = bodies(message)
    return urlsplit(LINK.search(text).group(0)).path  # type: ignore[union-attr]


def contact(db) -> FollowUpContact:
    db.session.rollback()
    [found] = db.session.scalars(select(FollowUpContact)).all()
    return found


def signed_up_contacts(db, app, version, addresses: list[str], language: str = "en") -> list[int]:
    """Contacts made by the sign-up service for new complete responses (the clock decides their
    day), one per address; returns their ids."""
    made = []
    for address in addresses:
        response = make_response(db, version, {}, language=language)
        made.append(
            contacts.sign_up(db.session, response, address, language, app.config["FOLLOW_UP_KEY"])
        )
    db.session.commit()
    return [c.id for c in made]
