"""Hostile input, through HTTP with CSRF on: markup and template syntax in answers and labels,
SQL-ish and NUL query parameters, forged fields and codes, odd numbers, oversized bodies,
control characters and surrogates, JSON bodies, missing or stale CSRF tokens, GET requests that
must not write, and off-site `next=` targets. (A replayed session cookie after logout is in
test_auth.py.)"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import lxml.html
import pytest
from flask import url_for
from markupsafe import escape
from sqlalchemy import func, select

from survey.auth.services import create_user
from survey.demo import generate_responses
from survey.models import Answer, AuditEvent, ExportJob, Page, Question, QuestionnaireVersion
from tests.conftest import PASSWORD, responses
from tests.survey_steps import PAGES, answer_page, complete_survey

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "</textarea><svg onload=alert(1)>",
]
TEMPLATE_SYNTAX = [
    "{{7*7}}",
    "{{ config }}",
    "{{ config.SECRET_KEY }}",
    "{% for key in config %}{{ key }}{% endfor %}",
    "{{ ''.__class__.__mro__ }}",
    "${7*7} #{7*7}",
]
SQLISH = ["' OR 1=1 --", "1; DROP TABLE response", "x\x00' OR '1'='1"]


def stored(db) -> dict[str, object]:
    """Every stored answer, by question name (the tests that use it have one response)."""
    db.session.rollback()
    return {a.question.name: a.value for a in db.session.scalars(select(Answer))}


def table_counts(db) -> dict[str, int]:
    """Row counts of every table; fails if a table is gone."""
    db.session.rollback()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def table_rows(db) -> dict[str, list[tuple]]:
    """Every row of every table: equal snapshots mean nothing was added, changed or removed."""
    db.session.rollback()
    return {
        table.name: sorted((tuple(row) for row in db.session.execute(select(table))), key=repr)
        for table in db.metadata.sorted_tables
    }


def field_error(html: str, field: str) -> str:
    found = re.search(rf'id="{field}-error">(.*?)</p>', html, re.S)
    assert found, f"no error shown for {field}"
    return found.group(1)


def without_resume_code(html: str) -> str:
    """The page minus the random resume code (which may itself contain digits like 49)."""
    return re.sub(r'<strong class="code">[^<]*</strong>', "", html)


def assert_shown_escaped(html: str, payload: str) -> None:
    escaped = str(escape(payload))
    assert escaped in html, f"{escaped!r} not in the page"
    if escaped != payload:
        assert payload not in html, f"{payload!r} appears unescaped"
    else:  # nothing to escape: it must at least never become a link or form target
        assert not re.search(
            r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", html, re.I
        )


def set_label(db, name: str, label: str) -> None:
    """What an admin would write as a question's text (straight into the database)."""
    question = db.session.scalar(select(Question).where(Question.name == name))
    question.label_en = label
    db.session.commit()


# --- markup and template syntax ------------------------------------------------------------


@pytest.mark.parametrize("payload", XSS)
def test_markup_in_answers_is_stored_as_typed_and_shown_escaped(browser, db, payload):
    complete_survey(browser, upto=8)
    # Shown again after a validation error on another field of the page.
    invalid = answer_page(browser, 9, {"comment_liked": payload, "comment_change": "y" * 5001})
    assert invalid.status_code == 400
    assert_shown_escaped(invalid.get_data(as_text=True), payload)
    assert "comment_liked" not in stored(db)
    # Saved (Back saves too), then shown in the page that holds it.
    assert answer_page(browser, 9, {"comment_liked": payload}, button="back").status_code == 302
    assert stored(db)["comment_liked"] == payload
    assert_shown_escaped(browser.get("/survey/page/9").get_data(as_text=True), payload)
    # A one-line answer lives in an attribute (value="...").
    assert (
        answer_page(browser, 4, {**PAGES[3][1], "info_formats_other": payload}).status_code == 302
    )
    assert stored(db)["info_formats_other"] == payload
    assert_shown_escaped(browser.get("/survey/page/4").get_data(as_text=True), payload)


