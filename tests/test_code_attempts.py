"""Resume and invitation codes cannot be guessed: about 73 bits each, and a browser session that
gets codes wrong 5 times in 15 minutes, or an address 10 times, is refused (429) until the window
passes, whichever way it types them. Every miss is in the audit log, shared by all workers and
instances."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.models import AuditEvent
from survey.participate import code_attempts, services
from tests.conftest import responses
from tests.survey_steps import PAGES, answer_page, complete_survey

WRONG = "ZZZZZ-ZZZZZ-ZZZZZ"


def misses(db) -> list[tuple[str | None, str | None]]:
    db.session.rollback()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == code_attempts.ACTION))
    return [(event.target, event.ip) for event in events]


def resume_code_of(browser) -> str:
    html = browser.get("/survey/page/3").get_data(as_text=True)
    return html.split('<strong class="code">', 1)[1].split("</strong>", 1)[0]


@pytest.mark.parametrize(
    "url, field, kind",
    [("/survey/resume", "resume_code", "resume"), ("/survey/invitation", "code", "invitation")],
)
def test_ten_wrong_codes_from_an_address_then_it_waits(make_browser, db, url, field, kind):
    # A new session for every guess, as a script that drops its cookies would have.
    for _ in range(code_attempts.FAILURES_PER_ADDRESS):
        assert make_browser().post(url, {field: WRONG}).status_code == 400
    assert misses(db) == [(kind, "127.0.0.1")] * code_attempts.FAILURES_PER_ADDRESS
    refused = make_browser().post(url, {field: WRONG})
    assert refused.status_code == 429
    assert "Too many codes were tried from here lately." in refused.get_data(as_text=True)
    assert len(misses(db)) == code_attempts.FAILURES_PER_ADDRESS  # refused before looking


@pytest.mark.parametrize(
    "url, field", [("/survey/resume", "resume_code"), ("/survey/invitation", "code")]
)
def test_five_wrong_codes_in_a_session_then_it_waits(make_browser, db, url, field):
    guesser = make_browser()
    for _ in range(code_attempts.FAILURES_PER_SESSION):
        assert guesser.post(url, {field: WRONG}).status_code == 400
    assert guesser.post(url, {field: WRONG}).status_code == 429
    assert len(misses(db)) == code_attempts.FAILURES_PER_SESSION  # refused before looking
    # Someone else behind the same address still has the rest of the address's allowance.
    assert make_browser().post(url, {field: WRONG}).status_code == 400


def test_the_limit_also_holds_for_a_page_sent_without_a_session(browser, make_browser, db):
    complete_survey(browser, upto=3)
    code = resume_code_of(browser)
    for _ in range(code_attempts.FAILURES_PER_ADDRESS):
        guess = answer_page(make_browser(), 4, {**PAGES[3][1], "resume_code": WRONG})
        assert guess.status_code == 400
    blocked = answer_page(make_browser(), 4, {**PAGES[3][1], "resume_code": code})
    assert blocked.status_code == 429  # the right code too, until the window passes
    [response] = responses(db)
    assert response.current_position == 4  # nothing saved for the guesser


def test_codes_are_long_and_old_short_codes_still_work(browser, make_browser, db):
    complete_survey(browser, upto=3)
    code = resume_code_of(browser)
    assert len(code) == 17 and code[5] == code[11] == "-"  # 15 of 30 characters: 73 bits
    [response] = responses(db)
    response.resume_code_hash = services.resume_code_digest("ABCD-2345", "test-secret")
    db.session.commit()
    again = make_browser().post("/survey/resume", {"resume_code": "abcd 2345"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/survey/page/4")
