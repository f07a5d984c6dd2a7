"""The follow-up questionnaire's pages, opened by the personal link (survey.follow_up.views).
They save as the survey's pages do (survey.participate: the same form, checks and storage);
the last page's Next completes the follow-up response and closes the contact, which deletes its
address. What differs: no consent (the baseline's agreement covers it), no resume code (the
link brings them back), and a link that closed meanwhile gets its own page."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _

from forms.participant import PageForm, page_form
from survey.database import write_intent
from survey.extensions import csrf, db
from survey.follow_up import contacts
from survey.follow_up.blueprint import bp, follow_up_slug, link_closed, session_contact
from survey.follow_up.contacts import LinkState
from survey.i18n import current_language
from survey.models import FollowUpContact, Response
from survey.participate import page_checks, services
from survey.participate.structure import Page, Question, Version


def _render(
    version: Version, page: Page, form: PageForm, questions: list[Question], status: int = 200
):
    return page_checks.rendered(
        version, page, form, questions, status, page_endpoint="follow_up.page", follow_up=True
    )


def _structure(response: Response | None) -> Version:
    if response is not None:
        return services.version_structure(db.session, response.version_id)
    version_id = contacts.follow_up_version_id(db.session, follow_up_slug())
    if version_id is None:
        abort(503, _("The follow-up questionnaire is not open yet."))
    return services.version_structure(db.session, version_id)


# Exempt like the survey's pages: the page's form checks its own token, so an expired one shows
# the page again with what was typed instead of the generic error page.
@csrf.exempt
@bp.route("/page/<int:position>", methods=["GET", "POST"])
def page(position: int):
    contact = session_contact()
    if contact is None:  # never opened the link in this browser, or the session ended
        return render_template("follow_up/link_closed.html", state="no_session"), 403
    if write_intent.get():
        # A double submit waits here for the first to commit, then finds the contact answered
        # (on SQLite the write lock taken at the transaction's start does the same).
        db.session.refresh(contact, with_for_update=True)
    state = contacts.link_state(contact)
    if state == LinkState.ANSWERED:
        return render_template("follow_up/already_answered.html"), 409
    if state != LinkState.OPEN:
        return link_closed(state)
    response = contacts.follow_up_response(db.session, contact)
    version = _structure(response)
    reached = response.current_position if response is not None else 0
    first = services.neighbour(version, 0, {}, 1)
    if first is None:
        abort(503, _("The follow-up questionnaire is not open yet."))
    page = version.page_at(position)
    if page is None or position > max(reached, first.position):
        return redirect(url_for(".page", position=max(reached, first.position)))
    stored = services.stored_columns(db.session, response.id) if response else {}
    answers = services.answers_by_name(version, stored)
    form = page_form(page, current_language(), data=answers)
    if not form.is_submitted():
        if response is None or page.position > response.saved_position:
            form = page_form(page, current_language(), data={**page.defaults, **answers})
        return _render(version, page, form, page_checks.displayed(page, answers))
    shown = page_checks.shown_fields(form, page, answers)
    valid = page_checks.valid(form, shown, answers)
    leaving = form.back.data or form.switch_language.data
    if leaving and "csrf_token" not in form.errors and page_checks.only_missing_answers(form):
        kept = [q for q in shown if q.name not in form.errors]
        _response, saved = _save(contact, response, version, page, form, kept)
        db.session.commit()
        if form.switch_language.data:
            return redirect(url_for(".page", position=page.position))
        back = services.neighbour(version, page.position, saved, -1) or page
        return redirect(url_for(".page", position=back.position))
    if not valid:
        return _invalid(version, page, form, answers)
    response, saved = _save(contact, response, version, page, form, shown)
    next_page = services.neighbour(version, page.position, saved, 1)
    services.advance(response, next_page)
    if next_page is None:
        contacts.record_answered(contact)
    db.session.commit()
    if next_page is None:
        return redirect(url_for(".thanks"))
    return redirect(url_for(".page", position=next_page.position))


def _invalid(version: Version, page: Page, form: PageForm, answers: dict):
    again, questions = page_checks.as_typed(page, form, answers)
    return _render(version, page, again, questions, 400)


def _save(
    contact: FollowUpContact,
    response: Response | None,
    version: Version,
    page: Page,
    form: PageForm,
    shown: list[Question],
) -> tuple[Response, dict]:
    """Save the page (the follow-up response is made with its first page); returns the response
    and every answer now stored, by variable name."""
    if response is None:
        response = contacts.start_follow_up(db.session, contact, version.id, current_language())
    values: dict[Question, services.AnswerValue] = {
        q: None for q in page.questions if q not in shown
    }
    values.update(page_checks.values(form, shown))
    response.language = current_language()
    saved = services.save_answers(db.session, response, values)
    response.saved_position = max(response.saved_position, page.position)
    return response, saved


@bp.get("/thanks")
def thanks():
    contact = session_contact()
    if contact is None or contact.answered_at is None:
        return redirect(url_for(".page", position=0))
    return render_template("follow_up/thanks.html")
