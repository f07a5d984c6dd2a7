"""The staff's response browser, one response's page, and excluding a response (issue 15,
part 2): filters, search, sorting and paging over HTTP; exclusion left out of exports and the
dashboard unless asked for, undoable and audited; roles and bad input."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey.models import AuditEvent, ExportJob
from survey.participate import code_attempts, services
from tests.factories import make_response

ROW_ID = re.compile(r'href="/staff/responses/([A-Za-z0-9_-]+)"')


def listed(browser, query: str = "") -> list[str]:
    page = browser.get(f"/staff/{query}")
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    return ROW_ID.findall(page.get_data(as_text=True))


def day(n: int) -> datetime:
    return datetime(2026, 11, n, 9, 0, tzinfo=UTC)


@pytest.fixture
def four(db, version):
    """Four responses, one per day from 1 to 4 November: 1 and 3 complete in English, 2 partial
    in French (stopped on page 3), 4 complete in French."""
    answers = {"eligibility": "breastfeeding", "consent": "yes", "age_group": "30_34"}
    made = [
        make_response(db, version, answers, started=day(1)),
        make_response(
            db, version, answers, started=day(2), complete=False, language="fr", reached=3
        ),
        make_response(db, version, answers, started=day(3)),
        make_response(db, version, answers, started=day(4), language="fr"),
    ]
    return [r.id for r in made]


def test_filters_sort_and_pages(app, investigator, four):
    first, second, third, fourth = four
    assert listed(investigator) == [fourth, third, second, first]  # newest first
    assert listed(investigator, "?sort=oldest") == [first, second, third, fourth]
    assert listed(investigator, "?status=partial") == [second]
    assert listed(investigator, "?status=complete&language=fr") == [fourth]
    assert listed(investigator, "?since=2026-11-02&until=2026-11-03") == [third, second]
    assert listed(investigator, "?reached=3") == [second]
    assert listed(investigator, "?version=1") == [fourth, third, second, first]
    app.config["STAFF_PAGE_SIZE"] = 3
    page_two = investigator.get("/staff/?sort=oldest&page=2").get_data(as_text=True)
    assert ROW_ID.findall(page_two) == [fourth]
    assert "Page 2 of 2" in page_two
    assert 'href="/staff/?page=1&amp;sort=oldest"' in page_two  # the filters stay on the links
    assert ROW_ID.findall(investigator.get("/staff/?page=99").get_data(as_text=True)) == [first]


@pytest.mark.parametrize(
    "query",
    [
        "?status=maybe",
        "?sort=sideways",
        "?since=yesterday",
        "?version=9",
        "?reached=999",
        "?q=%3Cscript%3E",
        "?until=9999-12-31",
    ],
)
def test_bad_filters_are_a_400_with_a_message(investigator, query):
    page = investigator.get(f"/staff/{query}")
    assert page.status_code == 400
    assert 'class="field-error"' in page.get_data(as_text=True)


def test_search_by_response_id_and_resume_code(app, db, investigator, version, four):
    response, code = services.start_response(
        db.session, version, "en", {}, app.config["SECRET_KEY"]
    )
    db.session.commit()
    by_id = investigator.get(f"/staff/?q={four[2]}")
    assert by_id.status_code == 302 and by_id.location.endswith(f"/staff/responses/{four[2]}")
    typed = code.lower().replace("-", " ")  # typed as a person might
    by_code = investigator.get(f"/staff/?q={typed}")
    assert by_code.status_code == 302
    assert by_code.location.endswith(f"/staff/responses/{response.id}")
    for _ in range(code_attempts.FAILURES_PER_ADDRESS + 1):  # staff see every response anyway
        missing = investigator.get("/staff/?q=ZZZZZ-ZZZZZ-ZZZZZ")
        assert missing.status_code == 404
    assert "No response has this ID or resume code." in missing.get_data(as_text=True)
    assert investigator.get(f"/staff/?q={typed}").status_code == 302  # not held to the limit
    failed = select(AuditEvent).where(AuditEvent.action == code_attempts.ACTION)
    assert db.session.scalars(failed).all() == []  # nor logged as a participant's failed code


def test_one_response_shows_its_answers_with_labels(db, investigator, version):
    response = make_response(
        db,
        version,
        {
            "eligibility": "breastfeeding",
            "consent": "yes",
            "age_group": "30_34",
            "info_formats": ["online", "video"],
            "tried_with_toolkit": "yes",
            "pain_during": 2.0,
            "comment_liked": "The clock <b>pictures</b>",
        },
        started=day(5),
        minutes=10,
    )
    services.record_toolkit_view(db.session, response, "steps", 42)
    db.session.commit()
    html = investigator.get(f"/staff/responses/{response.id}").get_data(as_text=True)
    row = lambda name: re.search(rf'data-variable="{name}">(.*?)</tr>', html, re.S).group(1)  # noqa: E731
    assert "How old are you?" in row("age_group") and "<td>30 to 34</td>" in row("age_group")
    assert "<code>30_34</code>" in row("age_group")
    assert "<td>2</td>" in row("pain_during")  # a whole number, not 2.0
    assert "<code>online video</code>" in row("info_formats")
    assert "The clock &lt;b&gt;pictures&lt;/b&gt;" in row("comment_liked")  # shown as text
    assert "2026-11-05 09:00:00" in html and "2026-11-05 09:10:00" in html  # start and end
    assert f"<dd>{response.consent_version} (2026-11-05 09:00 UTC)</dd>" in html
    assert re.search(r"<td>1</td><td>42</td>", html)  # the steps section: opened once, 42 s


def report(db, runner, tmp_path, *args: str) -> dict:
    db.session.rollback()  # the command shares the test's session: see what requests committed
    out = tmp_path / "r.xlsx"
    result = runner.invoke(args=["export", str(out), *args])
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out)
    ids = [row[0] for row in workbook["Responses"].iter_rows(min_row=2, values_only=True)]
    return {"ids": ids, "about": dict(workbook["About"].iter_rows(min_row=2, values_only=True))}


def test_exclusion_leaves_exports_and_dashboard_until_undone(
    db, investigator, runner, tmp_path, four
):
    target = four[0]
    refused = investigator.post(f"/staff/responses/{target}/exclude", {"reason": "other"})
    assert refused.status_code == 400 and "Say why in the note." in refused.get_data(as_text=True)
    done = investigator.post(
        f"/staff/responses/{target}/exclude", {"reason": "duplicate", "note": "same as day 3"}
    )
    assert done.status_code == 302
    assert (
        investigator.post(f"/staff/responses/{target}/exclude", {"reason": "test"}).status_code
        == 409
    )  # excluded already
    page = investigator.get(f"/staff/responses/{target}").get_data(as_text=True)
    assert "A duplicate of another response: same as day 3" in page

    left_out = report(db, runner, tmp_path)
    assert sorted(left_out["ids"]) == sorted(four[1:])
    about = left_out["about"]
    assert about["Excluded by staff (left out of the rows): duplicate"] == 1
    assert about["Excluded by staff (left out of the rows): test"] == 0
    assert about["Responses (rows)"] == 3
    back = report(db, runner, tmp_path, "--include-excluded")
    assert sorted(back["ids"]) == sorted(four)
    assert back["about"]["Excluded by staff (in the rows): duplicate"] == 1
    assert back["about"]["Filters"].endswith("; responses excluded by staff included")
    assert "excluded" not in about["Filters"]

    dashboard = investigator.get("/staff/dashboard").get_data(as_text=True)
    assert re.search(r"data-total>3<", dashboard)
    included = investigator.get("/staff/dashboard?include_excluded=y").get_data(as_text=True)
    assert re.search(r"data-total>4<", included)
    assert listed(investigator, "?status=excluded") == [target]

    assert investigator.post(f"/staff/responses/{target}/include", {}).status_code == 302
    assert sorted(report(db, runner, tmp_path)["ids"]) == sorted(four)
    db.session.rollback()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.target == target).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.user.email) for e in events[:2]] == [
        ("response.exclude", "investigator@example.org"),
        ("response.include", "investigator@example.org"),
    ]
    assert events[0].details["reason"] == "duplicate"
    history = investigator.get(f"/staff/responses/{target}").get_data(as_text=True)
    assert "response.exclude" in history and "response.include" in history


def test_roles_csrf_and_unknown_responses(app, client, investigator, admin, four):
    target = four[0]
    assert client.get(f"/staff/responses/{target}").status_code == 302  # to the login
    refused = investigator.post(f"/staff/responses/{target}/withdraw", {"confirm": "y"})
    assert refused.status_code == 403
    assert "Withdraw and delete the answers" not in investigator.get(
        f"/staff/responses/{target}"
    ).get_data(as_text=True)
    assert "Withdraw and delete the answers" in admin.get(f"/staff/responses/{target}").get_data(
        as_text=True
    )
    no_token = investigator.request(
        "POST", f"/staff/responses/{target}/exclude", data={"reason": "test"}
    )
    assert no_token.status_code == 400
    assert investigator.get("/staff/responses/nobody").status_code == 404
    assert investigator.get("/staff/responses/bad%00id").status_code == 404
    bad_reason = investigator.post(f"/staff/responses/{target}/exclude", {"reason": "bored"})
    assert bad_reason.status_code == 400
    long_note = investigator.post(
        f"/staff/responses/{target}/exclude", {"reason": "other", "note": "x" * 501}
    )
    assert long_note.status_code == 400


def test_the_staff_pages_are_in_french(investigator, four):
    html = investigator.get("/staff/?lang=fr").get_data(as_text=True)
    assert "Dernière page atteinte" in html
    page = investigator.get(f"/staff/responses/{four[0]}").get_data(as_text=True)
    assert "Exclure cette réponse" in page


def test_the_export_form_keeps_the_choice_to_include_excluded_responses(db, investigator):
    made = investigator.post(
        "/staff/exports",
        {"status": "all", "format": "csv", "include_excluded": "y", "submit": "x"},
    )
    assert made.status_code == 302
    plain = investigator.post("/staff/exports", {"status": "all", "format": "csv", "submit": "x"})
    assert plain.status_code == 302
    db.session.rollback()
    jobs = db.session.scalars(select(ExportJob).order_by(ExportJob.created_at)).all()
    assert [job.filters["include_excluded"] for job in jobs] == [True, False]
