"""The follow-up's pages when something is off: every bad link (forged, used, expired,
unsubscribed, withdrawn, no session), unsubscribing by GET then POST and by the mail program's
one-click POST (RFC 8058, no CSRF token), and the sign-up's bad input and double submit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from survey.follow_up import contacts
from survey.models import FollowUpContact, FollowUpSend
from tests.follow_up_steps import (
    ADDRESS,
    FOLLOW_UP_ANSWERS,
    START,
    contact,
    follow_up,  # noqa: F401 - a fixture
    link_of,
    mail_to,  # noqa: F401 - a fixture
    received,
    run_queue,
    sign_up,
)
from tests.test_mail import smtp_server  # noqa: F401 - a fixture


def invited(app, browser, clock, mail_to) -> str:  # noqa: F811
    """Sign up, move to the invitation's day, send it; returns the link's path."""
    sign_up(browser)
    clock.move_to(START + timedelta(days=14))
    run_queue(app)
    return link_of(received(mail_to)[-1])


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_forged_or_mistyped_link_is_a_clear_404(app, browser, follow_up):  # noqa: F811
    for token in ("0" * 64, "not-a-token", "x" * 500):
        response = browser.get(f"/follow-up/answer/{token}")
        assert response.status_code == 404
        assert "We do not recognise this link" in text(response)
    assert browser.get("/follow-up/unsubscribe/" + "0" * 64).status_code == 404


def test_a_link_made_with_another_key_opens_nothing(app, db, browser, follow_up, mail_to):  # noqa: F811
    with time_machine.travel(START, tick=False) as clock:
        link = invited(app, browser, clock, mail_to)
        kept = contact(db)
        forged = contacts.link_token(
            kept.link_nonce, contacts.addresses.Fernet.generate_key().decode()
        )
        assert browser.get(f"/follow-up/answer/{forged}").status_code == 404
        assert browser.get(link).status_code == 302


def test_pages_without_the_link_say_to_open_it(browser, follow_up):  # noqa: F811
    response = browser.get("/follow-up/page/1")
    assert response.status_code == 403 and "open the link" in text(response)


def test_an_expired_link_is_410_and_its_address_is_deleted(app, db, browser, follow_up, mail_to):  # noqa: F811
    with time_machine.travel(START, tick=False) as clock:
        link = invited(app, browser, clock, mail_to)
        clock.move_to(START + timedelta(days=14 + 29, hours=23))
        assert browser.get(link).status_code == 302  # the last hour of its 30 days
        page = browser.get("/follow-up/page/0").location
        clock.move_to(START + timedelta(days=14 + 30))
        expired = browser.get(link)
        assert expired.status_code == 410 and "This link has expired" in text(expired)
        # A page opened before it expired cannot be sent after.
        late = browser.post(page, {**FOLLOW_UP_ANSWERS, "next": "x"}, fetch=False)
        assert late.status_code == 410
        run_queue(app)  # the consumer closes it
        closed = contact(db)
        assert closed.closed_reason == "expired" and closed.email_encrypted is None
        assert closed.answered_at is None


@pytest.mark.parametrize("one_click", [False, True])
def test_unsubscribe_by_the_page_or_by_the_mail_programs_one_click(
    app,
    db,
    browser,
    make_browser,
    follow_up,  # noqa: F811
    mail_to,  # noqa: F811
    one_click,
):
    with time_machine.travel(START, tick=False) as clock:
        link = invited(app, browser, clock, mail_to)
        [message] = received(mail_to)
        url = message["List-Unsubscribe"].strip("<>")
        path = url[url.index("/follow-up/") :]
        asked = make_browser().get(path)
        assert asked.status_code == 200 and "Yes, stop the emails" in text(asked)
        assert contact(db).unsubscribed_at is None  # GET changes nothing
        if one_click:
            # What a mail program sends (RFC 8058): a bare POST, no cookie, no CSRF token.
            done = make_browser().request(
                "POST",
                path,
                data="List-Unsubscribe=One-Click",
                content_type="application/x-www-form-urlencoded",
            )
        else:
            done = make_browser().post(path, {})
        assert done.status_code == 200 and "no more emails" in text(done)
        gone = contact(db)
        assert gone.unsubscribed_at is not None and gone.email_encrypted is None
        again = make_browser().request("POST", path, data="List-Unsubscribe=One-Click")
        assert again.status_code == 200  # the same answer, nothing changes
        assert contact(db).unsubscribed_at == gone.unsubscribed_at
        clock.move_to(START + timedelta(days=19))
        run_queue(app)
        assert len(mail_to.received) == 1  # no reminder
        opened = browser.get(link)
        assert opened.status_code == 410 and "You have unsubscribed" in text(opened)


def test_unsubscribe_needs_no_csrf_token_when_csrf_is_on(
    app,
    db,
    browser,
    make_browser,
    follow_up,  # noqa: F811
    mail_to,  # noqa: F811
):
    """The one route exempt from CSRF: a fresh app with CSRF checks on refuses a bare POST to
    the sign-up, yet takes the one-click unsubscribe."""
    assert app.config["WTF_CSRF_ENABLED"]
    with time_machine.travel(START, tick=False) as clock:
        invited(app, browser, clock, mail_to)
        url = received(mail_to)[0]["List-Unsubscribe"].strip("<>")
        path = url[url.index("/follow-up/") :]
        bare = make_browser()
        refused = bare.request("POST", "/follow-up/signed-up/cancel", data={})
        assert refused.status_code == 400 and "This form had expired" in text(refused)
        done = bare.request("POST", path, data="List-Unsubscribe=One-Click")
        assert done.status_code == 200
        assert contact(db).unsubscribed_at is not None


def test_a_withdrawn_participants_link_and_unsubscribe_link_are_gone(
    app,
    db,
    browser,
    make_browser,
    follow_up,  # noqa: F811
    mail_to,  # noqa: F811
):
    from tests.conftest import logged_in

    with time_machine.travel(START, tick=False) as clock:
        link = invited(app, browser, clock, mail_to)
        response_id = contact(db).response_id
        admin = logged_in(app, "admin")
        admin.get(f"/staff/responses/{response_id}")
        admin.post(
            f"/staff/responses/{response_id}/withdraw", {"confirm": "y", "submit": "x"}, fetch=False
        )
        assert browser.get(link).status_code == 404
        unsubscribe = received(mail_to)[0]["List-Unsubscribe"].strip("<>")
        path = unsubscribe[unsubscribe.index("/follow-up/") :]
        assert make_browser().get(path).status_code == 404
        clock.move_to(START + timedelta(days=20))
        run_queue(app)
        assert len(mail_to.received) == 1


@pytest.mark.parametrize(
    "email, message",
    [
        ("", "Please enter your email address."),
        ("parent@", "This does not look like an email address."),
        ("parent example.org", "This does not look like an email address."),
        ("parent@example", "This does not look like an email address."),
        ("par..ent@example.org", "This does not look like an email address."),
        ("parent@-example.org", "This does not look like an email address."),
        ("parént@example.org", "This does not look like an email address."),
        ("a" * 65 + "@example.org", "This does not look like an email address."),
        ("parent@example.org\x00", "This does not look like an email address."),
        ("<parent@example.org>", "This does not look like an email address."),
    ],
)
def test_a_bad_address_gets_a_clear_message(db, browser, follow_up, email, message):  # noqa: F811
    refused = sign_up(browser, address=email)
    assert refused.status_code == 400
    assert message in text(refused)
    assert db.session.scalar(select(func.count()).select_from(FollowUpContact)) == 0


def test_consent_must_be_ticked_and_the_address_is_kept_on_the_page(db, browser, follow_up):  # noqa: F811
    refused = sign_up(browser, agree="")
    assert refused.status_code == 400
    page = text(refused)
    assert (
        "Please tick the box to agree" in page and 'value="Parent.Tester+milk@example.org"' in page
    )
    assert db.session.scalar(select(func.count()).select_from(FollowUpContact)) == 0


def test_signing_up_twice_keeps_one_contact(db, browser, follow_up):  # noqa: F811
    assert sign_up(browser).status_code == 302
    again = browser.post(
        "/follow-up/sign-up", {"email": "other@example.org", "agree": "y"}, fetch=False
    )
    assert again.status_code == 302 and again.location.endswith("/follow-up/signed-up")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(FollowUpContact)) == 1
    assert "other@example.org" not in text(browser.get("/follow-up/signed-up"))


def test_the_participant_can_take_it_back_on_the_confirmation_page(db, browser, follow_up):  # noqa: F811
    sign_up(browser)
    browser.get("/follow-up/signed-up")
    done = browser.post("/follow-up/signed-up/cancel", {}, fetch=False)
    assert done.status_code == 302
    kept = contact(db)
    assert kept.unsubscribed_at is not None and kept.email_encrypted is None
    assert ADDRESS.lower() not in text(browser.get("/follow-up/signed-up")).lower()


def test_no_sign_up_without_a_finished_survey(browser, follow_up):  # noqa: F811
    refused = browser.post("/follow-up/sign-up", {"email": "a@example.org", "agree": "y"})
    assert refused.status_code in (400, 404)
    assert browser.get("/follow-up/signed-up").status_code == 404


def test_no_offer_without_the_follow_up_questionnaire(browser, db):
    from tests.survey_steps import complete_survey

    complete_survey(browser)
    assert "A few questions later?" not in text(browser.get("/survey/thanks"))
    assert db.session.scalar(select(func.count()).select_from(FollowUpSend)) == 0


def test_a_follow_up_page_keeps_what_was_typed(app, db, browser, follow_up, mail_to):  # noqa: F811
    """An expired form token, a missing answer, or a switch of language: the page comes back
    with the answers as typed; only the language switch saves (what is valid), as the
    survey's pages do."""
    with time_machine.travel(START, tick=False) as clock:
        link = invited(app, browser, clock, mail_to)
        browser.get(link)
        page = browser.get("/follow-up/page/0").location
        browser.get(page)
        typed = {**FOLLOW_UP_ANSWERS, "comments": "Kept as typed", "next": "x"}
        stale = browser.post(page, {**typed, "csrf_token": "stale"}, fetch=False)
        assert stale.status_code == 400
        assert "Your answers are still here" in text(stale) and "Kept as typed" in text(stale)
        missing = browser.post(page, {**typed, "confidence_now": ""})
        assert missing.status_code == 400 and "Kept as typed" in text(missing)
        assert contacts.follow_up_response(db.session, contact(db)) is None  # nothing saved
        switched = browser.post(
            f"{page}?lang=fr", {**typed, "next": None, "switch_language": "fr"}, fetch=False
        )
        assert switched.status_code == 302
        again = text(browser.get(page))
        assert "Depuis le sondage" in again and "Kept as typed" in again
        assert contact(db).answered_at is None  # saved, not sent


