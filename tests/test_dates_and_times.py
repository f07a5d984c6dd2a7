"""Date, time and date-and-time questions end to end, through HTTP with CSRF on: asked before and
after consent, checked in the page's language, stored typed, shown again, read by show-if, and
exported as real Excel cells, CSV text, a summary (n, earliest, latest) and statistics files."""

from __future__ import annotations

import csv
import html
import io
from datetime import UTC, date, datetime, time

import pyreadstat
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from exports.report import write_csv, write_report
from exports.statfiles import write_statistics_file
from survey.models import Answer, Page, Question, QuestionnaireVersion
from tests.conftest import logged_in, responses
from tests.factories import make_response
from tests.survey_steps import PAGES, answer_page, complete_survey


def add_question(db, version: QuestionnaireVersion, position: int, **fields) -> Question:
    """A question added at the end of a page of the published version, before any participant
    has seen it (the version's structure is built at the first request)."""
    page = db.session.scalar(
        select(Page).where(Page.version_id == version.id, Page.position == position)
    )
    question = Question(
        page=page, position=len(page.questions) + 1, label_en=fields["name"], **fields
    )
    db.session.add(question)
    db.session.commit()
    return question


def stored(db, name: str) -> Answer:
    db.session.rollback()
    return db.session.scalar(select(Answer).join(Question).where(Question.name == name))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def rows(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


# --- a date before consent (it waits in the session cookie) ------------------------------------


def test_a_date_answered_before_consent_is_shown_again_and_stored_as_a_date(browser, db, version):
    add_question(db, version, 1, name="baby_born", type="date")

    sent = answer_page(browser, 1, {"eligibility": "breastfeeding", "baby_born": "2026-03-14"})
    assert sent.status_code == 302

    again = browser.get("/survey/page/1")  # drawn again from what the session holds
    assert again.status_code == 200
    assert 'value="2026-03-14"' in again.get_data(as_text=True)
    assert answer_page(browser, 2).status_code == 302  # consent: the response is made
    answer = stored(db, "baby_born")
    assert answer.value_date == date(2026, 3, 14)
    assert answer.value_text is None


@pytest.mark.parametrize(
    ("kind", "typed", "shown", "column", "value"),
    [
        ("time", "06:45", 'value="06:45"', "value_time", time(6, 45)),
        (
            "datetime",
            "2026-03-14T06:45",
            'value="2026-03-14T06:45"',
            "value_datetime",
            datetime(2026, 3, 14, 6, 45),
        ),
    ],
)
def test_a_time_before_consent_too(browser, db, version, kind, typed, shown, column, value):
    add_question(db, version, 1, name="when", type=kind)
    answer_page(browser, 1, {"eligibility": "breastfeeding", "when": typed})
    assert shown in browser.get("/survey/page/1").get_data(as_text=True)
    answer_page(browser, 2)
    assert getattr(stored(db, "when"), column) == value


# --- mistakes, in the page's language ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "typed", "english", "french"),
    [
        ("date", "14/03/2026", "Please enter a date", "Veuillez entrer une date, par exemple"),
        ("date", "2026-02-30", "Please enter a date", "Veuillez entrer une date, par exemple"),
        ("date", "1850-01-01", "from 1900 to 2100", "Veuillez entrer une date de 1900 à 2100."),
        ("time", "25:00", "Please enter a time of day", "Veuillez entrer une heure"),
        ("time", "noon", "Please enter a time of day", "Veuillez entrer une heure"),
        ("datetime", "2026-03-14", "date and a time of day", "une date et une heure"),
        ("datetime", "3000-01-01T10:00", "from 1900 to 2100", "une date de 1900 à 2100"),
    ],
)
def test_a_bad_answer_is_refused_in_the_pages_language(
    make_browser, db, version, kind, typed, english, french
):
    add_question(db, version, 1, name="when", type=kind)
    for language, expected, other in (("en", english, french), ("fr", french, english)):
        browser = make_browser()
        browser.get(f"/survey/?lang={language}")
        refused = browser.post(
            "/survey/page/1", {"eligibility": "breastfeeding", "when": typed, "next": "x"}
        )
        assert refused.status_code == 400
        page = text_of(refused)
        assert expected in page and other not in page
        assert "Not a valid" not in page  # WTForms' own English message
        assert f'value="{typed}"' in refused.get_data(as_text=True)  # kept as typed
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


