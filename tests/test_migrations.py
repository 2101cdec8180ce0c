"""The migrations build the schema the models describe, from an empty database, on both engines.

Each test migrates a database of its own (a temporary SQLite file, or a throwaway schema on the
PostgreSQL server of TEST_DATABASE_URL), never the shared test database of conftest.py.
"""

import os
import secrets
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from flask import current_app

from consult import create_app
from consult.core.db import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def _alembic_config():
    """Flask-Migrate's Alembic configuration, without its logging set-up (pytest keeps logs)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    config.attributes["skip_logging_config"] = True
    return config


def _app(database_url: str, engine_options: dict | None = None):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-the-check",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options or {},
            "MAIL_BACKEND": "memory",
            "RATELIMIT_ENABLED": False,
            "DEMO_DATA": False,
        }
    )


@contextmanager
def _sqlite_database(folder):
    yield _app(f"sqlite:///{folder / 'migrations.db'}")


@contextmanager
def _postgresql_schema():
    """A schema of its own on the test server, first on the search path, dropped afterwards."""
    schema = f"migrations_{secrets.token_hex(4)}"
    admin = sa.create_engine(_psycopg_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _app(
            TEST_DATABASE_URL,
            {"connect_args": {"options": f"-c search_path={schema}"}},
        )
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _psycopg_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


ENGINES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(not TEST_DATABASE_URL, reason="TEST_DATABASE_URL is not set"),
    ),
]


@pytest.fixture(params=ENGINES)
def empty_database(request, tmp_path, monkeypatch):
    """An app bound to an empty database of its own, inside its app context."""
    monkeypatch.setenv("CONSULT_INSTANCE_PATH", str(tmp_path / "instance"))
    factory = _sqlite_database(tmp_path) if request.param == "sqlite" else _postgresql_schema()
    with factory as app, app.app_context():
        assert _table_names() == set(), "the database given to the test is not empty"
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def _table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def _head() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _current_revision() -> str | None:
    with db.engine.connect() as connection:
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def test_upgrade_from_empty_reaches_head_with_no_drift(empty_database):
    config = _alembic_config()
    command.upgrade(config, "head")

    assert _current_revision() == _head()
    model_tables = set(db.metadata.tables)
    assert model_tables, "no model is registered: the check below would prove nothing"
    assert _table_names() == model_tables | {"alembic_version"}
    # `alembic check`: autogenerate against the migrated database finds nothing to add.
    command.check(config)


def test_downgrade_to_base_then_upgrade_again(empty_database):
    config = _alembic_config()
    command.upgrade(config, "head")

    command.downgrade(config, "base")
    assert _table_names() <= {"alembic_version"}
    assert _current_revision() is None

    command.upgrade(config, "head")
    assert _current_revision() == _head()
    command.check(config)


def test_every_revision_has_a_single_parent_chain(tmp_path, monkeypatch):
    """One head and one base: two people's revisions on the same parent must be merged."""
    monkeypatch.setenv("CONSULT_INSTANCE_PATH", str(tmp_path / "instance"))
    app = _app(f"sqlite:///{tmp_path / 'unused.db'}")
    with app.app_context():
        script = ScriptDirectory.from_config(_alembic_config())
        assert len(script.get_heads()) == 1, script.get_heads()
        assert len(script.get_bases()) == 1, script.get_bases()