@pytest.mark.parametrize("payload", XSS)
def test_markup_in_a_question_label_is_shown_escaped(browser, admin, db, payload):
    set_label(db, "age_group", payload)
    complete_survey(browser, upto=2)
    assert_shown_escaped(browser.get("/survey/page/3").get_data(as_text=True), payload)
    # The error summary at the top repeats the label.
    unanswered = {k: v for k, v in PAGES[2][1].items() if k != "age_group"}
    invalid = answer_page(browser, 3, unanswered)
    assert invalid.status_code == 400
    html = invalid.get_data(as_text=True)
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert_shown_escaped(summary, payload)
    # Staff see the label on the dashboard.
    dashboard = admin.get("/staff/dashboard")
    assert dashboard.status_code == 200
    assert_shown_escaped(dashboard.get_data(as_text=True), payload)


@pytest.mark.parametrize("payload", TEMPLATE_SYNTAX)
def test_template_syntax_stays_literal(browser, admin, db, payload):
    set_label(db, "comment_change", payload)
    complete_survey(browser, upto=8)
    assert answer_page(browser, 9, {"comment_liked": payload}, button="back").status_code == 302
    assert stored(db)["comment_liked"] == payload
    page = without_resume_code(browser.get("/survey/page/9").get_data(as_text=True))
    dashboard = admin.get("/staff/dashboard").get_data(as_text=True)
    # The dashboard is full of numbers: look at the comment_change item's heading only.
    heading = re.search(r"<h2[^>]*>([^<]*)<small><code>comment_change</code>", dashboard).group(1)
    assert heading.strip() == str(escape(payload))
    assert str(escape(payload)) in page
    # What a reader sees, not the markup: attributes such as the random CSRF token may hold "49".
    for text in (
        lxml.html.fromstring(page).text_content(),
        lxml.html.fromstring(heading).text_content(),
    ):
        assert payload in text
        assert "49" not in text
    for html in (page, dashboard):
        assert "test-secret" not in html and "SQLALCHEMY_DATABASE_URI" not in html
        assert "&lt;Config" not in html and "<Config" not in html
        assert "&lt;class" not in html and "<class" not in html


# --- SQL-ish query parameters ----------------------------------------------------------------


def _urls_with(value: str) -> list[str]:
    q = quote(value, safe="")
    return [
        f"/staff/?page={q}",
        f"/staff/dashboard?since={q}",
        f"/staff/dashboard?until={q}",
        f"/staff/dashboard?status={q}",
        f"/staff/dashboard?version={q}",
        f"/staff/dashboard?language={q}",
        f"/staff/dashboard?since={q}&until={q}&status={q}&version={q}&language={q}",
        f"/survey/?lang={q}",
        f"/survey/page/1?lang={q}",
        f"/survey/page/3?lang={q}",
        f"/survey/resume?lang={q}",
        f"/toolkit/?lang={q}",
        f"/toolkit/steps?lang={q}",
        f"/staff/login?lang={q}",
        f"/staff/login?next={q}",
        f"/staff/?lang={q}",
        f"/staff/dashboard?lang={q}",
        f"/survey/page/{q}",
        f"/toolkit/{q}",
        f"/survey/toolkit/{q}",
        f"/staff/exports/{q}",
        f"/staff/exports/{q}/status",
        f"/staff/exports/{q}/download",
    ]


@pytest.mark.parametrize("value", SQLISH)
def test_sql_ish_query_parameters_do_no_harm(browser, admin, db, version, value):
    generate_responses(db.session, version, 5, seed=1)
    db.session.commit()
    complete_survey(browser, upto=5)  # a participant who can open the toolkit pages
    before = table_counts(db)
    assert before["response"] == 6 and before["answer"] > 0
    for visitor in (admin, browser):
        for url in _urls_with(value):
            response = visitor.get(url)
            assert response.status_code < 500, (url, response.status_code)
    assert table_counts(db) == before
    assert admin.get("/staff/").status_code == 200
    assert "6 responses" in admin.get("/staff/").get_data(as_text=True)


