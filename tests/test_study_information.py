"""The study's information: admins edit it (EN/FR, validated, audited, admins only), each save
is a revision, participants see it on the home, consent and thank-you pages, each consent records
the revision it was shown, a printable copy of the consent, and the report carries the consent
text of every version it holds."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from exports.report import write_report
from survey.models import AuditEvent, Response, StudyInformation
from tests.conftest import responses
from tests.survey_steps import answer_page, complete_survey

URL = "/staff/admin/study"
FILLED = {
    "title_en": "Hand expression toolkit study",
    "title_fr": "Étude sur la trousse d’expression manuelle",
    "institution_en": "Riverside Birth Centre",
    "institution_fr": "Centre des naissances Riverside",
    "investigator": "Dr. Jo Example",
    "contact_email": "milk.study@example.org",
    "contact_phone": "+1 613 555 0100 ext. 1234",
    "ethics_board_en": "Riverside Research Ethics Board",
    "ethics_board_fr": "Comité d’éthique de la recherche Riverside",
    "approval_number": "REB-TEST-0001",
    "retention_en": "Kept for the test period.",
    "retention_fr": "Gardées pour la période d’essai.",
    "withdrawal_en": "Write to us to withdraw.",
    "withdrawal_fr": "Écrivez-nous pour vous retirer.",
}


def revisions(db) -> list[StudyInformation]:
    db.session.rollback()
    return list(db.session.scalars(select(StudyInformation).order_by(StudyInformation.number)))


def test_a_new_study_starts_with_defaults_marked_to_be_completed(admin, db):
    [first] = revisions(db)
    assert first.number == 1 and first.title_en.startswith("M.I.L.K")
    assert first.approval_number == "" and first.contact_email == ""  # nothing invented
    page = admin.get(URL).get_data(as_text=True)
    assert "Still to be completed:" in page
    assert "Ethics approval number" in page.split("Still to be completed:")[1].split("</p>")[0]
    home = admin.get("/survey/").get_data(as_text=True)
    assert "to be completed by the research team" in home


def test_admin_saves_a_revision_shown_on_the_participant_pages_and_audited(admin, db, make_browser):
    response = admin.post(URL, {**FILLED, "save": "x"})
    assert response.status_code == 302
    latest = revisions(db)[-1]
    assert latest.number == 2 and latest.approval_number == "REB-TEST-0001"
    assert latest.created_by.email == "admin@example.org"
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "study.information"))
    assert event.details["revision"] == 2
    assert event.details["changed"]["contact_email"] == "milk.study@example.org"
    assert "title_en" in event.details["changed"]
    participant = make_browser()
    home = participant.get("/survey/").get_data(as_text=True)
    assert "Riverside Birth Centre" in home and "Dr. Jo Example" in home
    assert 'href="mailto:milk.study@example.org"' in home
    assert "REB-TEST-0001" not in home  # the short version on the home page
    answer_page(participant, 1)
    consent = participant.get("/survey/page/2").get_data(as_text=True)
    assert "REB-TEST-0001" in consent and "Riverside Research Ethics Board" in consent
    assert "Write to us to withdraw." in consent
    french = participant.get("/survey/page/2?lang=fr").get_data(as_text=True)
    assert "Comité d’éthique de la recherche Riverside" in french
    assert "Écrivez-nous pour vous retirer." in french


def test_saving_without_changes_makes_no_revision(admin, db):
    admin.post(URL, {**FILLED, "save": "x"})
    admin.post(URL, {**FILLED, "save": "x"})
    assert [r.number for r in revisions(db)] == [1, 2]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_email", "not-an-address", "Please enter an email address like name@example.org."),
        (
            "contact_email",
            "a b@example.org",
            "Please enter an email address like name@example.org.",
        ),
        ("contact_phone", "call me", "Please enter a phone number like +1 613 555 0100."),
        ("title_en", "", "Please fill this in."),
        ("title_fr", "   ", "Please fill this in."),
        ("title_fr", "x" * 201, "Use at most 200 characters."),
        ("approval_number", "x" * 101, "Use at most 100 characters."),
        ("withdrawal_fr", "x" * 2001, "Use at most 2000 characters."),
        ("institution_en", "a\x00b", "Remove the control characters from this text."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(admin, db, field, value, message):
    response = admin.post(URL, {**FILLED, field: value, "save": "x"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert len(revisions(db)) == 1


def test_a_missing_csrf_token_saves_nothing(admin, db):
    admin.get(URL)
    admin.token = "forged"
    response = admin.post(URL, {**FILLED, "save": "x"}, fetch=False)
    assert response.status_code == 400
    assert len(revisions(db)) == 1


def test_investigators_cannot_read_or_edit_it(investigator, browser, db):
    assert investigator.get(URL).status_code == 403
    assert investigator.post(URL, {**FILLED, "save": "x"}).status_code == 403
    assert browser.get(URL).status_code == 302  # to the login page
    assert len(revisions(db)) == 1


def test_each_response_records_the_revision_it_consented_with(admin, db, make_browser):
    before, after = make_browser(), make_browser()
    complete_survey(before)
    admin.post(URL, {**FILLED, "save": "x"})
    complete_survey(after)
    numbers = sorted(r.study_information.number for r in responses(db))
    assert numbers == [1, 2]
    # Each browser's printable copy shows what that participant agreed to, not the latest.
    old_copy = before.get("/survey/consent/copy").get_data(as_text=True)
    new_copy = after.get("/survey/consent/copy").get_data(as_text=True)
    assert "study information revision 1" in old_copy and "REB-TEST-0001" not in old_copy
    assert "study information revision 2" in new_copy and "REB-TEST-0001" in new_copy
    assert "You agreed on" in new_copy
    assert "Choosing “Yes” below means you have read this" in new_copy  # the consent text
    assert "data-print" in new_copy and "print.js" in new_copy
    assert "http://localhost/survey/consent/copy" in new_copy  # the address, for the print
    thanks = after.get("/survey/thanks").get_data(as_text=True)
    assert "REB-TEST-0001" in thanks and 'href="/survey/consent/copy"' in thanks


def test_the_copy_before_consenting_shows_the_current_text(browser):
    page = browser.get("/survey/consent/copy?lang=fr").get_data(as_text=True)
    assert "En choisissant «" in page and "You agreed on" not in page


def test_report_carries_every_consent_text_and_revision(admin, db, make_browser, version):
    complete_survey(make_browser())
    admin.post(URL, {**FILLED, "save": "x"})
    complete_survey(make_browser())
    db.session.rollback()
    out = io.BytesIO()
    write_report(db.session, out)
    wb = load_workbook(out)
    header = [c.value for c in wb["Responses"][1]]
    rows = [
        dict(zip(header, [c.value for c in r], strict=True))
        for r in wb["Responses"].iter_rows(min_row=2)
    ]
    assert sorted(r["study_information"] for r in rows) == [1, 2]
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows(min_row=2)}
    english = about[f"Consent text, version 1 ({version.consent_version}), English"]
    assert english.startswith("We are a research team studying")
    french = about[f"Consent text, version 1 ({version.consent_version}), French"]
    assert french.startswith("Nous sommes une équipe de recherche.")
    revision_2 = about["Study information shown with the consent, revision 2, English"]
    assert "Ethics approval number: REB-TEST-0001" in revision_2
    revision_1 = about["Study information shown with the consent, revision 1, French"]
    assert "Ethics approval number: (to be completed)" in revision_1
    codebook = {r[0].value: r for r in wb["Codebook"].iter_rows(min_row=2)}
    assert "We are a research team studying" in codebook["consent_version"][9].value
    assert "Nous sommes une équipe de recherche." in codebook["consent_version"][9].value
    assert "Revision 2, English" in codebook["study_information"][9].value
    assert db.session.scalar(select(func.count()).select_from(Response)) == 2
