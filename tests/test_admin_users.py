"""Admins manage staff accounts: create, change role, deactivate and reactivate, reset a
password; there is always an active admin, and every change is audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from survey.auth.services import create_user
from survey.models import AuditEvent, User
from tests.conftest import PASSWORD, Browser

NEW_PASSWORD = "a brand new passphrase"


def user(db, email: str) -> User:
    db.session.rollback()  # a fresh transaction sees what the requests committed
    return db.session.scalar(select(User).where(User.email == email))


def events(db, action: str) -> list[AuditEvent]:
    db.session.rollback()
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def log_in(make_browser, email: str, password: str = PASSWORD) -> tuple[Browser, int]:
    browser = make_browser()
    response = browser.post("/staff/login", {"email": email, "password": password})
    return browser, response.status_code


def add_user(db, email: str, role: str, active: bool = True) -> int:
    account = create_user(db.session, email, PASSWORD, role)
    account.active = active
    db.session.commit()
    return account.id


def page_of(db, email: str) -> str:
    return f"/staff/admin/users/{user(db, email).id}"


# --- the list and a new account ------------------------------------------------------------


def test_the_list_shows_every_account(admin, investigator, db):
    add_user(db, "gone@example.org", "investigator", active=False)
    html = admin.get("/staff/admin/users").get_data(as_text=True)
    for email in ("admin@example.org", "investigator@example.org", "gone@example.org"):
        assert f">{email}</a>" in html
    assert "no, deactivated" in html and "never" in html
    last_login = user(db, "admin@example.org").last_login_at.strftime("%Y-%m-%d %H:%M UTC")
    assert last_login in html


def test_admins_find_the_pages_in_the_menu(admin, investigator):
    html = admin.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/admin/users"' in html and 'href="/staff/admin/audit"' in html
    html = investigator.get("/staff/").get_data(as_text=True)
    assert "/staff/admin/users" not in html and "/staff/admin/audit" not in html


def test_admin_creates_an_account_that_can_log_in(admin, db, make_browser):
    response = admin.post(
        "/staff/admin/users",
        {"email": "  New.Person@Example.org ", "role": "investigator", "password": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/staff/admin/users"
    created = user(db, "new.person@example.org")
    assert (created.role, created.active) == ("investigator", True)
    assert "Account created for new.person@example.org." in admin.get(
        "/staff/admin/users"
    ).get_data(as_text=True)
    [event] = [e for e in events(db, "user.create") if e.user is not None]
    assert (event.user.email, event.target, event.ip, event.details) == (
        "admin@example.org",
        "new.person@example.org",
        "127.0.0.1",
        {"role": "investigator"},
    )
    assert NEW_PASSWORD not in str(event.details)
    _, status = log_in(make_browser, "new.person@example.org", NEW_PASSWORD)
    assert status == 302


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"email": "Admin@example.org", "role": "admin", "password": NEW_PASSWORD},
            "email",
            "There is already an account for admin@example.org.",
        ),
        (
            {"email": "x@example.org", "role": "admin", "password": "short pass"},
            "password",
            "Use between 12 and 500 characters.",
        ),
        (
            {"email": "x@example.org", "role": "admin", "password": ""},
            "password",
            "Please enter a password.",
        ),
        (
            {"email": "not an email", "role": "admin", "password": NEW_PASSWORD},
            "email",
            "Please enter an email address like name@example.org.",
        ),
        (
            {"email": "x\x00@example.org", "role": "admin", "password": NEW_PASSWORD},
            "email",
            "Please enter an email address like name@example.org.",
        ),
        (
            {"email": "x" * 250 + "@example.org", "role": "admin", "password": NEW_PASSWORD},
            "email",
            "An email address has at most 254 characters.",
        ),
        (
            {"email": "x@example.org", "role": "superuser", "password": NEW_PASSWORD},
            "role",
            "Not a valid choice.",
        ),
        ({"email": "x@example.org", "password": NEW_PASSWORD}, "role", "Choose a role."),
    ],
    ids=["duplicate", "short-password", "no-password", "bad-email", "nul", "long", "role", "none"],
)
def test_a_bad_new_account_is_refused_next_to_its_field(admin, db, data, field, message):
    response = admin.post("/staff/admin/users", data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'<p class="field-error" id="{field}-error">{message}</p>' in html
    assert f'aria-describedby="{field}' in html
    assert len(events(db, "user.create")) == 1  # the admin's own account, made by the fixture
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_a_new_account_without_a_csrf_token_is_refused(admin, db):
    response = admin.request(
        "POST",
        "/staff/admin/users",
        data={"email": "x@example.org", "role": "admin", "password": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert user(db, "x@example.org") is None


# --- roles ---------------------------------------------------------------------------------


def test_admin_changes_a_role_and_it_holds_at_once(admin, investigator, db):
    url = page_of(db, "investigator@example.org")
    assert investigator.get("/staff/admin/users").status_code == 403
    response = admin.post(f"{url}/role", {"role": "admin"}, fetch=False)
    assert response.status_code == 302 and response.headers["Location"] == url
    assert user(db, "investigator@example.org").role == "admin"
    assert investigator.get("/staff/admin/users").status_code == 200  # same session, new role
    [event] = events(db, "user.role")
    assert (event.user.email, event.target, event.ip, event.details) == (
        "admin@example.org",
        "investigator@example.org",
        "127.0.0.1",
        {"old": "investigator", "new": "admin"},
    )
    # The same role again changes nothing and records nothing.
    assert admin.post(f"{url}/role", {"role": "admin"}).status_code == 302
    assert len(events(db, "user.role")) == 1


def test_the_last_active_admin_cannot_be_demoted(admin, db):
    add_user(db, "former@example.org", "admin", active=False)  # inactive: does not count
    url = page_of(db, "admin@example.org")
    response = admin.post(f"{url}/role", {"role": "investigator"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "admin@example.org is the last active admin. Make another admin first." in html
    assert 'id="role-error"' in html
    assert user(db, "admin@example.org").role == "admin"
    assert events(db, "user.role") == []
    assert admin.get("/staff/admin/users").status_code == 200


def test_an_admin_can_step_down_while_another_admin_remains(admin, db, make_browser):
    add_user(db, "second@example.org", "admin")
    response = admin.post(f"{page_of(db, 'admin@example.org')}/role", {"role": "investigator"})
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    assert admin.get("/staff/admin/users").status_code == 403
    # Now second@ is the last active admin, and cannot step down.
    second, _ = log_in(make_browser, "second@example.org")
    refused = second.post(f"{page_of(db, 'second@example.org')}/role", {"role": "investigator"})
    assert refused.status_code == 400
    assert user(db, "second@example.org").role == "admin"


@pytest.mark.parametrize("role", ["", "owner"])
def test_a_bad_role_is_refused(admin, investigator, db, role):
    response = admin.post(f"{page_of(db, 'investigator@example.org')}/role", {"role": role})
    assert response.status_code == 400
    assert 'id="role-error"' in response.get_data(as_text=True)
    assert user(db, "investigator@example.org").role == "investigator"


# --- deactivate and reactivate ---------------------------------------------------------------


def test_deactivation_ends_every_session_at_once(admin, investigator, db, make_browser):
    second_session, _ = log_in(make_browser, "investigator@example.org")
    assert investigator.get("/staff/").status_code == 200
    url = page_of(db, "investigator@example.org")
    response = admin.post(f"{url}/deactivate", {})
    assert response.status_code == 302
    for browser in (investigator, second_session):
        refused = browser.get("/staff/")
        assert refused.status_code == 302 and "/staff/login" in refused.headers["Location"]
    assert log_in(make_browser, "investigator@example.org")[1] == 401
    assert user(db, "investigator@example.org").active is False
    [event] = events(db, "user.deactivate")
    assert (event.user.email, event.target, event.ip) == (
        "admin@example.org",
        "investigator@example.org",
        "127.0.0.1",
    )
    html = admin.get(url).get_data(as_text=True)
    assert "investigator@example.org is deactivated and logged out everywhere." in html
    assert "Reactivate this account" in html

    assert admin.post(f"{url}/reactivate", {}).status_code == 302
    assert user(db, "investigator@example.org").active is True
    assert [e.target for e in events(db, "user.reactivate")] == ["investigator@example.org"]
    assert events(db, "user.reactivate")[0].ip == "127.0.0.1"
    assert log_in(make_browser, "investigator@example.org")[1] == 302
    assert investigator.get("/staff/").status_code == 302  # the old session stays ended


def test_deactivating_twice_records_once(admin, investigator, db):
    url = page_of(db, "investigator@example.org")
    admin.post(f"{url}/deactivate", {})
    assert admin.post(f"{url}/deactivate", {}).status_code == 302
    assert admin.post(f"{url}/reactivate", {}).status_code == 302
    assert admin.post(f"{url}/reactivate", {}).status_code == 302
    assert len(events(db, "user.deactivate")) == len(events(db, "user.reactivate")) == 1


def test_the_last_active_admin_cannot_be_deactivated(admin, db):
    token = user(db, "admin@example.org").session_token
    response = admin.post(f"{page_of(db, 'admin@example.org')}/deactivate", {})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "admin@example.org is the last active admin. Make another admin first." in html
    refreshed = user(db, "admin@example.org")
    assert refreshed.active is True and refreshed.session_token == token
    assert events(db, "user.deactivate") == []
    assert admin.get("/staff/admin/users").status_code == 200


def test_an_admin_who_deactivates_themselves_is_logged_out(admin, db):
    add_user(db, "second@example.org", "admin")
    response = admin.post(f"{page_of(db, 'admin@example.org')}/deactivate", {})
    assert response.status_code == 302 and response.headers["Location"] == "/staff/login"
    assert admin.get("/staff/admin/users").status_code == 302


# --- passwords -----------------------------------------------------------------------------


def test_admin_sets_a_password_and_old_sessions_end(admin, investigator, db, make_browser):
    url = page_of(db, "investigator@example.org")
    response = admin.post(f"{url}/password", {"password": NEW_PASSWORD})
    assert response.status_code == 302
    assert investigator.get("/staff/").status_code == 302
    assert log_in(make_browser, "investigator@example.org", PASSWORD)[1] == 401
    assert log_in(make_browser, "investigator@example.org", NEW_PASSWORD)[1] == 302
    [event] = events(db, "user.password_reset")
    assert (event.user.email, event.target, event.ip, event.details) == (
        "admin@example.org",
        "investigator@example.org",
        "127.0.0.1",
        {"generated": False},
    )


def test_a_generated_password_is_shown_once_and_works(admin, investigator, db, make_browser):
    url = page_of(db, "investigator@example.org")
    response = admin.post(f"{url}/password", {"password": ""})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = re.search(r'<p class="code">([^<]+)</p>', response.get_data(as_text=True))[1]
    assert len(password) >= 12
    assert password not in admin.get(url).get_data(as_text=True)
    assert investigator.get("/staff/").status_code == 302
    assert log_in(make_browser, "investigator@example.org", password)[1] == 302
    [event] = events(db, "user.password_reset")
    assert event.details == {"generated": True} and password not in str(event.details)


def test_a_short_password_is_refused(admin, investigator, db):
    before = user(db, "investigator@example.org").password_hash
    response = admin.post(
        f"{page_of(db, 'investigator@example.org')}/password", {"password": "too short"}
    )
    assert response.status_code == 400
    assert 'id="password-error"' in response.get_data(as_text=True)
    assert user(db, "investigator@example.org").password_hash == before
    assert investigator.get("/staff/").status_code == 200
    assert events(db, "user.password_reset") == []


def test_an_admin_resetting_their_own_password_stays_logged_in(admin, db, make_browser):
    response = admin.post(
        f"{page_of(db, 'admin@example.org')}/password", {"password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert admin.get("/staff/admin/users").status_code == 200
    assert log_in(make_browser, "admin@example.org", NEW_PASSWORD)[1] == 302


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, suffix",
    [
        ("GET", ""),
        ("POST", "/role"),
        ("POST", "/deactivate"),
        ("POST", "/reactivate"),
        ("POST", "/password"),
    ],
)
@pytest.mark.parametrize("user_id", ["999", "99999999999999999999"])
def test_an_unknown_user_is_not_found(admin, method, suffix, user_id):
    admin.get("/staff/admin/users")
    url = f"/staff/admin/users/{user_id}{suffix}"
    response = admin.request(method, url, data={"csrf_token": admin.token, "role": "admin"})
    assert response.status_code == 404


USER_ROUTES = [
    ("GET", "/staff/admin/users"),
    ("POST", "/staff/admin/users"),
    ("GET", "/staff/admin/users/{id}"),
    ("POST", "/staff/admin/users/{id}/role"),
    ("POST", "/staff/admin/users/{id}/deactivate"),
    ("POST", "/staff/admin/users/{id}/reactivate"),
    ("POST", "/staff/admin/users/{id}/password"),
    ("GET", "/staff/admin/audit"),
    ("POST", "/staff/admin/audit.csv"),
]


@pytest.mark.parametrize("who", ["anonymous", "investigator"])
def test_only_admins_get_in(app, db, make_browser, investigator, who):
    target = add_user(db, "someone@example.org", "investigator")
    logged = db.session.scalar(select(func.count()).select_from(AuditEvent))
    browser = investigator if who == "investigator" else make_browser()
    browser.get("/staff/login")  # a valid CSRF token: only the role can refuse
    for method, url in USER_ROUTES:
        data = {"csrf_token": browser.token, "role": "admin", "password": NEW_PASSWORD}
        response = browser.request(method, url.format(id=target), data=data)
        if who == "anonymous":
            assert response.status_code == 302, url
            assert "/staff/login" in response.headers["Location"]
        else:
            assert response.status_code == 403, url
    someone = user(db, "someone@example.org")
    assert (someone.role, someone.active) == ("investigator", True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == logged
