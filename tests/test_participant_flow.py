"""The whole participant path through HTTP, with CSRF on."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey.models import Answer, Response, ResponseStatus
from tests.conftest import responses
from tests.survey_steps import PAGES, answer_page, complete_survey


def answers_of(db, response: Response) -> dict[str, object]:
    db.session.rollback()
    rows = db.session.scalars(select(Answer).where(Answer.response_id == response.id))
    return {a.question.name: a.value for a in rows}


def test_complete_survey_stores_every_answer_typed(browser, db, version):
    last = complete_survey(browser)
    assert last.headers["Location"].endswith("/survey/thanks")
    assert "Thank you" in browser.get("/survey/thanks").get_data(as_text=True)

    [response] = responses(db)
    assert response.status == ResponseStatus.COMPLETE
    assert response.submitted_at is not None and response.submitted_at >= response.started_at
    assert response.consent_version == version.consent_version
    assert response.consented_at is not None
    assert response.version_id == version.id
    stored = answers_of(db, response)
    assert stored["eligibility"] == "breastfeeding"
    assert stored["consent"] == "yes"
    assert stored["info_formats"] == ["online", "video", "other"]
    assert stored["info_formats_other"] == "Podcasts"
    assert stored["pain_during"] == 2.0
    assert stored["sus_03"] == "5"
    assert stored["comment_liked"] == "The clock pictures."
    assert "comment_change" not in stored  # left empty: no row
    expected = sum(1 for _, page in PAGES for v in page.values() if v not in ("", []))
    assert len(stored) == expected


def test_pages_show_progress_and_resume_code(browser):
    complete_survey(browser, upto=2)
    html = browser.get("/survey/page/3").get_data(as_text=True)
    assert "Page 3 of 9" in html
    assert re.search(r"<strong class=\"code\">[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}</strong>", html)


def test_screened_out_person_is_thanked_and_nothing_is_kept(browser, db):
    response = answer_page(browser, 1, {"eligibility": "none"})
    assert response.headers["Location"].endswith("/survey/not-eligible")
    assert "Thank you for your interest" in browser.get("/survey/not-eligible").get_data(
        as_text=True
    )
    assert responses(db) == []


def test_declining_consent_keeps_nothing(browser, db):
    answer_page(browser, 1)
    response = answer_page(browser, 2, {"consent": "no"})
    assert response.headers["Location"].endswith("/survey/not-eligible")
    assert responses(db) == []


def test_consent_page_needs_the_eligibility_answer_first(browser):
    response = browser.get("/survey/page/2")
    assert response.status_code == 302 and response.headers["Location"].endswith("/survey/page/1")


def test_pages_cannot_be_skipped(browser):
    complete_survey(browser, upto=3)
    response = browser.get("/survey/page/8")
    assert response.headers["Location"].endswith("/survey/page/4")


@pytest.mark.parametrize(
    ("position", "data", "field", "message"),
    [
        (3, {"age_group": "30_34", "parity": "1", "pregnant": "no"}, None, None),
        (3, {"parity": "1", "pregnant": "no"}, "age_group", "Please answer this question."),
        (
            3,
            {"age_group": "99", "parity": "1", "pregnant": "no"},
            "age_group",
            "Please choose one of the options shown.",
        ),
        (
            3,
            {"age_group": "30_34", "parity": "1", "pregnant": "yes", "pregnancy_weeks": "43"},
            "pregnancy_weeks",
            "Please enter a number from 1 to 42.",
        ),
        (
            3,
            {"age_group": "30_34", "parity": "1", "pregnant": "yes", "pregnancy_weeks": "0"},
            "pregnancy_weeks",
            "Please enter a number from 1 to 42.",
        ),
        (
            3,
            {"age_group": "30_34", "parity": "1", "pregnant": "yes", "pregnancy_weeks": "ten"},
            "pregnancy_weeks",
            "Please enter a whole number, such as 12.",
        ),
        (
            4,
            {**PAGES[3][1], "info_formats": ["online", "carrier-pigeon"]},
            "info_formats",
            "Please choose only from the options shown.",
        ),
        (
            4,
            {**PAGES[3][1], "info_formats_other": "x" * 201},
            "info_formats_other",
            "Please shorten this answer to 200 characters or fewer.",
        ),
        (
            4,
            {**PAGES[3][1], "info_formats_other": "bad\x00byte"},
            "info_formats_other",
            "hidden control characters",
        ),
        (
            8,
            {"tried_with_toolkit": "yes", "pain_during": "11", "confidence_after": "4"},
            "pain_during",
            "Please choose one of the options shown.",
        ),
        (
            8,
            {"tried_with_toolkit": "yes", "confidence_after": "4"},
            "pain_during",
            "Please answer this question.",
        ),
        (
            9,
            {"comment_liked": "y" * 5001},
            "comment_liked",
            "Please shorten this answer to 5000 characters or fewer.",
        ),
    ],
)
def test_validation_messages_next_to_the_field(browser, db, position, data, field, message):
    complete_survey(browser, upto=position - 1)
    response = answer_page(browser, position, data)
    if field is None:
        assert response.status_code == 302
        return
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error">(.*?)</p>', html, re.S)
    assert error and message in error.group(1)
    assert f'href="#{field}' in html  # the summary links to the field
    assert responses(db)[0].current_position == position  # not moved on


def test_forged_question_names_are_ignored(browser, db):
    complete_survey(browser, upto=2)
    data = {**PAGES[2][1], "sus_01": "5", "question_9999": "x", "consent": "no"}
    assert answer_page(browser, 3, data).status_code == 302
    stored = answers_of(db, responses(db)[0])
    assert "sus_01" not in stored and stored["consent"] == "yes"


def test_show_if_branch_both_ways(browser, db):
    complete_survey(browser, upto=2)
    answer_page(browser, 3, {**PAGES[2][1], "pregnant": "yes", "pregnancy_weeks": "20"})
    assert answers_of(db, responses(db)[0])["pregnancy_weeks"] == 20.0

    # Changing the answer hides the question: its answer is dropped, even if posted again.
    browser.get("/survey/page/3")
    answer_page(browser, 3, {**PAGES[2][1], "pregnant": "no", "pregnancy_weeks": "20"})
    assert "pregnancy_weeks" not in answers_of(db, responses(db)[0])


def test_branch_question_is_not_required_when_hidden(browser, db):
    complete_survey(browser, upto=7)
    response = answer_page(browser, 8, {"tried_with_toolkit": "no", "confidence_after": "3"})
    assert response.status_code == 302
    stored = answers_of(db, responses(db)[0])
    assert stored["tried_with_toolkit"] == "no" and "pain_during" not in stored


def test_same_page_branch_is_rendered_for_the_no_javascript_path(browser):
    complete_survey(browser, upto=3)
    html = browser.get("/survey/page/4").get_data(as_text=True)
    assert 'id="q-exclusive_duration"' in html
    condition = html.split('id="q-exclusive_duration" data-show-if="', 1)[1].split('"', 1)[0]
    assert condition.replace("&#34;", '"').startswith('{"or": [{"op": "=", "left": {"var": "feed')


def test_double_submit_creates_no_duplicates(browser, db):
    complete_survey(browser, upto=3)
    first = answer_page(browser, 4)
    token = browser.token
    again = browser.post(
        "/survey/page/4", {**PAGES[3][1], "next": "x", "csrf_token": token}, fetch=False
    )
    assert first.status_code == again.status_code == 302
    rows = db.session.scalars(select(Answer)).all()
    pairs = [(a.response_id, a.question_id) for a in rows]
    assert len(pairs) == len(set(pairs))
    complete_survey_from = PAGES[4:]
    for position, data in complete_survey_from:
        answer_page(browser, position, data)
    submitted = responses(db)[0].submitted_at
    # Pressing "send" again on the last page changes nothing.
    assert answer_page(browser, 9).headers["Location"].endswith("/survey/thanks")
    assert responses(db)[0].submitted_at == submitted
    assert len(responses(db)) == 1


def test_stale_csrf_token_keeps_the_answers(browser, db):
    complete_survey(browser, upto=2)
    browser.get("/survey/page/3")
    data = {**PAGES[2][1], "next": "x", "csrf_token": "stale-token"}
    response = browser.post("/survey/page/3", data, fetch=False)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your answers are still here" in html
    assert re.search(r'value="30_34"[^>]*checked|checked[^>]*value="30_34"', html)
    assert answers_of(db, responses(db)[0]).keys() == {"eligibility", "consent"}
    # The page came back with a fresh token: pressing Next again saves.
    again = browser.post("/survey/page/3", {**PAGES[2][1], "next": "x"}, fetch=False)
    assert again.status_code == 302
    assert answers_of(db, responses(db)[0])["age_group"] == "30_34"


def test_expired_csrf_token_keeps_the_answers(app, browser, db, monkeypatch):
    complete_survey(browser, upto=2)
    browser.get("/survey/page/3")
    app.config["WTF_CSRF_TIME_LIMIT"] = 60
    import itsdangerous.timed

    real = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: real(self) + 3600
    )
    response = browser.post("/survey/page/3", {**PAGES[2][1], "next": "x"}, fetch=False)
    assert response.status_code == 400
    assert "Your answers are still here" in response.get_data(as_text=True)
    assert "age_group" not in answers_of(db, responses(db)[0])
    again = browser.post("/survey/page/3", {**PAGES[2][1], "next": "x"}, fetch=False)
    assert again.status_code == 302


def test_lost_session_keeps_answers_until_the_resume_code_is_given(browser, make_browser, db):
    complete_survey(browser, upto=2)
    code = re.search(
        r'class="code">([A-Z2-9-]+)<', browser.get("/survey/page/3").get_data(as_text=True)
    ).group(1)
    token = browser.token
    stranger = make_browser()  # no cookie: the session is gone
    response = stranger.post(
        "/survey/page/3", {**PAGES[2][1], "next": "x", "csrf_token": token}, fetch=False
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter your resume code" in html
    assert re.search(r'value="30_34"[^>]*checked|checked[^>]*value="30_34"', html)
    stranger._remember_token(response)
    saved = stranger.post(
        "/survey/page/3", {**PAGES[2][1], "next": "x", "resume_code": code}, fetch=False
    )
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/survey/page/4")
    assert answers_of(db, responses(db)[0])["age_group"] == "30_34"


def test_resume_with_code_in_a_new_browser(browser, make_browser, db):
    complete_survey(browser, upto=4)
    code = re.search(
        r'class="code">([A-Z2-9-]+)<', browser.get("/survey/page/5").get_data(as_text=True)
    ).group(1)
    other = make_browser()
    wrong = other.post("/survey/resume", {"resume_code": "AAAA-AAAA"})
    assert wrong.status_code == 400
    assert "could not find a survey with that code" in wrong.get_data(as_text=True)
    right = other.post("/survey/resume", {"resume_code": code.lower().replace("-", " ")})
    assert right.headers["Location"].endswith("/survey/page/5")
    for position, data in PAGES[4:]:
        assert answer_page(other, position, data).status_code == 302
    assert responses(db)[0].status == ResponseStatus.COMPLETE
    assert len(responses(db)) == 1


def test_resume_code_is_stored_only_as_a_hash(browser, db):
    complete_survey(browser, upto=2)
    code = re.search(
        r'class="code">([A-Z2-9-]+)<', browser.get("/survey/page/3").get_data(as_text=True)
    ).group(1)
    stored = responses(db)[0].resume_code_hash
    assert code not in stored and code.replace("-", "") not in stored and len(stored) == 64


def test_back_keeps_valid_answers_and_allows_unanswered(browser, db):
    complete_survey(browser, upto=3)
    response = answer_page(browser, 4, {"feeding_status": "exclusive"}, button="back")
    assert response.headers["Location"].endswith("/survey/page/3")
    assert answers_of(db, responses(db)[0])["feeding_status"] == "exclusive"
    html = browser.get("/survey/page/4").get_data(as_text=True)
    assert re.search(r'value="exclusive"[^>]*checked|checked[^>]*value="exclusive"', html)


def test_toolkit_engagement_is_recorded(browser, db):
    complete_survey(browser, upto=4)
    page = browser.get("/survey/page/5").get_data(as_text=True)
    assert 'href="/survey/toolkit/what"' in page
    browser.get("/survey/toolkit/steps")
    response = browser.post("/survey/toolkit/steps", {"submit": "x"}, fetch=False)
    assert response.headers["Location"].endswith("/survey/toolkit/after")
    browser.post("/survey/toolkit/steps", {"submit": "x"})
    [view] = responses(db)[0].toolkit_views
    assert (view.section, view.opened) == ("steps", 2)
    assert 0 <= view.seconds < 60


def test_toolkit_in_survey_needs_to_reach_that_page(browser):
    complete_survey(browser, upto=2)
    assert browser.get("/survey/toolkit/steps").status_code == 404
    assert browser.get("/survey/toolkit/nope").status_code == 404


def test_switching_language_keeps_what_was_typed(browser, db):
    complete_survey(browser, upto=2)
    html = browser.get("/survey/page/3").get_data(as_text=True)
    assert 'name="switch_language" value="fr"' in html and 'form="survey-form"' in html
    response = browser.post(
        "/survey/page/3?lang=fr", {"age_group": "25_29", "switch_language": "fr"}, fetch=False
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/survey/page/3")
    french = browser.get("/survey/page/3").get_data(as_text=True)
    assert '<html lang="fr">' in french
    assert re.search(r'value="25_29"[^>]*checked|checked[^>]*value="25_29"', french)
    assert responses(db)[0].language == "fr"
    # Before consent too: the eligibility choice survives the switch.
    other = browser.__class__(browser.client.application.test_client())
    other.get("/survey/page/1")
    other.post(
        "/survey/page/1?lang=fr", {"eligibility": "recent", "switch_language": "fr"}, fetch=False
    )
    page = other.get("/survey/page/1").get_data(as_text=True)
    assert re.search(r'value="recent"[^>]*checked|checked[^>]*value="recent"', page)


def test_consent_sent_again_after_a_lost_reply_makes_no_second_response(browser, db):
    """The reply to the consent page never arrived (say, the server was killed), so the
    browser still has its old cookie and sends the same page again."""
    answer_page(browser, 1)
    browser.get("/survey/page/2")
    cookie = browser.client.get_cookie("session").value
    token = browser.token
    first = browser.post("/survey/page/2", {"consent": "yes", "next": "x"}, fetch=False)
    assert first.status_code == 302
    browser.client.set_cookie("session", cookie)  # the reply was lost
    again = browser.post(
        "/survey/page/2", {"consent": "yes", "next": "x", "csrf_token": token}, fetch=False
    )
    assert again.status_code == 302 and again.headers["Location"].endswith("/survey/page/3")
    assert len(responses(db)) == 1
    html = browser.get("/survey/page/3").get_data(as_text=True)
    code = re.search(r'class="code">([A-Z2-9-]+)<', html).group(1)  # a fresh code works
    other = browser.__class__(browser.client.application.test_client())
    assert other.post("/survey/resume", {"resume_code": code}).status_code == 302


def test_a_page_with_errors_still_offers_its_follow_up_questions(browser):
    """With "did you try" left blank, the pain scale must still be on the page, so choosing
    "Yes" can reveal it (and, without JavaScript, it can be answered at once)."""
    complete_survey(browser, upto=7)
    response = answer_page(browser, 8, {"confidence_after": "4"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="tried_with_toolkit-error"' in html
    assert 'id="q-pain_during"' in html
    assert re.search(r'value="4"[^>]*checked|checked[^>]*value="4"', html)  # kept as typed


def test_consent_on_the_last_page_completes_the_response(browser, db, version):
    """A version whose consent page has nothing after it: consenting is the whole survey."""
    for page in [p for p in version.pages if p.position > PAGES[1][0]]:
        for question in page.questions:
            db.session.delete(question)
        db.session.delete(page)
    for score in version.scores:
        db.session.delete(score)
    db.session.commit()
    assert answer_page(browser, *PAGES[0]).status_code == 302
    assert answer_page(browser, *PAGES[1]).headers["Location"].endswith("/survey/thanks")
    assert "Thank you" in browser.get("/survey/thanks").get_data(as_text=True)
    [response] = responses(db)
    assert response.status == ResponseStatus.COMPLETE and response.submitted_at is not None
    assert answers_of(db, response) == {"eligibility": "breastfeeding", "consent": "yes"}