@pytest.mark.parametrize(
    "page, rows",
    # A page past the end shows the last page (the response browser's choice), never an error.
    [("-5", 3), ("0", 3), ("2", 3), ("99999999999999999999999", 3), ("1e9", 3), ("", 3)],
)
def test_staff_list_page_numbers_out_of_range(admin, db, version, page, rows):
    generate_responses(db.session, version, 3, seed=2)
    db.session.commit()
    response = admin.get(f"/staff/?page={page}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<tr>") == rows + 1  # with the header row
    assert "3 responses" in html


# --- forged fields, unknown codes, odd numbers -----------------------------------------------


def test_forged_field_names_are_ignored(browser, db):
    complete_survey(browser, upto=3)
    sus = db.session.scalar(select(Question).where(Question.name == "sus_01"))
    before = stored(db)
    forged = {
        f"question_{sus.id}": "5",
        f"q_{sus.id}": "5",
        str(sus.id): "5",
        "answers-sus_01": "5",
        "response_id": "someone-else",
        "current_position": "9",
        "status": "complete",
        "version_id": "2",
    }
    assert answer_page(browser, 4, {**PAGES[3][1], **forged}).status_code == 302
    expected = {**before, **PAGES[3][1]}
    assert stored(db) == expected
    [response] = responses(db)
    assert (response.current_position, response.status) == (5, "in_progress")


@pytest.mark.parametrize(
    "position, changes, field, message",
    [
        (3, {"age_group": "breastfeeding"}, "age_group", "Please choose one of the options shown."),
        (3, {"pregnant": "30_34"}, "pregnant", "Please choose one of the options shown."),
        (3, {"age_group": ["30_34", "35_39"]}, "age_group", None),  # two for a single choice
        (
            4,
            {"info_formats": ["online", "yes"]},
            "info_formats",
            "Please choose only from the options shown.",
        ),
        (
            4,
            {"info_formats": ["online", "online' OR 1=1 --"]},
            "info_formats",
            "Please choose only from the options shown.",
        ),
        (6, {"rating_layout": "6"}, "rating_layout", "Please choose one of the options shown."),
        (8, {"pain_during": "4.5"}, "pain_during", "Please choose one of the options shown."),
        (8, {"pain_during": "NaN"}, "pain_during", "Please choose one of the options shown."),
        (8, {"pain_during": "-1"}, "pain_during", "Please choose one of the options shown."),
    ],
)
def test_unknown_choice_codes_are_refused(browser, db, position, changes, field, message):
    complete_survey(browser, upto=position - 1)
    before = stored(db)
    response = answer_page(browser, position, {**PAGES[position - 1][1], **changes})
    if message is None:  # a single choice posted twice: the first one counts, nothing odd
        assert response.status_code == 302
        assert stored(db)[field] == changes[field][0]
        return
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field)
    assert stored(db) == before
    assert responses(db)[0].current_position == position


@pytest.mark.parametrize(
    "value, message",
    [
        ("-5", "Please enter a number from 1 to 42."),
        ("43", "Please enter a number from 1 to 42."),
        ("9" * 400, "Please enter a number from 1 to 42."),
        ("1e309", "Please enter a whole number, such as 12."),
        ("NaN", "Please enter a whole number, such as 12."),
        ("inf", "Please enter a whole number, such as 12."),
        ("-Infinity", "Please enter a whole number, such as 12."),
        ("12.5", "Please enter a whole number, such as 12."),
        ("0x10", "Please enter a whole number, such as 12."),
        ("1 2", "Please enter a whole number, such as 12."),
    ],
)
def test_odd_whole_numbers_are_refused(browser, db, value, message):
    complete_survey(browser, upto=2)
    before = stored(db)
    data = {**PAGES[2][1], "pregnant": "yes", "pregnancy_weeks": value}
    response = answer_page(browser, 3, data)
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), "pregnancy_weeks")
    assert stored(db) == before


