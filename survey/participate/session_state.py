"""What a participant's browser session (Flask's signed session cookie) holds between pages, with
its types: every key is read and written through here or survey/participate/consent.py.

- `response_id`: the response this browser is answering, once consent has created it;
- `resume_code`: shown on the pages after consent, or after a resume code brought the browser
  back, until it is bound to another response (participate/page.html reads it);
- `toolkit_open`: which toolkit section was opened, and when (to time the reading);
- `pending`, `start_token`, `invitation_id`: what is held until consent, consent.py's (its
  functions take the session as `state`, so the consent rules are tested without HTTP); an
  invitation code entered starts afresh here (`start_with_invitation`);
- `code_misses`: when this browser last typed a wrong resume or invitation code, for the
  guessing limit (survey/participate/code_attempts.py).

The staff's keys (`seen_at`, Flask-Login's) live in survey/auth, the page language in
survey/i18n."""

from __future__ import annotations

import time
from typing import TypedDict

from flask import session

from survey.participate import consent
from survey.participate.services import normalise_resume_code


class ToolkitOpen(TypedDict):
    key: str
    at: float  # time.time() when the section was shown


def response_id() -> str | None:
    return session.get("response_id")


def bind(response_id: str) -> None:
    """This browser now answers that response (after consent, a resume code or an invitation)."""
    session.permanent = True
    session["response_id"] = response_id
    session.pop("resume_code", None)


def forget() -> None:
    """This browser no longer answers any response (its answers were withdrawn)."""
    session.pop("response_id", None)
    session.pop("resume_code", None)


def show_resume_code(code: str) -> None:
    session["resume_code"] = code


def resume_with_code(response_id: str, code: str) -> None:
    """A resume code brought this browser back: it answers that response again, and shows the
    code as on the first browser (written the way it was first given)."""
    bind(response_id)
    show_resume_code(normalise_resume_code(code))


def start_with_invitation(invitation_id: int) -> None:
    """A new invitation code: no response yet, consent will use the invitation."""
    session.pop("response_id", None)
    session[consent.INVITATION] = invitation_id


def toolkit_opened(key: str) -> None:
    session["toolkit_open"] = ToolkitOpen(key=key, at=time.time())


def take_toolkit_opened() -> ToolkitOpen | None:
    return session.pop("toolkit_open", None)
