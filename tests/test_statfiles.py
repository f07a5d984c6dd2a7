"""Files for statistics packages (.sav, .dta, R), read back (pyreadstat; R itself runs the
script) and compared value by value and label by label with what these tests work out from the
answers they give and the questionnaire's own rows."""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta

import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook
from scipy import stats
from sqlalchemy import select

from exports.report import write_report
from exports.rows import ExportOptions
from exports.statfiles import write_statistics_file
from survey.models import AuditEvent, Question
from survey.models import response as response_model
from tests.factories import make_response
from tests.survey_steps import RATING_ITEMS, SUS_85

needs_rscript = pytest.mark.skipif(
    shutil.which("Rscript") is None and not os.environ.get("CI"),
    reason="R is not installed (CI installs r-base-core)",
)

COMMON = {
    "eligibility": "breastfeeding",
    "consent": "yes",
    "age_group": "30_34",
    "parity": "1",
    "heard_of_hand_expression": "yes",
    "ever_hand_expressed": "no",
    "confidence_before": "2",
}
FORMULA = '=HYPERLINK("http://example.org","click")'
# Per response: its answers, and by hand which questions it was not shown (show-if false) and
# which it never reached (a partial response stopped after page 4).
CASES = {
    "A": dict(
        answers={
            **COMMON,
            "pregnant": "no",
            "feeding_status": "exclusive",
            "info_formats": ["online", "video"],
            **dict.fromkeys(RATING_ITEMS, "4"),
            **SUS_85,
            "tried_with_toolkit": "yes",
            "pain_during": 2.0,
            "confidence_after": "4",
            "comment_liked": FORMULA,
        },
        language="en",
        started=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        not_shown={"pregnancy_weeks", "exclusive_duration", "info_formats_other"},
        not_reached=set(),
    ),
    "B": dict(
        answers={
            **COMMON,
            "age_group": "40_plus",
            "pregnant": "yes",
            "pregnancy_weeks": 30.0,
            "feeding_status": "mixed",
            "info_formats": ["other"],
            "info_formats_other": "-99",
            **dict.fromkeys(RATING_ITEMS, "5"),
            "tried_with_toolkit": "no",
            "confidence_after": "5",
            "comment_liked": "Très clair ; merci",
        },
        language="fr",
        started=datetime(2026, 11, 3, 9, 0, tzinfo=UTC),
        not_shown={"pain_during"},
        not_reached=set(),
    ),
    "C": dict(
        answers={
            **COMMON,
            "pregnant": "no",
            "feeding_status": "stopped",
            "exclusive_duration": "3_5m",
        },
        language="en",
        started=datetime(2026, 11, 4, 9, 0, tzinfo=UTC),
        not_shown={"pregnancy_weeks", "info_formats_other"},
        not_reached="pages after 4",
        complete=False,
    ),
}


@pytest.fixture
def answered(db, version, monkeypatch):
    """The three responses above; returns case -> response id. A's id starts with "-", as one
    in 64 did before new ids avoided it, which the files must keep exactly: the formula guard
    is for answers."""
    ids = {}
    made = response_model.new_response_id
    for case, spec in CASES.items():
        if case == "A":
            monkeypatch.setattr(response_model, "new_response_id", lambda: "-" + made()[1:])
        else:
            monkeypatch.setattr(response_model, "new_response_id", made)
        response = make_response(
            db,
            version,
            spec["answers"],
            language=spec["language"],
            started=spec["started"],
            complete=spec.get("complete", True),
            reached=4 if spec.get("complete", True) is False else None,
        )
        ids[case] = response.id
    monkeypatch.setattr(response_model, "new_response_id", made)
    assert ids["A"].startswith("-")
    return ids


def questions(version) -> list[Question]:
    return [q for q in version.questions if q.type != "note"]


def later_pages(version) -> set[str]:
    return {q.name for q in questions(version) if q.page.position > 4}


def choice_number(question: Question, code: str) -> int:
    """Integer codes keep their value; other codes are numbered 1, 2, ... in choice order."""
    codes = [c.code for c in question.choices]
    if all(c.lstrip("-").isdigit() for c in codes):
        return int(code)
    return codes.index(code) + 1


