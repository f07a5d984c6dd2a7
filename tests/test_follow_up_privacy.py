"""The contact's address is the only identifying data the system keeps: it is found on the
participant's own confirmation page and nowhere else a person or a file can read it: not in the
audit log, not on any other page (the participant's, or the staff's), not in any other column
of the database (its own column holds it encrypted). A follow-up response is never counted as a
response to the study's questionnaire. (The exports' files are searched by the data side's
tests.)"""

from __future__ import annotations

import os
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import inspect, select, text

from tests.conftest import logged_in
from tests.follow_up_steps import (
    FOLLOW_UP_ANSWERS,
    START,
    STORED_ADDRESS,
    contact,
    follow_up,  # noqa: F401 - a fixture
    link_of,
    mail_to,  # noqa: F401 - a fixture
    received,
    run_queue,
    sign_up,
)
from tests.test_mail import smtp_server  # noqa: F401 - a fixture

NEEDLES = (STORED_ADDRESS.lower(), "parent.tester+milk")  # the whole address, and its mailbox


def found_in(text_value: str) -> bool:
    lowered = text_value.lower()
    return any(needle in lowered for needle in NEEDLES)


def every_value_in_the_database(db) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every non-empty cell of every table, but the
    encrypted address's own column."""
    db.session.rollback()
    cells = []
    for table in inspect(db.engine).get_table_names():
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')).mappings():  # noqa: S608
            for column, value in row.items():
                if value is not None and (table, column) != (
                    "follow_up_contact",
                    "email_encrypted",
                ):
                    cells.append((table, column, str(value)))
    return cells


def test_the_address_is_only_on_the_confirmation_page(app, db, browser, follow_up, mail_to):  # noqa: F811
    with time_machine.travel(START, tick=False) as clock:
        sign_up(browser)
        confirmation = browser.get("/follow-up/signed-up").get_data(as_text=True)
        assert found_in(confirmation)  # the one page that shows it
        kept = contact(db)
        assert kept.email_encrypted and not found_in(kept.email_encrypted)

        pages = {
            url: browser.get(url) for url in ("/survey/thanks", "/survey/", "/follow-up/thanks")
        }
        clock.move_to(START + timedelta(days=14))
        run_queue(app)
        [invitation] = received(mail_to)
        link = link_of(invitation)
        pages[link] = browser.get(link)
        first = browser.get("/follow-up/page/0").location
        pages[first] = browser.get(first)
        pages["sent"] = browser.post(first, {**FOLLOW_UP_ANSWERS, "next": "x"})
        pages["/follow-up/thanks"] = browser.get("/follow-up/thanks")

        admin = logged_in(app, "admin")
        response_id = kept.response_id
        db.session.rollback()
        follow_up_id = db.session.scalar(
            text("SELECT id FROM response WHERE follow_up_of = :id"), {"id": response_id}
        )
        staff_urls = [
            "/staff/",
            f"/staff/responses/{response_id}",
            f"/staff/responses/{follow_up_id}",
            "/staff/dashboard",
            "/staff/admin/follow-up/",
            "/staff/admin/follow-up/preview/en/invitation",
            "/staff/admin/audit",
        ]
        for url in staff_urls:
            pages[url] = admin.get(url)
        admin.get("/staff/admin/audit")
        pages["/staff/admin/audit.csv"] = admin.post("/staff/admin/audit.csv", {}, fetch=False)
        for url, response in pages.items():
            assert response.status_code in (200, 302), url
            assert not found_in(response.get_data(as_text=True)), url
        assert len(pages) >= 14

    cells = every_value_in_the_database(db)
    assert any(table == "audit_event" for table, _c, _v in cells)  # the log was searched
    assert any(table == "follow_up_send" for table, _c, _v in cells)
    assert [cell for cell in cells if found_in(cell[2])] == []


@pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL", "sqlite").split(":")[0] != "sqlite",
    reason="reads the SQLite files",
)
def test_the_database_files_never_hold_the_address_in_clear(app, db, browser, follow_up):  # noqa: F811
    sign_up(browser)
    db.session.rollback()
    database = Path(db.engine.url.database)
    files = [p for p in (database, Path(f"{database}-wal")) if p.exists()]
    assert files
    for path in files:
        content = path.read_bytes().lower()
        assert all(needle.encode() not in content for needle in NEEDLES), path


def test_a_follow_up_response_is_never_counted_as_a_survey_response(
    app,
    db,
    browser,
    follow_up,  # noqa: F811
    mail_to,  # noqa: F811
):
    """The staff's response list counted every response row, the follow-up's included, before
    it was kept to the study's questionnaire's versions; the dashboard and exports already
    were."""
    with time_machine.travel(START, tick=False) as clock:
        sign_up(browser)
        clock.move_to(START + timedelta(days=14))
        run_queue(app)
        browser.get(link_of(received(mail_to)[0]))
        first = browser.get("/follow-up/page/0").location
        browser.post(first, {**FOLLOW_UP_ANSWERS, "next": "x"})
        staff = logged_in(app, "investigator")
        db.session.rollback()
        assert db.session.scalar(text("SELECT count(*) FROM response")) == 2
        listing = staff.get("/staff/?status=all").get_data(as_text=True)
        assert 'data-total="1"' in listing
        # The follow-up's version is number 1 of its own questionnaire: not the study's.
        by_version = staff.get("/staff/?version=1").get_data(as_text=True)
        assert 'data-total="1"' in by_version
        dashboard = staff.get("/staff/dashboard").get_data(as_text=True)
        assert re.search(r"data-total>1<", dashboard)  # as the dashboard's own tests read it
        follow_up_id = db.session.scalar(
            select(text("id")).select_from(text("response")).where(text("follow_up_of IS NOT NULL"))
        )
        assert follow_up_id not in listing


def test_no_exported_file_holds_the_address(app, db, browser, runner, tmp_path, follow_up, mail_to):  # noqa: F811
    """Every export the command line makes, with the follow-up answered (so its wave is in the
    files): the report (plain, labels, de-identified), CSV, SPSS, Stata and R. The report's
    XML parts are read out of the .xlsx, as text."""
    with time_machine.travel(START, tick=False) as clock:
        sign_up(browser)
        clock.move_to(START + timedelta(days=14))
        run_queue(app)
        browser.get(link_of(received(mail_to)[0]))
        first = browser.get("/follow-up/page/0").location
        assert browser.post(first, {**FOLLOW_UP_ANSWERS, "next": "x"}).status_code == 302
    db.session.rollback()
    out = tmp_path / "exports"
    out.mkdir()
    for name, options in [
        ("report.xlsx", []),
        ("labels.xlsx", ["--labels"]),
        ("deidentified.xlsx", ["--deidentified"]),
        ("responses.csv", ["--csv"]),
        ("responses.sav", []),
        ("responses.dta", []),
        ("responses.R", []),
    ]:
        result = runner.invoke(args=["export", str(out / name), *options])
        assert result.exit_code == 0, (name, result.output)
    files = sorted(out.iterdir())
    assert len(files) >= 7
    report = zipfile.ZipFile(out / "report.xlsx")
    assert any("fu_" in report.read(part).decode() for part in report.namelist())  # wave in it
    for path in files:
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as workbook:
                contents = [workbook.read(part) for part in workbook.namelist()]
        else:
            contents = [path.read_bytes()]
        for content in contents:
            assert not found_in(content.decode("utf-8", errors="replace")), path.name
