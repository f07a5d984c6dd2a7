"""Sending the follow-up's emails (survey/follow_up/sending.py) from the queue's periodic task:
at most once when two consumers run at the same moment or a run follows a crash, the rate
limit, and a refused address recorded as failed without the address."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select, update

from survey.follow_up import sending
from survey.follow_up.counts import queue_counts
from survey.follow_up.tasks import send_follow_ups
from survey.models import FollowUpContact, FollowUpSend, utcnow
from tests.conftest import logged_in
from tests.follow_up_steps import (
    START,
    follow_up,  # noqa: F401 - a fixture
    mail_to,  # noqa: F401 - a fixture
    signed_up_contacts,
)
from tests.servers import start_consumer, stop
from tests.test_mail import smtp_server  # noqa: F401 - a fixture

ADDRESSES = [f"parent{i}@example.org" for i in range(6)]


def sends(db) -> list[FollowUpSend]:
    db.session.rollback()
    return list(db.session.scalars(select(FollowUpSend).order_by(FollowUpSend.id)))


def test_two_consumers_at_once_send_each_email_once(
    app,
    db,
    version,
    make_instance,
    follow_up,  # noqa: F811
    mail_to,  # noqa: F811
):
    with time_machine.travel(START, tick=False) as clock:
        signed_up_contacts(db, app, version, ADDRESSES)
        clock.move_to(START + timedelta(days=14))
        # A second app instance on the same database: another machine's consumer.
        other = make_instance(**{k: app.config[k] for k in ("FOLLOW_UP_KEY",) + MAIL_KEYS})
        barrier = threading.Barrier(2)
        runs: list[sending.Run] = []

        def consume(instance) -> None:
            barrier.wait()
            runs.append(sending.run(instance))

        threads = [threading.Thread(target=consume, args=(a,)) for a in (app, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(runs) == 2  # both consumers ran to the end
        assert sum(r.sent["invitation"] for r in runs) == 6
        recipients = Counter(to for _sender, [to], _content in mail_to.received)
        assert recipients == Counter(ADDRESSES)  # each once
        # A third run (the next minute) finds every claim and sends nothing.
        clock.move_to(START + timedelta(days=14, minutes=1))
        send_follow_ups.call_local()
        assert len(mail_to.received) == 6
    assert [s.wave for s in sends(db)] == ["invitation"] * 6


MAIL_KEYS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_SECURITY", "MAIL_SENDER")


def test_a_claim_left_by_a_crash_is_never_sent_again(
    app,
    db,
    version,
    follow_up,  # noqa: F811
    mail_to,  # noqa: F811
):
    with time_machine.travel(START, tick=False) as clock:
        [crashed, fine] = signed_up_contacts(db, app, version, ADDRESSES[:2])
        clock.move_to(START + timedelta(days=14))
        # The consumer claimed the first email, then stopped before sending or recording it.
        db.session.add(FollowUpSend(contact_id=crashed, wave="invitation", claimed_at=utcnow()))
        db.session.commit()
        send_follow_ups.call_local()
        assert [to for _s, [to], _c in mail_to.received] == [ADDRESSES[1]]
        counts = queue_counts(db.session, utcnow())
        assert (counts.invited, counts.sending, counts.failed) == (1, 1, 0)

        clock.move_to(START + timedelta(days=14, minutes=31))  # past STALE_CLAIM
        send_follow_ups.call_local()
        assert len(mail_to.received) == 1  # still not sent
        [stale, sent] = sends(db)
        assert stale.contact_id == crashed and stale.failed_at is not None
        assert "stopped while sending" in stale.error and sent.sent_at is not None
        counts = queue_counts(db.session, utcnow())
        assert (counts.invited, counts.sending, counts.failed) == (1, 0, 1)
        assert fine != crashed


def test_the_rate_limit_holds_per_minute(
    app,
    db,
    version,
    follow_up,  # noqa: F811
    mail_to,  # noqa: F811
):
    app.config["FOLLOW_UP_SENDS_PER_MINUTE"] = 4
    with time_machine.travel(START, tick=False) as clock:
        signed_up_contacts(db, app, version, ADDRESSES)  # 6 due on the same day
        clock.move_to(START + timedelta(days=14))
        first = sending.run(app)
        assert first.sent["invitation"] == 4 and first.held_back == 1
        clock.move_to(START + timedelta(days=14, seconds=59))  # the same minute: none more
        assert sending.run(app).sent["invitation"] == 0
        assert len(mail_to.received) == 4
        clock.move_to(START + timedelta(days=14, seconds=61))  # the first four are a minute old
        assert sending.run(app).sent["invitation"] == 2
        assert len(mail_to.received) == 6
        claimed = [s.claimed_at for s in sends(db)]
        assert claimed.count(START + timedelta(days=14)) == 4


def test_a_refused_address_is_recorded_as_failed_without_the_address(
    app,
    db,
    version,
    follow_up,  # noqa: F811
    mail_to,  # noqa: F811
):
    refused = "nobody@refused.example.org"  # the test server answers 550 for this domain
    with time_machine.travel(START, tick=False) as clock:
        [contact_id] = signed_up_contacts(db, app, version, [refused])
        clock.move_to(START + timedelta(days=14))
        run = sending.run(app)
        assert run.failed["invitation"] == 1 and mail_to.received == []
        [send] = sends(db)
        assert send.failed_at is not None and send.sent_at is None
        assert "550" in send.error and refused not in send.error and "[address]" in send.error
        contact = db.session.get(FollowUpContact, contact_id)
        assert contact.bounced_at is not None and contact.closed_reason == "failed"
        assert contact.email_encrypted is None  # nothing more will be sent to it
        clock.move_to(START + timedelta(days=20))
        sending.run(app)
        assert len(sends(db)) == 1  # no reminder to an address that failed
        page = logged_in(app, "admin").get("/staff/admin/follow-up/").get_data(as_text=True)
        assert "Failed or bounced</th><td>1</td>" in page
        assert refused not in page


@pytest.mark.slow
def test_the_queues_consumer_sends_the_invitations(
    app,
    db,
    version,
    database_url,
    queue_settings,
    make_instance,
    follow_up,  # noqa: F811
    mail_to,  # noqa: F811
):
    """The task as the consumer runs it: a real `flask --app survey queue` process on the queue
    as shipped (SQLite, or Redis when TEST_REDIS_URL is set) takes the task from the queue and
    sends each due invitation, once, to the SMTP server."""
    signed_up_contacts(db, app, version, ADDRESSES[:2])
    db.session.execute(update(FollowUpContact).values(due_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    settings = {k: str(app.config[k]) for k in ("FOLLOW_UP_KEY",) + MAIL_KEYS}
    consumer = start_consumer(database_url, **queue_settings, **settings)
    try:
        web = make_instance(QUEUE_IMMEDIATE=False, **queue_settings)
        with web.app_context():
            send_follow_ups()  # enqueued, as the consumer's clock does every minute
        deadline = time.monotonic() + 60
        while len(mail_to.received) < 2:
            assert time.monotonic() < deadline, f"{len(mail_to.received)} of 2 emails arrived"
            time.sleep(0.05)
    finally:
        stop(consumer)
    assert sorted(to for _sender, [to], _content in mail_to.received) == ADDRESSES[:2]
    assert all(send.sent_at is not None for send in sends(db))