def expected_cells(version, case: str) -> dict[str, object]:
    """Column -> the value the statistics files must hold: a number, a text, None (shown but
    unanswered), or ("missing", reason)."""
    spec = CASES[case]
    answers = spec["answers"]
    unreached = later_pages(version) if spec["not_reached"] else set()
    cells: dict[str, object] = {}
    for question in questions(version):
        columns = (
            [f"{question.name}__{c.code}" for c in question.choices]
            if question.type == "multiple_choice"
            else [question.name]
        )
        if question.name in answers:
            value = answers[question.name]
            if question.type == "multiple_choice":
                for choice, column in zip(question.choices, columns, strict=True):
                    cells[column] = 1 if choice.code in value else 0
            elif question.choices:
                cells[question.name] = choice_number(question, value)
            elif question.type in ("short_text", "long_text"):
                cells[question.name] = value
            else:
                cells[question.name] = float(value)
            continue
        if question.name in unreached:
            reason = "not reached"
        elif question.name in spec["not_shown"]:
            reason = "not shown"
        else:
            reason = None
        for column in columns:
            cells[column] = ("missing", reason) if reason else None
    return cells


def by_id(frame) -> dict[str, dict]:
    return {row["response_id"]: row for row in frame.to_dict("records")}


def is_empty(value) -> bool:
    """System-missing: NaN for numbers, an empty string for text (SPSS and Stata have no other)."""
    return (
        value is pd.NaT or value in (None, "") or (isinstance(value, float) and math.isnan(value))
    )


def guarded(text: str) -> str:
    """The CSV guard's rule, written out: an apostrophe before a formula start or a `-`."""
    return "'" + text if text[:1] in "=+-@\t\r#'" else text


def test_sav_holds_every_value_label_and_missing_code(db, answered, version, tmp_path):
    out = tmp_path / "milk.sav"
    info = write_statistics_file(db.session, str(out), fmt="sav")
    assert info.rows == 3
    frame, meta = pyreadstat.read_sav(str(out), user_missing=True)
    rows = by_id(frame)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    for case, response_id in answered.items():
        row = rows[response_id]
        for column, expected in expected_cells(version, case).items():
            value = row[column]
            if expected is None:
                assert is_empty(value), (case, column, value)
            elif isinstance(expected, tuple):
                code = {"not shown": -99, "not reached": -98}[expected[1]]
                text_column = meta.readstat_variable_types[column] == "string"
                assert value == (str(code) if text_column else code), (case, column, value)
                assert meta.variable_value_labels[column][
                    value if text_column else float(code)
                ] == ("Not shown" if code == -99 else "Not reached")
            elif isinstance(expected, str):
                assert value == guarded(expected), (case, column)
            else:
                assert value == expected, (case, column, value)
    for question in questions(version):
        if question.type == "multiple_choice":
            for choice in question.choices:
                column = f"{question.name}__{choice.code}"
                assert labels[column] == f"{question.label_en} – {choice.label_en}"
                assert meta.variable_value_labels[column] == {
                    0.0: "Not selected",
                    1.0: "Selected",
                    -99.0: "Not shown",
                    -98.0: "Not reached",
                }
            continue
        assert labels[question.name] == question.label_en
        if question.choices:
            assert meta.variable_value_labels[question.name] == {
                float(choice_number(question, c.code)): c.label_en for c in question.choices
            } | {-99.0: "Not shown", -98.0: "Not reached"}
            measure = "ordinal" if question.type == "likert" else "nominal"
            assert meta.variable_measure[question.name] == measure
    # The declared missing values keep "not shown" apart from unanswered (system-missing).
    assert meta.missing_ranges["pregnancy_weeks"] == [
        {"lo": -99.0, "hi": -99.0},
        {"lo": -98.0, "hi": -98.0},
    ]
    plain, _ = pyreadstat.read_sav(str(out))  # as SPSS analyses it: both are missing
    assert is_empty(by_id(plain)[answered["A"]]["pregnancy_weeks"])
    a = rows[answered["A"]]
    assert a["sus_score"] == 85.0 and a["status"] == "complete" and a["version"] == 1
    assert a["started_at_utc"] == datetime(2026, 11, 2, 9, 0)
    # The typed "-99" is text, not the missing code, and the formula is guarded.
    assert rows[answered["B"]]["info_formats_other"] == "'-99"
    assert a["comment_liked"] == "'" + FORMULA


