"""Shared fixtures: an app on a fresh database per test (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), clients that post forms with real CSRF tokens, and staff logins."""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

os.environ["SURVEY_ENV"] = "testing"

from survey import create_app  # noqa: E402
from survey.auth.services import create_user  # noqa: E402
from survey.dashboard import jobs  # noqa: E402
from survey.database import write_intent  # noqa: E402
from survey.extensions import db as _db  # noqa: E402
from survey.models import QuestionnaireVersion, Response  # noqa: E402
from survey.questionnaire.loader import load_default_questionnaire  # noqa: E402

CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _test_reads_take_no_write_lock():
    """The test's own session only inspects what requests did; on SQLite it must not hold the
    write lock while a request runs."""
    token = write_intent.set(False)
    yield
    write_intent.reset(token)


@pytest.fixture
def database_url(tmp_path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        reset_schema()
        load_default_questionnaire(_db.session)
        _db.session.commit()
    yield app
    jobs.wait_for_jobs()
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def reset_schema() -> None:
    """An empty schema from the models (the migration test covers the migrations)."""
    _db.drop_all()
    with _db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    _db.create_all()


@pytest.fixture
def db(app: Flask):
    with app.app_context():
        yield _db
        _db.session.remove()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


class Browser:
    """A test client that posts forms the way a browser does: with the page's CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token: str | None = None

    def request(self, method: str, url: str, **kwargs):
        # A fresh app context per request, as in a real server: a test that holds one open
        # (the `db` fixture) must not share `g` (and so CSRF tokens) with the requests.
        # Run in a copy of the context so the request's settings do not leak into the test.
        def open_in_new_app_context():
            with self.client.application.app_context():
                return self.client.open(url, method=method, **kwargs)

        return contextvars.copy_context().run(open_in_new_app_context)

    def get(self, url: str, **kwargs):
        response = self.request("GET", url, **kwargs)
        self._remember_token(response)
        return response

    def _remember_token(self, response) -> None:
        if response.mimetype != "text/html":
            return
        match = CSRF_INPUT.search(response.get_data(as_text=True))
        if match:
            self.token = match.group(1)

    def post(self, url: str, data: dict | None = None, fetch: bool = True, **kwargs):
        """Open the page first (as a person would), then submit it."""
        if fetch:
            self.get(url)
        form = {"csrf_token": self.token, **(data or {})}
        response = self.request("POST", url, data=form, **kwargs)
        self._remember_token(response)
        return response


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def browser(client: FlaskClient) -> Browser:
    """A participant's browser."""
    return Browser(client)


@pytest.fixture
def make_browser(app: Flask):
    return lambda: Browser(app.test_client())


def _logged_in(app: Flask, role: str) -> Browser:
    email = f"{role}@example.org"
    with app.app_context():
        create_user(_db.session, email, PASSWORD, role)
        _db.session.commit()
    browser = Browser(app.test_client())
    response = browser.post("/staff/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser


@pytest.fixture
def admin(app: Flask) -> Browser:
    return _logged_in(app, "admin")


@pytest.fixture
def investigator(app: Flask) -> Browser:
    return _logged_in(app, "investigator")


@pytest.fixture
def version(db) -> QuestionnaireVersion:
    return db.session.scalar(select(QuestionnaireVersion))


def responses(db) -> list[Response]:
    """Every response, read afresh (a new transaction sees what requests committed)."""
    db.session.rollback()
    return list(db.session.scalars(select(Response)))