def test_a_whole_number_with_spaces_around_it_is_that_number(browser, db):
    """Spaces around a number (a paste) are not hostile: ` 12 ` is 12."""
    complete_survey(browser, upto=2)
    data = {**PAGES[2][1], "pregnant": "yes", "pregnancy_weeks": " 12 "}
    assert answer_page(browser, 3, data).status_code == 302
    assert stored(db)["pregnancy_weeks"] == 12.0


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-inf", "1e309", "-1e400"])
def test_decimal_answers_must_be_finite(browser, db, value):
    """No decimal question ships with the default questionnaire, but a study may add one
    (without a range): NaN and infinities are not answers."""
    page = db.session.scalar(select(Page).where(Page.name == "about_you"))
    page.questions.append(
        Question(
            position=len(page.questions) + 1,
            name="baby_weight_kg",
            type="decimal",
            label_en="Your baby's weight at birth (kg)",
        )
    )
    db.session.commit()
    complete_survey(browser, upto=2)
    before = stored(db)
    response = answer_page(browser, 3, {**PAGES[2][1], "baby_weight_kg": value})
    assert response.status_code == 400
    error = field_error(response.get_data(as_text=True), "baby_weight_kg")
    assert "Please enter a number, such as 3.5." in error
    assert stored(db) == before
    assert answer_page(browser, 3, {**PAGES[2][1], "baby_weight_kg": "3,5"}).status_code == 302
    assert stored(db)["baby_weight_kg"] == 3.5


# --- sizes ------------------------------------------------------------------------------------


def test_a_body_over_one_megabyte_gets_the_error_page(browser, make_browser, db):
    complete_survey(browser, upto=8)
    before = table_rows(db)
    huge = "x" * (1024 * 1024 + 1)
    for response in (
        answer_page(browser, 9, {"comment_liked": huge}),
        make_browser().post("/staff/login", {"email": "a@example.org", "password": huge}),
    ):
        html = response.get_data(as_text=True)
        assert response.status_code == 413
        assert "What you sent is too large." in html
        assert "Traceback" not in html and "RequestEntityTooLarge" not in html
    assert table_rows(db) == before


def test_a_900_kb_answer_gets_the_length_message(browser, db):
    complete_survey(browser, upto=8)
    before = stored(db)
    response = answer_page(browser, 9, {"comment_liked": "x" * 900_000})
    assert response.status_code == 400
    error = field_error(response.get_data(as_text=True), "comment_liked")
    assert "Please shorten this answer to 5000 characters or fewer." in error
    assert stored(db) == before


# --- control characters, surrogates, JSON ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["a\x00b", "bell\x07", "\x1b[31mred", "del\x7f", "vt\x0b", "ff\x0c", "x\ufffe", "x\uffff"],
)
def test_control_characters_are_refused(browser, db, text):
    complete_survey(browser, upto=8)
    response = answer_page(browser, 9, {"comment_liked": text})
    assert response.status_code == 400
    assert "hidden control characters" in field_error(
        response.get_data(as_text=True), "comment_liked"
    )
    assert "comment_liked" not in stored(db)


def test_tabs_and_line_breaks_are_kept(browser, db):
    complete_survey(browser, upto=8)
    text = "First line\r\nsecond\tline"
    assert answer_page(browser, 9, {"comment_liked": text}, button="back").status_code == 302
    assert stored(db)["comment_liked"] == text


