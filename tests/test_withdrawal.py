"""Withdrawal (issue 15, parts 2 and 3): a participant withdraws with their resume code after a
confirmation, or an admin does it at their request. End to end: the answers are gone from the
database, the exports and the dashboard, and nothing of them is in the audit log."""

from __future__ import annotations

import json
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from survey.models import Answer, AuditEvent, Response, ToolkitView
from survey.participate import code_attempts
from tests.conftest import responses
from tests.survey_steps import PAGES, answer_page, complete_survey
from tests.test_code_attempts import WRONG, resume_code_of

# Answers no other response has, to look for everywhere afterwards.
SECRET_COMMENT = "Unmistakable-comment-7Q4"
OTHER_FORMAT = "Unmistakable-format-9K2"


def finish_with_unique_answers(browser) -> str:
    """Complete the survey with answers found nowhere else; returns the resume code."""
    complete_survey(browser, upto=3)
    code = resume_code_of(browser)
    overrides = {
        4: {"info_formats_other": OTHER_FORMAT},
        9: {"comment_liked": SECRET_COMMENT, "comment_change": "", "comment_missing": ""},
    }
    for position, answers in PAGES[3:]:
        if position == 5:  # the toolkit page: read one section on the way
            assert browser.post("/survey/toolkit/steps", {"submit": "x"}).status_code == 302
        sent = answer_page(browser, position, {**answers, **overrides.get(position, {})})
        assert sent.status_code == 302
    return code


def everything_in_the_audit_log(db) -> str:
    db.session.rollback()
    return json.dumps(
        [(e.action, e.target, e.details) for e in db.session.scalars(select(AuditEvent))],
        default=str,
    )


def count(db, model, response_id: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.response_id == response_id)
    )


def test_a_participant_withdraws_from_the_thank_you_page(
    browser, make_browser, db, runner, tmp_path, investigator
):
    code = finish_with_unique_answers(browser)
    [response] = responses(db)
    assert count(db, Answer, response.id) > 20 and count(db, ToolkitView, response.id) == 1
    assert re.search(r"data-total>1<", investigator.get("/staff/dashboard").get_data(as_text=True))

    thanks = browser.get("/survey/thanks").get_data(as_text=True)
    assert 'href="/survey/withdraw"' in thanks
    asked = browser.post("/survey/withdraw", {"resume_code": code})
    assert asked.status_code == 200
    assert "Yes, delete my answers" in asked.get_data(as_text=True)
    assert count(db, Answer, response.id) > 20  # nothing deleted before the confirmation
    done = browser.post("/survey/withdraw/confirm", {"resume_code": code}, fetch=False)
    assert done.status_code == 302 and done.location.endswith("/survey/withdrawn")
    assert "Your answers are deleted" in browser.get("/survey/withdrawn").get_data(as_text=True)

    [kept] = responses(db)
    assert kept.id == response.id and kept.withdrawn_at is not None and kept.withdrawn_by is None
    assert kept.started_at == response.started_at and kept.submitted_at is not None
    assert count(db, Answer, response.id) == 0 and count(db, ToolkitView, response.id) == 0
    log = everything_in_the_audit_log(db)
    assert '"response.withdraw"' in log
    for answer in (SECRET_COMMENT, OTHER_FORMAT, "Podcasts"):
        assert answer not in log

    out = tmp_path / "r.xlsx"
    db.session.rollback()
    assert runner.invoke(args=["export", str(out), "--include-excluded"]).exit_code == 0
    workbook = load_workbook(out)
    assert workbook["Responses"].max_row == 1  # the header alone
    about = dict(workbook["About"].iter_rows(min_row=2, values_only=True))
    assert about["Withdrawn at the participant's request (answers deleted, not in the rows)"] == 1
    cells = [str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row]
    assert not any(SECRET_COMMENT in c or OTHER_FORMAT in c for c in cells)
    dashboard = investigator.get("/staff/dashboard").get_data(as_text=True)
    assert re.search(r"data-total>0<", dashboard) and SECRET_COMMENT not in dashboard
    page = investigator.get(f"/staff/responses/{response.id}").get_data(as_text=True)
    assert "by the participant, with their resume code" in page and SECRET_COMMENT not in page

    again = make_browser().post("/survey/withdraw", {"resume_code": code})
    assert again.status_code == 409
    resumed = make_browser().post("/survey/resume", {"resume_code": code})
    assert "were withdrawn already" in resumed.get_data(as_text=True)
    assert browser.get("/survey/page/4").status_code == 302  # this browser starts afresh


