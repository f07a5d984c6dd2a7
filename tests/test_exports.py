"""The evaluation workbook, read back cell by cell."""

from __future__ import annotations

import csv
import io
import re
import secrets
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from exports.filters import ExportFilters
from exports.report import write_csv, write_report
from exports.rows import ExportOptions
from survey.models import Answer, AuditEvent, Response
from survey.participate import services
from tests.factories import make_response
from tests.survey_steps import RATING_ITEMS, SUS_85

BASE = {
    "eligibility": "breastfeeding",
    "consent": "yes",
    "age_group": "30_34",
    "parity": "1",
    "pregnant": "no",
    "feeding_status": "exclusive",
    "heard_of_hand_expression": "yes",
    "ever_hand_expressed": "no",
    "confidence_before": "2",
}


def ratings(value: str) -> dict[str, str]:
    return dict.fromkeys(RATING_ITEMS, value)


@pytest.fixture
def known(db, version):
    """Five responses whose report is worked out by hand below."""
    sus_50 = {k: "3" for k in SUS_85}
    sus_gap = {**SUS_85}
    del sus_gap["sus_04"]
    made = [
        make_response(
            db,
            version,
            {
                **BASE,
                "info_formats": ["online", "video"],
                **ratings("4"),
                **SUS_85,
                "tried_with_toolkit": "yes",
                "pain_during": 2.0,
                "confidence_after": "4",
                "comment_liked": "Clear pictures",
            },
            started=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
            minutes=12.5,
        ),
        make_response(
            db,
            version,
            {
                **BASE,
                "info_formats": ["online"],
                **ratings("5"),
                **sus_50,
                "tried_with_toolkit": "no",
                "confidence_after": "5",
            },
            started=datetime(2026, 11, 3, 9, 0, tzinfo=UTC),
            minutes=8,
        ),
        make_response(
            db,
            version,
            {
                **BASE,
                "pregnant": "yes",
                "pregnancy_weeks": 30.0,
                **ratings("2"),
                **sus_gap,
                "tried_with_toolkit": "yes",
                "pain_during": 7.0,
                "confidence_after": "3",
            },
            started=datetime(2026, 11, 4, 9, 0, tzinfo=UTC),
            language="fr",
        ),
        make_response(
            db,
            version,
            {**BASE, "feeding_status": "mixed", "exclusive_duration": "3_5m"},
            complete=False,
            reached=4,
            started=datetime(2026, 11, 5, 9, 0, tzinfo=UTC),
        ),
        make_response(
            db,
            version,
            {**BASE, **ratings("1"), **SUS_85, "tried_with_toolkit": "no", "confidence_after": "2"},
            started=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
        ),
    ]
    return made


def report(db, **kwargs) -> tuple:
    out = io.BytesIO()
    info = write_report(db.session, out, generated_by="tester@example.org", **kwargs)
    out.seek(0)
    return load_workbook(out), info


