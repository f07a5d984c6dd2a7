"""The audit log page and its CSV download, and the log's one rule: events are only ever added."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select, update
from werkzeug.routing import AnyConverter, IntegerConverter

from survey import audit
from survey.audit import AuditLogIsAppendOnly
from survey.auth.services import create_user
from survey.models import AuditEvent, User
from tests.conftest import PASSWORD

AUDIT = "/staff/admin/audit"


def rows_on(html: str) -> int:
    return html.count("<td><time ")


def add_event(db, action: str, at: datetime, target: str | None = None, user=None) -> None:
    event = audit.record(db.session, action, user, target=target, ip="10.0.0.1")
    event.at = at  # not yet written: an event may be amended until it is
    db.session.commit()


def download(admin, filters: dict | None = None):
    admin.get(AUDIT)  # the token, from the page the button is on
    return admin.request(
        "POST", f"{AUDIT}.csv", data={"csrf_token": admin.token, **(filters or {})}
    )


def read_csv(response) -> list[list[str]]:
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


# --- the page ----------------------------------------------------------------------------------


def test_logins_and_failed_logins_are_listed(app, db, make_browser, admin):
    failed = make_browser().post(
        "/staff/login", {"email": "Intruder@example.org", "password": "not the password"}
    )
    assert failed.status_code == 401
    html = admin.get(AUDIT).get_data(as_text=True)
    assert "<code>auth.login_failed</code>" in html and "intruder@example.org" in html
    assert "<code>auth.login</code>" in html
    login = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login"))
    assert login.at.strftime("%Y-%m-%d %H:%M:%S&nbsp;UTC") in html
    assert "Times are in UTC" in html and "When (UTC)" in html
    # Newest first: the failed login came after the admin's login.
    assert html.index("auth.login_failed") < html.index("<code>auth.login</code>")


def test_pages_of_fifty_and_any_page_number_works(admin, db):
    for n in range(120):
        audit.record(db.session, "test.event", target=f"item-{n:03d}")
    db.session.commit()
    first = admin.get(AUDIT).get_data(as_text=True)
    total = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert f"{total} events" in first and "Page 1 of 3" in first
    assert rows_on(first) == 50
    assert rows_on(admin.get(f"{AUDIT}?page=3").get_data(as_text=True)) == total - 100
    for page in ("-5", "0", "abc", "99999999999999999999999999", "1e9"):
        response = admin.get(f"{AUDIT}?page={page}")
        assert response.status_code == 200, page
    assert rows_on(admin.get(f"{AUDIT}?page=-5").get_data(as_text=True)) == 50
    far = admin.get(f"{AUDIT}?page=99999999999999999999999999").get_data(as_text=True)
    assert rows_on(far) == 0 and "No events on this page." in far


def test_filters(admin, db):
    someone = create_user(db.session, "someone@example.org", PASSWORD, "investigator")
    db.session.commit()
    add_event(db, "test.alpha", datetime(2024, 1, 1, 23, 59, 59, tzinfo=UTC), "50%_off")
    add_event(db, "test.alpha", datetime(2024, 1, 2, 0, 0, tzinfo=UTC), "500ff", someone)
    add_event(db, "test.beta", datetime(2024, 1, 2, 23, 59, 59, 999999, tzinfo=UTC), "Beta")
    add_event(db, "test.beta", datetime(2024, 1, 3, 0, 0, tzinfo=UTC), "late")

    def targets(query: str) -> list[str]:
        response = admin.get(f"{AUDIT}?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        html = response.get_data(as_text=True)
        return re.findall(r"<td><code>test\.\w+</code></td>\s*<td>([^<]*)</td>", html)

    page = admin.get(AUDIT).get_data(as_text=True)
    assert '<option value="test.alpha">test.alpha</option>' in page  # actions present
    assert targets("action=test.alpha") == ["500ff", "50%_off"]
    assert targets("since=2024-01-02&until=2024-01-02") == ["Beta", "500ff"]
    assert targets("since=2024-01-03") == ["late"]
    assert targets("until=2024-01-01") == ["50%_off"]
    assert targets("target=0%25_") == ["50%_off"]  # % and _ are plain characters here
    assert targets("target=BETA") == ["Beta"]
    assert targets("user=SOMEONE@") == ["500ff"]
    assert targets("action=test.beta&target=late") == ["late"]
    # The pager keeps the filters.
    for _ in range(60):
        audit.record(db.session, "test.gamma", target="many")
    db.session.commit()
    html = admin.get(f"{AUDIT}?action=test.gamma").get_data(as_text=True)
    assert re.search(r'href="/staff/admin/audit\?page=2&amp;action=test\.gamma"', html)


@pytest.mark.parametrize(
    "query, message",
    [
        ("action=no.such.action", "Not a valid choice."),
        ("since=2024-02-30", "Not a valid date value."),
        ("since=2024-02-02&until=2024-02-01", "The end date is before the start date."),
        ("target=a%00b", "Remove the control characters from this text."),
        ("user=" + "x" * 300, "Field cannot be longer than 254 characters."),
    ],
)
def test_bad_filters_are_refused_next_to_their_field(admin, query, message):
    response = admin.get(f"{AUDIT}?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html
    assert rows_on(html) == 0


# --- the CSV -----------------------------------------------------------------------------------


def test_the_csv_keeps_text_from_becoming_a_formula(app, db, make_browser, admin):
    for email in ('=HYPERLINK("http://evil.example","click")', "+1", "@SUM(A1)"):
        make_browser().post("/staff/login", {"email": email, "password": "wrong password"})
    create_user(db.session, "-dash@example.org", PASSWORD, "investigator")
    db.session.commit()
    assert (
        make_browser()
        .post("/staff/login", {"email": "-dash@example.org", "password": PASSWORD})
        .headers["Location"]
        .endswith("/staff/")
    )

    response = download(admin)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=audit-log-")
    assert response.headers["Cache-Control"] == "no-store"
    rows = read_csv(response)
    assert rows[0] == ["id", "at_utc", "user", "action", "target", "ip", "details"]
    targets = [row[4] for row in rows[1:] if row[3] == "auth.login_failed"]
    assert sorted(targets) == ["'+1", '\'=hyperlink("http://evil.example","click")', "'@sum(a1)"]
    assert ["'-dash@example.org", "auth.login"] in [row[2:4] for row in rows[1:]]
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row


def test_the_csv_follows_the_filters_and_is_audited(admin, db):
    add_event(db, "test.alpha", datetime(2024, 1, 1, 12, 0, tzinfo=UTC), "one")
    add_event(db, "test.beta", datetime(2024, 1, 2, 12, 0, tzinfo=UTC), "two")
    response = download(admin, {"action": "test.beta", "since": "2024-01-01"})
    rows = read_csv(response)
    assert [row[3:5] for row in rows[1:]] == [["test.beta", "two"]]
    assert rows[1][1] == "2024-01-02 12:00:00" and rows[1][5] == "10.0.0.1"
    db.session.rollback()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.download"))
    assert (event.user.email, event.ip, event.details) == (
        "admin@example.org",
        "127.0.0.1",
        {"rows": 1, "filters": {"action": "test.beta", "since": "2024-01-01"}},
    )


def test_the_page_offers_the_download_with_its_filters(admin, db):
    add_event(db, "test.alpha", datetime(2024, 1, 1, 12, 0, tzinfo=UTC), "one")
    html = admin.get(f"{AUDIT}?action=test.alpha&target=on").get_data(as_text=True)
    form = html[html.index('action="/staff/admin/audit.csv"') :]
    form = form[: form.index("</form>")]
    assert '<input type="hidden" name="action" value="test.alpha">' in form
    assert '<input type="hidden" name="target" value="on">' in form
    assert 'name="csrf_token"' in form


def test_the_csv_needs_a_post_with_a_csrf_token(admin, db):
    assert admin.get(f"{AUDIT}.csv").status_code == 405
    response = admin.request("POST", f"{AUDIT}.csv", data={})
    assert response.status_code == 400
    bad = download(admin, {"since": "yesterday"})
    assert bad.status_code == 400 and "Not a valid date value." in bad.get_data(as_text=True)
    db.session.rollback()
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.download")) is None
    )


# --- append-only -------------------------------------------------------------------------------


def snapshot(db) -> dict[int, tuple]:
    db.session.rollback()
    columns = [c for c in AuditEvent.__table__.columns]
    return {row[0]: tuple(row) for row in db.session.execute(select(*columns))}


SAMPLE_ARGS = {"position": 1, "key": "steps", "filename": "app.css", "job_id": "no-such-job"}
GARBAGE = "=1+1'; DROP TABLE audit_event; --"
GARBAGE_FORM = {
    name: GARBAGE
    for name in ("email", "password", "role", "count", "mode", "action", "user", "target", "code")
}
PLAUSIBLE_FORM = {
    "email": "new@example.org",
    "password": "a long enough password",
    "role": "admin",
    "count": "2",
    "mode": "invitation",
    "since": "2024-01-01",
}


def _url(app, rule, user_id: int) -> str:
    """The rule's URL, with a sample value for each argument that its converter accepts."""
    from flask import url_for

    samples = {**SAMPLE_ARGS, "user_id": user_id}
    args = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if name in samples:
            args[name] = samples[name]
        elif isinstance(converter, AnyConverter):
            args[name] = sorted(converter.items)[0]
        elif isinstance(converter, IntegerConverter):
            args[name] = 1
        else:
            args[name] = "x"
    with app.test_request_context():
        return url_for(rule.endpoint, **args)


