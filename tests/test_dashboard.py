"""The dashboard and export jobs on the web."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import OperationalError

from survey.dashboard import jobs
from survey.models import AuditEvent, ExportJob, JobStatus, User, utcnow
from tests.test_exports import known, report, sheet_dicts  # noqa: F401 - the `known` fixture


def attribute_values(html: str, name: str) -> dict[str, str]:
    return dict(re.findall(rf'data-{name}="([^"]+)">([^<]*)<', html))


def test_dashboard_figures_equal_the_summary_sheet(investigator, db, known):  # noqa: F811
    html = investigator.get("/staff/dashboard").get_data(as_text=True)
    wb, _info = report(db)
    summary = sheet_dicts(wb["Summary"])
    percents = attribute_values(html, "percent")
    counts = attribute_values(html, "n")
    checked = 0
    for row in summary:
        key = f"{row['variable']}:{row['code']}"
        if row["code"] is not None and key in percents:
            expected = row["% of answered"]
            shown = percents[key]
            assert (shown == "–") if expected is None else float(shown) == expected, key
            assert counts[key] == str(row["n"])
            checked += 1
    assert checked > 40
    means = attribute_values(html, "mean")
    rows = {r["variable"]: r for r in summary if r["code"] is None}
    assert float(means["pain_during"]) == rows["pain_during"]["mean"] == 4.5
    assert float(means["sus_score"]) == rows["sus_score"]["mean"]
    top2 = attribute_values(html, "top2")
    informative = rows["rating_informative"]
    # n (%): the count of those who agreed beside the percentage (4 and 5 of 4, 5, 2, 1)
    assert top2["rating_informative"] == "2 (50.0%)"
    assert (informative["top-2 box n"], informative["top-2 box %"]) == (2, 50.0)
    assert "Shown to 2; answered by 2; missing 0." in html  # the pain subgroup
    assert re.search(r"data-total>5<", html) and re.search(r"data-partial>1<", html)
    assert html.count("<svg") >= 10 and "<title" in html


def test_dashboard_filters_and_bad_filters(investigator, known):  # noqa: F811
    html = investigator.get("/staff/dashboard?status=partial").get_data(as_text=True)
    assert re.search(r"data-total>1<", html)
    bad = investigator.get("/staff/dashboard?since=2026-11-05&until=2026-11-01")
    assert bad.status_code == 400
    assert "The end date is before the start date." in bad.get_data(as_text=True)
    assert investigator.get("/staff/dashboard?since=yesterday").status_code == 400
    assert investigator.get("/staff/dashboard?version=9").status_code == 400


def test_export_job_runs_and_downloads(investigator, db, known):  # noqa: F811
    response = investigator.post(
        "/staff/exports",
        {"status": "complete", "format": "xlsx", "deidentified": "y", "submit": "x"},
    )
    assert response.status_code == 302
    job_url = response.headers["Location"]
    page = investigator.get(job_url).get_data(as_text=True)
    assert "Ready: 4 responses." in page
    status = investigator.get(job_url + "/status").get_json()
    assert status == {"status": "done", "done": 4, "total": 4, "percent": 100, "error": None}
    download = investigator.get(job_url + "/download")
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "milk-deidentified-" in download.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(download.data))
    ids = [r["response_id"] for r in sheet_dicts(wb["Responses"])]
    assert len(ids) == 4 and all(i.startswith("r_") for i in ids)
    db.session.rollback()
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-2:] == ["export.create", "export.download"]


def test_export_jobs_are_private_and_expire(investigator, admin, make_browser, app, db, known):  # noqa: F811
    response = investigator.post(
        "/staff/exports", {"status": "all", "format": "csv", "submit": "x"}
    )
    job_url = response.headers["Location"]
    csv_download = investigator.get(job_url + "/download")
    assert csv_download.data.startswith(b"\xef\xbb\xbf")
    assert "milk-responses-" in csv_download.headers["Content-Disposition"]  # not the report
    assert admin.get(job_url).status_code == 200  # admins see every export
    from survey.auth.services import create_user
    from tests.conftest import PASSWORD

    create_user(db.session, "other@example.org", PASSWORD, "investigator")
    db.session.commit()
    other = make_browser()
    other.post("/staff/login", {"email": "other@example.org", "password": PASSWORD})
    assert other.get(job_url).status_code == 404
    assert other.get(job_url + "/download").status_code == 404
    job = db.session.scalar(select(ExportJob))
    job.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    jobs.forget_expired_files(db.session)
    db.session.commit()
    expired = investigator.get(job_url + "/download")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)


def test_export_form_refuses_bad_input(investigator):
    response = investigator.post(
        "/staff/exports",
        {
            "since": "2026-11-05",
            "until": "2026-11-01",
            "format": "xlsx",
            "status": "all",
            "submit": "x",
        },
    )
    assert response.status_code == 400
    assert "The end date is before the start date." in response.get_data(as_text=True)
    response = investigator.post(
        "/staff/exports", {"format": "pdf", "status": "all", "submit": "x"}
    )
    assert response.status_code == 400


def test_a_job_that_cannot_even_start_is_marked_failed(app, db, investigator):
    """A job whose stored filters cannot be read fails with a message; it never stays queued."""
    user = db.session.scalar(select(User).where(User.email == "investigator@example.org"))
    job = ExportJob(user=user, format="xlsx", filters={"since": "not a date"})
    db.session.add(job)
    db.session.commit()
    job_id = job.id
    jobs.run_job(app, job_id)
    db.session.rollback()
    job = db.session.get(ExportJob, job_id)
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert job.error == "The export could not be made. The error is in the server log."
    assert investigator.get(f"/staff/exports/{job_id}").status_code == 200


@pytest.mark.parametrize("download", ["export", "spreadsheet"])
def test_downloads_are_recorded_while_participants_write(
    download,
    investigator,
    admin,
    db,
    database_url,
    known,  # noqa: F811
):
    """A download is a GET that writes its audit event. Someone else's write committed after
    the download began reading (participants answer all the time) must not fail it: on
    SQLite a read transaction cannot become a write after that."""
    if download == "export":
        job_url = investigator.post(
            "/staff/exports", {"status": "all", "format": "csv", "submit": "x"}
        ).headers["Location"]
        staff, url, action = investigator, job_url + "/download", "export.download"
    else:
        staff = admin
        url = "/staff/admin/questionnaire/spreadsheet"
        action = "questionnaire.spreadsheet_download"
    # The participant waits for no lock: while the download holds the write lock, it is not
    # reading in a transaction that could need one.
    sqlite = database_url.startswith("sqlite")
    participant = create_engine(database_url, connect_args={"timeout": 0} if sqlite else {})
    wrote: list[str] = []

    def a_participant_writes_meanwhile(_connection, _cursor, statement, *_rest) -> None:
        if not statement.lstrip().upper().startswith("SELECT"):
            return
        try:
            with participant.begin() as connection:
                connection.execute(
                    text("UPDATE questionnaire SET invitation_only = NOT invitation_only")
                )
        except OperationalError:  # "database is locked": the download is writing now
            return
        wrote.append(statement)

    event.listen(db.engine, "after_cursor_execute", a_participant_writes_meanwhile)
    try:
        response = staff.get(url)
    finally:
        event.remove(db.engine, "after_cursor_execute", a_participant_writes_meanwhile)
        participant.dispose()
    assert wrote, "a participant wrote after the download began reading"
    assert response.status_code == 200, url
    assert response.headers["Content-Disposition"].startswith("attachment;")
    db.session.rollback()
    assert (
        db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1))
        == action
    )
