"""A participant withdraws their answers with their resume code: the code, then a confirmation,
then the same withdrawal an admin makes (survey.withdrawal). Both steps look the code up within
the guessing limit of the resume page."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from forms.fields import add_error, filled
from forms.resume import ResumeForm, WithdrawConfirmForm, WithdrawForm
from survey.extensions import db
from survey.models import Response
from survey.participate import code_attempts, session_state
from survey.participate.blueprint import bp, response_by_resume_code
from survey.withdrawal import withdraw

NOT_FOUND = "We could not find a survey with that code. Please check it and try again."


def _response_for(form: ResumeForm) -> tuple[Response | None, int]:
    """The response the form's code opens, or None and the status to answer with (the form
    then carries the message)."""
    try:
        response = response_by_resume_code(filled(form.resume_code.data))
    except code_attempts.TooManyAttempts:
        add_error(form.resume_code, _(code_attempts.TOO_MANY))
        return None, 429
    if response is None:
        add_error(form.resume_code, _(NOT_FOUND))
        return None, 400
    if response.is_withdrawn:
        add_error(form.resume_code, _("The answers of this survey were withdrawn already."))
        return None, 409
    return response, 200


@bp.route("/withdraw", methods=["GET", "POST"])
def withdraw_start():
    form = WithdrawForm()
    if form.validate_on_submit():
        response, status = _response_for(form)
        if response is not None:
            confirm = WithdrawConfirmForm(formdata=None, resume_code=form.resume_code.data)
            return render_template("participate/withdraw_confirm.html", form=confirm)
        return render_template("participate/withdraw.html", form=form), status
    return render_template("participate/withdraw.html", form=form), 400 if form.errors else 200


@bp.route("/withdraw/confirm", methods=["POST"])
def withdraw_confirm():
    form = WithdrawConfirmForm()
    if not form.validate_on_submit():  # an expired form or a code that was tampered with
        start = WithdrawForm(formdata=None)
        add_error(start.resume_code, _("Please enter your resume code again."))
        return render_template("participate/withdraw.html", form=start), 400
    response, status = _response_for(form)
    if response is None:
        start = WithdrawForm(formdata=None, resume_code=form.resume_code.data)
        start.resume_code.errors = form.resume_code.errors
        return render_template("participate/withdraw.html", form=start), status
    withdraw(db.session, response, None, request.remote_addr)
    db.session.commit()
    session_state.forget()
    return redirect(url_for(".withdrawn"))


@bp.route("/withdrawn")
def withdrawn():
    return render_template("participate/withdrawn.html")