def _post_raw_form(browser, url: str, fields: dict, raw: str):
    """A urlencoded body with some raw percent-encoded bytes a browser would never send."""
    browser.get(url)
    body = urlencode({"csrf_token": browser.token, **fields}, doseq=True) + "&" + raw
    return browser.request("POST", url, data=body, content_type="application/x-www-form-urlencoded")


def test_a_lone_surrogate_in_form_bytes_is_never_stored(browser, db):
    complete_survey(browser, upto=2)
    fields = {k: v for k, v in PAGES[2][1].items() if k != "age_group"}
    refused = _post_raw_form(
        browser, "/survey/page/3", {**fields, "next": "x"}, "age_group=%ED%A0%80"
    )
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "Please choose one of the options shown." in field_error(html, "age_group")
    data = {**PAGES[2][1], "pregnant": "yes", "next": "x"}
    refused = _post_raw_form(browser, "/survey/page/3", data, "pregnancy_weeks=%ED%A0%80")
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "Please enter a whole number, such as 12." in field_error(html, "pregnancy_weeks")
    assert stored(db).keys() == {"eligibility", "consent"}
    # In text, bytes that are not UTF-8 are kept as the percent escapes that were sent.
    complete_survey(browser, upto=8)
    saved = _post_raw_form(browser, "/survey/page/9", {"back": "x"}, "comment_liked=%ED%A0%80ok")
    assert saved.status_code == 302
    value = stored(db)["comment_liked"]
    assert value == "%ED%A0%80ok"
    assert not re.search("[\ud800-\udfff]", value)
    assert browser.get("/survey/page/9").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        '{"csrf_token": TOKEN, "age_group": "\\ud800", "next": "x"}',
        '{"csrf_token": TOKEN, "age_group": "30_34", "parity": "1", "pregnant": "no", "next": "x"}',
        '{"csrf_token": TOKEN, "age_group": {"$ne": null}, "parity": 1, "pregnant": ["no"]}',
        "[1, 2]",
        '[["csrf_token", TOKEN]]',
        '"abc"',
        "null",
        "42",
        "{not json",
    ],
)
def test_a_json_body_is_refused(browser, db, body):
    complete_survey(browser, upto=2)
    browser.get("/survey/page/3")
    data = body.replace("TOKEN", json.dumps(browser.token)).encode()
    response = browser.request("POST", "/survey/page/3", data=data, content_type="application/json")
    assert response.status_code == 400
    assert stored(db).keys() == {"eligibility", "consent"}
    assert responses(db)[0].current_position == 3


def test_a_json_body_is_refused_on_staff_forms_too(app, db, make_browser):
    create_user(db.session, "a@example.org", PASSWORD, "admin")
    db.session.commit()
    browser = make_browser()
    browser.get("/staff/login")
    before = table_rows(db)
    for body in ("[1, 2]", '{"email": 5, "password": ["x"]}'):
        response = browser.request(
            "POST",
            "/staff/login",
            data=body,
            content_type="application/json",
            headers={"X-CSRFToken": browser.token},
        )
        assert response.status_code == 400, body
    assert table_rows(db) == before


def test_a_nul_in_the_login_email_is_refused_by_the_form(app, db, make_browser):
    """PostgreSQL refuses a NUL in text even to look it up: the form stops it first."""
    create_user(db.session, "a@example.org", PASSWORD, "admin")
    db.session.commit()
    browser = make_browser()
    browser.get("/staff/login")
    before = table_rows(db)
    response = browser.post("/staff/login", {"email": "a\x00@example.org", "password": PASSWORD})
    assert response.status_code == 200  # the form again, with the field's error
    assert 'id="email"' in response.get_data(as_text=True)
    assert table_rows(db) == before  # not even a failed attempt to record
    assert browser.get("/staff/").status_code == 302  # not logged in


# --- CSRF ---------------------------------------------------------------------------------------


