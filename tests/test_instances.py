"""Several app instances share nothing but the database: sessions, login throttling, export
jobs and participants move freely between them (run on PostgreSQL in CI, and on SQLite)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from survey.auth.services import FREE_FAILURES, create_user
from survey.models import AuditEvent
from tests.conftest import PASSWORD, Browser


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


def from_address(browser: Browser, address: str) -> Browser:
    browser.client.environ_base["REMOTE_ADDR"] = address
    return browser


def test_failed_logins_slow_the_same_email_from_the_same_address(app, second, db):
    """On both instances: after FREE_FAILURES, each try from that address waits, doubling,
    even with the right password; the account itself is never locked."""
    create_user(db.session, "lead@example.org", PASSWORD, "investigator")
    db.session.commit()
    for attempt in range(FREE_FAILURES):
        instance = app if attempt % 2 else second
        assert login(on(instance), "lead@example.org", "wrong password!").status_code == 401
    for instance in (app, second):
        response = login(on(instance), "lead@example.org")  # even the right password
        assert response.status_code == 429 and response.headers["Retry-After"] == "2"
        assert "Please wait 2 seconds" in response.get_data(as_text=True)
    # The right password from another address is never held up by someone else's failures.
    other = from_address(on(second), "192.0.2.7")
    assert login(other, "lead@example.org").status_code == 302
    # An unknown email is slowed the same way: nothing tells the two apart.
    for _ in range(FREE_FAILURES):
        login(on(second), "nobody@example.org", "x" * 12)
    assert login(on(app), "nobody@example.org", "x" * 12).status_code == 429


def test_the_wait_doubles_and_then_lets_the_right_password_in(app, db):
    create_user(db.session, "lead@example.org", PASSWORD, "investigator")
    db.session.commit()
    for _ in range(FREE_FAILURES):
        login(on(app), "lead@example.org", "wrong password!")
    age_failures(db, seconds=3)  # the 2 s wait is over
    assert login(on(app), "lead@example.org", "wrong again!!").status_code == 401
    assert login(on(app), "lead@example.org").headers["Retry-After"] == "4"  # 6 failures now
    age_failures(db, seconds=5)
    assert login(on(app), "lead@example.org").status_code == 302


def test_failures_on_other_accounts_lock_out_no_one(app, second, db):
    """Behind one proxy address, or a guesser trying many accounts: no one else waits."""
    create_user(db.session, "lead@example.org", PASSWORD, "investigator")
    db.session.commit()
    for n in range(40):
        login(on(app if n % 2 else second), f"guess{n}@example.org", "wrong password!")
    assert login(on(second), "lead@example.org").status_code == 302


def age_failures(db, seconds: int) -> None:
    """As if `seconds` had passed since every failed login (on a connection of its own: the
    app's sessions refuse to change an audit event)."""
    db.session.rollback()
    failed = AuditEvent.__table__
    with db.engine.begin() as connection:
        rows = connection.execute(
            select(failed.c.id, failed.c.at).where(failed.c.action == "auth.login_failed")
        ).all()
        for event_id, at in rows:
            connection.execute(
                update(failed)
                .where(failed.c.id == event_id)
                .values(at=at - timedelta(seconds=seconds))
            )
