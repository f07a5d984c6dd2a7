"""Real ODK and KoboToolbox forms through the real interfaces: the CLI's --skip-unsupported, the
upload page's checkbox, and a constraint checked on a participant's page in their language."""

from __future__ import annotations

import html
import io

import openpyxl
from sqlalchemy import select

from survey.models import AuditEvent, Question, QuestionnaireVersion
from tests.survey_steps import PAGES, answer_page
from tests.test_publishing import post_file, survey_row, versions_in


def exported(runner, tmp_path) -> tuple[openpyxl.Workbook, str]:
    out = tmp_path / "milk.xlsx"
    result = runner.invoke(args=["questionnaire", "export", str(out)])
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(out), str(out)


def insert_question(workbook, after: str, cells: dict[str, str]) -> None:
    sheet = workbook["survey"]
    header = [c.value for c in sheet[1]]
    row = survey_row(workbook, after) + 1
    sheet.insert_rows(row)
    for column, value in cells.items():
        sheet.cell(row, header.index(column) + 1).value = value


def with_geopoint(workbook) -> None:
    insert_question(
        workbook, "parity", {"type": "geopoint", "name": "where", "label::English (en)": "Where?"}
    )


def test_the_cli_refuses_an_odk_type_by_name_and_skips_it_when_asked(runner, db, tmp_path):
    workbook, path = exported(runner, tmp_path)
    with_geopoint(workbook)
    workbook.save(path)
    row = survey_row(workbook, "where")

    refused = runner.invoke(args=["questionnaire", "import", path])
    skipped = runner.invoke(args=["questionnaire", "import", path, "--skip-unsupported"])

    assert refused.exit_code == 1
    assert f"survey, row {row}, column type: type geopoint is not supported" in refused.output
    assert skipped.exit_code == 0, skipped.output
    assert f"note: survey, row {row}, column type: dropped: type geopoint" in skipped.output
    db.session.rollback()
    draft = db.session.scalar(select(QuestionnaireVersion).where(QuestionnaireVersion.number == 2))
    assert "where" not in [q.name for q in draft.questions]
    assert "parity" in [q.name for q in draft.questions]


def test_the_upload_page_skips_unsupported_parts_when_the_box_is_ticked(
    admin, db, runner, tmp_path
):
    workbook, _path = exported(runner, tmp_path)
    with_geopoint(workbook)
    data = io.BytesIO()
    workbook.save(data)

    page = admin.get("/staff/admin/questionnaire/").get_data(as_text=True)
    refused = post_file(admin, io.BytesIO(data.getvalue()), "odk.xlsx")
    admin.get("/staff/admin/questionnaire/")
    ticked = admin.post(
        "/staff/admin/questionnaire/spreadsheet",
        {"spreadsheet": (io.BytesIO(data.getvalue()), "odk.xlsx"), "skip_unsupported": "y"},
        fetch=False,
        content_type="multipart/form-data",
    )

    assert 'type="checkbox" id="skip_unsupported" name="skip_unsupported"' in page
    assert refused.status_code == 400
    assert "type geopoint is not supported" in html.unescape(refused.get_data(as_text=True))
    assert ticked.status_code == 302
    assert versions_in(db) == [(1, "published"), (2, "draft")]
    shown = html.unescape(admin.get(ticked.headers["Location"]).get_data(as_text=True))
    assert "dropped: type geopoint is not supported" in shown
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert any("dropped: type geopoint" in notice for notice in event.details["notices"])


def test_the_skip_box_needs_the_csrf_token_like_the_rest_of_the_form(admin, db, runner, tmp_path):
    workbook, _path = exported(runner, tmp_path)
    data = io.BytesIO()
    workbook.save(data)
    admin.token = "forged"

    response = admin.post(
        "/staff/admin/questionnaire/spreadsheet",
        {"spreadsheet": (data, "odk.xlsx"), "skip_unsupported": "y"},
        fetch=False,
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    assert versions_in(db) == [(1, "published")]


POSTCODE = {
    "type": "text",
    "name": "postcode",
    "label::English (en)": "Your postcode?",
    "label::French (fr)": "Votre code postal ?",
    "constraint": "regex(., '^[0-9]{5}$')",
    "constraint_message::English (en)": "Five digits, such as 75012",
    "constraint_message::French (fr)": "Cinq chiffres, comme 75012",
}


def test_a_constraint_is_checked_on_the_server_with_its_message_in_the_page_language(
    runner, db, browser, tmp_path
):
    workbook, path = exported(runner, tmp_path)
    insert_question(workbook, "parity", POSTCODE)
    workbook.save(path)
    imported = runner.invoke(args=["questionnaire", "import", path, "--publish"])
    assert imported.exit_code == 0, imported.output
    db.session.rollback()
    question = db.session.scalar(select(Question).where(Question.name == "postcode"))
    assert question.accept_if == "regex(., '^[0-9]{5}$')"
    answers = dict(PAGES[2][1])

    assert answer_page(browser, 1).status_code == 302
    assert answer_page(browser, 2).status_code == 302
    english = answer_page(browser, 3, {**answers, "postcode": "7501"})
    french = browser.post("/survey/page/3?lang=fr", {**answers, "postcode": "75O12", "next": "x"})
    accepted = answer_page(browser, 3, {**answers, "postcode": "75012"})

    assert english.status_code == 400
    assert "Five digits, such as 75012" in html.unescape(english.get_data(as_text=True))
    assert french.status_code == 400
    assert "Cinq chiffres, comme 75012" in html.unescape(french.get_data(as_text=True))
    assert accepted.status_code == 302
    assert accepted.headers["Location"].endswith("/survey/page/4")


def test_an_unanswered_question_is_not_held_to_its_constraint(runner, db, browser, tmp_path):
    workbook, path = exported(runner, tmp_path)
    insert_question(workbook, "parity", POSTCODE)
    workbook.save(path)
    assert runner.invoke(args=["questionnaire", "import", path, "--publish"]).exit_code == 0

    answer_page(browser, 1)
    answer_page(browser, 2)
    response = answer_page(browser, 3, {**PAGES[2][1], "postcode": ""})

    assert response.status_code == 302


def test_the_codebook_says_what_answer_a_constraint_accepted(runner, db, tmp_path):
    from tests.test_exports import report, sheet_dicts

    workbook, path = exported(runner, tmp_path)
    insert_question(workbook, "parity", POSTCODE)
    workbook.save(path)
    assert runner.invoke(args=["questionnaire", "import", path, "--publish"]).exit_code == 0
    db.session.rollback()

    book, _info = report(db)

    codebook = {r["column"]: r for r in sheet_dicts(book["Codebook"])}
    notes = codebook["postcode"]["scoring rule / notes"]
    assert notes == "accepted when regex(., '^[0-9]{5}$')"


def test_hundreds_of_notices_do_not_overflow_the_session_cookie(admin, db, runner, tmp_path):
    workbook, _path = exported(runner, tmp_path)
    for number in range(300):
        place = {"type": "geopoint", "name": f"where_{number}", "label::English (en)": "Where?"}
        insert_question(workbook, "parity", place)
    data = io.BytesIO()
    workbook.save(data)
    admin.get("/staff/admin/questionnaire/")

    ticked = admin.post(
        "/staff/admin/questionnaire/spreadsheet",
        {"spreadsheet": (io.BytesIO(data.getvalue()), "odk.xlsx"), "skip_unsupported": "y"},
        fetch=False,
        content_type="multipart/form-data",
    )
    shown = html.unescape(admin.get(ticked.headers["Location"]).get_data(as_text=True))

    assert ticked.status_code == 302
    cookie = ticked.headers["Set-Cookie"]
    assert len(cookie) < 4093, len(cookie)  # what browsers keep of a cookie
    assert shown.count("dropped: type geopoint is not supported") == 20
    assert "…and 280 more notices: the audit log's entry for this import lists them all." in shown
    db.session.rollback()
    imported = select(AuditEvent).where(AuditEvent.action == "questionnaire.import")
    event = db.session.scalars(imported).one()
    assert sum("dropped: type geopoint" in notice for notice in event.details["notices"]) == 300


def test_a_form_without_consent_page_is_a_draft_until_one_is_added(runner, db, tmp_path):
    path = tmp_path / "odk.xlsx"
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    for row in (["type", "name", "label"], ["integer", "age", "Age?"]):
        survey.append(row)
    book.save(path)

    published = runner.invoke(args=["questionnaire", "import", str(path), "--publish"])
    drafted = runner.invoke(args=["questionnaire", "import", str(path)])

    assert published.exit_code == 1
    assert "it needs a consent page (a page of kind consent)" in published.output
    assert drafted.exit_code == 0, drafted.output
    assert "the form has no consent page" in drafted.output
    assert versions_in(db) == [(1, "published"), (2, "draft")]


def group_row(workbook, name: str) -> int:
    sheet = workbook["survey"]
    header = [c.value for c in sheet[1]]
    types, names = header.index("type") + 1, header.index("name") + 1
    return next(
        r
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(r, types).value == "begin_group" and sheet.cell(r, names).value == name
    )


def test_a_group_relevant_skips_its_page_for_the_participant(runner, db, browser, tmp_path):
    workbook, path = exported(runner, tmp_path)
    sheet = workbook["survey"]
    header = [c.value for c in sheet[1]]
    row = group_row(workbook, "breastfeeding")
    sheet.cell(row, header.index("relevant") + 1).value = "${pregnant} = 'no'"
    workbook.save(path)
    imported = runner.invoke(args=["questionnaire", "import", path, "--publish"])
    assert imported.exit_code == 0, imported.output

    answer_page(browser, 1)
    answer_page(browser, 2)
    pregnant = answer_page(browser, 3, {**PAGES[2][1], "pregnant": "yes"})

    assert pregnant.status_code == 302
    assert pregnant.headers["Location"].endswith("/survey/page/5")  # page 4 is skipped
    back = answer_page(browser, 5, {}, button="back")
    assert back.headers["Location"].endswith("/survey/page/3")


def test_the_question_editor_shows_a_constraint_from_the_spreadsheet(runner, db, admin, tmp_path):
    workbook, path = exported(runner, tmp_path)
    insert_question(workbook, "parity", POSTCODE)
    workbook.save(path)
    assert runner.invoke(args=["questionnaire", "import", path]).exit_code == 0
    db.session.rollback()
    draft = db.session.scalar(select(QuestionnaireVersion).where(QuestionnaireVersion.number == 2))
    postcode = next(q for q in draft.questions if q.name == "postcode")

    english = admin.get(f"/staff/admin/questionnaire/draft/questions/{postcode.id}?lang=en")
    french = admin.get(f"/staff/admin/questionnaire/draft/questions/{postcode.id}?lang=fr")

    shown = html.unescape(english.get_data(as_text=True))
    assert "<code>regex(., '^[0-9]{5}$')</code>" in shown
    assert "Its message: Five digits, such as 75012" in shown
    assert "Cinq chiffres, comme 75012" in html.unescape(french.get_data(as_text=True))
