"""Settings from environment variables, per environment (development, testing, production)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

LANGUAGES = ("en", "fr")


class ConfigError(RuntimeError):
    """The app cannot start with these settings."""


def _secret_key_file(instance_path: str) -> Path:
    return Path(instance_path) / "secret_key"


def _follow_up_key_file(instance_path: str) -> Path:
    return Path(instance_path) / "follow_up_key"


def read_or_create_follow_up_key(instance_path: str) -> str:
    """Used by `flask setup` only, like the secret key: development keeps one Fernet key for the
    follow-up's email addresses (a new key would leave the stored ones unreadable)."""
    path = _follow_up_key_file(instance_path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return path.read_text().strip()


def _follow_up_key(env: Mapping[str, str], environment: str, instance_path: str) -> str | None:
    """FOLLOW_UP_KEY: the Fernet key that encrypts contact addresses. Tests make one; development
    reads the instance folder's (made by `flask setup`), and without it offers no follow-up."""
    key = env.get("FOLLOW_UP_KEY")
    if not key and environment == "testing":
        key = Fernet.generate_key().decode()
    if not key and environment == "development":
        key_file = _follow_up_key_file(instance_path)
        key = key_file.read_text().strip() if key_file.exists() else None
    if key:
        try:
            Fernet(key.encode())
        except ValueError as error:
            raise ConfigError(
                "FOLLOW_UP_KEY must be a Fernet key: 32 bytes in URL-safe base64 (make one with "
                "python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            ) from error
    return key or None


def read_or_create_secret_key(instance_path: str) -> str:
    """Used by `flask setup` only: development keeps one key across restarts and workers."""
    path = _secret_key_file(instance_path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def settings_from_env(env: Mapping[str, str], instance_path: str) -> dict[str, Any]:
    """The app's configuration for `SURVEY_ENV` (development by default)."""
    environment = env.get("SURVEY_ENV", "development")
    if environment not in ("development", "testing", "production"):
        raise ConfigError(
            f"SURVEY_ENV must be development, testing or production, not {environment!r}"
        )
    production = environment == "production"

    secret_key = env.get("SECRET_KEY")
    database_url = env.get("DATABASE_URL")
    if production:
        missing = [
            name
            for name, value in (
                ("SECRET_KEY", secret_key),
                ("DATABASE_URL", database_url),
                # The follow-up's contact addresses are never stored unencrypted.
                ("FOLLOW_UP_KEY", env.get("FOLLOW_UP_KEY")),
                # The follow-up's emails carry links to the site, built by the queue's consumer.
                ("PUBLIC_URL", env.get("PUBLIC_URL")),
            )
            if not value
        ]
        if missing:
            raise ConfigError(f"production needs {' and '.join(missing)} in the environment")
        if not env["PUBLIC_URL"].startswith("https://"):
            raise ConfigError("PUBLIC_URL must start with https:// in production")
    if not secret_key:
        key_file = _secret_key_file(instance_path)
        # Without a key file (before `flask setup`), a throwaway key: sessions end on restart.
        secret_key = key_file.read_text().strip() if key_file.exists() else secrets.token_hex(32)

    mail_security = env.get("MAIL_SECURITY", "starttls")
    if mail_security not in ("starttls", "tls", "none"):
        raise ConfigError(f"MAIL_SECURITY must be starttls, tls or none, not {mail_security!r}")

    return {
        "ENV_NAME": environment,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url or "sqlite:///survey.sqlite3",
        "SQLITE_BUSY_TIMEOUT_MS": int(env.get("SQLITE_BUSY_TIMEOUT_MS", "30000")),
        "QUESTIONNAIRE_SLUG": env.get("QUESTIONNAIRE_SLUG", "milk"),
        # The follow-up wave's questionnaire (survey/follow_up), a second questionnaire.
        "FOLLOW_UP_SLUG": env.get("FOLLOW_UP_SLUG", "milk-follow-up"),
        "FOLLOW_UP_KEY": _follow_up_key(env, environment, instance_path),
        "FOLLOW_UP_SENDS_PER_MINUTE": int(env.get("FOLLOW_UP_SENDS_PER_MINUTE", "30")),
        # The address the follow-up's links start with, where no request gives one (the queue's
        # consumer); https in production (the List-Unsubscribe link must be).
        "PUBLIC_URL": (env.get("PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "LANGUAGES": LANGUAGES,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": "translations",
        # A page left open for a long feed is normal; an expired token still loses nothing.
        "WTF_CSRF_TIME_LIMIT": int(env.get("CSRF_TIME_LIMIT_SECONDS", str(6 * 3600))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
        # The cookie is signed and sent again only when the session changes, not on every page
        # (a participant's 30 days count from their last change; staff sessions change on every
        # request for the idle timeout, so theirs are always fresh).
        "SESSION_REFRESH_EACH_REQUEST": False,
        # argon2id: the library's recommended cost, except under testing, where hundreds of
        # staff logins would otherwise take minutes (tests/test_auth.py checks the real cost).
        "ARGON2_PARAMETERS": (
            {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
            if environment == "testing"
            else {}
        ),
        # The task queue (survey/queue.py): Redis when given, else SQLite in the instance
        # folder; tests run each task at once unless they start a consumer.
        "REDIS_URL": env.get("REDIS_URL") or None,
        "QUEUE_SQLITE_PATH": env.get("QUEUE_SQLITE_PATH") or None,
        "QUEUE_NAME": env.get("QUEUE_NAME", "milk-survey"),
        "QUEUE_IMMEDIATE": environment == "testing",
        "EXPORT_JOBS_PER_USER": int(env.get("EXPORT_JOBS_PER_USER", "3")),
        "STAFF_PAGE_SIZE": 50,
        "STAFF_IDLE_SECONDS": int(env.get("STAFF_IDLE_MINUTES", "30")) * 60,
        # Behind N reverse proxies, trust N hops of X-Forwarded-For/-Proto/-Host (0: none).
        "PROXY_HOPS": int(env.get("PROXY_HOPS", "0")),
        # Email (survey/mail.py): an SMTP server when MAIL_SERVER is set, else .eml files in
        # MAIL_OUTBOX (the instance folder's outbox/ by default).
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT", "465" if mail_security == "tls" else "587")),
        "MAIL_SECURITY": mail_security,
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_SENDER": env.get("MAIL_SENDER", "milk-survey@localhost"),
        "MAIL_OUTBOX": env.get("MAIL_OUTBOX") or None,
        "TESTING": environment == "testing",
    }