def test_dta_uses_stata_missing_values_and_french_labels(db, answered, version, tmp_path):
    out = tmp_path / "milk.dta"
    write_statistics_file(db.session, str(out), fmt="dta", language="fr")
    frame, meta = pyreadstat.read_dta(str(out), user_missing=True)
    rows = by_id(frame)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    for case, response_id in answered.items():
        row = rows[response_id]
        for column, expected in expected_cells(version, case).items():
            value = row[column]
            text_column = meta.readstat_variable_types[column] == "string"
            if expected is None or (isinstance(expected, tuple) and text_column):
                assert is_empty(value), (case, column, value)
            elif isinstance(expected, tuple):
                assert value == {"not shown": "a", "not reached": "b"}[expected[1]], (case, column)
            elif isinstance(expected, str):
                assert value == guarded(expected), (case, column)
            else:
                assert value == expected, (case, column, value)
    for question in questions(version):
        if question.type == "multiple_choice":
            continue
        french = question.label_fr
        assert labels[question.name] == (french if len(french) <= 80 else french[:79] + "…")
        if question.choices:
            assert meta.variable_value_labels[question.name] == {
                choice_number(question, c.code): c.label_fr for c in question.choices
            } | {"a": "Question non affichée", "b": "Page non atteinte"}
    assert all(len(name) <= 32 for name in meta.column_names)
    assert all(len(label or "") <= 80 for label in meta.column_labels)


def test_long_names_and_labels_are_shortened_and_the_codebook_says_so(db, version, tmp_path):
    long_name = "how_confident_are_you_now_that_you_have_read_it"  # 47 characters
    question = next(q for q in version.questions if q.name == "confidence_after")
    question.name = long_name
    question.label_en = "Tell us " + "very " * 40 + "honestly"  # 213 characters
    question.choices[0].label_fr = "é" * 70  # 140 bytes: past SPSS's 120 for a value label
    db.session.commit()
    make_response(db, version, {**COMMON, long_name: "3"})
    sav, dta = tmp_path / "milk.sav", tmp_path / "milk.dta"
    write_statistics_file(db.session, str(sav), fmt="sav", language="fr")
    write_statistics_file(db.session, str(dta), fmt="dta")
    frame, meta = pyreadstat.read_dta(str(dta))
    short = [n for n in meta.column_names if n.startswith("how_confident")]
    assert len(short) == 1 and len(short[0]) < 32 and long_name.startswith(short[0])
    assert frame[short[0]].tolist() == [3]
    label = meta.column_names_to_labels[short[0]]
    assert len(label) == 80 and label == question.label_en[:79] + "…"
    frame, meta = pyreadstat.read_sav(str(sav))
    assert short[0] in meta.column_names  # the same name in every statistics file
    cut = meta.variable_value_labels[short[0]][1.0]
    assert cut == "é" * 58 + "…" and len(cut.encode()) <= 120
    out = io.BytesIO()
    write_report(db.session, out)
    out.seek(0)
    codebook = list(load_workbook(out)["Codebook"].iter_rows(values_only=True))
    assert codebook[0][-1] == "in .sav, .dta and R"
    note = next(row[-1] for row in codebook if row[0] == long_name)
    assert f"named {short[0]}" in note
    assert "en label cut to 80 characters in .dta" in note
    assert "fr value labels of 1 cut to 120 bytes in .sav" in note


def test_de_identified_files_hash_the_response_ids(db, answered, tmp_path):
    out = tmp_path / "milk.sav"
    write_statistics_file(db.session, str(out), fmt="sav", options=ExportOptions(deidentified=True))
    frame, _ = pyreadstat.read_sav(str(out))
    ids = frame["response_id"].tolist()
    assert len(ids) == 3 and all(i.startswith("r_") for i in ids)
    assert not set(ids) & set(answered.values())


R_DUMP = r"""
source(Sys.getenv("MILK_SCRIPT"))
out <- file(Sys.getenv("MILK_DUMP"), open = "w", encoding = "UTF-8")
show <- function(v) paste(ifelse(is.na(v), "NA", as.character(v)), collapse = "|")
for (name in names(milk)) {
  x <- milk[[name]]
  reason <- attr(x, "missing_reason")
  writeLines(paste(
    name, class(x)[1], show(levels(x)), show(attr(x, "label")),
    show(as.character(x)),
    if (is.null(reason)) "" else show(reason), sep = "\t"), out)
}
close(out)
"""


