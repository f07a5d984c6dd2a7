"""Invitation-only studies: single-use codes made by admins."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from survey.models import AuditEvent, Invitation, Questionnaire, Response
from tests.conftest import responses
from tests.survey_steps import PAGES, answer_page, complete_survey


def make_codes(admin, count: int) -> list[str]:
    response = admin.post("/staff/admin/invitations", {"count": str(count), "submit": "x"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=invitations-")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["invitation_code"]
    return [row[0] for row in rows[1:]]


def invitation_only(admin) -> None:
    response = admin.post("/staff/admin/invitations/mode", {"mode": "invitation", "save": "x"})
    assert response.status_code == 302


def test_admin_makes_codes_stored_only_hashed(admin, db):
    codes = make_codes(admin, 3)
    assert len(codes) == len(set(codes)) == 3
    assert all(len(code) == 17 and code[5] == code[11] == "-" for code in codes)
    db.session.rollback()
    hashes = list(db.session.scalars(select(Invitation.code_hash)))
    assert len(hashes) == 3 and not any(
        c in h or c.replace("-", "") in h for c in codes for h in hashes
    )
    page = admin.get("/staff/admin/invitations").get_data(as_text=True)
    assert "3 invitation codes made; 0 used." in page
    assert db.session.scalar(
        select(AuditEvent.details).where(AuditEvent.action == "invitations.create")
    ) == {"count": 3}


@pytest.mark.parametrize("count", ["0", "5001", "many", ""])
def test_bad_batch_sizes_are_refused(admin, db, count):
    response = admin.post("/staff/admin/invitations", {"count": count, "submit": "x"})
    assert response.status_code == 400
    assert "field-error" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(Invitation)) is None


def test_open_link_needs_no_code(browser):
    assert answer_page(browser, 1).status_code == 302


def test_invitation_only_flow(admin, browser, make_browser, db):
    invitation_only(admin)
    db.session.rollback()
    assert db.session.scalar(select(Questionnaire.invitation_only)) is True
    codes = make_codes(admin, 2)
    start = browser.get("/survey/").get_data(as_text=True)
    assert 'href="/survey/invitation"' in start
    assert browser.get("/survey/page/1").headers["Location"].endswith("/survey/invitation")

    wrong = browser.post("/survey/invitation", {"code": "AAAAA-AAAAA"})
    assert wrong.status_code == 400
    assert "could not find that invitation code" in wrong.get_data(as_text=True)
    ok = browser.post("/survey/invitation", {"code": codes[0].lower()})
    assert ok.headers["Location"].endswith("/survey/page/1")
    complete_survey(browser, upto=3)
    [response] = responses(db)
    used = db.session.scalar(select(Invitation).where(Invitation.response_id == response.id))
    assert used is not None and used.used_at is not None

    # The same code in another browser continues that response, and starts no second one.
    other = make_browser()
    again = other.post("/survey/invitation", {"code": codes[0]})
    assert again.headers["Location"].endswith("/survey/page/4")
    for position, data in PAGES[3:]:
        assert answer_page(other, position, data).status_code == 302
    assert len(responses(db)) == 1
    finished = make_browser().post("/survey/invitation", {"code": codes[0]})
    assert finished.status_code == 400
    assert "already been used" in finished.get_data(as_text=True)

    # The second code starts a second response.
    third = make_browser()
    third.post("/survey/invitation", {"code": codes[1]})
    complete_survey(third, upto=2)
    assert len(responses(db)) == 2


def test_a_code_claimed_twice_before_consent_starts_one_response(admin, make_browser, db):
    invitation_only(admin)
    [code] = make_codes(admin, 1)
    first, second = make_browser(), make_browser()
    for browser in (first, second):
        browser.post("/survey/invitation", {"code": code})
        answer_page(browser, 1)
    assert answer_page(first, 2).headers["Location"].endswith("/survey/page/3")
    late = answer_page(second, 2)
    assert late.headers["Location"].endswith("/survey/invitation")
    assert len(responses(db)) == 1
    assert db.session.scalar(select(Response.id)) == db.session.scalar(
        select(Invitation.response_id)
    )
