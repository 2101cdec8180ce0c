"""Fixtures of the discussion tests: a commitment with its carrying ministry, and its host."""

import pytest

from tests.core.conftest import make_app  # noqa: F401 - the fixture, for apps with CSRF or limits
from tests.factories import make_commitment, make_host, make_institution


@pytest.fixture
def ministry(db):
    return make_institution(name="Ministère de la Transparence")


@pytest.fixture
def commitment(db, ministry):
    return make_commitment(institutions=[ministry])


@pytest.fixture
def host(app, db, commitment):
    """The commitment as a discussion host; the test runs inside a request context, which
    the services need to build links (reply e-mails)."""
    with app.test_request_context():
        yield make_host(commitment)


@pytest.fixture
def page_url(commitment):
    return f"/plans/{commitment.plan.slug}/engagements/{commitment.number}"