def run_r(script: str, folder) -> dict[str, list[str]]:
    dump = folder / "dump.tsv"
    check = folder / "check.R"
    check.write_text(R_DUMP, encoding="utf-8")
    result = subprocess.run(
        ["Rscript", "--vanilla", str(check)],
        cwd=folder,
        env={**os.environ, "MILK_SCRIPT": script, "MILK_DUMP": str(dump)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return {
        line.split("\t")[0]: line.split("\t")[1:]
        for line in dump.read_text(encoding="utf-8").splitlines()
    }


@needs_rscript
def test_r_script_applies_levels_labels_and_missing_reasons(
    runner, db, answered, version, tmp_path
):
    result = runner.invoke(args=["export", str(tmp_path / "milk.R"), "--label-language", "fr"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "milk.csv").exists()
    columns = run_r("milk.R", tmp_path)
    order = sorted(answered, key=lambda case: CASES[case]["started"])  # the file's row order
    for question in questions(version):
        names = (
            [f"{question.name}__{c.code}" for c in question.choices]
            if question.type == "multiple_choice"
            else [question.name]
        )
        for column in names:
            kind, levels, label, values, reasons = columns[column]
            expected = [expected_cells(version, case)[column] for case in order]
            if question.type == "multiple_choice":
                choice = next(c for c in question.choices if column.endswith(f"__{c.code}"))
                assert label == f"{question.label_fr} – {choice.label_fr}"
                assert levels == "Non coché|Coché" and kind == "factor"
                shown = [{1: "Coché", 0: "Non coché"}.get(e) for e in expected]
            elif question.choices:
                assert label == question.label_fr
                assert kind == ("ordered" if question.type == "likert" else "factor")
                assert levels.split("|") == [c.label_fr for c in question.choices]
                by_number = {choice_number(question, c.code): c.label_fr for c in question.choices}
                shown = [by_number.get(e) if isinstance(e, int) else None for e in expected]
            elif question.type in ("short_text", "long_text"):
                assert kind == "character"
                shown = [guarded(e) if isinstance(e, str) else None for e in expected]
            else:
                assert kind == "numeric"
                shown = [f"{e:g}" if isinstance(e, float) else None for e in expected]
            assert values.split("|") == [
                "NA" if s is None or isinstance(e, tuple) else s
                for s, e in zip(shown, expected, strict=True)
            ], column
            want_reasons = [
                {"not shown": "Question non affichée", "not reached": "Page non atteinte"}[e[1]]
                if isinstance(e, tuple)
                else "NA"
                for e in expected
            ]
            assert reasons == ("" if want_reasons == ["NA"] * 3 else "|".join(want_reasons))
    assert columns["started_at_utc"][0] == "POSIXct"
    assert columns["sus_score"][3] == "85|NA|NA"
    assert columns["response_id"][3] == "|".join(answered[c] for c in order)


def test_cli_extension_picks_the_format(runner, db, answered, tmp_path):
    for name in ("milk.sav", "milk.DTA"):
        result = runner.invoke(args=["export", str(tmp_path / name), "--status", "complete"])
        assert result.exit_code == 0, result.output
        assert "Wrote 2 responses" in result.output
    assert len(pyreadstat.read_sav(str(tmp_path / "milk.sav"))[0]) == 2
    assert len(pyreadstat.read_dta(str(tmp_path / "milk.DTA"))[0]) == 2
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.create"))
    assert [(e.target, e.details["label_language"]) for e in events] == [
        ("sav", "en"),
        ("dta", "en"),
    ]
    clash = runner.invoke(args=["export", str(tmp_path / "milk.sav"), "--csv"])
    assert clash.exit_code == 2 and "--csv makes a CSV" in clash.output
    bad = runner.invoke(args=["export", str(tmp_path / "x.dta"), "--label-language", "de"])
    assert bad.exit_code == 2


@pytest.mark.parametrize(
    ("fmt", "mimetype", "extension"),
    [
        ("sav", "application/x-spss-sav", "sav"),
        ("dta", "application/x-stata-dta", "dta"),
        ("r", "application/zip", "zip"),
    ],
)
def test_web_export_jobs_make_statistics_files(
    investigator, db, answered, version, fmt, mimetype, extension, tmp_path
):
    response = investigator.post(
        "/staff/exports",
        {"status": "all", "format": fmt, "label_language": "fr", "submit": "x"},
    )
    assert response.status_code == 302
    download = investigator.get(response.headers["Location"] + "/download")
    assert download.status_code == 200 and download.mimetype == mimetype
    disposition = download.headers["Content-Disposition"]
    assert "milk-responses-" in disposition and disposition.endswith(f".{extension}")
    if fmt == "r":
        with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
            assert sorted(archive.namelist()) == ["milk-responses.R", "milk-responses.csv"]
            script = archive.read("milk-responses.R").decode("ascii")
            assert '"Question non affich\\u{e9}e"' in script
            data = archive.read("milk-responses.csv").decode("utf-8-sig")
            assert len(data.strip().splitlines()) == 4
        return
    path = tmp_path / f"milk.{fmt}"
    path.write_bytes(download.data)
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    frame, meta = reader(str(path))
    assert len(frame) == 3
    age = next(q for q in version.questions if q.name == "age_group")
    assert meta.column_names_to_labels["age_group"] == age.label_fr


def test_web_export_form_refuses_an_unknown_label_language(investigator):
    response = investigator.post(
        "/staff/exports", {"status": "all", "format": "sav", "label_language": "de", "submit": "x"}
    )
    assert response.status_code == 400


def sheet_rows(path) -> dict[str, dict]:
    rows = list(load_workbook(path, read_only=True)["Responses"].iter_rows(values_only=True))
    return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_demo_data_files_agree_with_each_other_and_the_report(runner, db, version, tmp_path):
    """From demo data: every cell of the report's Responses sheet is the same answer in the
    .sav, the .dta and the R CSV; where the sheet is empty, the three agree on why."""
    assert runner.invoke(args=["demo-data", "--responses", "60", "--seed", "5"]).exit_code == 0
    for name in ("milk.xlsx", "milk.sav", "milk.dta", "milk.R"):
        result = runner.invoke(args=["export", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    sheet = sheet_rows(tmp_path / "milk.xlsx")
    sav = by_id(pyreadstat.read_sav(str(tmp_path / "milk.sav"), user_missing=True)[0])
    dta = by_id(pyreadstat.read_dta(str(tmp_path / "milk.dta"), user_missing=True)[0])
    with open(tmp_path / "milk.csv", encoding="utf-8-sig", newline="") as handle:
        r_csv = {row["response_id"]: row for row in csv.DictReader(handle)}
    assert len(sheet) == len(sav) == len(dta) == len(r_csv) == 60
    by_name = {q.name: q for q in questions(version)}
    ms = timedelta(milliseconds=1)
    seen = {"answer": 0, "not shown": 0, "not reached": 0, "unanswered": 0}
    for response_id, cells in sheet.items():
        for column, cell in cells.items():
            question = by_name.get(column)
            s, d, r = sav[response_id][column], dta[response_id][column], r_csv[response_id][column]
            if cell is None and s in (-99.0, -98.0, "-99", "-98"):
                reason = "not shown" if float(s) == -99 else "not reached"
                # Stata's strings cannot be missing: a text question's reason is lost there.
                stata = "" if isinstance(s, str) else {"not shown": "a", "not reached": "b"}[reason]
                assert d == stata, (column, d)
                assert float(r) == float(s)
                seen[reason] += 1
            elif cell is None or cell == "":
                assert is_empty(s) and is_empty(d) and r == "", (column, s, d, r)
                seen["unanswered"] += 1
            elif question is not None and question.choices and question.type != "multiple_choice":
                number = choice_number(question, str(cell))
                assert s == d == float(r) == number, (column, cell, s, d, r)
                seen["answer"] += 1
            elif isinstance(cell, str):  # answers are guarded; ids and statuses stay as made
                assert s == d == r == (guarded(cell) if question else cell), column
            elif isinstance(cell, datetime):
                # Excel, SPSS and Stata keep times as floating-point days, seconds or ms.
                assert abs(s - cell) < ms and abs(d - cell) < ms, column
                assert abs(datetime.fromisoformat(r) - cell) < ms, column
            else:
                assert s == d == float(r) == cell, (column, cell, s, d, r)
    assert all(seen.values()), seen  # the demo data has every kind of cell


@needs_rscript
def test_no_matching_responses_still_make_readable_files(runner, db, answered, tmp_path):
    for name in ("none.sav", "none.dta", "none.R"):
        result = runner.invoke(args=["export", str(tmp_path / name), "--since", "2030-01-01"])
        assert result.exit_code == 0 and "Wrote 0 responses" in result.output, result.output
    frame, meta = pyreadstat.read_sav(str(tmp_path / "none.sav"))
    assert len(frame) == 0 and "age_group" in meta.column_names
    assert len(pyreadstat.read_dta(str(tmp_path / "none.dta"))[0]) == 0
    columns = run_r("none.R", tmp_path)
    assert columns["age_group"][:2] == [
        "factor",
        "Under 20|20 to 24|25 to 29|30 to 34|35 to 39|40 or older|I prefer not to say",
    ]
    assert columns["age_group"][3] == ""


def test_the_migration_lets_old_databases_keep_statistics_jobs(app, database_url):
    """Upgraded from the revision before, export_job takes the new formats and a label
    language ('en' for the jobs already there); downgrading drops those jobs and the column."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from survey.extensions import db as database

    insert = (
        "INSERT INTO export_job (id, user_id, created_at, format, filters, deidentified, "
        "labels, status, done, total, attempts{extra}) VALUES ('{id}', 1, CURRENT_TIMESTAMP, "
        "'{fmt}', '{{}}', false, false, 'queued', 0, 0, 0{value})"
    )
    with app.app_context():
        database.drop_all()
        with database.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade(revision="3f9c2b7d41a6")
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO user_account (id, email, password_hash, role, active, "
                    "session_token, created_at) VALUES (1, 'a@example.org', 'x', 'admin', true, "
                    "'t', CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(text(insert.format(id="old", fmt="csv", extra="", value="")))
        upgrade()
        with database.engine.begin() as connection:
            connection.execute(
                text(insert.format(id="new", fmt="r", extra=", label_language", value=", 'fr'"))
            )
            jobs = connection.execute(
                text("SELECT id, format, label_language FROM export_job ORDER BY id")
            ).all()
        assert [tuple(j) for j in jobs] == [("new", "r", "fr"), ("old", "csv", "en")]
        downgrade(revision="3f9c2b7d41a6")
        with database.engine.begin() as connection:
            assert connection.execute(text("SELECT id FROM export_job")).scalars().all() == ["old"]
        upgrade()


def test_the_outcomes_sheet_agrees_with_the_statistics_files(runner, tmp_path):
    """The Outcomes sheet's headline figures, worked out again with numpy and scipy from the
    .sav, the .dta and the R CSV of the same demo data."""
    assert runner.invoke(args=["demo-data", "--responses", "150", "--seed", "11"]).exit_code == 0
    for name in ("milk.xlsx", "milk.sav", "milk.dta", "milk.R"):
        result = runner.invoke(args=["export", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    outcomes = load_workbook(tmp_path / "milk.xlsx", read_only=True)["Outcomes"]
    rows = list(outcomes.iter_rows(values_only=True))
    cells = {(row[3], row[1]): dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    sav, meta = pyreadstat.read_sav(str(tmp_path / "milk.sav"))  # user-missing codes -> NaN
    dta, _meta = pyreadstat.read_dta(str(tmp_path / "milk.dta"))  # .a and .b -> NaN
    r_csv = pd.read_csv(tmp_path / "milk.csv", encoding="utf-8-sig")
    yes = next(k for k, v in meta.variable_value_labels["tried_with_toolkit"].items() if v == "Yes")
    for frame in (sav, dta, r_csv):
        numbers = frame.apply(pd.to_numeric, errors="coerce").mask(lambda f: f.isin([-99, -98]))
        sus = numbers["sus_score"].dropna()
        assert (cells[("all", "sus_mean")]["n"], cells[("all", "sus_mean")]["value"]) == (
            len(sus),
            round(sus.mean(), 2),
        )
        assert cells[("all", "sus_sd")]["value"] == round(sus.std(ddof=1), 2)
        pain = numbers.loc[numbers["tried_with_toolkit"] == yes, "pain_during"].dropna()
        assert cells[("all", "pain_tried")]["n"] == len(pain) > 0
        assert cells[("all", "pain_median")]["value"] == pain.median()
        assert cells[("all", "pain_any")]["n"] == int((pain >= 1).sum())
        pairs = numbers[["confidence_before", "confidence_after"]].dropna()
        change = pairs["confidence_after"] - pairs["confidence_before"]
        assert cells[("all", "conf_pairs")]["n"] == len(pairs) > 0
        assert cells[("all", "conf_improved")]["n"] == int((change > 0).sum())
        assert cells[("all", "conf_worse")]["n"] == int((change < 0).sum())
        wilcoxon = stats.wilcoxon(change[change != 0], correction=False, method="approx")
        assert cells[("all", "conf_wilcoxon")]["p"] == pytest.approx(wilcoxon.pvalue, rel=1e-3)