# --- after consent: stored, shown again, read by show-if -----------------------------------


@pytest.fixture
def timed(db, version) -> QuestionnaireVersion:
    """Page 3 asks when the participant woke and when they last expressed milk; page 4 asks a
    follow-up only of those who woke before eight."""
    add_question(db, version, 3, name="woke_at", type="time")
    add_question(db, version, 3, name="last_expressed", type="datetime")
    add_question(
        db, version, 4, name="early_tip", type="short_text", show_if="${woke_at} < '08:00'"
    )
    return version


def test_time_and_datetime_are_stored_typed_and_shown_again(browser, db, timed):
    complete_survey(browser, upto=2)
    page3 = {**PAGES[2][1], "woke_at": "06:45", "last_expressed": "2026-03-14T05:30"}
    assert answer_page(browser, 3, page3).status_code == 302

    again = browser.get("/survey/page/3").get_data(as_text=True)
    assert 'type="time"' in again and 'value="06:45"' in again
    assert 'type="datetime-local"' in again and 'value="2026-03-14T05:30"' in again
    woke, last = stored(db, "woke_at"), stored(db, "last_expressed")
    assert (woke.value_time, woke.value_text, woke.value_date) == (time(6, 45), None, None)
    assert last.value_datetime == datetime(2026, 3, 14, 5, 30)
    assert last.value_datetime.tzinfo is None  # the participant's clock, no time zone


@pytest.mark.parametrize(("woke", "asked"), [("06:45", True), ("08:00", False), ("", False)])
def test_show_if_compares_a_time_of_day(browser, db, timed, woke, asked):
    complete_survey(browser, upto=2)
    answer_page(browser, 3, {**PAGES[2][1], "woke_at": woke})
    page4 = browser.get("/survey/page/4").get_data(as_text=True)
    assert ('id="q-early_tip"' in page4) is asked
    # The page's script reads the answer as text, as the server compares it.
    assert 'data-answer="text"' in browser.get("/survey/page/3").get_data(as_text=True)


def test_the_staff_response_page_shows_times_as_typed(app, browser, db, timed):
    complete_survey(browser, {3: {"woke_at": "06:45", "last_expressed": "2026-03-14T05:30"}, 4: {}})
    [response] = responses(db)
    staff = logged_in(app, "investigator")
    page = staff.get(f"/staff/responses/{response.id}").get_data(as_text=True)
    assert "06:45" in page and "2026-03-14 05:30" in page


# --- exports -------------------------------------------------------------------------------


@pytest.fixture
def answered(db, timed) -> QuestionnaireVersion:
    """Three responses with a date, a time and a date and time each (and one without)."""
    add_question(db, timed, 3, name="baby_born", type="date")
    made = [
        ("2026-01-20", time(6, 45), datetime(2026, 3, 14, 5, 30)),
        ("2025-12-02", time(22, 10), datetime(2026, 3, 1, 23, 5)),
        ("2026-02-11", time(7, 0), datetime(2026, 3, 20, 12, 0)),
    ]
    for hour, (day, woke, last) in enumerate(made, start=8):
        make_response(
            db,
            timed,
            {"baby_born": date.fromisoformat(day), "woke_at": woke, "last_expressed": last},
            started=datetime(2026, 11, 2, hour, tzinfo=UTC),  # the rows' order
        )
    make_response(db, timed, {"pregnant": "no"}, started=datetime(2026, 11, 3, 8, tzinfo=UTC))
    return timed


