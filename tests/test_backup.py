"""`flask backup` copies a live SQLite database consistently."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from survey.database import configure_sqlite


@pytest.fixture
def sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL is backed up with pg_dump")


def test_backup_while_writes_go_on(sqlite_only, app, runner, database_url, tmp_path):
    engine = create_engine(database_url)
    configure_sqlite(engine, busy_timeout_ms=30000)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE heartbeat (n INTEGER PRIMARY KEY, pad TEXT)")
    acknowledged: list[int] = []
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            with engine.begin() as connection:
                connection.execute(
                    text("INSERT INTO heartbeat VALUES (:n, :pad)"), {"n": n, "pad": "x" * 2000}
                )
            acknowledged.append(n)  # committed: the writer was told it is stored

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.3)
    before = len(acknowledged)
    out = tmp_path / "copy.sqlite3"
    result = runner.invoke(args=["backup", str(out)])
    time.sleep(0.2)
    stop.set()
    thread.join()
    engine.dispose()
    assert result.exit_code == 0, result.output
    assert "integrity check: ok" in result.output
    copy = sqlite3.connect(out)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {n for (n,) in copy.execute("SELECT n FROM heartbeat")}
    copy.close()
    assert before > 0 and set(acknowledged[:before]) <= stored  # nothing acknowledged is lost
    assert stored == set(range(1, len(stored) + 1))  # a consistent moment: no gaps
    assert len(acknowledged) > len(stored)  # writes went on during and after the copy


def test_backup_refuses_postgresql(runner, database_url, tmp_path):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    result = runner.invoke(args=["backup", str(tmp_path / "x.sqlite3")])
    assert result.exit_code == 1 and "pg_dump" in result.output
