"""The follow-up's participant blueprint and what its pages share: the contact this browser
opened by its link (kept in the session, so the token need not stay in every URL), and the
page for a link that no longer opens anything."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, session

from survey.extensions import db
from survey.follow_up import contacts
from survey.follow_up.contacts import LinkState
from survey.models import FollowUpContact

bp = Blueprint("follow_up", __name__, url_prefix="/follow-up")
CONTACT = "follow_up_contact"  # the session key: the contact whose link this browser opened

# A link that opens nothing: the status says why (410: it worked once and no longer does).
LINK_STATUS = {
    LinkState.UNKNOWN: 404,
    LinkState.ANSWERED: 410,
    LinkState.UNSUBSCRIBED: 410,
    LinkState.EXPIRED: 410,
}


def open_contact(contact: FollowUpContact) -> None:
    session.permanent = True
    session[CONTACT] = contact.id
    session["lang"] = contact.language


def session_contact() -> FollowUpContact | None:
    contact_id = session.get(CONTACT)
    if not isinstance(contact_id, int):
        return None
    return db.session.get(FollowUpContact, contact_id)


def link_closed(state: LinkState):
    return render_template("follow_up/link_closed.html", state=state.value), LINK_STATUS[state]


def follow_up_slug() -> str:
    return current_app.config["FOLLOW_UP_SLUG"]


def key() -> str | None:
    return current_app.config["FOLLOW_UP_KEY"]


def offered() -> bool:
    return contacts.offered(db.session, key(), follow_up_slug())
