"""Fresh applications for the tests that need a setting the shared test app does not have."""

import pytest

from consult import create_app
from consult.core.db import db
from consult.extensions import limiter
from tests.conftest import FreshContextClient, _test_config


@pytest.fixture
def make_app(app, instance_dir):
    """Build an app on the same migrated database, with `overrides` on the test configuration.

    Flask-Limiter keeps its switch and storage on the one `limiter` object, so binding it to an
    app with limits on would turn them on for the shared app too: they are put back after.
    """
    saved = {name: getattr(limiter, name) for name in ("enabled", "_storage", "_limiter")}
    built = []

    def build(**overrides):
        fresh = create_app({**_test_config(instance_dir), **overrides})
        fresh.test_client_class = FreshContextClient
        built.append(fresh)
        return fresh

    yield build
    for name, value in saved.items():
        setattr(limiter, name, value)
    for fresh in built:
        with fresh.app_context():
            db.engine.dispose()
