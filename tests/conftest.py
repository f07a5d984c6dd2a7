"""Shared fixtures: an app on a fresh database per test (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), clients that post forms with real CSRF tokens, and staff logins."""

from __future__ import annotations

import contextvars
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, session
from flask.testing import FlaskClient
from flask_login import login_user
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import create_engine, make_url, select

os.environ["SURVEY_ENV"] = "testing"

from survey import create_app  # noqa: E402
from survey.auth.services import authenticate, create_user  # noqa: E402
from survey.database import write_intent  # noqa: E402
from survey.extensions import db as _db  # noqa: E402
from survey.models import QuestionnaireVersion, Response  # noqa: E402
from survey.participate import structure  # noqa: E402
from survey.questionnaire.loader import load_default_questionnaire  # noqa: E402
from survey.queue import init_queue  # noqa: E402
from survey.schema_migrations import init_migrations  # noqa: E402

CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _test_reads_take_no_write_lock():
    """The test's own session only inspects what requests did; on SQLite it must not hold the
    write lock while a request runs."""
    token = write_intent.set(False)
    yield
    write_intent.reset(token)


TEST_CONFIG = {"SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": True}


class _CompiledTemplates(BytecodeCache):
    """Every test makes an app, and every app its own Jinja environment, which would compile
    each template it renders again: compiled once per run here instead. Jinja checks each
    template's source against the checksum kept with its code, so a changed template is
    compiled afresh."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self.code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = _CompiledTemplates()


def make_app(database_url: str, **config) -> Flask:
    """An app instance on this database, configured as every test's app is."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, **TEST_CONFIG, **config})
    app.jinja_env.bytecode_cache = _COMPILED_TEMPLATES
    init_migrations(app)  # the migration tests call Flask-Migrate's upgrade() and downgrade()
    return app


def reset_schema() -> None:
    """An empty schema from the models (the migration tests cover the migrations)."""
    _db.drop_all()
    with _db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    _db.create_all()


def fill_new_database(app: Flask) -> None:
    """The schema and the default questionnaire, as `flask setup` leaves a new database."""
    with app.app_context():
        reset_schema()
        load_default_questionnaire(_db.session)
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def worker_postgresql_url() -> str | None:
    """TEST_DATABASE_URL, or under pytest-xdist a new database of this worker's own beside it
    (made afresh, so no table an older schema left behind gets in the way)."""
    url = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite database with the schema and default questionnaire, built once per run (per
    xdist worker); each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    fill_new_database(make_app(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def worker_app(tmp_path_factory, worker_postgresql_url) -> Flask:
    """One app per run (per xdist worker), on a database of its own that each test empties:
    making an app for every test took about 10% of the suite (its URL rules are compiled
    anew, and each new engine compiles every query again)."""
    path = tmp_path_factory.mktemp("database") / "test.sqlite3"
    return make_app(worker_postgresql_url or f"sqlite:///{path}")


@pytest.fixture
def database_url(worker_app: Flask, request) -> str:
    """The worker's database, made new for this test: on SQLite a copy of the template (the
    old file and its WAL removed, so no connection left open can see into the new one), on
    PostgreSQL emptied and filled again."""
    url = worker_app.config["SQLALCHEMY_DATABASE_URI"]
    with worker_app.app_context():
        _db.engine.dispose()
    if not url.startswith("sqlite"):
        fill_new_database(worker_app)
        return url
    path = Path(make_url(url).database)
    for old in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))):
        old.unlink(missing_ok=True)
    shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    return url


@pytest.fixture
def queue_settings(tmp_path) -> dict[str, str]:
    """Where this test's task queue lives, for processes started from it: Redis when
    TEST_REDIS_URL is set (under a name of the test's own), else a SQLite file as shipped."""
    redis = os.environ.get("TEST_REDIS_URL")
    name = f"milk-test-{tmp_path.name}-{os.getpid()}"
    if redis:
        return {"REDIS_URL": redis, "QUEUE_NAME": name}
    return {"QUEUE_SQLITE_PATH": str(tmp_path / "queue.sqlite3"), "QUEUE_NAME": name}


@pytest.fixture
def app(worker_app: Flask, database_url: str) -> Iterator[Flask]:
    """The worker's app on this test's new database, with its settings as made: a test may
    change them, and the next test gets them back."""
    settings = dict(worker_app.config)
    structure.forget_structures()  # built from the last test's questionnaire versions
    init_queue(worker_app)  # tasks run in this app (the template's app was made after it)
    yield worker_app
    init_queue(worker_app)  # back to running tasks at once, letting go of any queue a test started
    with worker_app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    worker_app.config.clear()
    worker_app.config.update(settings)


@pytest.fixture
def make_instance(app: Flask, database_url: str):
    """More app instances on this test's database, each with its own engine and connection
    pool, as on other machines (`make_instance(**config)`); their connections are closed after
    the test."""
    made: list[Flask] = []

    def make(**config) -> Flask:
        made.append(make_app(database_url, **config))
        return made[-1]

    yield make
    for instance in made:
        with instance.app_context():
            _db.session.remove()
            _db.engine.dispose()


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


def logged_in(app: Flask, role: str) -> Browser:
    """A staff member's browser, logged in: the login service checks the password, and the
    session the login form would leave is written into the cookie directly, which saves two
    requests per test (tests/test_auth.py logs in through the form)."""
    email = f"{role}@example.org"
    browser = Browser(app.test_client())
    # A fresh app context (and so database session): the test may hold one open already.
    with app.app_context(), app.test_request_context(environ_base=browser.client.environ_base):
        create_user(_db.session, email, PASSWORD, role)
        login_user(authenticate(_db.session, email, PASSWORD, ip="127.0.0.1"))
        _db.session.commit()
        session["seen_at"] = time.time()
        after_login = dict(session)
        _db.session.remove()
    with browser.client.session_transaction() as cookie_session:
        cookie_session.update(after_login)
    assert browser.get("/staff/").status_code == 200  # where a login lands; its CSRF token
    return browser


@pytest.fixture
def admin(app: Flask) -> Browser:
    return logged_in(app, "admin")


@pytest.fixture
def investigator(app: Flask) -> Browser:
    return logged_in(app, "investigator")


@pytest.fixture
def version(db) -> QuestionnaireVersion:
    return db.session.scalar(select(QuestionnaireVersion))


def responses(db) -> list[Response]:
    """Every response, read afresh (a new transaction sees what requests committed)."""
    db.session.rollback()
    return list(db.session.scalars(select(Response)))