def test_no_route_changes_or_removes_an_audit_event(app, db, admin, investigator, make_browser):
    make_browser().post("/staff/login", {"email": "x@example.org", "password": "wrong one"})
    target = db.session.scalar(select(User.id).where(User.email == "investigator@example.org"))
    anonymous = make_browser()
    anonymous.get("/staff/login")
    before = snapshot(db)
    assert len(before) >= 5
    requests = 0
    for rule in app.url_map.iter_rules():
        url = _url(app, rule, target)
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            for visitor, form in (
                (anonymous, GARBAGE_FORM),
                (admin, GARBAGE_FORM),
                (admin, PLAUSIBLE_FORM),
            ):
                visitor.request(method, url, data={"csrf_token": visitor.token, **form}).close()
                requests += 1
                after = snapshot(db)
                assert {i: after.get(i) for i in before} == before, (method, url)
                if rule.endpoint == "auth.logout" and visitor is admin:
                    visitor.post(
                        "/staff/login", {"email": "admin@example.org", "password": PASSWORD}
                    )
    assert requests >= 4 * 3 * 30
    # The admin's plausible posts did change things, and each change was added to the log.
    added = {row[3] for i, row in snapshot(db).items() if i not in before}
    assert added >= {
        "user.create",
        "user.role",
        "user.deactivate",
        "user.reactivate",
        "user.password_reset",
        "audit.download",
        "invitations.create",
    }


def test_the_orm_refuses_to_change_or_delete_an_event(db):
    event = audit.record(db.session, "test.event", target="first")
    event.target = "amended before it is written"  # allowed: nothing is in the log yet
    db.session.commit()

    event.target = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be changed"):
        db.session.flush()
    db.session.rollback()

    db.session.delete(event)
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be deleted"):
        db.session.flush()
    db.session.rollback()

    with pytest.raises(AuditLogIsAppendOnly, match="cannot be changed"):
        db.session.execute(update(AuditEvent).values(target="bulk"))
    db.session.rollback()
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be deleted"):
        db.session.execute(delete(AuditEvent))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(delete(AuditEvent.__table__))
    db.session.rollback()

    assert db.session.scalar(select(AuditEvent.target)) == "amended before it is written"
    audit.record(db.session, "test.event", target="second")  # adding goes on working
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 2
