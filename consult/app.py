"""The application factory: paths, configuration, extensions, blueprints, error pages."""

import os
from pathlib import Path

from flask import Flask

from consult import config

REPOSITORY = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    from consult.core.instance_setup import instance_path

    app = Flask(
        __name__,
        instance_path=str(instance_path()),
        instance_relative_config=True,
        template_folder=str(REPOSITORY / "templates"),
        static_folder="static",
    )
    os.makedirs(app.instance_path, exist_ok=True)
    config.load(app, overrides)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(REPOSITORY / "translations")

    _import_models()
    _init_extensions(app)
    _register_blueprints(app)

    from consult.core.errors import register_error_handlers
    from consult.core.security import register_security_headers
    from consult.core.templating import register_templating

    register_error_handlers(app)
    register_security_headers(app)
    register_templating(app)

    from consult.cli import register_commands

    register_commands(app)
    _register_discussion_hosts(app)
    return app


def _register_discussion_hosts(app: Flask) -> None:
    """The one list of what discussions can be about."""
    from consult.plans import hosts as plan_hosts
    from consult.plans.views import register_related_content
    from consult.workshops import hosts as workshop_hosts
    from consult.workshops.restitution_views import commitment_restitutions

    plan_hosts.register(app)
    workshop_hosts.register(app)
    # What a commitment's page lists under "related contributions".
    register_related_content(app, commitment_restitutions)


def _init_extensions(app: Flask) -> None:
    from consult.accounts import sessions
    from consult.core.i18n import select_locale, select_timezone
    from consult.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(REPOSITORY / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    csrf.init_app(app)
    limiter.init_app(app)
    sessions.init_login_manager(app, login_manager)


def _import_models() -> None:
    """Every module that defines tables, so the metadata (and Alembic) sees all of them."""
    import consult.accounts.models
    import consult.core.audit
    import consult.discussions.models
    import consult.moderation.models
    import consult.plans.models
    import consult.workshops.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    """The one list of blueprints, in the order their URLs are matched."""
    from consult.accounts.views import bp as accounts
    from consult.admin.views import bp as admin
    from consult.archive.views import bp as archive
    from consult.discussions.views import bp as discussions
    from consult.moderation.views import bp as moderation
    from consult.pages.views import bp as pages
    from consult.petitions.views import bp as petitions
    from consult.plans import manage_views  # noqa: F401 - organiser routes on the plans blueprint
    from consult.plans.views import bp as plans
    from consult.workshops import kit_views, restitution_views  # noqa: F401 - routes on workshops
    from consult.workshops import manage_views as workshop_manage  # noqa: F401 - organiser routes
    from consult.workshops.views import bp as workshops

    for blueprint in (
        pages, accounts, plans, discussions, moderation, workshops, petitions, archive, admin
    ):
        app.register_blueprint(blueprint)
