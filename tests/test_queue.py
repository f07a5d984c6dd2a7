"""Export jobs on the task queue as it ships: requested through gunicorn, made by a real
consumer process (`flask --app survey queue`) on SQLite storage, or on Redis when
TEST_REDIS_URL is set. A consumer killed mid-job leaves the job to be made again; recycling web
workers does not touch a job; a user may have three jobs waiting or running."""

from __future__ import annotations

import csv
import io
import os
import signal
import time
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from benchmarks.survey_client import Participant, log_in, request_export
from survey.auth.services import create_user
from survey.dashboard import jobs, tasks
from survey.demo import generate_responses
from survey.models import ExportJob, JobStatus, User, utcnow
from tests.conftest import PASSWORD, Browser, logged_in
from tests.servers import free_port, start_consumer, start_server, stop


def wait_for(db, job_id: str, statuses: set[str], seconds: float = 60) -> ExportJob:
    deadline = time.monotonic() + seconds
    while True:
        db.session.rollback()
        job = db.session.get(ExportJob, job_id)
        if job is not None and job.status in statuses:
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job and job.status}"
        time.sleep(0.02)


def staff_browser(port: int, email: str) -> Participant:
    browser = Participant("127.0.0.1", port)
    log_in(browser, email, PASSWORD)
    return browser


@pytest.fixture
def known_responses(db, version) -> int:
    generate_responses(db.session, version, 40, seed=9)
    db.session.commit()
    return 40


@pytest.fixture
def investigator_email(db) -> str:
    create_user(db.session, "investigator@example.org", PASSWORD, "investigator")
    db.session.commit()
    return "investigator@example.org"


@pytest.mark.slow
def test_consumer_killed_mid_job_the_job_is_made_again(
    app, db, version, database_url, queue_settings, investigator_email, make_instance
):
    generate_responses(db.session, version, 1000, seed=7)
    db.session.commit()
    port = free_port()
    server = start_server(database_url, port, **queue_settings)
    consumer = start_consumer(database_url, **queue_settings)
    try:
        job_id = request_export(staff_browser(port, investigator_email))
        running = wait_for(db, job_id, {JobStatus.RUNNING, JobStatus.DONE})
        assert running.status == JobStatus.RUNNING  # a 1,000-response report takes seconds
        # It yields the CPU to participants' pages (queue --nice, 10 by default).
        assert (
            os.getpriority(os.PRIO_PROCESS, consumer.pid) == os.getpriority(os.PRIO_PROCESS, 0) + 10
        )
        stop(consumer, signal.SIGKILL)
        time.sleep(0.5)
        job = wait_for(db, job_id, {JobStatus.RUNNING})
        assert (job.attempts, job.file) == (1, None)  # nothing sweeps it yet: still "running"
        # A minute later its heartbeat is old, and the next clean-up queues it again.
        job.heartbeat_at = utcnow() - jobs.STALLED_AFTER - timedelta(seconds=1)
        db.session.commit()
        web = make_instance(QUEUE_IMMEDIATE=False, **queue_settings)
        with web.app_context():
            tasks.clean_up()  # enqueued, as the consumer's clock would every minute
        consumer = start_consumer(database_url, **queue_settings)
        done = wait_for(db, job_id, {JobStatus.DONE, JobStatus.FAILED}, seconds=120)
    finally:
        stop(consumer)
        stop(server)
    assert (done.status, done.attempts, done.rows) == (JobStatus.DONE, 2, 1000)
    sheet = load_workbook(io.BytesIO(done.file), read_only=True)["Responses"]
    assert sum(1 for _row in sheet.iter_rows(values_only=True)) == 1001


@pytest.mark.slow
def test_recycling_web_workers_does_not_touch_a_job(
    app, db, version, database_url, queue_settings, investigator_email
):
    generate_responses(db.session, version, 500, seed=8)
    db.session.commit()
    port = free_port()
    # One worker, replaced after every 2 requests: the job's request ends its worker's life.
    server = start_server(
        database_url,
        port,
        WORKERS="1",
        MAX_REQUESTS="2",
        MAX_REQUESTS_JITTER="0",
        **queue_settings,
    )
    consumer = start_consumer(database_url, **queue_settings)
    try:
        browser = staff_browser(port, investigator_email)
        job_id = request_export(browser, fmt="csv")
        for _ in range(6):  # three more workers come and go meanwhile
            assert browser.request("GET", f"/staff/exports/{job_id}/status")[0] == 200
        done = wait_for(db, job_id, {JobStatus.DONE, JobStatus.FAILED}, seconds=120)
    finally:
        stop(consumer)
        stop(server)
    assert (done.status, done.attempts, done.rows) == (JobStatus.DONE, 1, 500)