def sheet_dicts(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def summary_row(wb, variable: str, code: str | None = None) -> dict:
    rows = sheet_dicts(wb["Summary"])
    return next(r for r in rows if r["variable"] == variable and r["code"] == code)


def test_responses_sheet_matches_the_database_cell_by_cell(db, known, version):
    wb, info = report(db)
    assert wb.sheetnames == [
        "Responses",
        "Codebook",
        "Summary",
        "Outcomes",
        "Charts",
        "Comments",
        "About",
    ]
    ws = wb["Responses"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    rows = {r["response_id"]: r for r in sheet_dicts(ws)}
    assert len(rows) == info.rows == 5
    db.session.rollback()
    for response in db.session.scalars(select(Response)):
        row = rows[response.id]
        assert row["version"] == 1 and row["language"] == response.language
        assert row["status"] == ("complete" if response.is_complete else "partial")
        assert row["started_at_utc"] == response.started_at.replace(tzinfo=None)
        for answer in db.session.scalars(select(Answer).where(Answer.response_id == response.id)):
            question = answer.question
            if question.type == "multiple_choice":
                for choice in question.choices:
                    assert row[f"{question.name}__{choice.code}"] == int(
                        choice.code in answer.value_text.split()
                    )
            elif question.choice_list and question.choice_list.numeric:
                assert row[question.name] == int(answer.value_text)
            elif answer.value_number is not None:
                assert row[question.name] == answer.value_number
            else:
                assert row[question.name] == answer.value
    first = rows[known[0].id]
    assert first["minutes_taken"] == 12.5
    assert first["submitted_at_utc"] == datetime(2026, 11, 2, 9, 12, 30)
    assert isinstance(first["pain_during"], int) and first["pain_during"] == 2
    assert first["info_formats__video"] == 1 and first["info_formats__print"] == 0
    assert first["info_formats__other"] == 0  # nobody ticked it: the column is still there
    assert rows[known[2].id]["info_formats__online"] is None  # not answered: empty, not 0
    assert first["sus_score"] == 85
    assert rows[known[1].id]["sus_score"] == 50
    assert rows[known[2].id]["sus_score"] is None  # one item missing: no score
    assert rows[known[3].id]["rating_informative"] is None
    assert rows[known[3].id]["submitted_at_utc"] is None


def test_summary_uses_subgroup_denominators(db, known):
    wb, _info = report(db)
    pain = summary_row(wb, "pain_during")
    # Only the two who tried it were shown the pain question.
    assert (pain["denominator (shown)"], pain["answered"], pain["missing"]) == (2, 2, 0)
    assert (pain["mean"], pain["median"], pain["min"], pain["max"]) == (4.5, 4.5, 2, 7)
    assert pain["SD"] == pytest.approx(3.54, abs=0.005)
    assert summary_row(wb, "pain_during", "7")["n"] == 1
    assert summary_row(wb, "pain_during", "7")["% of answered"] == 50.0
    tried = summary_row(wb, "tried_with_toolkit")
    assert (tried["denominator (shown)"], tried["answered"]) == (4, 4)  # the partial stopped before
    assert summary_row(wb, "tried_with_toolkit", "yes")["% of answered"] == 50.0
    duration = summary_row(wb, "exclusive_duration")
    assert (duration["denominator (shown)"], duration["answered"]) == (1, 1)
    weeks = summary_row(wb, "pregnancy_weeks")
    assert (weeks["denominator (shown)"], weeks["mean"]) == (1, 30)


def test_summary_likert_multiple_choice_and_scores(db, known):
    wb, _info = report(db)
    informative = summary_row(wb, "rating_informative")
    assert (informative["denominator (shown)"], informative["answered"]) == (4, 4)
    assert informative["top-2 box %"] == 50.0  # 4 and 5 of 4, 5, 2, 1
    assert informative["top-2 box n"] == 2  # every percentage with its n
    assert (informative["median"], informative["Q1"], informative["Q3"]) == (3, 1.75, 4.25)
    assert summary_row(wb, "rating_informative", "1")["% of answered"] == 25.0
    formats = summary_row(wb, "info_formats")
    assert formats["answered"] == 2 and "may sum past 100%" in formats["note"]
    assert summary_row(wb, "info_formats", "online")["% of answered"] == 100.0
    assert summary_row(wb, "info_formats", "video")["% of answered"] == 50.0
    sus = summary_row(wb, "sus_score")
    assert (sus["denominator (shown)"], sus["answered"], sus["missing"]) == (5, 3, 2)
    assert sus["mean"] == pytest.approx(73.33, abs=0.005) and sus["median"] == 85
    percent = summary_row(wb, "age_group", "30_34")["% of answered"]
    assert percent == 100.0


def test_codebook_comments_charts_and_about(db, known):
    wb, info = report(db)
    codebook = {r["column"]: r for r in sheet_dicts(wb["Codebook"])}
    assert codebook["sus_03"]["choices (code = label)"].startswith("1 = Strongly disagree; 2 =")
    assert codebook["pain_during"]["shown if"] == "${tried_with_toolkit} = 'yes'"
    assert codebook["pain_during"]["type"] == "0-10 rating"
    assert "2.5" in codebook["sus_score"]["scoring rule / notes"]
    video = codebook["info_formats__video"]
    assert video["question (French)"] == "Comment aimez-vous vous informer sur l’allaitement\u202f?"
    assert video["choices (code = label)"] == (
        "1 = ticked 'Videos', 0 = not ticked, empty = not answered"
    )
    assert codebook["sus_03"]["versions"] == "1"
    comments = sheet_dicts(wb["Comments"])
    assert [(c["response_id"], c["variable"], c["answer"]) for c in comments] == [
        (known[0].id, "comment_liked", "Clear pictures")
    ]
    charts = wb["Charts"]._charts
    assert len(charts) >= 10
    assert any(c.grouping == "percentStacked" for c in charts)
    about = dict(wb["About"].iter_rows(min_row=2, values_only=True))
    assert about["Generated by"] == "tester@example.org"
    assert about["Responses (rows)"] == 5 and about["Complete"] == 4
    assert about["SHA-256 of the Responses data"] == info.sha256 and len(info.sha256) == 64


def test_filters_match_the_database_count(db, known):
    filters = ExportFilters(since=date(2026, 11, 2), until=date(2026, 11, 4), status="complete")
    wb, info = report(db, filters=filters)
    expected = db.session.scalar(
        select(func.count())
        .select_from(Response)
        .where(
            Response.started_at >= datetime(2026, 11, 2, tzinfo=UTC),
            Response.started_at < datetime(2026, 11, 5, tzinfo=UTC),
            Response.status == "complete",
        )
    )
    assert info.rows == expected == 3
    assert wb["Responses"].max_row == 4
    assert report(db, filters=ExportFilters(language="fr"))[1].rows == 1
    assert report(db, filters=ExportFilters(status="partial"))[1].rows == 1


def test_labels_mode(db, known):
    wb, _info = report(db, options=ExportOptions(labels=True))
    row = sheet_dicts(wb["Responses"])[1]
    assert (
        row["rating_informative"] == "Agree"
        and row["eligibility"] == "I am breastfeeding (or chestfeeding) now"
    )


HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1",
    "@SUM(A1)",
    "#N/A",
    "nul\x00byte",
    "vertical\x0btab",
    "\ttab first",
    "x" * 40_000,
]


def storable(db) -> list[str]:
    """PostgreSQL cannot store NUL at all (and the forms refuse it), so it is left out there."""
    if db.engine.dialect.name == "sqlite":
        return HOSTILE
    return [text for text in HOSTILE if "\x00" not in text]


def hostile_responses(db, version) -> list[Response]:
    by_name = {q.name: q for q in version.questions}
    made = []
    for text in storable(db):
        response = make_response(db, version, BASE)
        services.save_answers(db.session, response, {by_name["comment_liked"]: text})
        db.session.commit()
        made.append(response)
    return made


def test_hostile_text_never_becomes_a_formula_or_error_and_nothing_is_lost(db, version):
    made = hostile_responses(db, version)
    wb, info = report(db)
    ws = wb["Responses"]
    column = [c.value for c in ws[1]].index("comment_liked")
    cells = {row[0].value: row[column] for row in ws.iter_rows(min_row=2)}
    texts = storable(db)
    forbidden = sum(t.count("\x00") + t.count("\x0b") for t in texts)
    for response, text in zip(made, texts, strict=True):
        cell = cells[response.id]
        assert cell.data_type == "s", (text[:20], cell.data_type)
        if len(text) < 100:
            expected = text.replace("\x00", "\ufffd").replace("\x0b", "\ufffd")
            assert cell.value == expected
    long_cell = cells[made[-1].id].value
    assert (
        len(long_cell) <= 32_767 and "more characters: full text on the Comments sheet" in long_cell
    )
    comments = [r for r in sheet_dicts(wb["Comments"]) if r["response_id"] == made[-1].id]
    assert "".join(r["answer"] for r in comments) == "x" * 40_000
    assert [r["part"] for r in comments] == ["1 of 2", "2 of 2"]
    about = dict(wb["About"].iter_rows(min_row=2, values_only=True))
    assert about["Characters replaced (not allowed in Excel files)"] == forbidden
    assert about["Cells too long for Excel (shortened with a note; full text on Comments)"] == 1
    assert about["Text cells that look like formulas, kept as text"] >= 6
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (sheet.title, cell.coordinate)
    assert info.counts.replaced_characters == forbidden


def test_a_lone_surrogate_never_reaches_the_database_or_the_file(browser, db, tmp_path):
    """Browsers cannot send one; the invalid UTF-8 bytes stay percent-encoded text."""
    from tests.survey_steps import complete_survey

    complete_survey(browser, upto=8)
    browser.get("/survey/page/9")
    body = f"csrf_token={browser.token}&next=x&comment_liked=a%ED%A0%80b".encode()
    response = browser.request(
        "POST",
        "/survey/page/9",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in (302, 400)
    stored = db.session.scalar(
        select(Answer.value_text).join(Answer.question).where(Answer.value_text.like("a%b"))
    )
    assert stored == "a%ED%A0%80b"  # Werkzeug keeps undecodable bytes as their %-escapes
    stored.encode("utf-8")  # no surrogate made it into the database
    # The writer itself, given one directly, replaces it and counts it.
    from exports.cells import GuardCounts
    from exports.workbook import WorkbookWriter

    counts = GuardCounts()
    writer = WorkbookWriter(counts, str(tmp_path / "s.xlsx"))
    writer.header("Responses", ["text", "more"])
    writer.append("Responses", ["lone \ud800 surrogate", "nul\x00"])
    writer.save()
    assert load_workbook(tmp_path / "s.xlsx")["Responses"]["A2"].value == "lone \ufffd surrogate"
    assert counts.replaced_characters == 2


def test_csv_has_bom_and_the_same_guard(db, version):
    made = hostile_responses(db, version)
    out = io.BytesIO()
    info = write_csv(db.session, out)
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1" in text and "'@SUM(A1)" in text and "'#N/A" in text
    assert "\x00" not in text and info.rows == len(made)


def test_a_response_id_is_never_one_the_csv_guard_would_change(db, version, monkeypatch):
    """One token in 64 starts with "-", which the CSV must write with an apostrophe (a
    spreadsheet would take it for a formula): such a token is never used as an id, so every
    id in the CSV is the database's, character for character."""
    tokens = iter(["-startsLikeAFormula000", "_anOrdinaryToken000000"])
    with monkeypatch.context() as patched:
        patched.setattr(secrets, "token_urlsafe", lambda n=None: next(tokens))
        response = make_response(db, version, BASE)
    assert response.id == "_anOrdinaryToken000000"
    out = io.BytesIO()
    info = write_csv(db.session, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert [row["response_id"] for row in rows] == [response.id]
    assert info.counts.text_kept_as_text == 0


def test_deidentified_output_contains_no_identifier(app, db):
    import json

    from survey.models import Questionnaire
    from survey.questionnaire.loader import DEFAULT_QUESTIONNAIRE, build_version

    definition = json.loads(DEFAULT_QUESTIONNAIRE.read_text())
    definition["pages"][-1]["questions"].append(
        {
            "name": "contact_email",
            "type": "short_text",
            "identifier": True,
            "label": {"en": "Your email, if we may contact you"},
        }
    )
    questionnaire = Questionnaire(slug="with-id", versions=[build_version(definition)])
    questionnaire.versions[0].status = "published"
    db.session.add(questionnaire)
    db.session.commit()
    version = questionnaire.versions[0]
    response = make_response(
        db, version, {**BASE, "contact_email": "ana@example.org", "comment_liked": "fine"}
    )
    out = io.BytesIO()
    write_report(db.session, out, slug="with-id", options=ExportOptions(deidentified=True))
    out.seek(0)
    wb = load_workbook(out)
    everything = " ".join(
        str(c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    )
    assert "ana@example.org" not in everything and "contact_email" not in everything
    assert response.id not in everything
    ids = [r["response_id"] for r in sheet_dicts(wb["Responses"])]
    assert ids[0].startswith("r_") and len(ids[0]) == 22
    plain = io.BytesIO()
    write_report(db.session, plain, slug="with-id")
    plain.seek(0)
    assert "contact_email" in [c.value for c in load_workbook(plain)["Responses"][1]]


def test_cli_export_writes_and_audits(runner, db, known, tmp_path):
    out = tmp_path / "report.xlsx"
    result = runner.invoke(
        args=["export", str(out), "--status", "complete", "--since", "2026-11-01"]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 3 responses" in result.output
    assert load_workbook(out)["Responses"].max_row == 4
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.create"))
    assert event.details["rows"] == 3 and event.details["filters"]["status"] == "complete"
    csv_out = tmp_path / "r.csv"
    assert runner.invoke(args=["export", str(csv_out), "--csv", "--deidentified"]).exit_code == 0
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")
    bad = runner.invoke(args=["export", str(out), "--since", "2026-12-01", "--until", "2026-11-01"])
    assert bad.exit_code == 2 and "start date is after the end date" in bad.output
    assert runner.invoke(args=["export", str(out), "--status", "maybe"]).exit_code == 2


needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None and not __import__("os").environ.get("CI"),
    reason="LibreOffice is not installed (CI installs it)",
)


def libreoffice_convert(
    paths: list, to: str, outdir, tmp_path, infilter: str | None = None
) -> subprocess.CompletedProcess:
    """Convert the files with headless LibreOffice in one call (each call takes seconds)."""
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


@needs_libreoffice
def test_workbook_opens_in_libreoffice_without_repair(db, known, version, tmp_path):
    hostile_responses(db, version)
    path = tmp_path / "report.xlsx"
    write_report(db.session, str(path))
    result = libreoffice_convert([path], "csv", tmp_path, tmp_path)
    converted = (tmp_path / "report.csv").read_text(encoding="utf-8", errors="replace")
    assert converted.count("\n") == 1 + 5 + len(storable(db))  # header and every response
    assert '=HYPERLINK(""http://x"",""y"")' in converted  # text, not a link
    assert "repair" not in (result.stdout + result.stderr).lower()


INJECTED_COMMENTS = {
    "comment_liked": "note;=2+3;",
    "comment_change": "line1\n=1+1",
    "comment_missing": "a,=4+5,b;@SUM(1);-2+3\tx",
}
INJECTED_EMAIL = "a;=2+3;b@example.org"


@needs_libreoffice
def test_csv_text_never_becomes_a_formula_whatever_the_separator(
    runner, browser, make_browser, admin, db, tmp_path
):
    """French Excel and LibreOffice often read a CSV with `;` as the separator: a formula start
    after a separator or a line break inside a text must stay text, as must every whole field
    when read with `,`; numbers stay numbers."""
    from tests.survey_steps import complete_survey
    from tests.test_audit_log import download

    complete_survey(browser, {9: INJECTED_COMMENTS})
    failed = make_browser().post(
        "/staff/login", {"email": INJECTED_EMAIL, "password": "not the password"}
    )
    assert failed.status_code == 401
    responses_csv = tmp_path / "responses.csv"
    result = runner.invoke(args=["export", str(responses_csv), "--csv"])
    assert result.exit_code == 0, result.output
    audit_csv = tmp_path / "audit.csv"
    audit_csv.write_bytes(download(admin).data)

    text = responses_csv.read_text(encoding="utf-8-sig")
    assert re.search(r'\n"[^"]+",1,"en","complete",', text)  # numbers unquoted, text quoted
    header, row = list(csv.reader(io.StringIO(text)))
    cells = dict(zip(header, row, strict=True))
    assert cells["comment_liked"] == "note;'=2+3;"  # readable, and told apart from a formula
    assert cells["comment_change"] == "line1\n'=1+1"
    assert cells["comment_missing"] == "a,'=4+5,b;'@SUM(1);'-2+3\tx"

    formulas = []
    for name, separator in (("semicolon", 59), ("comma", 44)):
        outdir = tmp_path / name
        libreoffice_convert(
            [responses_csv, audit_csv], "xlsx", outdir, tmp_path, f"CSV:{separator},34,76,1"
        )
        for converted in ("responses.xlsx", "audit.xlsx"):
            formulas += [
                (name, converted, cell.coordinate, cell.value)
                for row in load_workbook(outdir / converted).active.iter_rows()
                for cell in row
                if cell.data_type == "f" or str(cell.value or "").startswith("=")
            ]
    assert formulas == []
    ws = load_workbook(tmp_path / "comma" / "responses.xlsx").active
    read_back = {c.value: v for c, v in zip(ws[1], ws[2], strict=True)}
    assert read_back["comment_liked"].value == "note;'=2+3;"
    assert read_back["version"].data_type == "n" and read_back["version"].value == 1


def test_exports_library_does_not_import_flask():
    code = (
        "import sys, exports.report, exports.workbook, exports.stats, exports.records; "
        "print(sorted(m for m in sys.modules if m == 'flask' or m.startswith('flask_')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_versions_line_up_by_variable_name(db, version):
    """Version 2 rewords a question, adds one and drops one; old answers stay under their
    variable, and the codebook says which versions hold each variable."""
    import json

    from survey.models import VersionStatus
    from survey.questionnaire.loader import DEFAULT_QUESTIONNAIRE, build_version

    make_response(db, version, {**BASE, "home_language": "fr"})
    definition = json.loads(DEFAULT_QUESTIONNAIRE.read_text())
    about = definition["pages"][2]["questions"]
    about[:] = [q for q in about if q["name"] != "home_language"]
    about[0]["label"]["en"] = "What is your age group?"
    about.append(
        {
            "name": "postal_area",
            "type": "short_text",
            "identifier": True,
            "label": {"en": "First three characters of your postal code"},
        }
    )
    second = build_version(definition, number=2)
    second.status = VersionStatus.PUBLISHED
    version.questionnaire.versions.append(second)
    version.status = VersionStatus.RETIRED
    db.session.commit()
    make_response(
        db, second, {**BASE, "postal_area": "K1A"}, started=datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    )
    wb, info = report(db)
    assert info.versions == [1, 2]
    header = [c.value for c in wb["Responses"][1]]
    assert header.index("home_language") < header.index("parity")  # kept in its old place
    assert header.index("postal_area") > header.index("pregnancy_weeks")
    rows = sheet_dicts(wb["Responses"])
    assert [(r["version"], r["home_language"], r["postal_area"]) for r in rows] == [
        (1, "fr", None),
        (2, None, "K1A"),
    ]
    codebook = {r["column"]: r for r in sheet_dicts(wb["Codebook"])}
    assert codebook["home_language"]["versions"] == "1"
    assert codebook["postal_area"]["versions"] == "2"
    assert codebook["age_group"]["versions"] == "1, 2"
    assert (
        codebook["age_group"]["wording changes"]
        == "v1: How old are you?; v2: What is your age group?"
    )
    assert codebook["age_group"]["question (English)"] == "What is your age group?"
    home = summary_row(wb, "home_language")
    assert (home["denominator (shown)"], home["answered"]) == (1, 1)  # only version 1 asked it
    only_v2 = report(db, filters=ExportFilters(versions=(2,)))[0]
    assert "home_language" not in [c.value for c in only_v2["Responses"][1]]
