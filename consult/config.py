"""Configuration: every key with its default and why, then the loader that layers the sources."""

import os
from datetime import timedelta
from pathlib import Path

from flask import Flask

PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev", "development", "placeholder"}


class Defaults:
    """Every configuration key of consult. Override in instance/config.py or CONSULT_<KEY>."""

    #: Signs sessions, CSRF tokens and e-mailed links. Read from instance/secret_key when unset;
    #: the app refuses to start outside debug and testing without a real one.
    SECRET_KEY = ""
    #: SQLAlchemy URL. Empty means SQLite at instance/consult.db; DATABASE_URL overrides it.
    SQLALCHEMY_DATABASE_URI = ""
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    #: Name shown in the header, titles and e-mails.
    PLATFORM_NAME = "consult"
    #: Base URL used in e-mailed links when no request is around (CLI, jobs).
    SERVER_BASE_URL = "http://127.0.0.1:5000"
    #: Where people write to the publisher: accessibility problems (the accessibility statement)
    #: and personal-data requests (the privacy page).
    CONTACT_EMAIL = "accessibilite@consult.localhost"
    #: The body that publishes this instance, named in the legal notice and the privacy page.
    PUBLISHER_NAME = "consult"
    #: The publisher's postal address, one line; the legal notice says "not provided" when empty.
    PUBLISHER_ADDRESS = ""
    #: The person legally responsible for what is published ("directeur de la publication").
    PUBLICATION_DIRECTOR = ""
    #: Who hosts the servers, with their address, for the legal notice.
    HOSTING_PROVIDER = ""

    # Locales: French first, English second.
    LANGUAGES = ("fr", "en")
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"

    # Session cookie: HttpOnly and SameSite=Lax always; Secure outside debug (set in the loader).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = None
    SESSION_COOKIE_NAME = "consult_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = None
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    #: A signed-in session ends after this long; the server-side record is deleted with it.
    AUTH_SESSION_LIFETIME = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)

    #: Largest request body accepted (bytes). Larger ones get the 413 page.
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    #: Largest uploaded file accepted (kit resources, restitution attachments), in bytes; keep
    #: it below MAX_CONTENT_LENGTH so that the form comes back with a message, not the 413 page.
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = 6 * 3600

    # E-mail: "file" writes each message under instance/mail/ for a person to open; "smtp"
    # sends through the MAIL_SMTP_* settings; "memory" keeps them for tests.
    MAIL_BACKEND = "file"
    MAIL_DEFAULT_SENDER = "consult <ne-pas-repondre@consult.localhost>"
    MAIL_SMTP_HOST = "localhost"
    MAIL_SMTP_PORT = 25
    MAIL_SMTP_USERNAME = ""
    MAIL_SMTP_PASSWORD = ""
    MAIL_SMTP_STARTTLS = False
    MAIL_SMTP_SSL = False
    MAIL_SMTP_TIMEOUT = 10
    #: Send queued e-mails once the response has gone (same answer time whether or not a
    #: message is sent); False sends them before answering (tests).
    MAIL_SEND_AFTER_RESPONSE = True

    #: How long an e-mail verification link stays valid.
    EMAIL_VERIFICATION_MAX_AGE = timedelta(days=3)
    #: How long a password reset link stays valid.
    PASSWORD_RESET_MAX_AGE = timedelta(hours=1)
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_MAX_LENGTH = 1024

    # Rate limits (Flask-Limiter). In memory by default; Redis through RATELIMIT_STORAGE_URI.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute;50 per hour"
    RATELIMIT_SIGNUP = "5 per minute;30 per hour"
    RATELIMIT_RESET = "5 per minute;30 per hour"

    #: How long after posting its author may still edit a contribution.
    DISCUSSION_EDIT_WINDOW = timedelta(minutes=30)
    #: Contributions per page of a thread (top-level ones; replies come with their parent).
    DISCUSSION_PAGE_SIZE = 20
    #: Words that send a contribution to pre-moderation whatever the plan's mode (whole words,
    #: case and accents ignored). Set in instance/config.py as a list.
    MODERATION_WATCHLIST: tuple[str, ...] = ()
    #: A moderator's claim on an item lapses after this long.
    MODERATION_CLAIM_DURATION = timedelta(minutes=30)
    RATELIMIT_CONTRIBUTE = "5 per minute;60 per hour"
    RATELIMIT_REPORT = "10 per minute;100 per day"

    #: Loads the demo data (the real action plans) when `make run` finds an empty database.
    DEMO_DATA = True


def load(app: Flask, overrides: dict | None) -> None:
    """Layer the sources: Defaults, instance/config.py, CONSULT_* variables, then overrides."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("CONSULT")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = os.environ["RATELIMIT_STORAGE_URI"]
    if overrides:
        app.config.update(overrides)
    if os.environ.get("CONSULT_DEBUG") and "DEBUG" not in (overrides or {}):
        app.config["DEBUG"] = True

    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        database = Path(app.instance_path) / "consult.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgres://"):  # the scheme Heroku-style URLs use; SQLAlchemy wants this
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = url

    if not app.config["SECRET_KEY"]:
        key_file = Path(app.instance_path) / "secret_key"
        if key_file.exists():
            app.config["SECRET_KEY"] = key_file.read_text().strip()
    relaxed = app.config.get("DEBUG") or app.config.get("TESTING")
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config[key] is None:
            app.config[key] = not relaxed and app.config["SERVER_BASE_URL"].startswith("https")
    if not relaxed:
        check_secret_key(app.config["SECRET_KEY"])


def check_secret_key(key: str) -> None:
    """Refuse to start with a missing, short or placeholder secret: sessions could be forged."""
    if key.strip().lower() in PLACEHOLDER_SECRETS or len(key) < 32:
        raise RuntimeError(
            "SECRET_KEY is missing or a placeholder. Run `make instance` to create "
            "instance/secret_key, or set CONSULT_SECRET_KEY to a long random value."
        )
