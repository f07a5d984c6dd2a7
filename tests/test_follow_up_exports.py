"""The follow-up wave in the exports: the wide form (fu_ columns after the survey's, in the
report, the CSV and the statistics files), the long form (the Waves sheet, one row per wave),
the codebook, and the outcomes over time, each read back and compared with values worked out
here from the answers the test gave."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta

import pyreadstat
import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from survey.models import FollowUpContact, Questionnaire, QuestionnaireVersion
from survey.questionnaire.loader import load_follow_up_questionnaire
from tests.factories import make_response
from tests.follow_up_steps import mail_to, run_queue, signed_up_contacts  # noqa: F401
from tests.test_exports import BASE, sheet_dicts
from tests.test_mail import smtp_server  # noqa: F401 - a fixture

FU_FIXED = ["fu_version", "fu_status", "fu_submitted_at_utc", "fu_days_after"]
FU_QUESTIONS = [
    "fu_expressed_since",
    "fu_expression_frequency",
    "fu_pain_last_time",
    "fu_confidence_now",
    "fu_returned_to_toolkit",
    "fu_comments",
]
SURVEY_STARTED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)  # make_response's default
SURVEY_SUBMITTED = SURVEY_STARTED + timedelta(minutes=12.5)


@pytest.fixture
def follow_up_version(app, db) -> QuestionnaireVersion:
    load_follow_up_questionnaire(db.session, app.config["FOLLOW_UP_SLUG"])
    db.session.commit()
    return db.session.scalar(
        select(QuestionnaireVersion)
        .join(Questionnaire)
        .where(Questionnaire.slug == app.config["FOLLOW_UP_SLUG"])
    )


def follow_up(db, version, baseline, answers, *, complete=True, days=15.25):
    made = make_response(
        db,
        version,
        answers,
        complete=complete,
        started=SURVEY_STARTED + timedelta(days=days),
        minutes=0,
    )
    made.follow_up_of = baseline.id
    db.session.commit()
    return made


@pytest.fixture
def waves(db, version, follow_up_version):
    """Three participants: both waves (A), the survey alone (B), a follow-up left half way (C)."""
    tried = {"tried_with_toolkit": "yes", "pain_during": 6, "confidence_after": "3"}
    a = make_response(db, version, {**BASE, **tried, "comment_liked": "Les images"})
    b = make_response(db, version, {**BASE, "tried_with_toolkit": "no", "confidence_after": "4"})
    c = make_response(db, version, {**BASE, **tried})
    follow_up(
        db,
        follow_up_version,
        a,
        {
            "expressed_since": "yes",
            "expression_frequency": "daily",
            "pain_last_time": 2,
            "confidence_now": "5",
            "returned_to_toolkit": "yes",
            "comments": "Plus facile avec la pratique",
        },
    )
    follow_up(db, follow_up_version, c, {"expressed_since": "no"}, complete=False)
    return a, b, c


def test_the_report_holds_both_waves_wide_and_long(db, runner, tmp_path, waves):
    a, b, c = waves
    out = tmp_path / "report.xlsx"
    result = runner.invoke(args=["export", str(out)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "Responses",
        "Codebook",
        "Summary",
        "Outcomes",
        "Charts",
        "Comments",
        "Waves",
        "About",
    ]
    header = next(wb["Responses"].iter_rows(max_row=1, values_only=True))
    assert list(header[-10:]) == FU_FIXED + FU_QUESTIONS
    assert header.index("toolkit_prompt_shown") == len(header) - 11  # the survey's part first
    rows = {r["response_id"]: r for r in sheet_dicts(wb["Responses"])}

    row_a = rows[a.id]
    assert row_a["confidence_after"] == 3 and row_a["pain_during"] == 6
    assert (row_a["fu_version"], row_a["fu_status"]) == (1, "complete")
    # Submitted 15.25 days after the survey began, minus the survey's 12.5 minutes.
    assert row_a["fu_days_after"] == round(15.25 - 12.5 / 1440, 1) == 15.2
    assert row_a["fu_submitted_at_utc"] == datetime(2026, 11, 17, 15, 30)
    assert row_a["fu_expressed_since"] == "yes"
    assert row_a["fu_expression_frequency"] == "daily"
    assert row_a["fu_pain_last_time"] == 2
    assert row_a["fu_confidence_now"] == 5  # a numeric scale: a number, as confidence_after
    assert row_a["fu_comments"] == "Plus facile avec la pratique"
    assert all(rows[b.id][column] is None for column in FU_FIXED + FU_QUESTIONS)
    row_c = rows[c.id]
    assert (row_c["fu_status"], row_c["fu_submitted_at_utc"], row_c["fu_days_after"]) == (
        "partial",
        None,
        None,
    )
    assert row_c["fu_expressed_since"] == "no" and row_c["fu_confidence_now"] is None

    long_form = [
        (r["response_id"], r["wave"], r["status"], r["confidence"], r["pain"], r["expressed"])
        for r in sheet_dicts(wb["Waves"])
    ]
    order = [r for r in rows]  # the Responses sheet's order
    expected = {
        a.id: [
            (a.id, "survey", "complete", 3, 6, "yes"),
            (a.id, "follow_up", "complete", 5, 2, "yes"),
        ],
        b.id: [(b.id, "survey", "complete", 4, None, "no")],
        c.id: [
            (c.id, "survey", "complete", 3, 6, "yes"),
            (c.id, "follow_up", "partial", None, None, "no"),
        ],
    }
    assert long_form == [row for rid in order for row in expected[rid]]
    waves_a = [r for r in sheet_dicts(wb["Waves"]) if r["response_id"] == a.id]
    assert [r["days_after"] for r in waves_a] == [0, 15.2]
    assert [r["confidence_before"] for r in waves_a] == [2, None]

    codebook = {r["column"]: r for r in sheet_dicts(wb["Codebook"])}
    assert codebook["fu_confidence_now"]["versions"] == "follow-up 1"
    assert codebook["fu_pain_last_time"]["shown if"] == "${fu_expressed_since} = 'yes'"
    assert "fu_days_after" in codebook and "fu_status" in codebook
    comments = {(r["response_id"], r["variable"]): r["answer"] for r in sheet_dicts(wb["Comments"])}
    assert comments[(a.id, "fu_comments")] == "Plus facile avec la pratique"
    summary = {(r["variable"], r["code"]): r for r in sheet_dicts(wb["Summary"]) if r["variable"]}
    # Shown to those whose follow-up reached the question: A and C (B has no follow-up).
    assert summary[("fu_expressed_since", None)]["denominator (shown)"] == 2
    # Shown if expressed since: A only.
    assert summary[("fu_expression_frequency", None)]["denominator (shown)"] == 1
    assert summary[("fu_expression_frequency", "daily")]["n"] == 1


def test_the_csv_and_the_statistics_files_carry_the_follow_up(db, runner, tmp_path, waves):
    a, b, c = waves
    assert runner.invoke(args=["export", str(tmp_path / "r.csv"), "--csv"]).exit_code == 0
    with open(tmp_path / "r.csv", encoding="utf-8-sig", newline="") as f:
        table = {row["response_id"]: row for row in csv.DictReader(f)}
    assert table[a.id]["fu_confidence_now"] == "5" and table[b.id]["fu_confidence_now"] == ""
    assert table[c.id]["fu_status"] == "partial"

    assert runner.invoke(args=["export", str(tmp_path / "r.sav")]).exit_code == 0
    frame, meta = pyreadstat.read_sav(str(tmp_path / "r.sav"), user_missing=True)
    by_id = frame.set_index("response_id")
    assert by_id.loc[a.id, "fu_confidence_now"] == 5
    assert meta.column_names_to_labels["fu_confidence_now"].startswith("Follow-up: ")
    # B never had a follow-up: its questions were not reached (the "not reached" code).
    not_reached = by_id.loc[b.id, "fu_confidence_now"]
    assert meta.variable_value_labels["fu_confidence_now"][not_reached] == "Not reached"
    # C's follow-up stopped on its only page with expressed_since = no: frequency not shown.
    not_shown = by_id.loc[c.id, "fu_expression_frequency"]
    assert meta.variable_value_labels["fu_expression_frequency"][not_shown] == "Not shown"


def test_the_outcomes_over_time_in_the_report(db, version, follow_up_version):
    """Three participants with every measure: the Outcomes sheet's figures over time."""
    people = [((1, 2, 3), (6, 2)), ((2, 3, 3), (4, 4)), ((3, 4, 5), (5, 1))]
    for (before, after, now), (pain, later) in people:
        baseline = make_response(
            db,
            version,
            {
                **BASE,
                "confidence_before": str(before),
                "confidence_after": str(after),
                "tried_with_toolkit": "yes",
                "pain_during": pain,
            },
        )
        follow_up(
            db,
            follow_up_version,
            baseline,
            {"expressed_since": "yes", "pain_last_time": later, "confidence_now": str(now)},
        )
    from tests.test_exports import report

    wb, _info = report(db, follow_up_slug="milk-follow-up")
    cells = {(r["group"], r["figure"]): r for r in sheet_dicts(wb["Outcomes"])}
    assert cells[("all", "fu_conf_n")]["n"] == 3
    # Friedman by hand (see tests/test_outcomes.py): rank sums 3, 6.5, 8.5 with one tie.
    chi2 = (123.5 / 3 - 36) / (1 - 6 / 72)
    assert cells[("all", "fu_conf_friedman")]["statistic"] == round(chi2, 3)
    assert cells[("all", "fu_conf_friedman")]["value"] == round(chi2 / 6, 3)
    assert cells[("all", "fu_pain_pairs")]["n"] == 3
    assert cells[("all", "fu_pain_median_follow_up")]["value"] == 2  # 2, 4, 1


