"""Export jobs: created by a request, made by a queue consumer (survey/dashboard/tasks.py), with
their progress and file kept in the database so any instance can show and serve them."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from exports.filters import ExportFilters
from exports.report import ExportError
from exports.rows import ExportOptions
from exports.statcolumns import FORMATS as STATISTICS_FORMATS
from survey.database import write_transactions
from survey.exporting import run_export
from survey.extensions import db
from survey.models import DbSession, ExportJob, JobStatus, User, utcnow

KEEP_FILES_FOR = timedelta(hours=24)
HEARTBEAT = timedelta(seconds=10)  # how often a running job says it is alive
STALLED_AFTER = timedelta(seconds=60)  # a running job silent this long lost its consumer
MAX_ATTEMPTS = 2  # a job whose consumer died is made once more, then marked failed
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
FAILED_MESSAGE = "The export could not be made. The error is in the server log."
STALLED_MESSAGE = (
    "The export was interrupted twice (the server making it stopped). Please make it again."
)


class TooManyJobs(Exception):
    """The user already has as many exports waiting or being made as they may."""


def create_job(
    session: DbSession,
    user: User,
    filters: ExportFilters,
    *,
    fmt: str,
    deidentified: bool,
    labels: bool,
    limit: int,
    label_language: str = "en",
    group_by: str | None = None,
) -> ExportJob:
    """A queued job (the caller commits, then enqueues it); refused past `limit` active jobs."""
    active = session.scalar(
        select(func.count())
        .select_from(ExportJob)
        .where(ExportJob.user_id == user.id, ExportJob.status.in_(ACTIVE))
    )
    if (active or 0) >= limit:
        raise TooManyJobs
    job = ExportJob(
        user=user,
        format=fmt,
        filters=filters.describe(),
        deidentified=deidentified,
        labels=labels,
        label_language=label_language,
        group_by=group_by,
    )
    session.add(job)
    session.flush()
    return job


def forget_expired_files(session: DbSession) -> None:
    """Drop the files kept past their time."""
    session.execute(
        update(ExportJob)
        .where(ExportJob.expires_at < utcnow(), ExportJob.file.is_not(None))
        .values(file=None)
    )


def stalled_jobs(session: DbSession, now: datetime | None = None) -> list[str]:
    """Running jobs whose consumer stopped (killed, or its machine gone): each is queued again,
    or marked failed once it has had MAX_ATTEMPTS. Returns the ids to enqueue again."""
    silent_since = (now or utcnow()) - STALLED_AFTER
    stalled = session.scalars(
        select(ExportJob)
        .where(ExportJob.status == JobStatus.RUNNING, ExportJob.heartbeat_at < silent_since)
        .with_for_update()
    )
    again = []
    for job in stalled:
        if job.attempts < MAX_ATTEMPTS:
            job.status, job.done = JobStatus.QUEUED, 0
            again.append(job.id)
        else:
            job.status, job.error, job.finished_at = JobStatus.FAILED, STALLED_MESSAGE, utcnow()
    session.flush()
    return again


def _set(engine: Engine, job_id: str, **values: object) -> None:
    """Progress is written in its own short transaction, visible at once to every instance."""
    with write_transactions(), Session(engine) as session, session.begin():
        session.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))


@contextmanager
def _heartbeat(engine: Engine, job_id: str) -> Iterator[None]:
    """Say every HEARTBEAT that the job is being made, until the block ends."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT.total_seconds()):
            _set(engine, job_id, heartbeat_at=utcnow())

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run_job(app: Flask, job_id: str) -> None:
    """Make the job's file (in a queue consumer). Any error marks the job failed with a message;
    an ExportError's message is the person's to read."""
    with app.app_context():
        engine = db.engine
        try:
            job = db.session.get(ExportJob, job_id)
            if job is None or job.status != JobStatus.QUEUED:  # deleted, or made already
                return
            filters = ExportFilters.from_description(job.filters)
            options = ExportOptions(
                deidentified=job.deidentified, labels=job.labels, by=job.group_by
            )
            user, email, fmt, attempts = job.user, job.user.email, job.format, job.attempts
            label_language = job.label_language
            db.session.rollback()  # reading `user` again now would begin a write transaction
            _set(
                engine,
                job_id,
                status=JobStatus.RUNNING,
                heartbeat_at=utcnow(),
                attempts=attempts + 1,
            )
            out = io.BytesIO()
            with _heartbeat(engine, job_id):
                info = run_export(
                    db.session,
                    out,
                    as_csv=fmt == "csv",
                    statistics=fmt if fmt in STATISTICS_FORMATS else None,
                    label_language=label_language,
                    filters=filters,
                    options=options,
                    slug=app.config["QUESTIONNAIRE_SLUG"],
                    follow_up_slug=app.config["FOLLOW_UP_SLUG"],
                    generated_by=email,
                    user=user,
                    progress=lambda done, total: _set(engine, job_id, done=done, total=total),
                )
            with write_transactions():
                now = utcnow()
                job = db.session.get_one(ExportJob, job_id)
                job.status, job.rows, job.sha256 = JobStatus.DONE, info.rows, info.sha256
                job.file, job.finished_at, job.expires_at = (
                    out.getvalue(),
                    now,
                    now + KEEP_FILES_FOR,
                )
                db.session.commit()
        except ExportError as error:
            db.session.rollback()
            _set(engine, job_id, status=JobStatus.FAILED, error=str(error), finished_at=utcnow())
        except Exception:
            db.session.rollback()
            app.logger.exception("export job %s failed", job_id)
            _set(
                engine, job_id, status=JobStatus.FAILED, finished_at=utcnow(), error=FAILED_MESSAGE
            )
        finally:
            db.session.remove()


def jobs_of(session: DbSession, user: User, limit: int = 20) -> list[ExportJob]:
    query = select(ExportJob).order_by(ExportJob.created_at.desc()).limit(limit)
    if not user.is_admin:
        query = query.where(ExportJob.user_id == user.id)
    return list(session.scalars(query))