def test_participant_page_without_a_token_keeps_the_answers(browser, db):
    complete_survey(browser, upto=2)
    browser.get("/survey/page/3")
    response = browser.request("POST", "/survey/page/3", data={**PAGES[2][1], "next": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your answers are still here" in html
    assert re.search(r'value="30_34"[^>]*checked|checked[^>]*value="30_34"', html)
    assert stored(db).keys() == {"eligibility", "consent"}
    browser._remember_token(response)
    again = browser.post("/survey/page/3", {**PAGES[2][1], "next": "x"}, fetch=False)
    assert again.status_code == 302
    assert stored(db)["age_group"] == "30_34"


def _token(kind: str, make_browser) -> dict:
    if kind == "missing":
        return {}
    if kind == "garbage":
        return {"csrf_token": "stale-token"}
    other = make_browser()  # a real token, but from another session
    other.get("/staff/login")
    return {"csrf_token": other.token}


@pytest.mark.parametrize("kind", ["missing", "stale", "garbage"])
def test_staff_login_without_a_valid_token_changes_nothing(app, db, make_browser, kind):
    create_user(db.session, "a@example.org", PASSWORD, "admin")
    db.session.commit()
    browser = make_browser()
    browser.get("/staff/login")
    before = table_rows(db)
    data = {"email": "a@example.org", "password": PASSWORD, **_token(kind, make_browser)}
    response = browser.request("POST", "/staff/login", data=data)
    assert response.status_code == 400
    assert "This form had expired" in response.get_data(as_text=True)
    assert table_rows(db) == before
    assert browser.get("/staff/").status_code == 302  # still logged out


@pytest.mark.parametrize("kind", ["missing", "stale", "garbage"])
def test_staff_logout_without_a_valid_token_changes_nothing(investigator, make_browser, db, kind):
    before = table_rows(db)
    response = investigator.request(
        "POST", "/staff/logout", data={"submit": "x", **_token(kind, make_browser)}
    )
    assert response.status_code == 400
    assert table_rows(db) == before  # same session token, no audit event
    assert investigator.get("/staff/").status_code == 200  # still logged in


# --- GET never writes -------------------------------------------------------------------------

SAMPLE_POSITIONS = range(1, 10)


def _draft_ids(db) -> dict[str, int]:
    """Real ids of the draft's first page, question, list, choice and score."""
    db.session.rollback()
    draft = db.session.scalar(select(QuestionnaireVersion).where(QuestionnaireVersion.number == 2))
    choice_list = draft.questions[0].choice_list
    return {
        "page_id": draft.pages[0].id,
        "question_id": draft.questions[0].id,
        "list_id": choice_list.id,
        "choice_id": choice_list.choices[0].id,
        "score_id": draft.scores[0].id,
        "user_id": 1,
    }


def _get_urls(app, job_id: str, ids: dict[str, int]) -> list[tuple[str, str]]:
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods:
                continue
            args = {"key": "steps", "filename": "app.css", "job_id": job_id, **ids}
            args |= {"token": "0" * 64, "language": "en", "wave": "invitation"}
            args["response_id"] = "no-such-response"
            if "position" in rule.arguments:
                for position in SAMPLE_POSITIONS:
                    urls.append((rule.endpoint, url_for(rule.endpoint, position=position)))
            else:
                urls.append(
                    (rule.endpoint, url_for(rule.endpoint, **{a: args[a] for a in rule.arguments}))
                )
    return urls


def test_get_requests_change_nothing(app, db, version, browser, admin, make_browser):
    db.session.rollback()  # a fresh snapshot: the admin fixture wrote since `version` was read
    generate_responses(db.session, version, 3, seed=4)
    db.session.commit()
    made = admin.post("/staff/exports", {"status": "all", "format": "csv", "submit": "x"})
    job_id = made.headers["Location"].rsplit("/", 1)[1]
    complete_survey(browser, upto=5)  # a participant mid-survey, past the toolkit step
    browser.post("/survey/toolkit/steps", {"submit": "x"})
    admin.post("/staff/admin/questionnaire/draft/start", {}, fetch=False)
    admin.get("/staff/admin/questionnaire/")
    urls = _get_urls(app, job_id, _draft_ids(db))
    assert len(urls) >= 20
    checked = 0
    # Nothing runs between two requests, so what one request left is what the next finds: one
    # snapshot of the database per request, not two.
    after = table_rows(db)
    for who, visitor in (("anonymous", make_browser()), ("participant", browser), ("admin", admin)):
        for endpoint, url in urls:
            before = after
            response = visitor.get(url)
            response.close()  # a static file is streamed from an open file
            assert response.status_code < 500, (who, url)
            after = table_rows(db)
            if endpoint in DOWNLOADS and who == "admin":
                # Excluded by design: a download is recorded in the audit log (who took which
                # export or questionnaire, and when). That append is the only write.
                assert response.status_code == 200
                assert {k: v for k, v in after.items() if k != "audit_event"} == {
                    k: v for k, v in before.items() if k != "audit_event"
                }
                assert len(after["audit_event"]) == len(before["audit_event"]) + 1
                db.session.rollback()
                last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
                assert last.action == DOWNLOADS[endpoint]
                continue
            assert after == before, (who, url)
            checked += 1
    assert checked == 3 * len(urls) - len(DOWNLOADS)


DOWNLOADS = {
    "dashboard.export_download": "export.download",
    "editor.spreadsheet_export": "questionnaire.spreadsheet_download",
}


# --- next= --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw_next",
    ["%2F%2Fevil.example", "https:evil.example", "/%09/evil.example", "/%0a/evil.example"],
)
def test_next_pointing_off_site_is_ignored(app, db, make_browser, raw_next):
    create_user(db.session, "a@example.org", PASSWORD, "admin")
    db.session.commit()
    browser = make_browser()
    browser.get("/staff/login")
    response = browser.post(
        f"/staff/login?next={raw_next}",
        {"email": "a@example.org", "password": PASSWORD},
        fetch=False,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"


@pytest.mark.parametrize(
    "raw_next", ["/staff/%0d%0aX:1", "/staff/%0aX:1", "/staff/%7f", "/staff/%c2%85"]
)
def test_next_with_control_characters_goes_home(app, db, make_browser, raw_next):
    """A line break in `next` once made the redirect header fail after the login (a 500)."""
    create_user(db.session, "a@example.org", PASSWORD, "admin")
    db.session.commit()
    browser = make_browser()
    response = browser.post(
        f"/staff/login?next={raw_next}", {"email": "a@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"


# --- dates out of range -------------------------------------------------------------------------

FAR_DATES = "since=0001-01-01&until=9999-12-31"
DATE_BOUNDS = "Choose a date from 2000-01-01 to 2100-12-31."


def test_dashboard_dates_out_of_range_are_refused(investigator):
    for query in (FAR_DATES, "until=9999-12-31", "since=1999-12-31", "until=2101-01-01"):
        response = investigator.get(f"/staff/dashboard?{query}")
        assert response.status_code == 400, query
        assert DATE_BOUNDS in response.get_data(as_text=True), query
    assert investigator.get("/staff/dashboard?since=2000-01-01&until=2100-12-31").status_code == 200


def test_export_dates_out_of_range_are_refused(investigator, runner, db, tmp_path):
    response = investigator.post(
        "/staff/exports",
        {
            "since": "0001-01-01",
            "until": "9999-12-31",
            "format": "csv",
            "status": "all",
            "submit": "x",
        },
    )
    assert response.status_code == 400
    assert response.get_data(as_text=True).count(DATE_BOUNDS) == 2
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 0
    result = runner.invoke(
        args=["export", str(tmp_path / "r.csv"), "--csv", "--until", "9999-12-31"]
    )
    assert result.exit_code == 2 and "from 2000-01-01 to 2100-12-31" in result.output