def test_no_follow_up_columns_until_the_wave_is_in_use(
    db, runner, tmp_path, version, follow_up_version
):
    make_response(db, version, {**BASE, "confidence_after": "4"})
    out = tmp_path / "report.xlsx"
    assert runner.invoke(args=["export", str(out)]).exit_code == 0
    wb = load_workbook(out)
    assert "Waves" not in wb.sheetnames
    header = next(wb["Responses"].iter_rows(max_row=1, values_only=True))
    assert header[-1] == "toolkit_prompt_shown"
    assert not any(str(h).startswith("fu_") for h in header)
    outcomes = {r["figure"] for r in sheet_dicts(wb["Outcomes"])}
    assert "fu_conf_n" not in outcomes


def test_the_dashboard_shows_the_follow_ups_response_rate(
    app,
    db,
    investigator,
    version,
    follow_up_version,
    mail_to,  # noqa: F811
):
    page = investigator.get("/staff/dashboard").get_data(as_text=True)
    assert "data-follow-up-agreed" not in page  # nobody offered it yet: nothing to show

    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        ids = signed_up_contacts(db, app, version, [f"p{i}@example.org" for i in range(5)])
        clock.move_to(start + timedelta(days=14))
        assert run_queue(app).sent["invitation"] == 5
    # Two of the five answer; one more agrees later, not yet invited.
    db.session.rollback()
    for contact_id in ids[:2]:
        contact = db.session.get(FollowUpContact, contact_id)
        contact.answered_at = start + timedelta(days=15)
    with time_machine.travel(start + timedelta(days=16), tick=False):
        signed_up_contacts(db, app, version, ["late@example.org"])
    db.session.commit()

    page = investigator.get("/staff/dashboard").get_data(as_text=True)
    assert re.search(r"data-follow-up-agreed>6<", page)
    assert re.search(r"data-follow-up-invited>5<", page)
    assert re.search(r"data-follow-up-answered>2 \(40\.0%\)<", page)  # 2 of the 5 invited
    # The dashboard's filters choose the survey responses: none in French.
    french = investigator.get("/staff/dashboard?language=fr").get_data(as_text=True)
    assert "data-follow-up-agreed" not in french
