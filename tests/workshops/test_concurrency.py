"""Seats are exact under concurrency: several processes, many more attempts than seats."""

import multiprocessing
import os
import secrets
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.workshops.concurrent_registrations import make_app, register_all

SEATS = 30
PROCESSES = 4
PEOPLE_PER_PROCESS = 20  # 80 attempts for 30 seats
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


@contextmanager
def sqlite_database(tmp_path):
    yield f"sqlite:///{tmp_path / 'concurrency.db'}", {}


@contextmanager
def postgresql_schema():
    schema = f"concurrency_{secrets.token_hex(4)}"
    url = TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, {"connect_args": {"options": f"-c search_path={schema}"}}
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def prepare(database_url, engine_options):
    """A migrated database with one published workshop of SEATS seats and its would-be guests."""
    from flask_migrate import upgrade

    from consult.accounts.models import User
    from consult.accounts.system import SystemActor
    from consult.core.db import db, utcnow
    from consult.workshops import services
    from tests.factories import make_institution

    app = make_app(database_url, engine_options)
    with app.test_request_context():
        upgrade()
        start = utcnow() + timedelta(days=5)
        event = services.create_event(
            SystemActor(), institution=make_institution(), title="Forum ouvert",
            starts_at=start, ends_at=start + timedelta(hours=3), venue="Paris",
        )  # fmt: skip
        item = services.add_item(SystemActor(), event, title="Atelier", capacity=SEATS)
        services.publish_event(SystemActor(), event)
        users = [
            User(email=f"p{n}@exemple.fr", display_name=f"P {n}", password_hash="x",
                 email_verified_at=utcnow())
            for n in range(PROCESSES * PEOPLE_PER_PROCESS)
        ]  # fmt: skip
        db.session.add_all(users)
        db.session.commit()
        ids = [u.id for u in users]
        item_id = item.id
        db.engine.dispose()
    return app, item_id, ids


def run_workers(database_url, engine_options, item_id, ids):
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    chunks = [ids[n::PROCESSES] for n in range(PROCESSES)]
    workers = [
        context.Process(
            target=register_all,
            args=(database_url, engine_options, item_id, chunk, barrier, results),
        )
        for chunk in chunks
    ]
    for worker in workers:
        worker.start()
    outcomes = [status for _ in workers for status in results.get(timeout=240)]
    for worker in workers:
        worker.join(timeout=30)
    return outcomes


def check(app, item_id, outcomes):
    from consult.core.db import db
    from consult.workshops.models import ProgrammeItem, Registration

    assert outcomes.count("confirmed") == SEATS
    assert outcomes.count("waitlisted") == len(outcomes) - SEATS
    with app.app_context():
        item = db.session.get(ProgrammeItem, item_id)
        rows = db.session.scalars(
            sa.select(Registration).where(Registration.item_id == item_id).order_by(Registration.id)
        ).all()
        confirmed = [r for r in rows if r.status == "confirmed"]
        waiting = [r for r in rows if r.status == "waitlisted"]
        assert item.seats_taken == len(confirmed) == SEATS
        assert item.waitlist_count == len(waiting) == len(rows) - SEATS
        # Everyone waiting registered after every seat was given (order kept).
        assert max(r.id for r in confirmed) < min(r.id for r in waiting)
        db.engine.dispose()


ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="TEST_DATABASE_URL is not set"))]  # fmt: skip


@pytest.mark.parametrize("engine", ENGINES)
def test_concurrent_registrations_give_exactly_the_seats(engine, tmp_path):
    database = sqlite_database(tmp_path) if engine == "sqlite" else postgresql_schema()
    with database as (url, options):
        app, item_id, ids = prepare(url, options)
        outcomes = run_workers(url, options, item_id, ids)
        check(app, item_id, outcomes)
