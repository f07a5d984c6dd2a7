"""The follow-up wave's whole path (issue 17): sign up at the end of the survey, the invitation
N days later and the reminder M days after it (the clock moved with time-machine), both read
back from a real SMTP server, the answers given through the personal link, then a withdrawal
that takes the contact and the follow-up answers with it."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey.models import (
    Answer,
    AuditEvent,
    FollowUpContact,
    FollowUpSend,
    Question,
    Response,
    ResponseStatus,
)
from tests.conftest import logged_in
from tests.follow_up_steps import (
    ADDRESS,
    FOLLOW_UP_ANSWERS,
    START,
    STORED_ADDRESS,
    UNSUBSCRIBE,
    bodies,
    contact,
    follow_up,  # noqa: F401 - a fixture
    link_of,
    mail_to,  # noqa: F401 - a fixture
    received,
    run_queue,
    sign_up,
)
from tests.test_exports import sheet_dicts
from tests.test_mail import smtp_server  # noqa: F401 - a fixture


def answers_of(db, response_id: str) -> dict:
    rows = db.session.execute(
        select(Question.name, Answer.value_text, Answer.value_number)
        .join(Question, Answer.question_id == Question.id)
        .where(Answer.response_id == response_id)
    )
    return {name: text if text is not None else number for name, text, number in rows}


def test_invite_remind_answer_then_withdraw(
    app,
    db,
    browser,
    follow_up,  # noqa: F811
    mail_to,  # noqa: F811
    runner,
    tmp_path,
):
    # The whole test runs on the moved clock: a session cookie signed "in the future" of the
    # real clock would be refused.
    with time_machine.travel(START, tick=False) as clock:
        signed = sign_up(browser)
        assert signed.status_code == 302 and signed.location.endswith("/follow-up/signed-up")
        confirmation = browser.get("/follow-up/signed-up").get_data(as_text=True)
        assert STORED_ADDRESS in confirmation  # the participant's own page shows it
        kept = contact(db)
        assert kept.email_encrypted and STORED_ADDRESS not in kept.email_encrypted
        assert kept.due_at == START + timedelta(days=14) and kept.consent_version

        clock.move_to(START + timedelta(days=13, hours=23))
        assert run_queue(app).sent == {"invitation": 0, "reminder": 0}
        assert mail_to.received == []

        clock.move_to(START + timedelta(days=14))
        assert run_queue(app).sent == {"invitation": 1, "reminder": 0}
        [invitation] = received(mail_to)
        assert invitation["To"] == STORED_ADDRESS
        assert mail_to.received[0][1] == [STORED_ADDRESS]  # the envelope's recipient
        assert "days after the M.I.L.K survey" in invitation["Subject"]
        assert not invitation["Subject"].startswith("Reminder")
        link = link_of(invitation)

        clock.move_to(START + timedelta(days=17, hours=23))  # 3 days 23 hours after it
        run_queue(app)
        assert len(mail_to.received) == 1
        clock.move_to(START + timedelta(days=18))
        assert run_queue(app).sent == {"invitation": 0, "reminder": 1}
        reminder = received(mail_to)[1]
        assert reminder["Subject"].startswith("Reminder: ")
        assert link_of(reminder) == link  # the same personal link
        run_queue(app)
        assert len(mail_to.received) == 2  # one reminder only

        clock.move_to(START + timedelta(days=19))
        opened = browser.get(link)
        assert opened.status_code == 302 and opened.location.endswith("/follow-up/page/0")
        first = browser.get("/follow-up/page/0")
        assert first.status_code == 302
        page_path = first.location
        page = browser.get(page_path).get_data(as_text=True)
        assert "How confident are you that you could express breastmilk by hand?" in page
        assert "resume code" not in page.lower()
        # Nothing is stored until the page is saved.
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        sent = browser.post(page_path, {**FOLLOW_UP_ANSWERS, "next": "x"})
        assert sent.status_code == 302 and sent.location.endswith("/follow-up/thanks")
        assert "Thank you" in browser.get("/follow-up/thanks").get_data(as_text=True)

        db.session.rollback()
        baseline, follow = db.session.scalars(select(Response).order_by(Response.started_at)).all()
        assert follow.follow_up_of == baseline.id and follow.status == ResponseStatus.COMPLETE
        assert answers_of(db, follow.id) == {
            "expressed_since": "yes",
            "expression_frequency": "several_weekly",
            "pain_last_time": 3.0,
            "confidence_now": "5",
            "returned_to_toolkit": "yes",
            "comments": "The clock drawing stayed with me.",
        }
        closed = contact(db)
        assert closed.answered_at is not None and closed.email_encrypted is None  # address deleted
        assert closed.closed_reason == "answered"

        # The link is used: a second visit, or the page sent again, is told so and changes nothing.
        assert browser.get(link).status_code == 410
        again = browser.post(page_path, {**FOLLOW_UP_ANSWERS, "comments": "again", "next": "x"})
        assert again.status_code == 409 and "already" in again.get_data(as_text=True)
        db.session.rollback()
        assert answers_of(db, follow.id)["comments"] == "The clock drawing stayed with me."
        assert db.session.scalar(select(func.count()).select_from(Response)) == 2

        # The investigator's report holds both waves: on the survey's row, and one row per wave.
        assert runner.invoke(args=["export", str(tmp_path / "both.xlsx")]).exit_code == 0
        book = load_workbook(tmp_path / "both.xlsx")
        [row] = sheet_dicts(book["Responses"])
        assert row["response_id"] == baseline.id
        assert (row["fu_status"], row["fu_confidence_now"], row["fu_pain_last_time"]) == (
            "complete",
            5,
            3,
        )
        assert row["fu_comments"] == "The clock drawing stayed with me."
        assert row["fu_days_after"] == round(
            (follow.submitted_at - baseline.submitted_at).total_seconds() / 86400, 1
        )
        waves = [(r["response_id"], r["wave"]) for r in sheet_dicts(book["Waves"])]
        assert waves == [(baseline.id, "survey"), (baseline.id, "follow_up")]

        # The admin withdraws the baseline at the participant's request.
        admin = logged_in(app, "admin")  # on the moved clock, like the participant
        admin.get(f"/staff/responses/{baseline.id}")
        done = admin.post(
            f"/staff/responses/{baseline.id}/withdraw", {"confirm": "y", "submit": "x"}, fetch=False
        )
        assert done.status_code == 302
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(FollowUpContact)) == 0
        assert db.session.scalar(select(func.count()).select_from(FollowUpSend)) == 0
        assert answers_of(db, follow.id) == {} and answers_of(db, baseline.id) == {}
        assert db.session.get(Response, follow.id).withdrawn_at is not None
        assert browser.get(link).status_code == 404  # the link went with the contact
        log = [e.details for e in db.session.scalars(select(AuditEvent))]
        assert ADDRESS.lower() not in str(log).lower()
        # And the report no longer holds either wave's answers.
        assert runner.invoke(args=["export", str(tmp_path / "after.xlsx")]).exit_code == 0
        after = load_workbook(tmp_path / "after.xlsx")
        assert sheet_dicts(after["Responses"]) == [] and sheet_dicts(after["Waves"]) == []


def test_the_email_carries_the_link_and_one_click_unsubscribe_in_french(
    app,
    db,
    browser,
    follow_up,  # noqa: F811
    mail_to,  # noqa: F811
):
    with time_machine.travel(START, tick=False) as clock:
        sign_up(browser, language="fr")
        clock.move_to(START + timedelta(days=14))
        run_queue(app)
        _check_french_email(browser, mail_to)


def _check_french_email(browser, inbox) -> None:
    [message] = received(inbox)
    raw = inbox.received[0][2]
    # As sent: the header's URL is written out whole, not as encoded words a mail program
    # would not read as a link.
    assert re.search(
        rb"\r?\nList-Unsubscribe: <https?://[^>\s]+/follow-up/unsubscribe/\w+>\r?\n", raw
    )
    assert b"\nList-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw
    assert message["From"] == "milk-study@example.org"
    assert "jours après le sondage M.I.L.K" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<") and unsubscribe.endswith(">")
    assert UNSUBSCRIBE.fullmatch(unsubscribe[1:-1])
    assert message.is_multipart() and message.get_content_type() == "multipart/alternative"
    text, html = bodies(message)
    assert "Merci encore d’avoir répondu" in text and "Répondre aux questions" in html
    link = link_of(message)
    assert link in text and link in html
    assert unsubscribe[1:-1] in text and unsubscribe[1:-1] in html
    expires = (START + timedelta(days=14 + 30)).strftime("%Y-%m-%d")
    assert expires in text
    # The link opens the questions in French.
    browser.get(link)
    page = browser.get(browser.get("/follow-up/page/0").location).get_data(as_text=True)
    assert "Depuis le sondage, avez-vous exprimé votre lait à la main" in page


def test_a_participant_withdrawing_with_their_code_takes_the_contact_too(
    app,
    db,
    browser,
    make_browser,
    follow_up,  # noqa: F811
    mail_to,  # noqa: F811
):
    from tests.survey_steps import complete_survey
    from tests.test_code_attempts import resume_code_of

    with time_machine.travel(START, tick=False) as clock:
        complete_survey(browser, upto=2)
        code = resume_code_of(browser)
        complete_survey(browser)  # carries on from where this browser is
        browser.get("/survey/thanks")
        browser.post(
            "/follow-up/sign-up", {"email": ADDRESS, "agree": "y", "submit": "x"}, fetch=False
        )
        assert contact(db).email_encrypted is not None
        other = make_browser()
        other.post("/survey/withdraw", {"resume_code": code})
        done = other.post("/survey/withdraw/confirm", {"resume_code": code}, fetch=False)
        assert done.status_code == 302
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(FollowUpContact)) == 0
        clock.move_to(START + timedelta(days=15))
        run_queue(app)
        assert mail_to.received == []  # nobody is emailed after withdrawing
