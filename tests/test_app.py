"""The factory, configuration, the schema and SQLite's locking."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.orm import Session

from survey import create_app
from survey.config import ConfigError, read_or_create_follow_up_key, settings_from_env
from survey.database import configure_sqlite
from survey.extensions import db as database
from survey.models import Base, Response
from tests.conftest import logged_in, reset_schema

FOLLOW_UP_KEY = Fernet.generate_key().decode()
# What production needs besides SECRET_KEY and DATABASE_URL: the follow-up's key and address.
FOLLOW_UP = {"FOLLOW_UP_KEY": FOLLOW_UP_KEY, "PUBLIC_URL": "https://milk.example.org"}


@pytest.mark.parametrize(
    "env, missing",
    [
        (FOLLOW_UP, "SECRET_KEY and DATABASE_URL"),
        ({"SECRET_KEY": "k", **FOLLOW_UP}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:///x", **FOLLOW_UP}, "SECRET_KEY"),
        ({"SECRET_KEY": "k", "DATABASE_URL": "sqlite:///x"}, "FOLLOW_UP_KEY and PUBLIC_URL"),
        (
            {"SECRET_KEY": "k", "DATABASE_URL": "sqlite:///x", **FOLLOW_UP, "FOLLOW_UP_KEY": ""},
            "needs FOLLOW_UP_KEY in",
        ),
        (
            {"SECRET_KEY": "k", "DATABASE_URL": "x", **FOLLOW_UP, "FOLLOW_UP_KEY": "short"},
            "FOLLOW_UP_KEY must be a Fernet key",
        ),
        (
            {"SECRET_KEY": "k", "DATABASE_URL": "x", **FOLLOW_UP, "PUBLIC_URL": "http://a.org"},
            "PUBLIC_URL must start with https://",
        ),
    ],
)
def test_production_refuses_to_start_without_secrets(env, missing, monkeypatch, tmp_path):
    with pytest.raises(ConfigError, match=missing):
        settings_from_env({"SURVEY_ENV": "production", **env}, str(tmp_path))
    monkeypatch.setenv("SURVEY_ENV", "production")
    for name in ("SECRET_KEY", "DATABASE_URL", "FOLLOW_UP_KEY", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError):
        create_app()


def test_production_starts_with_every_secret(tmp_path):
    env = {"SURVEY_ENV": "production", "SECRET_KEY": "k", "DATABASE_URL": "x", **FOLLOW_UP}
    settings = settings_from_env(env, str(tmp_path))
    assert settings["FOLLOW_UP_KEY"] == FOLLOW_UP_KEY
    assert settings["PUBLIC_URL"] == "https://milk.example.org"


def test_development_keeps_the_follow_up_key_made_at_setup(tmp_path):
    """Without the instance folder's key (before `flask setup`) development offers no
    follow-up, rather than encrypting with a key lost at the next restart."""
    assert settings_from_env({}, str(tmp_path))["FOLLOW_UP_KEY"] is None
    made = read_or_create_follow_up_key(str(tmp_path))
    assert settings_from_env({}, str(tmp_path))["FOLLOW_UP_KEY"] == made
    assert (tmp_path / "follow_up_key").stat().st_mode & 0o077 == 0
    Fernet(made.encode())  # a usable key


def test_production_cookies_are_secure(tmp_path):
    settings = settings_from_env(
        {"SURVEY_ENV": "production", "SECRET_KEY": "k", "DATABASE_URL": "sqlite:///x", **FOLLOW_UP},
        str(tmp_path),
    )
    assert settings["SESSION_COOKIE_SECURE"] and settings["SESSION_COOKIE_HTTPONLY"]
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_defaults_to_sqlite_in_the_instance_folder(tmp_path):
    settings = settings_from_env({}, str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:///survey.sqlite3"
    (tmp_path / "secret_key").write_text("kept")
    assert settings_from_env({}, str(tmp_path))["SECRET_KEY"] == "kept"


def test_security_headers(browser):
    response = browser.get("/survey/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # production only


def test_staff_and_participant_pages_are_never_stored_but_public_ones_may_be(app, admin, browser):
    """A shared or back-buttoned browser must not keep a page with answers, a resume code or
    staff data: every staff page (whatever its status) and every survey page says no-store."""
    from flask import url_for

    from tests.survey_steps import complete_survey
    from tests.test_auth import SAMPLE_ARGS

    with app.test_request_context():
        staff_urls = sorted(
            {
                url_for(rule.endpoint, **{a: SAMPLE_ARGS[a] for a in rule.arguments})
                for rule in app.url_map.iter_rules()
                if "GET" in rule.methods and rule.rule.startswith("/staff")
            }
        )
    assert len(staff_urls) > 20 and "/staff/login" in staff_urls
    for url in [*staff_urls, "/staff/no-such-page"]:
        assert admin.get(url).headers.get("Cache-Control") == "no-store", url

    complete_survey(browser, upto=4)
    participant_urls = ["/survey/", "/survey/page/4", "/survey/toolkit/steps", "/survey/resume"]
    for url in participant_urls:
        response = browser.get(url)
        assert response.status_code == 200, url
        assert response.headers.get("Cache-Control") == "no-store", url
    complete_survey(browser)
    thanks = browser.get("/survey/thanks")
    assert thanks.status_code == 200 and thanks.headers.get("Cache-Control") == "no-store"

    for url in ("/toolkit/", "/toolkit/steps", "/static/app.css"):
        response = browser.get(url)
        response.close()  # a static file is streamed from its open file
        assert response.status_code == 200, url
        assert "no-store" not in response.headers.get("Cache-Control", ""), url


def test_static_files_are_kept_until_their_content_changes(app, client):
    """Pages name each style and script with its content's digest; that address may be kept
    for a year, and any other address of the file is revalidated as before."""
    page = client.get("/toolkit/").get_data(as_text=True)
    addresses = re.findall(r'(?:href|src)="(/static/[\w.-]+\?v=\w+)"', page)
    assert {address.split("?")[0] for address in addresses} >= {
        "/static/app.css",
        "/static/toolkit.css",
    }
    for address in addresses:
        name, version = address.removeprefix("/static/").split("?v=")
        content = (Path(app.static_folder) / name).read_bytes()
        assert version == hashlib.sha256(content).hexdigest()[:16], address
        kept = client.get(address)
        kept.close()  # a static file is streamed from its open file
        assert (kept.status_code, kept.headers["Cache-Control"]) == (
            200,
            "public, max-age=31536000",
        )
    for stale in ("/static/app.css", "/static/app.css?v=0123456789abcdef", "/favicon.ico"):
        response = client.get(stale)
        response.close()
        assert response.status_code == 200, stale
        assert response.headers["Cache-Control"] == "no-cache", stale


def schema_names(engine) -> dict[str, dict[str, object]]:
    """Every table's columns, and the names of its keys, checks and indexes (which
    compare_metadata does not all look at: primary keys and checks are left out)."""
    inspector = inspect(engine)
    return {
        table: {
            "columns": sorted(c["name"] for c in inspector.get_columns(table)),
            "pk": inspector.get_pk_constraint(table)["name"],
            "fk": sorted(
                (f["name"], f["referred_table"], *f["constrained_columns"])
                for f in inspector.get_foreign_keys(table)
            ),
            "uq": sorted(u["name"] for u in inspector.get_unique_constraints(table)),
            "ck": sorted(c["name"] for c in inspector.get_check_constraints(table)),
            "ix": sorted(
                i["name"]
                for i in inspector.get_indexes(table)
                if not i["name"].startswith("sqlite_autoindex")
            ),
        }
        for table in inspector.get_table_names()
        if table != "alembic_version"
    }


def test_migrations_build_the_schema_the_models_describe(app, database_url):
    """On SQLite and on PostgreSQL: upgrade an empty database, then compare with the models, and
    every constraint's and index's name with those the models give (the `app` fixture made the
    schema from the models)."""
    url = database_url
    with app.app_context():
        from_models = schema_names(database.engine)
        database.drop_all()
        upgrade()
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    assert schema_names(engine) == from_models
    engine.dispose()


@pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL", "sqlite").split(":")[0] != "sqlite",
    reason="SQLite settings",
)
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(db):
    connection = db.session.connection()
    assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_concurrent_writers_never_see_database_is_locked(tmp_path):
    """Each writer reads then writes, the pattern that deadlocks with deferred transactions."""
    engine = create_engine(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    configure_sqlite(engine, busy_timeout_ms=30000)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE counter (n INTEGER NOT NULL)")
        connection.exec_driver_sql("INSERT INTO counter VALUES (0)")
    errors: list[Exception] = []

    def writer() -> None:
        try:
            for _ in range(25):
                with Session(engine) as session, session.begin():
                    n = session.execute(text("SELECT n FROM counter")).scalar()
                    session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except Exception as error:  # noqa: BLE001 - the assertion reports it
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT n FROM counter").scalar() == 200  # no lost update
    engine.dispose()


def test_timestamps_are_stored_and_read_as_utc(browser, db):
    from tests.survey_steps import complete_survey

    complete_survey(browser, upto=2)
    response = db.session.scalar(select(Response))
    assert response.started_at.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("url", ["/nope", "/survey/page/99", "/toolkit/nope", "/survey/page/abc"])
def test_unknown_pages_are_a_clear_404(browser, url):
    response = browser.get(url)
    assert response.status_code == 404
    assert "This page does not exist." in response.get_data(as_text=True)


def test_oversized_body_is_refused_with_413(browser):
    browser.get("/survey/page/1")
    response = browser.post("/survey/page/1", {"eligibility": "x" * (2 * 1024 * 1024)}, fetch=False)
    assert response.status_code == 413


FIRST_RELEASE = "204db88f25a8"
BEFORE_PAGES = "570c0d6a78d8"  # the last revision with the table `section` (now `page`)


def first_release_with_data() -> None:
    """The first release's schema with a response, a page and its question, and an answer."""
    database.drop_all()
    with database.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(revision=FIRST_RELEASE)
    at = {"t": "2026-11-01 00:00:00+00:00"}
    with database.engine.begin() as connection:
        for statement in [
            "INSERT INTO questionnaire (id, slug, created_at) VALUES (1, 'milk', :t)",
            "INSERT INTO questionnaire_version (id, questionnaire_id, number, status, title_en, "
            "consent_version, created_at) VALUES (1, 1, 1, 'published', 'T', 'c1', :t)",
            "INSERT INTO response (id, version_id, language, status, started_at, updated_at, "
            "consent_version, consented_at, resume_code_hash, current_position) "
            "VALUES ('r1', 1, 'en', 'in_progress', :t, :t, 'c1', :t, 'h1', 3)",
            # No ids given: PostgreSQL's sequences count these rows, as the app's inserts do.
            "INSERT INTO section (version_id, position, name, kind, title_en) "
            "VALUES (1, 1, 'about_you', 'questions', 'About you')",
            "INSERT INTO question (section_id, position, name, type, label_en, required, "
            "identifier) VALUES (1, 1, 'age', 'integer', 'Age', false, false)",
            "INSERT INTO answer (response_id, question_id, value_number, answered_at) "
            "VALUES ('r1', 1, 34, :t)",
        ]:
            connection.execute(text(statement), at)