def test_a_participant_withdraws_a_partial_response_from_the_resume_page(browser, make_browser, db):
    complete_survey(browser, upto=3)
    code = resume_code_of(browser)
    assert 'href="/survey/withdraw"' in make_browser().get("/survey/resume").get_data(as_text=True)
    other = make_browser()
    assert other.post("/survey/withdraw", {"resume_code": code}).status_code == 200
    done = other.post("/survey/withdraw/confirm", {"resume_code": code}, fetch=False)
    assert done.status_code == 302
    [response] = responses(db)
    assert response.is_withdrawn and count(db, Answer, response.id) == 0
    # The first browser still held the response: it may not carry on answering.
    assert answer_page(browser, 4).status_code != 200 or not count(db, Answer, response.id)
    assert count(db, Answer, response.id) == 0


def test_withdrawing_is_throttled_like_resume_codes(make_browser, browser, db):
    complete_survey(browser, upto=3)
    code = resume_code_of(browser)
    slips = make_browser()  # one browser: its session's allowance
    for _ in range(code_attempts.FAILURES_PER_SESSION):
        assert slips.post("/survey/withdraw", {"resume_code": WRONG}).status_code == 400
    assert slips.post("/survey/withdraw", {"resume_code": code}).status_code == 429
    # Fresh browsers (no cookie) from the same address: the address's allowance, shared with
    # the resume page.
    for _ in range(code_attempts.FAILURES_PER_ADDRESS - code_attempts.FAILURES_PER_SESSION - 1):
        assert make_browser().post("/survey/withdraw", {"resume_code": WRONG}).status_code == 400
    assert make_browser().post("/survey/resume", {"resume_code": WRONG}).status_code == 400
    blocked = make_browser().post("/survey/withdraw", {"resume_code": code})
    assert blocked.status_code == 429
    assert "Too many codes were tried from here lately." in blocked.get_data(as_text=True)
    late = make_browser()
    late.get("/survey/withdraw")
    confirm = late.post("/survey/withdraw/confirm", {"resume_code": code}, fetch=False)
    assert confirm.status_code == 429
    [response] = responses(db)
    assert not response.is_withdrawn


def test_the_confirmation_needs_its_form_and_a_valid_code(make_browser, browser, db):
    complete_survey(browser, upto=3)
    code = resume_code_of(browser)
    other = make_browser()
    forged = other.request("POST", "/survey/withdraw/confirm", data={"resume_code": code})
    assert forged.status_code == 400  # no CSRF token: nothing deleted
    assert other.post("/survey/withdraw", {"resume_code": "<b>"}).status_code == 400
    assert other.post("/survey/withdraw", {"resume_code": ""}).status_code == 400
    [response] = responses(db)
    assert not response.is_withdrawn


def test_an_admin_withdraws_at_a_participants_request(browser, db, admin):
    finish_with_unique_answers(browser)
    [response] = responses(db)
    url = f"/staff/responses/{response.id}/withdraw"
    unconfirmed = admin.post(url, {})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm." in unconfirmed.get_data(as_text=True)
    assert admin.post(url, {"confirm": "y"}).status_code == 302
    assert admin.post(url, {"confirm": "y"}).status_code == 409
    [kept] = responses(db)
    assert kept.withdrawn_by.email == "admin@example.org"
    assert count(db, Answer, kept.id) == 0 and count(db, ToolkitView, kept.id) == 0
    log = everything_in_the_audit_log(db)
    assert SECRET_COMMENT not in log and OTHER_FORMAT not in log
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "response.withdraw"))
    assert event.target == kept.id and event.details == {"by": "admin"}
    listed = admin.get("/staff/?status=withdrawn").get_data(as_text=True)
    assert f"/staff/responses/{kept.id}" in listed
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
