"""Kill the gunicorn master with SIGKILL in the middle of a load, restart it, and check that
every acknowledged page is stored, retries duplicate nothing, and the database is intact."""

from __future__ import annotations

import signal
import threading
import time
from http.client import HTTPException

import pytest
from sqlalchemy import func, select

from benchmarks.survey_client import ANSWERS, ANSWERS_PER_SURVEY, Participant
from survey.models import Answer, Response, ResponseStatus
from tests.servers import free_port, start_server, stop

PARTICIPANTS = 8


def complete_with_retries(participant: Participant, acknowledged: list, errors: list) -> None:
    """Press Next on every page; a page whose reply never came, or came cut off by the kill,
    is simply sent again."""
    for position, answers in ANSWERS:
        deadline = time.monotonic() + 60
        while True:
            try:
                participant.submit_page(position, answers)
                acknowledged.append(position)
                break
            except (OSError, HTTPException, RuntimeError, AttributeError) as error:
                if time.monotonic() > deadline:
                    errors.append(f"page {position}: {error}")
                    return
                time.sleep(0.2)


@pytest.mark.slow
def test_sigkill_mid_load_loses_no_acknowledged_page(app, db, database_url, queue_settings):
    port = free_port()
    server = start_server(database_url, port, **queue_settings)
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
    stop(server, signal.SIGKILL)
    killed_at = sum(map(len, acknowledged))
    server = start_server(database_url, port, **queue_settings)
    try:
        for thread in threads:
            thread.join(120)
    finally:
        stop(server)
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
