"""The follow-up's participant pages around its questionnaire: signing up at the end of the
survey, the confirmation (the only page that shows the address), the personal link, and
unsubscribing. The questionnaire's pages are in page_views.py."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

import survey.follow_up.page_views  # noqa: F401  (adds its routes to bp)
import survey.follow_up.tasks  # noqa: F401  (registers the queue's periodic task)
from forms.follow_up import SignUpForm
from survey.extensions import csrf, db
from survey.follow_up import contacts
from survey.follow_up.blueprint import (
    bp,
    key,
    link_closed,
    offered,
    open_contact,
)
from survey.follow_up.contacts import LinkState
from survey.i18n import current_language
from survey.models import Response
from survey.participate.blueprint import current_response

__all__ = ["bp"]


def _signing_response() -> Response:
    """The main survey's response this browser finished; anything else has no sign-up."""
    response = current_response()
    if response is None or not response.is_complete or response.follow_up_of is not None:
        abort(404)
    return response


# The form checks its own CSRF token (validate_on_submit), so an expired token shows the form
# again with the address kept and a message, instead of the generic error page.
@csrf.exempt
@bp.post("/sign-up")
def sign_up():
    response = _signing_response()
    if not offered():
        abort(404)
    if contacts.contact_of(db.session, response.id) is not None:  # a second click
        return redirect(url_for(".signed_up"))
    form = SignUpForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            flash(_("This page had been open a long time. Please check and send it again."))
        days = contacts.settings(db.session).invite_after_days
        return render_template("follow_up/sign_up.html", form=form, days=days), 400
    try:
        contacts.sign_up(
            db.session, response, form.email.data or "", current_language(), key() or ""
        )
    except contacts.AlreadySignedUp:
        db.session.rollback()
        return redirect(url_for(".signed_up"))
    db.session.commit()
    return redirect(url_for(".signed_up"))


@bp.get("/signed-up")
def signed_up():
    """The participant's own confirmation: the only page that shows their address."""
    response = _signing_response()
    contact = contacts.contact_of(db.session, response.id)
    if contact is None:
        return redirect(url_for("participate.thanks"))
    try:
        address = contacts.address_of(contact, key() or "")
    except ValueError:  # FOLLOW_UP_KEY changed since: the address cannot be read any more
        address = None
    return render_template(
        "follow_up/signed_up.html",
        contact=contact,
        address=address,
        days=contacts.settings(db.session).invite_after_days,
    )


@bp.post("/signed-up/cancel")
def cancel():
    """Changed their mind on the confirmation page: as if they unsubscribed."""
    response = _signing_response()
    contact = contacts.contact_of(db.session, response.id)
    if contact is not None and contacts.unsubscribe(contact):
        db.session.commit()
    flash(_("We will not email you. Your address has been deleted."), "info")
    return redirect(url_for("participate.thanks"))


@bp.get("/answer/<token>")
def open_link(token: str):
    """The personal link: remembered in the session, then on to the first page (nothing is
    stored until a page is saved)."""
    contact = contacts.contact_by_token(db.session, token)
    state = contacts.link_state(contact)
    if contact is None or state != LinkState.OPEN:
        return link_closed(state)
    open_contact(contact)
    return redirect(url_for(".page", position=0))


# Exempt from CSRF on purpose: mail programs unsubscribe with a bare POST to the link in the
# List-Unsubscribe header (RFC 8058, "List-Unsubscribe=One-Click"), which carries no token. The
# link's own secret token is what allows it; a forged POST would need the token already.
@csrf.exempt
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    contact = contacts.contact_by_token(db.session, token)
    if contact is None:
        return link_closed(LinkState.UNKNOWN)
    if request.method == "GET":
        return render_template(
            "follow_up/unsubscribe.html", done=contact.unsubscribed_at is not None
        )
    contacts.unsubscribe(contact)
    db.session.commit()
    return render_template("follow_up/unsubscribe.html", done=True)
