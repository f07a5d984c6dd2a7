"""Every error is a plain page with a clear message and the right status, never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from survey.extensions import db
from survey.questionnaire.study import NoQuestionnaire


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = _("This form had expired. Please go back, reload the page and try again.")
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(NoQuestionnaire)
    def no_questionnaire(error: NoQuestionnaire):
        message = _("There is no questionnaire yet. Run “flask --app survey setup” first.")
        return render_template("error.html", code=404, message=message), 404

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages: dict[int | None, str] = {
            400: _("The request could not be understood."),
            403: _("You do not have access to this page."),
            404: _("This page does not exist."),
            405: _("This page cannot be used that way."),
            410: _("This file has expired. Please export the responses again."),
            413: _("What you sent is too large."),
        }
        message = messages.get(error.code, error.description)
        return render_template("error.html", code=error.code, message=message), error.code

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        message = _("Something went wrong on our side. Your earlier answers are saved.")
        return render_template("error.html", code=500, message=message), 500
