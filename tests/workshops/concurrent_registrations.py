"""Worker processes for the concurrency test: each registers its people as fast as it can."""

from consult import create_app


def make_app(database_url: str, engine_options: dict):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-the-check",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
            "MAIL_BACKEND": "memory",
            "RATELIMIT_ENABLED": False,
            "SERVER_BASE_URL": "http://localhost",
        }
    )


def register_all(database_url, engine_options, item_id, user_ids, barrier, results):
    from sqlalchemy.exc import OperationalError

    from consult.accounts.models import User
    from consult.core import mail
    from consult.core.db import db
    from consult.core.errors import DomainError
    from consult.workshops import services
    from consult.workshops.models import ProgrammeItem

    app = make_app(database_url, engine_options)
    outcomes = []
    with app.test_request_context(method="POST"):  # as the registration form does
        barrier.wait(timeout=60)
        for user_id in user_ids:
            for _attempt in range(5):  # a busy database is retried, as a browser would
                try:
                    user = db.session.get(User, user_id)
                    item = db.session.get(ProgrammeItem, item_id)
                    registration = services.register_for_workshop(
                        user, item, affiliation="civil_society"
                    )
                    db.session.commit()
                    outcomes.append(registration.status)
                    break
                except DomainError:
                    db.session.rollback()
                    outcomes.append("refused")
                    break
                except OperationalError:
                    db.session.rollback()
                finally:
                    mail.discard_outbox()
    results.put(outcomes)
