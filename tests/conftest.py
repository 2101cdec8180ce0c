"""Test fixtures: one migrated database per run, a savepoint per test, both engines.

SQLite by default; PostgreSQL when TEST_DATABASE_URL is set (its public schema is emptied and
migrated once per run).
"""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session

from consult import create_app
from consult.core import mail
from consult.core.db import db as _db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def _test_config(instance: Path) -> dict:
    database = TEST_DATABASE_URL or f"sqlite:///{instance / 'test.db'}"
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-the-check",
        "SQLALCHEMY_DATABASE_URI": database,
        "SERVER_BASE_URL": "http://localhost",
        "MAIL_BACKEND": "memory",
        "MAIL_SEND_AFTER_RESPONSE": False,
        "RATELIMIT_ENABLED": False,
        # Forms are posted without their token here; tests/core checks CSRF on its own app.
        "WTF_CSRF_ENABLED": False,
        "DEMO_DATA": False,
    }


def _reset_database(app) -> None:
    """Start from an empty schema, then apply every migration."""
    from flask_migrate import upgrade

    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                connection.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def instance_dir():
    with tempfile.TemporaryDirectory(prefix="consult-test-") as folder:
        os.environ["CONSULT_INSTANCE_PATH"] = folder
        yield Path(folder)


@pytest.fixture(scope="session")
def app(instance_dir):
    application = create_app(_test_config(instance_dir))
    application.test_client_class = FreshContextClient
    _reset_database(application)
    return application


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production, even inside a test's context."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


class ConnectionBoundSession(Session):
    """Flask-SQLAlchemy picks an engine per table; the tests pin every query to one connection."""

    def get_bind(self, *args, **kwargs):
        return self.bind if self.bind is not None else super().get_bind(*args, **kwargs)


@contextmanager
def rolled_back_database(app):
    """The database inside a transaction rolled back at the end; commits become savepoints."""
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        original = _db.session
        _db.session = _db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": ConnectionBoundSession,
            }
        )
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            if transaction.is_active:
                transaction.rollback()
            connection.close()


@pytest.fixture
def db(app):
    """The database inside a transaction rolled back after the test."""
    with rolled_back_database(app) as database:
        yield database


@pytest.fixture(scope="module")
def demo_db(app):
    """The real demo data, loaded once for a whole module and rolled back after it."""
    from consult.demo import load_demo_data

    with rolled_back_database(app) as database:
        load_demo_data(only_if_empty=False)
        database.session.flush()
        yield database


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    """The e-mails delivered during the test, in order."""
    sent = mail.sent_messages(app)
    sent.clear()
    yield sent
    sent.clear()


@pytest.fixture
def make_user(db):
    from tests.factories import make_user as factory

    return factory


@pytest.fixture
def login_as(client):
    """Log `user` in through the real form; returns the client."""

    def log_in(user, password=None):
        from tests.factories import DEFAULT_PASSWORD

        response = client.post(
            "/connexion",
            data={"email": user.email, "password": password or DEFAULT_PASSWORD},
        )
        assert response.status_code == 302, response.data[:500]
        return client

    return log_in


@pytest.fixture
def count_statements(app):
    """Count the SQL statements run inside the `with` block: `with count_statements() as n:`."""
    from sqlalchemy import event

    @contextmanager
    def counting():
        counter = {"n": 0}

        def before(connection, cursor, statement, *args):
            # Transaction control (BEGIN, SAVEPOINT…) is not a query a page makes.
            if (
                not statement.lstrip()
                .upper()
                .startswith(("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK"))
            ):
                counter["n"] += 1

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting
