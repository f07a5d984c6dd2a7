"""Publishing through the web page, and the questionnaire spreadsheet on the web and the CLI."""

from __future__ import annotations

import html
import io

import openpyxl
from sqlalchemy import select

from survey.models import AuditEvent, QuestionnaireVersion, VersionStatus
from survey.questionnaire.loader import definition_of
from tests.factories import make_response


def versions_in(db) -> list[tuple[int, str]]:
    db.session.rollback()
    rows = db.session.execute(
        select(QuestionnaireVersion.number, QuestionnaireVersion.status).order_by("number")
    )
    return [tuple(row) for row in rows]


def actions(db) -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def spreadsheet(admin, **args) -> openpyxl.Workbook:
    response = admin.get("/staff/admin/questionnaire/spreadsheet", query_string=args)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return openpyxl.load_workbook(io.BytesIO(response.data))


def upload(admin, workbook: openpyxl.Workbook):
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    return post_file(admin, data, "questionnaire.xlsx")


def post_file(admin, data: io.BytesIO, filename: str):
    admin.get("/staff/admin/questionnaire/")  # the page with the upload form (and its token)
    return admin.post(
        "/staff/admin/questionnaire/spreadsheet",
        {"spreadsheet": (data, filename)},
        fetch=False,
        content_type="multipart/form-data",
    )


def survey_row(workbook, name: str) -> int:
    sheet = workbook["survey"]
    header = [c.value for c in sheet[1]]
    column = header.index("name") + 1
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, column).value == name)


def set_cell(workbook, row: int, column_name: str, value) -> None:
    sheet = workbook["survey"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row, header.index(column_name) + 1).value = value


def test_web_round_trip_publishes_with_confirmation(admin, db, version):
    make_response(db, version, {"eligibility": "breastfeeding", "consent": "yes", "parity": "1"})
    workbook = spreadsheet(admin)
    set_cell(workbook, survey_row(workbook, "parity"), "label::English (en)", "Children so far")
    response = upload(admin, workbook)
    assert response.status_code == 302 and response.headers["Location"].endswith("/publish")
    assert versions_in(db) == [(1, "published"), (2, "draft")]

    page = admin.get("/staff/admin/questionnaire/draft/publish").get_data(as_text=True)
    assert "question parity" in page and "reworded" in page
    assert "1 in progress" not in page  # the one response is complete

    unconfirmed = admin.post("/staff/admin/questionnaire/draft/publish", {})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm." in unconfirmed.get_data(as_text=True)
    assert versions_in(db) == [(1, "published"), (2, "draft")]

    done = admin.post("/staff/admin/questionnaire/draft/publish", {"confirm": "y"})
    assert done.status_code == 302
    assert versions_in(db) == [(1, VersionStatus.RETIRED), (2, VersionStatus.PUBLISHED)]
    assert actions(db)[-3:] == [
        "questionnaire.spreadsheet_download",
        "questionnaire.import",
        "questionnaire.publish",
    ]


def test_a_form_with_another_form_id_is_imported_with_a_notice(admin, db, version):
    workbook = spreadsheet(admin)
    settings = workbook["settings"]
    header = [c.value for c in settings[1]]
    settings.cell(2, header.index("form_id") + 1).value = "kobo_form_7"
    response = upload(admin, workbook)
    assert response.status_code == 302
    assert versions_in(db) == [(1, "published"), (2, "draft")]
    page = html.unescape(admin.get(response.headers["Location"]).get_data(as_text=True))
    notice = (
        "settings, row 2, column form_id: form_id 'kobo_form_7' is not this study's ('milk'): "
        "the form is imported as the draft of 'milk'"
    )
    assert notice in page
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "questionnaire.import" and notice in event.details["notices"]


def test_an_upload_with_several_mistakes_is_refused_whole(admin, db):
    workbook = spreadsheet(admin)
    set_cell(workbook, survey_row(workbook, "pregnancy_weeks"), "relevant", "${nowhere} = 'yes'")
    set_cell(workbook, survey_row(workbook, "parity"), "type", "select_one no_such_list")
    set_cell(workbook, survey_row(workbook, "age_group"), "type", "geopoint")
    response = upload(admin, workbook)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Nothing was changed" in html
    for row in (survey_row(workbook, n) for n in ("pregnancy_weeks", "parity", "age_group")):
        assert f"row {row}" in html
    assert "unknown variable ${nowhere}" in html
    assert "no_such_list" in html and "geopoint" in html
    assert versions_in(db) == [(1, "published")]


def test_a_french_speaking_admin_reads_the_upload_mistakes_in_french(admin, db, version):
    """Where (sheet, row, column) and what are both translated, with French spacing."""
    workbook = spreadsheet(admin)
    pregnancy_weeks = survey_row(workbook, "pregnancy_weeks")
    set_cell(workbook, pregnancy_weeks, "relevant", "${nowhere} = 'yes'")
    set_cell(workbook, survey_row(workbook, "parity"), "type", "select_one no_such_list")
    assert admin.get("/staff/admin/questionnaire/?lang=fr").status_code == 200
    response = upload(admin, workbook)
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert (
        f"survey, ligne {pregnancy_weeks}, colonne relevant\u00a0: variable inconnue ${{nowhere}}"
        in page
    )
    assert "il n’y a pas de liste de choix no_such_list dans la feuille choices" in page
    assert "there is no choice list" not in page

    not_a_workbook = post_file(admin, io.BytesIO(b"not a zip"), "q.xlsx")
    assert "fichier\u00a0: ce fichier n’est pas un classeur .xlsx (Excel) lisible" in html.unescape(
        not_a_workbook.get_data(as_text=True)
    )

    workbook = spreadsheet(admin)
    settings = workbook["settings"]
    settings.cell(2, [c.value for c in settings[1]].index("form_id") + 1).value = "kobo_form_7"
    imported = upload(admin, workbook)
    assert imported.status_code == 302
    notice = html.unescape(admin.get(imported.headers["Location"]).get_data(as_text=True))
    assert (
        "settings, ligne 2, colonne form_id\u00a0: le form_id 'kobo_form_7' n’est pas celui de "
        "l’étude ('milk')" in notice
    )
    assert actions(db)[-1] == "questionnaire.import"  # (its notices stay in English)
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert "form_id 'kobo_form_7' is not this study's" in event.details["notices"][-1]


def test_an_upload_that_would_orphan_answers_is_refused(admin, db, version):
    make_response(db, version, {"eligibility": "breastfeeding", "consent": "yes", "parity": "1"})
    workbook = spreadsheet(admin)
    set_cell(workbook, survey_row(workbook, "parity"), "type", "integer")
    response = upload(admin, workbook)
    assert response.status_code == 400
    assert "its type cannot change" in response.get_data(as_text=True)
    assert versions_in(db) == [(1, "published")]


def test_not_a_workbook_is_a_clear_400(admin, db):
    response = post_file(admin, io.BytesIO(b"not a zip"), "q.xlsx")
    assert response.status_code == 400
    assert "not an .xlsx workbook" in response.get_data(as_text=True)
    wrong_type = post_file(admin, io.BytesIO(b"a,b"), "q.csv")
    assert wrong_type.status_code == 400
    assert versions_in(db) == [(1, "published")]


def test_cli_round_trip_gives_an_identical_questionnaire(runner, db, version, tmp_path):
    out = tmp_path / "milk.xlsx"
    result = runner.invoke(args=["questionnaire", "export", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["questionnaire", "import", str(out), "--publish"])
    assert result.exit_code == 0, result.output
    assert "version 2 published" in result.output
    db.session.rollback()
    first, second = db.session.scalars(select(QuestionnaireVersion).order_by("number"))
    assert definition_of(second) == definition_of(first)
    assert (first.status, second.status) == ("retired", "published")


def test_cli_import_lists_every_problem_and_changes_nothing(runner, db, version, tmp_path):
    out = tmp_path / "milk.xlsx"
    runner.invoke(args=["questionnaire", "export", str(out)])
    workbook = openpyxl.load_workbook(out)
    set_cell(workbook, survey_row(workbook, "pregnancy_weeks"), "relevant", "${pain_during} > 1")
    set_cell(workbook, survey_row(workbook, "parity"), "name", "bad name")
    workbook.save(out)
    result = runner.invoke(args=["questionnaire", "import", str(out)])
    assert result.exit_code == 1
    assert "is asked later" in result.output and "bad name" in result.output
    assert "nothing was imported" in result.output
    assert versions_in(db) == [(1, "published")]


def test_preview_shows_the_draft_as_participants_will_see_it(admin, db):
    from survey.editor import versions
    from survey.models import Questionnaire, User

    db.session.rollback()
    questionnaire = db.session.scalar(select(Questionnaire))
    draft = versions.open_draft(db.session, questionnaire, db.session.scalar(select(User)))
    age = next(q for q in draft.questions if q.name == "age_group")
    age.label_en, age.label_fr = "Draft wording of age", "Libellé provisoire de l’âge"
    db.session.commit()
    before = actions(db)

    english = admin.get("/staff/admin/questionnaire/preview/3?lang=en")
    html = english.get_data(as_text=True)
    assert english.status_code == 200
    assert "Draft wording of age" in html and 'name="age_group"' in html
    assert "nothing entered here is saved" in html
    assert 'method="post"' not in html.split('id="survey-form"')[0].rsplit("<form", 1)[-1]
    assert "/staff/admin/questionnaire/preview/4" in html  # next page link
    french = admin.get("/staff/admin/questionnaire/preview/3?lang=fr").get_data(as_text=True)
    assert "Libellé provisoire de l’âge" in french and '<html lang="fr"' in french
    assert admin.get("/staff/admin/questionnaire/preview/99").status_code == 404
    assert actions(db) == before and versions_in(db) == [(1, "published"), (2, "draft")]
