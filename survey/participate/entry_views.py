"""Around the survey's pages: the start page, resuming with a code, invitation codes, the toolkit
sections read along the way, and the thank-you and not-eligible pages."""

from __future__ import annotations

import time

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from forms.fields import add_error, filled
from forms.resume import InvitationForm, ResumeForm, ToolkitNextForm
from survey.extensions import db
from survey.follow_up.offer import follow_up_offer
from survey.i18n import current_language
from survey.models import PageKind, Questionnaire, Response
from survey.participate import (
    code_attempts,
    invitations,
    services,
    session_state,
    toolkit_progress,
)
from survey.participate.blueprint import (
    bp,
    current_response,
    look_up_code,
    new_participant_version,
    response_by_resume_code,
    to_page,
    version_of,
)
from survey.study_info.services import shown_information
from survey.toolkit.content import SECTIONS, find_section


@bp.route("/")
def start():
    response = current_response()
    version = new_participant_version()
    return render_template(
        "participate/start.html",
        version=version,
        invitation_only=services.invitation_only(db.session, version.questionnaire_id),
        response=response,
        language=current_language(),
        study=shown_information(db.session, version.questionnaire_id),
    )


@bp.route("/resume", methods=["GET", "POST"])
def resume():
    form = ResumeForm()
    if form.validate_on_submit():
        try:
            response = response_by_resume_code(filled(form.resume_code.data))
        except code_attempts.TooManyAttempts:
            add_error(form.resume_code, _(code_attempts.TOO_MANY))
            return render_template("participate/resume.html", form=form), 429
        if response is None:
            add_error(
                form.resume_code,
                _("We could not find a survey with that code. Please check it and try again."),
            )
        elif response.is_withdrawn:
            add_error(form.resume_code, _("The answers of this survey were withdrawn already."))
        elif response.is_complete:
            flash(_("That survey is already finished. Thank you!"), "info")
            return redirect(url_for(".start"))
        else:
            session_state.resume_with_code(response.id, filled(form.resume_code.data))
            return redirect(url_for(".page", position=response.current_position))
    status = 400 if form.errors else 200
    return render_template("participate/resume.html", form=form), status


@bp.route("/invitation", methods=["GET", "POST"])
def invitation():
    """Invitation-only studies start here: a new code begins a response, a used one resumes it."""
    version = new_participant_version()
    form = InvitationForm()
    if form.validate_on_submit():
        questionnaire = db.session.get_one(Questionnaire, version.questionnaire_id)
        code, secret = filled(form.code.data), current_app.config["SECRET_KEY"]
        try:
            found = look_up_code(
                "invitation",
                lambda: invitations.find_invitation(db.session, questionnaire, code, secret),
            )
        except code_attempts.TooManyAttempts:
            add_error(form.code, _(code_attempts.TOO_MANY))
            return render_template("participate/invitation.html", form=form), 429
        response = (
            db.session.get(Response, found.response_id) if found and found.response_id else None
        )
        if found is None:
            add_error(form.code, _("We could not find that invitation code. Please check it."))
        elif response is not None and (response.is_complete or response.is_withdrawn):
            add_error(form.code, _("This invitation has already been used to answer the survey."))
        elif response is not None:
            session_state.bind(response.id)
            return redirect(url_for(".page", position=response.current_position))
        else:
            session_state.start_with_invitation(found.id)
            return to_page(version.pages[0])
    status = 400 if form.errors else 200
    return render_template("participate/invitation.html", form=form), status


@bp.route("/toolkit/<key>", methods=["GET", "POST"])
def toolkit(key: str):
    """A toolkit section in the survey; moving on records which section was read, and how long."""
    response = current_response()
    section = find_section(key)
    if section is None:
        abort(404)
    if response is None:
        return redirect(url_for(".resume"))
    toolkit_page = next((p for p in version_of(response).pages if p.kind == PageKind.TOOLKIT), None)
    if toolkit_page is None or response.current_position < toolkit_page.position:
        abort(404)
    form = ToolkitNextForm()
    if form.validate_on_submit():
        opened = session_state.take_toolkit_opened()
        seconds = time.time() - opened["at"] if opened and opened.get("key") == key else 0
        services.record_toolkit_view(db.session, response, key, seconds)
        db.session.commit()
        keys = [s.key for s in SECTIONS]
        following = keys.index(key) + 1
        if following < len(keys):
            return redirect(url_for(".toolkit", key=keys[following]))
        return to_page(toolkit_page)
    session_state.toolkit_opened(key)
    return render_template(
        "participate/toolkit_section.html",
        section=section,
        form=form,
        sections=SECTIONS,
        toolkit_page=toolkit_page,
        reading=toolkit_progress.reading(response),
        number=SECTIONS.index(section) + 1,
    )


@bp.route("/thanks")
def thanks():
    response = current_response()
    if response is None or not response.is_complete:
        return redirect(url_for(".start"))
    return render_template(
        "participate/thanks.html",
        study=_consented_information(response),
        language=current_language(),
        **follow_up_offer(response),
    )


def _consented_information(response: Response):
    """The study information this response consented with (the current one for responses
    begun before it was kept)."""
    if response.study_information is not None:
        return response.study_information
    return shown_information(db.session, version_of(response).questionnaire_id)


@bp.route("/consent/copy")
def consent_copy():
    """A printable copy of the consent: what this browser's response agreed to, or, before
    consenting, what the consent page shows now."""
    response = current_response()
    version = version_of(response) if response else new_participant_version()
    consent_page = next((p for p in version.pages if p.kind == PageKind.CONSENT), None)
    if consent_page is None:
        abort(404)
    language = current_language()
    return render_template(
        "participate/consent_copy.html",
        info=_consented_information(response)
        if response
        else shown_information(db.session, version.questionnaire_id),
        consent_version=response.consent_version if response else version.consent_version,
        consented_at=response.consented_at if response else None,
        consent_title=consent_page.text("title", language),
        consent_text=consent_page.text("intro", language),
        language=language,
        address=url_for(".consent_copy", _external=True),
    )


@bp.route("/not-eligible")
def not_eligible():
    return render_template("participate/not_eligible.html")
