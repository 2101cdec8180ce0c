"""Database kernel: the base model, constraint names, engine pragmas and the unit of work."""

import functools
from collections.abc import Callable
from datetime import UTC, datetime

from flask import abort, g, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """WAL, foreign keys and a busy timeout; leave transactions to SQLAlchemy (pysqlite recipe)."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@event.listens_for(Engine, "begin")
def _begin(connection):
    """On SQLite, writers take the write lock at BEGIN so a read-then-write never fails half-way;
    page views (GET) begin deferred so that readers never wait for each other."""
    if connection.dialect.name != "sqlite":
        return
    reading = (
        has_request_context()
        and request.method in READ_ONLY_METHODS
        and not g.get("consult_writes", False)
    )
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def will_write() -> None:
    """Say, before the first query, that this request writes even though it is a GET (a link
    from an e-mail, the language switcher): on SQLite it then takes the write lock at BEGIN,
    as a deferred transaction cannot always upgrade to writing when others write."""
    g.consult_writes = True


def get_or_404(model, ident):
    """The row of `model` with primary key `ident`, or the 404 page."""
    instance = db.session.get(model, ident)
    if instance is None:
        abort(404)
    return instance


def unit_of_work(view: Callable) -> Callable:
    """Commit once when the view answers below 400, roll back otherwise, then send queued mail."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        from flask import make_response

        from consult.core import mail

        will_write()
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            db.session.rollback()
            mail.discard_outbox()
            raise
        if response.status_code < 400:
            db.session.commit()
            mail.flush_outbox_after(response)
        else:
            db.session.rollback()
            mail.discard_outbox()
        return response

    return wrapper
