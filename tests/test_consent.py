"""The consent rules without HTTP: what a browser holds before consenting, screening out, and
the response consent creates (tests/test_participant_flow.py walks the same through pages)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.models import Response, ResponseStatus
from survey.participate import consent, invitations, services
from survey.participate.structure import Version

SECRET = "test-secret"


@pytest.fixture
def structure(db, version) -> Version:
    return services.version_structure(db.session, version.id)


def consent_page(structure: Version):
    return next(p for p in structure.pages if p.kind == "consent")


def give(db, state, structure, invitation_only=False, next_page="after") -> consent.Consented:
    page = consent_page(structure)
    if next_page == "after":
        next_page = services.neighbour(
            structure, page.position, consent.pending(state, structure), 1
        )
    given = consent.give_consent(
        db.session, state, structure, "fr", next_page, SECRET, invitation_only
    )
    db.session.commit()
    return given


def test_answers_are_held_until_consent_then_forgotten(db, structure):
    page = consent_page(structure)
    state: dict = {}
    consent.keep(state, structure, structure.pages[0], {"eligibility": "breastfeeding"})
    token = state[consent.START_TOKEN]
    assert consent.saved_position(state) == 1
    consent.keep(state, structure, page, {"eligibility": "breastfeeding", "consent": "yes"})
    assert state[consent.START_TOKEN] == token  # one token for the whole way to consent
    assert consent.saved_position(state) == page.position
    given = give(db, state, structure)
    response = db.session.get(Response, given.response_id)
    assert response.start_token == token and response.language == "fr"
    assert response.status == ResponseStatus.IN_PROGRESS
    assert given.position == response.current_position == consent_page(structure).position + 1
    assert services.find_by_resume_code(db.session, given.resume_code, SECRET) == response
    consent.forget(state)
    assert state == {}


def test_consent_given_twice_continues_the_first_response(db, structure):
    page = consent_page(structure)
    state: dict = {}
    consent.keep(state, structure, page, {"eligibility": "breastfeeding", "consent": "yes"})
    first, again = give(db, state, structure), give(db, state, structure)
    assert again.response_id == first.response_id
    assert again.resume_code != first.resume_code  # the new code replaces the lost one
    assert services.find_by_resume_code(db.session, first.resume_code, SECRET) is None
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


@pytest.mark.parametrize(
    "answers, out",
    [({"eligibility": "none"}, True), ({"eligibility": "breastfeeding"}, False), ({}, False)],
)
def test_screening_out(structure, answers, out):
    first = structure.pages[0]
    assert consent.screens_out(first, answers) is out
    assert consent.screens_out(consent_page(structure), answers) is False


def test_consent_on_the_last_page_completes(db, structure):
    page = consent_page(structure)
    state: dict = {}
    consent.keep(state, structure, page, {"eligibility": "breastfeeding", "consent": "yes"})
    given = give(db, state, structure, next_page=None)
    assert given.position is None
    assert db.session.get(Response, given.response_id).status == ResponseStatus.COMPLETE


def test_an_invitation_is_claimed_once(db, structure, version):
    page = consent_page(structure)
    [code] = invitations.create_invitations(db.session, version.questionnaire, 1, SECRET)
    found = invitations.find_invitation(db.session, version.questionnaire, code, SECRET)
    db.session.commit()
    first: dict = {consent.INVITATION: found.id}
    second: dict = {consent.INVITATION: found.id}
    for state in (first, second):
        consent.keep(state, structure, page, {"eligibility": "breastfeeding", "consent": "yes"})
    given = give(db, first, structure, invitation_only=True)
    with pytest.raises(consent.InvitationUsed):
        give(db, second, structure, invitation_only=True)
    db.session.rollback()
    assert found.response_id == given.response_id and consent.INVITATION not in first
