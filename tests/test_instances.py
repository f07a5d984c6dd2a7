"""Several app instances share nothing but the database: sessions, login throttling, export
jobs and participants move freely between them (run on PostgreSQL in CI, and on SQLite)."""

from __future__ import annotations

import pytest
from flask import Flask

from survey.auth.services import FAILURES_PER_ADDRESS, FAILURES_PER_EMAIL, create_user
from tests.conftest import PASSWORD, Browser, responses
from tests.survey_steps import PAGES, answer_page, complete_survey


@pytest.fixture
def second(make_instance) -> Flask:
    """Another instance: its own app object, engine and connection pool; same database."""
    return make_instance()


def on(app: Flask, cookie_from: Browser | None = None) -> Browser:
    browser = Browser(app.test_client())
    if cookie_from is not None:
        browser.client.set_cookie("session", cookie_from.client.get_cookie("session").value)
    return browser


def login(browser: Browser, email: str, password: str = PASSWORD):
    return browser.post("/staff/login", {"email": email, "password": password})


def test_staff_session_and_logout_work_across_instances(app, second, db):
    create_user(db.session, "lead@example.org", PASSWORD, "investigator")
    db.session.commit()
    first = on(app)
    assert login(first, "lead@example.org").status_code == 302
    there = on(second, cookie_from=first)
    assert there.get("/staff/").status_code == 200
    there.post("/staff/logout", {"submit": "x"})
    assert first.get("/staff/").status_code == 302  # logged out everywhere


def test_login_throttle_holds_across_instances(app, second, db):
    create_user(db.session, "lead@example.org", PASSWORD, "investigator")
    db.session.commit()
    for attempt in range(FAILURES_PER_EMAIL):
        instance = app if attempt % 2 else second
        assert login(on(instance), "lead@example.org", "wrong password!").status_code == 401
    for instance in (app, second):
        response = login(on(instance), "lead@example.org")  # even the right password
        assert response.status_code == 429
        assert "Too many failed attempts" in response.get_data(as_text=True)
    # An unknown email is throttled the same way: nothing tells the two apart.
    for _ in range(FAILURES_PER_EMAIL):
        login(on(second), "nobody@example.org", "x" * 12)
    assert login(on(app), "nobody@example.org", "x" * 12).status_code == 429


def test_many_emails_from_one_address_are_throttled(app, second, db):
    create_user(db.session, "lead@example.org", PASSWORD, "investigator")
    db.session.commit()
    for n in range(FAILURES_PER_ADDRESS):
        login(on(app if n % 2 else second), f"guess{n}@example.org", "wrong password!")
    assert login(on(second), "lead@example.org").status_code == 429


def test_export_job_made_on_one_instance_is_served_by_another(app, second, db, investigator):
    complete_survey(on(app))
    response = investigator.post(
        "/staff/exports", {"status": "all", "format": "csv", "submit": "x"}
    )
    job_url = response.headers["Location"]
    there = on(second, cookie_from=investigator)
    assert "Ready: 1 responses." in there.get(job_url).get_data(as_text=True)
    download = there.get(job_url + "/download")
    assert download.status_code == 200 and download.data.count(b"\n") == 2


def test_participant_moves_between_instances(app, second, db):
    first = on(app)
    complete_survey(first, upto=4)
    there = on(second, cookie_from=first)
    for position, data in PAGES[4:]:
        assert answer_page(there, position, data).status_code == 302
    [response] = responses(db)
    assert response.is_complete


def test_idle_staff_are_logged_out(app, investigator, monkeypatch):
    import time

    assert investigator.get("/staff/").status_code == 200
    later = time.time() + app.config["STAFF_IDLE_SECONDS"] + 1
    monkeypatch.setattr("survey.auth.services.time.time", lambda: later)
    response = investigator.get("/staff/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/login")
    assert investigator.get("/staff/").status_code == 302  # and it stays logged out