ANSWERS_BY_PAGE = (
    "SELECT p.name, q.name, a.value_number FROM {page} p JOIN question q ON q.{page}_id = p.id "
    "JOIN answer a ON a.question_id = q.id"
)


def test_migrations_upgrade_an_older_schema_with_data(app, database_url):
    """A database made by the first release, with a response in it, upgrades to the newest
    schema and keeps every row."""
    with app.app_context():
        first_release_with_data()
        upgrade()
        with database.engine.begin() as connection:
            row = connection.execute(
                text("SELECT id, current_position, start_token FROM response")
            ).one()
            invitation_only = connection.execute(
                text("SELECT invitation_only FROM questionnaire")
            ).scalar()
            answers = connection.execute(text(ANSWERS_BY_PAGE.format(page="page"))).all()
            new_page = connection.execute(
                text(
                    "INSERT INTO page (version_id, position, name, kind, title_en) "
                    "VALUES (1, 2, 'more', 'questions', 'More') RETURNING id"
                )
            ).scalar()
    assert tuple(row) == ("r1", 3, None)
    assert invitation_only in (False, 0)
    assert [tuple(a) for a in answers] == [("about_you", "age", 34)]
    assert new_page == 2  # the id sequence came along with the table


def test_staff_pages_before_setup_say_what_to_do(app):
    """Before `flask setup` loads a questionnaire, no staff page fails: those that need one say
    how to make it."""
    with app.app_context():
        reset_schema()
    admin = logged_in(app, "admin")
    urls = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/staff") and "GET" in rule.methods and not rule.arguments
    )
    assert len(urls) > 8
    statuses = {url: admin.get(url).status_code for url in urls}
    assert all(status < 500 for status in statuses.values()), statuses
    for url in ("/staff/admin/invitations", "/staff/admin/questionnaire/"):
        page = admin.get(url)
        assert page.status_code == 404
        assert "There is no questionnaire yet." in page.get_data(as_text=True)


