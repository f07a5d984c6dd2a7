"""Before and at consent. Until they consent, a participant has no response: their browser's
session holds the answers given so far, a start token and the invitation they came in with.
Consent turns these into a response. Flask-free: `state` is the browser's session, or any
mutable mapping, so the rules are testable without HTTP."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from survey.models import AnswerValue, DbSession
from survey.participate import invitations, services
from survey.participate.structure import Page, Version
from survey.study_info.services import information_for_consent

# The session's keys: the answers given before consent, by variable name; a token that names
# the response consent makes, so consent sent again finds it; the invitation this browser
# came in with, unused so far.
PENDING = "pending"
# The furthest page saved before consent (as a response's saved_position after it): a page
# saved with every field empty holds nothing in PENDING, yet its defaults must not come back.
SAVED = "saved_position"
START_TOKEN = "start_token"  # noqa: S105  # nosec B105
INVITATION = "invitation_id"

State = MutableMapping[str, Any]


class InvitationUsed(Exception):
    """Another browser used the invitation first."""


@dataclass(frozen=True)
class Consented:
    response_id: str
    position: int | None  # the page to go to next; None once the survey is complete
    resume_code: str  # shown once


def pending(state: State, version: Version) -> dict[str, AnswerValue]:
    """The answers held until consent, typed again: the session holds JSON, so each is kept in
    its type's JSON form (a date as ISO text, `keep`)."""
    held = state.get(PENDING, {})
    return {q.name: q.spec.from_json(held[q.name]) for q in version.questions if q.name in held}


def screens_out(page: Page, answers: Mapping[str, AnswerValue]) -> bool:
    return bool(page.screen_out_if) and services.condition_holds(page.screen_out_if, answers)


def keep(state: State, version: Version, page: Page, answers: Mapping[str, AnswerValue]) -> None:
    """Hold the answers until consent, with the page just saved, and the token that consent
    will start its response by."""
    state[PENDING] = {
        q.name: q.spec.to_json(answers[q.name]) for q in version.questions if q.name in answers
    }
    state[SAVED] = max(saved_position(state), page.position)
    state.setdefault(START_TOKEN, secrets.token_urlsafe(16))


def saved_position(state: State) -> int:
    """The furthest page saved before consent; 0 before the first."""
    saved = state.get(SAVED, 0)
    return saved if isinstance(saved, int) else 0


def forget(state: State) -> None:
    """Drop what was held before consent (screened out, or consent given and saved)."""
    for key in (PENDING, SAVED, START_TOKEN):
        state.pop(key, None)


def give_consent(
    session: DbSession,
    state: State,
    version: Version,
    language: str,
    next_page: Page | None,
    secret: str,
    invitation_only: bool,
) -> Consented:
    """Create the response with the answers held until now (and complete it when consent was
    the last page). Consent sent twice, a retry after a lost reply, continues the response the
    first one created instead of making another. The caller commits, then `forget`s."""
    token = state.get(START_TOKEN)
    response = services.find_by_start_token(session, token) if token else None
    if response is not None:
        code = services.reissue_resume_code(response, secret)
    else:
        invitation = invitations.claim_invitation(session, state.pop(INVITATION, None))
        if invitation_only and invitation is None:
            raise InvitationUsed
        response, code = services.start_response(
            session, version, language, pending(state, version), secret, start_token=token
        )
        response.study_information = information_for_consent(session, version.questionnaire_id)
        if invitation is not None:
            invitations.use_invitation(invitation, response)
        services.advance(response, next_page)
    position = None if response.is_complete else response.current_position
    return Consented(response.id, position, code)
