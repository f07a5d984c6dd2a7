"""The factory, configuration, the schema and SQLite's locking."""

from __future__ import annotations

import os
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from survey import create_app
from survey.config import ConfigError, settings_from_env
from survey.database import configure_sqlite
from survey.extensions import db as database
from survey.models import Base, Response
from tests.conftest import logged_in, reset_schema


@pytest.mark.parametrize(
    "env, missing",
    [
        ({}, "SECRET_KEY and DATABASE_URL"),
        ({"SECRET_KEY": "k"}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:///x"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_secrets(env, missing, monkeypatch, tmp_path):
    with pytest.raises(ConfigError, match=missing):
        settings_from_env({"SURVEY_ENV": "production", **env}, str(tmp_path))
    monkeypatch.setenv("SURVEY_ENV", "production")
    for name in ("SECRET_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError):
        create_app()


def test_production_cookies_are_secure(tmp_path):
    settings = settings_from_env(
        {"SURVEY_ENV": "production", "SECRET_KEY": "k", "DATABASE_URL": "sqlite:///x"},
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


def test_migrations_build_the_schema_the_models_describe(app, database_url):
    """On SQLite and on PostgreSQL: upgrade an empty database, then compare with the models."""
    url = database_url
    with app.app_context():
        database.drop_all()
        upgrade()
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
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


def test_migrations_upgrade_an_older_schema_with_data(app, database_url):
    """A database made by the first release, with a response in it, upgrades to the newest
    schema and keeps every row."""
    from sqlalchemy import text

    with app.app_context():
        database.drop_all()
        with database.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade(revision="204db88f25a8")  # the first release's schema
        with database.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO questionnaire (id, slug, created_at) VALUES (1, 'milk', :t)"),
                {"t": "2026-11-01 00:00:00+00:00"},
            )
            connection.execute(
                text(
                    "INSERT INTO questionnaire_version (id, questionnaire_id, number, status, "
                    "title_en, consent_version, created_at) VALUES (1, 1, 1, 'published', 'T', "
                    "'c1', :t)"
                ),
                {"t": "2026-11-01 00:00:00+00:00"},
            )
            connection.execute(
                text(
                    "INSERT INTO response (id, version_id, language, status, started_at, "
                    "updated_at, consent_version, consented_at, resume_code_hash, "
                    "current_position) VALUES ('r1', 1, 'en', 'in_progress', :t, :t, 'c1', :t, "
                    "'h1', 3)"
                ),
                {"t": "2026-11-01 00:00:00+00:00"},
            )
        upgrade()
        with database.engine.connect() as connection:
            row = connection.execute(
                text("SELECT id, current_position, start_token FROM response")
            ).one()
            invitation_only = connection.execute(
                text("SELECT invitation_only FROM questionnaire")
            ).scalar()
    assert tuple(row) == ("r1", 3, None)
    assert invitation_only in (False, 0)


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