def test_the_page_migration_downgrades_and_upgrades_again(app, database_url):
    """`page` goes back to `section` with its rows and the old constraint names, and comes
    back again."""
    with app.app_context():
        from_models = schema_names(database.engine)
        first_release_with_data()
        upgrade(revision=BEFORE_PAGES)
        before = schema_names(database.engine)
        upgrade()
        downgrade(revision=BEFORE_PAGES)
        assert schema_names(database.engine) == before
        with database.engine.connect() as connection:
            answers = connection.execute(text(ANSWERS_BY_PAGE.format(page="section"))).all()
        assert [tuple(a) for a in answers] == [("about_you", "age", 34)]
        upgrade()
        assert schema_names(database.engine) == from_models
        with database.engine.connect() as connection:
            answers = connection.execute(text(ANSWERS_BY_PAGE.format(page="page"))).all()
        assert [tuple(a) for a in answers] == [("about_you", "age", 34)]


def test_an_untrusted_proxy_is_reported_once(app, browser, caplog):
    """Behind a proxy that PROXY_HOPS does not trust, every request seems to come from the
    proxy, so everyone would share one login and code-guessing limit: the log says so."""
    import survey.app

    survey.app._proxy_warned.clear()
    with caplog.at_level("WARNING", logger=app.logger.name):
        browser.get("/survey/")
        browser.get("/survey/", headers={"X-Forwarded-For": "198.51.100.4"})
        browser.get("/survey/", headers={"X-Forwarded-For": "198.51.100.5"})
    warnings = [r.getMessage() for r in caplog.records if "PROXY_HOPS is 0" in r.getMessage()]
    assert len(warnings) == 1