def report(db):
    out = io.BytesIO()
    write_report(db.session, out)
    out.seek(0)
    return load_workbook(out)


def test_the_report_writes_real_excel_dates_and_times(db, answered):
    book = report(db)
    ws = book["Responses"]
    header = [c.value for c in ws[1]]
    cells = {
        name: ws.cell(row=2, column=header.index(name) + 1)
        for name in ("baby_born", "woke_at", "last_expressed")
    }
    assert cells["woke_at"].value == time(6, 45) and cells["woke_at"].is_date
    assert cells["last_expressed"].value == datetime(2026, 3, 14, 5, 30)
    assert cells["last_expressed"].is_date
    assert cells["baby_born"].value == datetime(2026, 1, 20)  # openpyxl reads dates as datetimes
    assert "h" in cells["woke_at"].number_format and "y" not in cells["woke_at"].number_format
    codebook = {r["column"]: r for r in rows(book["Codebook"])}
    assert codebook["woke_at"]["type"] == "time of day"
    assert codebook["last_expressed"]["type"] == "date and time (participant's local time)"


def test_dates_and_times_are_summarised_not_sent_to_the_comments_sheet(db, answered):
    book = report(db)
    summary = {(r["variable"], r["code"]): r for r in rows(book["Summary"])}
    # Worked out from the fixture's answers: three of four responses answered each.
    born = summary[("baby_born", None)]
    assert (born["type"], born["denominator (shown)"], born["answered"]) == ("date", 4, 3)
    assert (born["min"], born["max"]) == (datetime(2025, 12, 2), datetime(2026, 2, 11))
    assert born["note"] == "the earliest answer in min, the latest in max"
    woke = summary[("woke_at", None)]
    assert (woke["answered"], woke["min"], woke["max"]) == (3, time(6, 45), time(22, 10))
    last = summary[("last_expressed", None)]
    assert (last["min"], last["max"]) == (datetime(2026, 3, 1, 23, 5), datetime(2026, 3, 20, 12))
    comments = {r["variable"] for r in rows(book["Comments"])}
    assert not comments & {"baby_born", "woke_at", "last_expressed"}


def test_the_dashboard_gives_the_earliest_and_latest(app, db, answered):
    staff = logged_in(app, "investigator")
    page = text_of(staff.get("/staff/dashboard"))
    assert "Earliest answer: 06:45; latest: 22:10." in page
    assert "Earliest answer: 2026-03-01 23:05; latest: 2026-03-20 12:00." in page
    french = text_of(staff.get("/staff/dashboard?lang=fr"))
    assert "2025-12-02" in french and "Earliest answer" not in french


def test_the_csv_writes_iso_text(db, answered):
    out = io.BytesIO()
    write_csv(db.session, out)
    table = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert [r["woke_at"] for r in table] == ["06:45:00", "22:10:00", "07:00:00", ""]
    assert table[0]["last_expressed"] == "2026-03-14T05:30:00"
    assert table[0]["baby_born"] == "2026-01-20"


def test_the_statistics_file_keeps_them_typed(db, answered, tmp_path):
    path = tmp_path / "milk.sav"
    write_statistics_file(db.session, str(path), fmt="sav")
    frame, meta = pyreadstat.read_sav(str(path))
    assert list(frame["woke_at"][:3]) == [time(6, 45), time(22, 10), time(7, 0)]
    assert frame["last_expressed"][0].to_pydatetime() == datetime(2026, 3, 14, 5, 30)
    assert meta.original_variable_types["woke_at"].startswith("TIME")
    stata = tmp_path / "milk.dta"
    write_statistics_file(db.session, str(stata), fmt="dta")
    frame, meta = pyreadstat.read_dta(str(stata))
    assert meta.original_variable_types["woke_at"] == "%tcHH:MM:SS"  # Stata's time of day
    assert meta.original_variable_types["last_expressed"] == "%tc"
    assert frame["last_expressed"][1].to_pydatetime() == datetime(2026, 3, 1, 23, 5)
    write_statistics_file(db.session, str(tmp_path / "milk.R"), fmt="r")
    table = list(csv.DictReader(io.StringIO((tmp_path / "milk.csv").read_text("utf-8-sig"))))
    assert (table[0]["woke_at"], table[0]["last_expressed"]) == ("06:45:00", "2026-03-14T05:30:00")


