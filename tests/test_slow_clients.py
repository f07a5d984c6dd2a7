"""A client that sends its form slowly (or never finishes) must not hold SQLite's write lock:
the body is read before any transaction begins, so other participants' pages still save."""

from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy import func, select

from benchmarks.survey_client import ANSWERS, Participant
from survey.models import Answer
from tests.servers import free_port, start_server, stop

BUSY_TIMEOUT_MS = 1000


def stalled_post(port: int, path: str) -> socket.socket:
    """Send a form's headers and the first bytes of a 1,000-byte body, then nothing more."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: 1000\r\n\r\ncode="
        ).encode()
    )
    return sock


def test_stalled_posts_do_not_block_other_participants(app, db, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock; PostgreSQL locks rows")
    port = free_port()
    # Three workers: one for each stalled request, one for the participant.
    server = start_server(
        database_url, port, WORKERS="3", SQLITE_BUSY_TIMEOUT_MS=str(BUSY_TIMEOUT_MS)
    )
    stalled = [stalled_post(port, path) for path in ("/survey/page/1", "/survey/invitation")]
    try:
        time.sleep(0.3)  # the stalled requests are in their workers now
        participant = Participant("127.0.0.1", port)
        started = time.monotonic()
        for position, answers in ANSWERS[:3]:  # consent creates the response: a real write
            participant.submit_page(position, answers)
        waited = time.monotonic() - started
    finally:
        for sock in stalled:
            sock.close()
        stop(server)
    assert waited < BUSY_TIMEOUT_MS / 1000 * 3
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Answer)) > 0
