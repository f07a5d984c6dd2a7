"""The application factory: reads config, binds extensions, registers blueprints and commands."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, abort, current_app, redirect, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from survey import errors
from survey.admin import views as admin
from survey.auth import views as auth
from survey.auth.services import init_login
from survey.cli import register_commands
from survey.config import settings_from_env
from survey.dashboard import views as dashboard
from survey.database import begins_by_reading, configure_sqlite, write_intent
from survey.editor import views as editor
from survey.extensions import babel, csrf, db, login_manager
from survey.follow_up import admin_views as follow_up_admin
from survey.follow_up import views as follow_up
from survey.i18n import current_language, explained, select_locale
from survey.participate import views as participate
from survey.queue import init_queue
from survey.schema_migrations import migration_commands
from survey.staff import views as staff
from survey.static_files import init_static_files
from survey.toolkit import views as toolkit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(settings_from_env(os.environ, app.instance_path))
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    if config:
        app.config.from_mapping(config)
    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        # Flask's documented way to add WSGI middleware, though wsgi_app is typed as a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    db.init_app(app)
    # First of all hooks: a request that will write must say so before anything (such as
    # loading the logged-in user) opens its transaction, or SQLite opens a read transaction
    # that cannot be upgraded once another connection has written.
    app.before_request(_declare_write_intent)
    app.cli.add_command(migration_commands)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    init_login(login_manager, app)
    init_queue(app)
    with app.app_context():
        configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    app.before_request(_refuse_json_bodies)
    if not app.config["PROXY_HOPS"]:
        app.before_request(_warn_of_an_untrusted_proxy)
    app.after_request(_security_headers)
    app.after_request(_private_pages_not_stored)
    init_static_files(app)

    for feature in (
        toolkit,
        participate,
        auth,
        staff,
        dashboard,
        admin,
        editor,
        follow_up,
        follow_up_admin,
    ):
        app.register_blueprint(feature.bp)
    csrf.exempt(participate.bp)  # its forms check CSRF themselves so an expired token keeps answers
    errors.register(app)
    register_commands(app)
    app.add_url_rule("/", "home", lambda: redirect(url_for("participate.start")))
    # Browsers ask for /favicon.ico on every first visit whatever the page says.
    app.add_url_rule(
        "/favicon.ico",
        "favicon",
        lambda: app.send_static_file("favicon.ico"),
    )
    app.context_processor(lambda: {"current_language": current_language()})
    app.add_template_filter(explained)
    return app


def _declare_write_intent() -> None:
    writes = request.method not in SAFE_METHODS
    if writes:
        # The whole form first: a client sending it slowly (or never) must wait here, before
        # its transaction takes SQLite's write lock, not while holding it.
        request.form  # noqa: B018
    view = current_app.view_functions.get(request.endpoint or "")
    write_intent.set(writes and not begins_by_reading(view))


_proxy_warned: list[bool] = []


def _warn_of_an_untrusted_proxy() -> None:
    """Requests forwarded by a proxy that PROXY_HOPS does not trust all seem to come from the
    proxy's address, and so share one login and code-guessing limit: say so, once per process."""
    if not _proxy_warned and "X-Forwarded-For" in request.headers:
        _proxy_warned.append(True)
        current_app.logger.warning(
            "requests arrive through a proxy (X-Forwarded-For) but PROXY_HOPS is 0: every "
            "participant and staff member seems to come from the proxy's address; set "
            "PROXY_HOPS to the number of proxies in front of the app (docs/deploy.md)"
        )


def _refuse_json_bodies() -> None:
    """Every form here is posted as a form. Flask-WTF would read a JSON body as the form's
    data (and a JSON list or number breaks it), so a JSON body is refused."""
    if request.method not in SAFE_METHODS and request.is_json:
        abort(400)


# Staff pages show responses and accounts; participant pages show answers, the resume code and a
# CSRF token: none may stay in a shared browser's cache or back-button history. The public
# toolkit (/toolkit/) and static files stay cacheable.
PRIVATE_PREFIXES = ("/staff", "/survey", "/follow-up")


def _private_pages_not_stored(response):
    path = request.path
    if any(path == prefix or path.startswith(prefix + "/") for prefix in PRIVATE_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
    return response


def _security_headers(response):
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if current_app.config["ENV_NAME"] == "production":
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response
