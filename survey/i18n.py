"""The page's language: `?lang=`, then the visitor's earlier choice, then the browser's."""

from __future__ import annotations

from typing import Protocol

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import gettext as _

from survey.messages import Message


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI and background jobs: English, like the audit log
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked is not None and asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or languages[0]


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def translated(message: Message | str) -> str:
    """A message in the page's language (a plain string is taken as already translated)."""
    if not isinstance(message, Message):
        return message
    values = {
        name: translated(value) if isinstance(value, Message) else value
        for name, value in message.values.items()
    }
    return _(message.template, **values)


class Explainable(Protocol):
    @property
    def subject(self) -> Message | str: ...
    @property
    def message(self) -> Message | str: ...


def explained(problem: Explainable) -> str:
    """A rule's problem, or a spreadsheet's mistake or notice, as one line in the page's
    language: what it is about (a question, a sheet's row and column...), then what."""
    return _(
        "%(field)s: %(problem)s",
        field=translated(problem.subject),
        problem=translated(problem.message),
    )
