"""Export jobs: created by a request, run in a background thread of that instance, with their
progress and file kept in the database so any instance can show and serve them."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from exports.filters import ExportFilters
from exports.report import ExportError
from exports.rows import ExportOptions
from survey.database import write_transactions
from survey.exporting import run_export
from survey.extensions import db
from survey.models import DbSession, ExportJob, JobStatus, User, utcnow

KEEP_FILES_FOR = timedelta(hours=24)


def create_job(
    session: DbSession,
    user: User,
    filters: ExportFilters,
    *,
    fmt: str,
    deidentified: bool,
    labels: bool,
) -> ExportJob:
    forget_expired_files(session)
    job = ExportJob(
        user=user, format=fmt, filters=filters.describe(), deidentified=deidentified, labels=labels
    )
    session.add(job)
    session.flush()
    return job


def forget_expired_files(session: DbSession) -> None:
    session.execute(
        update(ExportJob)
        .where(ExportJob.expires_at < utcnow(), ExportJob.file.is_not(None))
        .values(file=None)
    )


_running: set[threading.Thread] = set()


def start(app: Flask, job_id: str) -> threading.Thread:
    thread = threading.Thread(
        target=run_job, args=(app, job_id), name=f"export-{job_id}", daemon=True
    )
    _running.add(thread)
    thread.start()
    return thread


def wait_for_jobs(timeout: float = 60) -> None:
    """Let running jobs finish (tests call this before dropping the database)."""
    for thread in list(_running):
        thread.join(timeout)


def _set(job_id: str, **values: object) -> None:
    """Progress is written in its own short transaction, visible at once to every instance."""
    with write_transactions(), Session(db.engine) as session, session.begin():
        session.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))


def run_job(app: Flask, job_id: str) -> None:
    with app.app_context():
        try:
            job = db.session.get(ExportJob, job_id)
            if job is None:  # deleted before it could start: nothing to report to
                return
            filters = ExportFilters.from_description(job.filters)
            options = ExportOptions(deidentified=job.deidentified, labels=job.labels)
            user, email, fmt = job.user, job.user.email, job.format
            db.session.rollback()  # reading `user` again now would begin a write transaction
            _set(job_id, status=JobStatus.RUNNING)
            out = io.BytesIO()
            info = run_export(
                db.session,
                out,
                as_csv=fmt == "csv",
                filters=filters,
                options=options,
                slug=app.config["QUESTIONNAIRE_SLUG"],
                generated_by=email,
                user=user,
                progress=lambda done, total: _set(job_id, done=done, total=total),
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
            _set(job_id, status=JobStatus.FAILED, error=str(error), finished_at=utcnow())
        except Exception:
            db.session.rollback()
            app.logger.exception("export job %s failed", job_id)
            _set(
                job_id,
                status=JobStatus.FAILED,
                finished_at=utcnow(),
                error="The export could not be made. The error is in the server log.",
            )
        finally:
            db.session.remove()
            _running.discard(threading.current_thread())


def jobs_of(session: DbSession, user: User, limit: int = 20) -> list[ExportJob]:
    query = select(ExportJob).order_by(ExportJob.created_at.desc()).limit(limit)
    if not user.is_admin:
        query = query.where(ExportJob.user_id == user.id)
    return list(session.scalars(query))