# --- the editor and the questionnaire spreadsheet -------------------------------------------

EDITOR = "/staff/admin/questionnaire"


def draft_page(db, name: str) -> Page:
    db.session.rollback()
    return db.session.scalar(
        select(Page)
        .join(QuestionnaireVersion)
        .where(Page.name == name, QuestionnaireVersion.status == "draft")
    )


@pytest.mark.parametrize(
    ("kind", "french"), [("time", "Heure de la journée"), ("datetime", "Date et heure")]
)
def test_an_admin_adds_a_time_question_in_the_editor(app, db, kind, french):
    admin = logged_in(app, "admin")
    admin.get(f"{EDITOR}/")
    assert admin.post(f"{EDITOR}/draft/start", {}, fetch=False).status_code == 302
    page = draft_page(db, "about_you")
    form = f"{EDITOR}/draft/pages/{page.id}/questions/new"
    added = admin.post(form, {"name": "woke_at", "type": kind, "label_en": "Woke?", "submit": "x"})
    assert added.status_code == 302
    question = next(q for q in draft_page(db, "about_you").questions if q.name == "woke_at")
    assert question.type == kind
    assert f'value="{kind}">{french}</option>' in text_of(admin.get(f"{form}?lang=fr"))


def odk_form(*questions: list[str]) -> io.BytesIO:
    """A small ODK-style form: one group of questions, no choices."""
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::English (en)", "label::French (fr)"])
    survey.append(["begin_group", "when", "When", "Quand"])
    for row in questions:
        survey.append(row)
    survey.append(["end_group"])
    book.create_sheet("choices").append(["list_name", "name", "label::English (en)"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append(["When", "milk", "1"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_time_and_datetime_rows_import_and_export_as_themselves(runner, db, tmp_path):
    source = tmp_path / "form.xlsx"
    source.write_bytes(
        odk_form(
            ["time", "woke_at", "When did you wake up?", "Réveil ?"],
            ["datetime", "last_expressed", "Last time you expressed?", "Dernière fois ?"],
            ["date", "baby_born", "Baby's birth date?", "Naissance ?"],
        ).getvalue()
    )
    imported = runner.invoke(args=["questionnaire", "import", str(source)])
    assert imported.exit_code == 0, imported.output
    draft = db.session.scalar(
        select(QuestionnaireVersion).where(QuestionnaireVersion.status == "draft")
    )
    assert [(q.name, q.type) for q in draft.questions] == [
        ("woke_at", "time"),
        ("last_expressed", "datetime"),
        ("baby_born", "date"),
    ]
    out = tmp_path / "out.xlsx"
    exported = runner.invoke(
        args=["questionnaire", "export", str(out), "--version", str(draft.number)]
    )
    assert exported.exit_code == 0, exported.output
    survey = list(load_workbook(out)["survey"].iter_rows(values_only=True))
    types = {row[1]: row[0] for row in survey[1:]}
    assert (types["woke_at"], types["last_expressed"], types["baby_born"]) == (
        "time",
        "datetime",
        "date",
    )


def test_an_unknown_type_names_every_type_the_spreadsheet_takes(runner, tmp_path):
    source = tmp_path / "form.xlsx"
    source.write_bytes(odk_form(["geopoint", "where", "Where?", "Où ?"]).getvalue())
    refused = runner.invoke(args=["questionnaire", "import", str(source)])
    assert refused.exit_code != 0
    assert (
        "type geopoint is not supported (use select_one, select_multiple, range, integer, "
        "decimal, date, time, datetime, text, note, calculate)" in refused.output
    )