def test_a_job_stalled_too_often_fails_with_a_plain_message(db, investigator):
    user = db.session.scalar(select(User).where(User.email == "investigator@example.org"))
    long_ago = utcnow() - timedelta(minutes=5)
    again = ExportJob(user=user, format="csv", filters={}, status="running", attempts=1)
    given_up = ExportJob(user=user, format="csv", filters={}, status="running", attempts=2)
    alive = ExportJob(user=user, format="csv", filters={}, status="running", attempts=1)
    again.heartbeat_at = given_up.heartbeat_at = long_ago
    alive.heartbeat_at = utcnow()
    db.session.add_all([again, given_up, alive])
    db.session.commit()
    ids = again.id, given_up.id, alive.id
    tasks.clean_up.call_local()  # the periodic task's body; tests run what it enqueues at once
    db.session.rollback()
    again, given_up, alive = (db.session.get(ExportJob, i) for i in ids)
    assert (again.status, again.attempts) == (JobStatus.DONE, 2)
    assert (given_up.status, given_up.error) == (JobStatus.FAILED, jobs.STALLED_MESSAGE)
    assert alive.status == JobStatus.RUNNING
    page = investigator.get(f"/staff/exports/{given_up.id}").get_data(as_text=True)
    assert "interrupted twice" in page


def test_expired_files_are_purged_by_the_periodic_task(db, investigator):
    job_id = (
        investigator.post("/staff/exports", {"status": "all", "format": "csv", "submit": "x"})
        .headers["Location"]
        .rsplit("/", 1)[1]
    )
    job = db.session.get(ExportJob, job_id)
    assert job.file is not None
    job.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    tasks.clean_up.call_local()
    db.session.rollback()
    assert db.session.get(ExportJob, job_id).file is None
    assert investigator.get(f"/staff/exports/{job_id}/download").status_code == 410


def test_three_jobs_at_once_per_user(app, db, investigator, admin):
    user = db.session.scalar(select(User).where(User.email == "investigator@example.org"))
    waiting = [ExportJob(user=user, format="csv", filters={}) for _ in range(3)]
    db.session.add_all(waiting)
    db.session.commit()
    form = {"status": "all", "format": "csv", "submit": "x"}
    refused = investigator.post("/staff/exports", form)
    assert refused.status_code == 429
    assert "You already have 3 exports waiting or being made." in refused.get_data(as_text=True)
    db.session.rollback()
    assert len(db.session.scalars(select(ExportJob)).all()) == 3
    db.session.rollback()
    assert admin.post("/staff/exports", form).status_code == 302  # a limit per person
    db.session.rollback()
    db.session.get(ExportJob, waiting[0].id).status = JobStatus.DONE
    db.session.commit()
    assert investigator.post("/staff/exports", form).status_code == 302


def test_two_instances_and_a_consumer_share_the_queue(
    app, db, database_url, queue_settings, known_responses, make_instance
):
    """One instance takes the request, a consumer process makes the file, another instance
    serves it (on PostgreSQL and Redis in CI, as on several machines)."""
    first, second = (make_instance(QUEUE_IMMEDIATE=False, **queue_settings) for _ in range(2))
    consumer = start_consumer(database_url, **queue_settings)
    try:
        one, other = logged_in(first, "investigator"), Browser(second.test_client())
        other.client.set_cookie("session", one.client.get_cookie("session").value)
        made = one.post("/staff/exports", {"status": "all", "format": "csv", "submit": "x"})
        job_url = made.headers["Location"]
        done = wait_for(db, job_url.rsplit("/", 1)[1], {JobStatus.DONE, JobStatus.FAILED})
    finally:
        stop(consumer)
    assert (done.status, done.rows) == (JobStatus.DONE, known_responses)
    download = other.get(job_url + "/download")
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert len(rows) == known_responses + 1
