"""The queue's periodic task that sends the follow-up's invitations and reminders (every
minute; the consumer is `flask --app survey queue`)."""

from __future__ import annotations

from huey import crontab

from survey.follow_up import sending
from survey.queue import bound_app, huey


@huey.periodic_task(crontab(minute="*"))
def send_follow_ups() -> None:
    sending.run(bound_app())
