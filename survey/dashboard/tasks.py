"""The queue's tasks: make an export job's file, and every minute the clean-up (jobs whose
consumer stopped are made again or failed; expired files are dropped)."""

from __future__ import annotations

from huey import crontab

from survey.dashboard import jobs
from survey.database import write_transactions
from survey.extensions import db
from survey.queue import bound_app, huey


@huey.task()
def make_export(job_id: str) -> None:
    jobs.run_job(bound_app(), job_id)


@huey.periodic_task(crontab(minute="*"))
def clean_up() -> None:
    with bound_app().app_context(), write_transactions():
        again = jobs.stalled_jobs(db.session)
        jobs.forget_expired_files(db.session)
        db.session.commit()
    for job_id in again:
        make_export(job_id)