def test_a_follow_up_of_two_pages_goes_back_and_forth(app, db, browser, tmp_path, mail_to):  # noqa: F811
    """An admin may give the follow-up more pages: Next, Back (which saves) and a page not
    reached yet work as on the survey's pages."""
    import json

    from survey.questionnaire.loader import DEFAULT_FOLLOW_UP, load_follow_up_questionnaire

    definition = json.loads(DEFAULT_FOLLOW_UP.read_text(encoding="utf-8"))
    [page] = definition["pages"]
    first, second = dict(page), dict(page)
    first["questions"], second["questions"] = page["questions"][:3], page["questions"][3:]
    second["name"] = "now"
    definition["pages"] = [first, second]
    path = tmp_path / "two_pages.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    load_follow_up_questionnaire(db.session, app.config["FOLLOW_UP_SLUG"], path)
    db.session.commit()
    with time_machine.travel(START, tick=False) as clock:
        link = invited(app, browser, clock, mail_to)
        browser.get(link)
        assert browser.get("/follow-up/page/2").location.endswith("/follow-up/page/1")
        one = {k: FOLLOW_UP_ANSWERS[k] for k in ("expressed_since", "expression_frequency")}
        one["pain_last_time"] = FOLLOW_UP_ANSWERS["pain_last_time"]
        moved = browser.post("/follow-up/page/1", {**one, "next": "x"})
        assert moved.location.endswith("/follow-up/page/2")
        page_two = text(browser.get("/follow-up/page/2"))
        assert "Page 2 of 2" in page_two and 'name="back"' in page_two
        back = browser.post("/follow-up/page/2", {"confidence_now": "4", "back": "x"})
        assert back.location.endswith("/follow-up/page/1")
        assert 'checked id="expression_frequency-1"' in text(browser.get("/follow-up/page/1"))
        assert 'checked id="confidence_now-3"' in text(browser.get("/follow-up/page/2"))  # saved
        rest = {k: FOLLOW_UP_ANSWERS[k] for k in ("confidence_now", "returned_to_toolkit")}
        done = browser.post("/follow-up/page/2", {**rest, "next": "x"})
        assert done.location.endswith("/follow-up/thanks")
        assert contact(db).answered_at is not None
