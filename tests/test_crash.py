"""Kill the gunicorn master with SIGKILL in the middle of a load, restart it, and check that
every acknowledged page is stored, retries duplicate nothing, and the database is intact."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from benchmarks.survey_client import ANSWERS, ANSWERS_PER_SURVEY, Participant
from survey.models import Answer, Response, ResponseStatus

ROOT = Path(__file__).resolve().parent.parent
PARTICIPANTS = 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "SURVEY_ENV": "development",
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "BIND": f"127.0.0.1:{port}",
        "WORKERS": "2",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _location, _html = Participant("127.0.0.1", port).request("GET", "/survey/")
            if status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def complete_with_retries(participant: Participant, acknowledged: list, errors: list) -> None:
    """Press Next on every page; a page whose reply never came is simply sent again."""
    for position, answers in ANSWERS:
        deadline = time.monotonic() + 60
        while True:
            try:
                participant.submit_page(position, answers)
                acknowledged.append(position)
                break
            except (OSError, RuntimeError, AttributeError) as error:
                if time.monotonic() > deadline:
                    errors.append(f"page {position}: {error}")
                    return
                time.sleep(0.2)


@pytest.mark.slow
def test_sigkill_mid_load_loses_no_acknowledged_page(app, db, database_url):
    port = free_port()
    server = start_server(database_url, port)
    acknowledged: list[list[int]] = [[] for _ in range(PARTICIPANTS)]
    errors: list[str] = []
    threads = [
        threading.Thread(
            target=complete_with_retries,
            args=(Participant("127.0.0.1", port), acknowledged[i], errors),
        )
        for i in range(PARTICIPANTS)
    ]
    for thread in threads:
        thread.start()
    while sum(map(len, acknowledged)) < PARTICIPANTS * 3:  # well into the load
        time.sleep(0.01)
    os.killpg(server.pid, signal.SIGKILL)
    server.wait()
    killed_at = sum(map(len, acknowledged))
    server = start_server(database_url, port)
    try:
        for thread in threads:
            thread.join(120)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    assert errors == []
    assert killed_at < PARTICIPANTS * len(ANSWERS)  # the kill really came mid-load
    assert all(len(pages) == len(ANSWERS) for pages in acknowledged)

    db.session.rollback()
    statuses = db.session.execute(select(Response.status, func.count()).group_by(Response.status))
    assert dict(statuses.all()) == {ResponseStatus.COMPLETE: PARTICIPANTS}  # no stray response
    per_response = db.session.execute(
        select(Answer.response_id, func.count()).group_by(Answer.response_id)
    ).all()
    assert [n for _id, n in per_response] == [ANSWERS_PER_SURVEY] * PARTICIPANTS
    if database_url.startswith("sqlite"):
        check = db.session.connection().exec_driver_sql("PRAGMA integrity_check").scalar()
        assert check == "ok"
