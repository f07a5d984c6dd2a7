"""Staff login, logout and the access matrix over every route."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY
from cryptography.fernet import Fernet
from sqlalchemy import select

from survey.auth.services import create_user
from survey.config import settings_from_env
from survey.extensions import db
from survey.models import AuditEvent, User
from tests.conftest import PASSWORD, Browser

# Who may open each endpoint. A new route fails test_every_route_is_classified until added here.
PUBLIC = {
    "home",
    "static",
    "participate.start",
    "participate.page",
    "participate.resume",
    "participate.toolkit",
    "participate.invitation",
    "participate.thanks",
    "participate.not_eligible",
    "participate.consent_copy",
    "favicon",
    "participate.withdraw_start",
    "participate.withdraw_confirm",
    "participate.withdrawn",
    "toolkit.index",
    "toolkit.section",
    "toolkit.print_view",
    "auth.login",
    # The follow-up: the participant's sign-up and its own pages, opened by the personal link.
    "follow_up.sign_up",
    "follow_up.signed_up",
    "follow_up.cancel",
    "follow_up.open_link",
    "follow_up.page",
    "follow_up.thanks",
    "follow_up.unsubscribe",
}
STAFF = {
    "staff.home",
    "staff.response",
    "staff.exclude",
    "staff.include",
    "auth.logout",
    "dashboard.dashboard",
    "dashboard.exports",
    "dashboard.export_job",
    "dashboard.export_status",
    "dashboard.export_download",
}
ADMIN_ONLY = {
    "staff.withdraw_response",
    "admin.invitations_page",
    "admin.access_mode",
    "admin.make_invitations",
    "admin.users_page",
    "admin.create_user",
    "admin.user_page",
    "admin.change_user_role",
    "admin.deactivate_user",
    "admin.reactivate_user",
    "admin.reset_user_password",
    "admin.audit_log",
    "admin.audit_download",
    "admin.study_information",
    "admin.save_study_information",
    "editor.overview",
    "editor.preview",
    "editor.publish",
    "editor.publish_page",
    "editor.spreadsheet_export",
    "editor.spreadsheet_import",
    "editor.start_draft",
    "editor.discard_draft",
    "editor.draft",
    "editor.settings",
    "editor.add_page",
    "editor.edit_page",
    "editor.move_page",
    "editor.remove_page",
    "editor.add_question",
    "editor.edit_question",
    "editor.move_question",
    "editor.move_question_to_page",
    "editor.remove_question",
    "editor.add_list",
    "editor.edit_list",
    "editor.remove_list",
    "editor.add_choice",
    "editor.edit_choice",
    "editor.move_choice",
    "editor.remove_choice",
    "editor.add_score",
    "editor.edit_score",
    "editor.remove_score",
    "follow_up_admin.settings",
    "follow_up_admin.preview",
    "follow_up_admin.preview_text",
}
SAMPLE_ARGS = {
    "position": 1,
    "key": "steps",
    "filename": "app.css",
    "job_id": "no-such-job",
    "response_id": "no-such-response",
    "user_id": 1,
    "page_id": 999999,  # editor ids: no such item, so a 404 (or, before a draft, a redirect)
    "question_id": 999999,
    "list_id": 999999,
    "choice_id": 999999,
    "score_id": 999999,
    "direction": "up",
    "token": "0" * 64,  # a follow-up link: no such contact
    "language": "en",
    "wave": "invitation",
}


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == PUBLIC | STAFF | ADMIN_ONLY


def _staff_urls(app):
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if rule.endpoint in STAFF | ADMIN_ONLY:
                args = {a: SAMPLE_ARGS[a] for a in rule.arguments}
                methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
                yield rule.endpoint, url_for(rule.endpoint, **args), methods


@pytest.mark.parametrize("role", [None, "investigator", "admin"])
def test_role_matrix_on_every_staff_route(app, role, make_browser):
    if role:
        with app.app_context():
            create_user(db.session, f"{role}@example.org", PASSWORD, role)
            db.session.commit()
    browser = make_browser()
    browser.get("/staff/login")  # a valid CSRF token, so only access control can refuse
    if role:
        browser.post("/staff/login", {"email": f"{role}@example.org", "password": PASSWORD})
    checked = 0
    for endpoint, url, methods in _staff_urls(app):
        for method in methods:
            response = browser.request(method, url, data={"csrf_token": browser.token})
            allowed = role == "admin" or (role == "investigator" and endpoint in STAFF)
            if role is None:
                assert response.status_code == 302, (endpoint, method)
                assert "/staff/login" in response.headers["Location"]
            elif not allowed:
                assert response.status_code == 403, (endpoint, method)
            else:  # let in (a made-up job id is then simply not found)
                assert response.status_code in (200, 302, 400, 404), (endpoint, method)
                if endpoint != "auth.logout":  # which sends you to the login page, by design
                    assert "/staff/login" not in response.headers.get("Location", ""), endpoint
            checked += 1
            if endpoint == "auth.logout" and role:
                browser.post("/staff/login", {"email": f"{role}@example.org", "password": PASSWORD})
    assert checked >= 2


def test_login_shows_the_responses(admin, browser):
    from tests.survey_steps import complete_survey

    complete_survey(browser)
    html = admin.get("/staff/").get_data(as_text=True)
    assert "1 response" in html and "complete" in html


def test_staff_list_pages(admin, app, db, version):
    from survey.demo import generate_responses

    generate_responses(db.session, version, 120, seed=3)
    db.session.commit()
    first = admin.get("/staff/").get_data(as_text=True)
    assert "Page 1 of 3" in first and "120 responses" in first
    assert first.count("<tr>") == 51  # header + 50
    last = admin.get("/staff/?page=3").get_data(as_text=True)
    assert last.count("<tr>") == 21
    assert admin.get("/staff/?page=abc").status_code == 200


@pytest.mark.parametrize(
    "email, password",
    [
        ("admin@example.org", "wrong password here"),
        ("nobody@example.org", PASSWORD),
    ],
)
def test_unknown_email_and_wrong_password_look_the_same(app, db, make_browser, email, password):
    create_user(db.session, "admin@example.org", PASSWORD, "admin")
    db.session.commit()
    response = make_browser().post("/staff/login", {"email": email, "password": password})
    assert response.status_code == 401
    assert "That email and password do not match an active account." in response.get_data(
        as_text=True
    )
    db.session.rollback()
    assert (
        db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()))
        == "auth.login_failed"
    )


def test_deactivated_user_cannot_log_in(app, db, make_browser):
    user = create_user(db.session, "gone@example.org", PASSWORD, "investigator")
    user.active = False
    db.session.commit()
    response = make_browser().post(
        "/staff/login", {"email": "gone@example.org", "password": PASSWORD}
    )
    assert response.status_code == 401


def test_passwords_are_argon2id(db):
    user = create_user(db.session, "x@example.org", PASSWORD, "admin")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_production_hashes_at_argon2s_recommended_cost(tmp_path):
    """Only the testing environment lowers the cost; development and production use the
    library's recommended parameters (RFC 9106's low-memory choice)."""
    for environment in ("development", "production"):
        env = {"SURVEY_ENV": environment, "SECRET_KEY": "k", "DATABASE_URL": "sqlite://"}
        env |= {"FOLLOW_UP_KEY": Fernet.generate_key().decode(), "PUBLIC_URL": "https://a.org"}
        assert settings_from_env(env, str(tmp_path))["ARGON2_PARAMETERS"] == {}
    assert settings_from_env({"SURVEY_ENV": "testing"}, str(tmp_path))["ARGON2_PARAMETERS"]


def test_login_at_the_real_cost_upgrades_a_cheap_hash(make_instance):
    """Through the login form with production's parameters: the password checks, and a hash
    made more cheaply (as under testing) is replaced by one at the full cost."""
    real = make_instance(ARGON2_PARAMETERS={})
    recommended = RFC_9106_LOW_MEMORY
    with real.app_context():
        cheap = create_user(db.session, "a@example.org", PASSWORD, "admin")
        cheap.password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(
            PASSWORD
        )
        db.session.commit()
    browser = Browser(real.test_client())
    response = browser.post("/staff/login", {"email": "a@example.org", "password": PASSWORD})
    assert response.status_code == 302
    with real.app_context():
        stored = db.session.scalar(select(User.password_hash))
        real_cost = create_user(db.session, "b@example.org", PASSWORD, "admin").password_hash
        db.session.rollback()
    expected = (
        f"$argon2id$v=19$m={recommended.memory_cost},t={recommended.time_cost},"
        f"p={recommended.parallelism}$"
    )
    assert stored.startswith(expected) and real_cost.startswith(expected)


def test_logout_invalidates_the_session_server_side(investigator: Browser):
    cookie = investigator.client.get_cookie("session").value
    assert investigator.get("/staff/").status_code == 200
    investigator.post("/staff/logout", {"submit": "x"}, fetch=False)
    assert investigator.get("/staff/").status_code == 302
    investigator.client.set_cookie("session", cookie)  # replay the old cookie
    response = investigator.get("/staff/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_logout_needs_post(investigator: Browser):
    assert investigator.get("/staff/logout").status_code == 405
    assert investigator.get("/staff/").status_code == 200


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/staff/?page=2", "/staff/?page=2"),
        ("https://evil.example/", "/staff/"),
        ("//evil.example/x", "/staff/"),
        ("/\\evil.example", "/staff/"),
        ("javascript:alert(1)", "/staff/"),
    ],
)
def test_next_redirect_stays_on_the_site(app, db, make_browser, target, expected):
    create_user(db.session, "a@example.org", PASSWORD, "admin")
    db.session.commit()
    browser = make_browser()
    browser.get("/staff/login")
    from urllib.parse import quote

    response = browser.post(
        f"/staff/login?next={quote(target)}", {"email": "a@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == expected


def test_login_without_csrf_token_is_refused(app, db, make_browser):
    create_user(db.session, "a@example.org", PASSWORD, "admin")
    db.session.commit()
    browser = make_browser()
    response = browser.request(
        "POST", "/staff/login", data={"email": "a@example.org", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "This form had expired" in response.get_data(as_text=True)
