"""The follow-up's emails: the invitation and the reminder, in the participant's language, as
plain text and HTML, with the personal link and a one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import default as default_policy

from flask import Flask, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from survey.messages import N_
from survey.models import FollowUpSettings, SendWave

DEFAULT_SUBJECT = N_("A few short questions, %(days)d days after the M.I.L.K survey")
DEFAULT_BODY = N_(
    "Thank you again for answering our survey about expressing breastmilk by hand.\n\n"
    "When you finished it, you agreed that we could write to you once more. We would like to "
    "know how things have gone since: six short questions, about two minutes."
)


@dataclass(frozen=True)
class Links:
    answer: str
    unsubscribe: str


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def links(app: Flask, token: str) -> Links:
    """The contact's two links on the site's public address (the queue's consumer has no
    request to take it from)."""
    with app.test_request_context(base_url=app.config["PUBLIC_URL"]):
        return Links(
            answer=url_for("follow_up.open_link", token=token, _external=True),
            unsubscribe=url_for("follow_up.unsubscribe", token=token, _external=True),
        )


def compose(
    settings: FollowUpSettings,
    language: str,
    wave: str,
    links: Links,
    expires_at: datetime | None,
) -> Composed:
    """The email's subject and bodies in `language` (needs an app context). The admin's texts
    replace the defaults; the link, its expiry and the unsubscribe line are always added."""
    with force_locale(language):
        subject = getattr(settings, f"subject_{language}") or _(
            DEFAULT_SUBJECT, days=settings.invite_after_days
        )
        if wave == SendWave.REMINDER:
            subject = _("Reminder: %(subject)s", subject=subject)
        body = getattr(settings, f"body_{language}") or _(DEFAULT_BODY)
        context = {
            "paragraphs": [
                p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()
            ],
            "links": links,
            "expires": expires_at.strftime("%Y-%m-%d") if expires_at else None,
            "reminder": wave == SendWave.REMINDER,
            "language": language,
            "subject": subject,
        }
        return Composed(
            subject=subject,
            text=render_template("follow_up/email.txt", **context),
            html=render_template("follow_up/email.html", **context),
        )


# Headers are never folded below RFC 5322's 998 characters: folded, the long List-Unsubscribe
# URL would be written as RFC 2047 encoded words, which mail programs do not read as a URL.
POLICY = default_policy.clone(max_line_length=998)


def message(composed: Composed, to: str, sender: str | None, links: Links) -> EmailMessage:
    mail = EmailMessage(policy=POLICY)
    mail["Subject"] = composed.subject
    mail["To"] = to
    if sender:
        mail["From"] = sender
    # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to this link.
    mail["List-Unsubscribe"] = f"<{links.unsubscribe}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(composed.text)
    mail.add_alternative(composed.html, subtype="html")
    return mail
