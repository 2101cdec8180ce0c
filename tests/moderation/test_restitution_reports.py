"""Reporting a workshop restitution: the contributions' report form, for restitutions."""

import pytest
from sqlalchemy import func, select

from consult.accounts.system import SystemActor
from consult.moderation import services as moderation
from consult.moderation.models import Report
from consult.workshops import restitutions
from consult.workshops import services as events
from tests.factories import make_commitment, make_event, make_institution

BODY = "Les participants demandent un registre public des algorithmes."


@pytest.fixture
def ministry(db):
    return make_institution()


@pytest.fixture
def restitution(app, db, ministry, make_user):
    """A pending restitution of a workshop of an event that took place two days ago."""
    with app.test_request_context():
        commitment = make_commitment(institutions=[ministry])
        event = make_event(institution=ministry, starts_in_days=-2)
        events.update_event(SystemActor(), event, commitments=[commitment])
        organiser = make_user(role="organiser", institutions=[ministry])
        return restitutions.save_restitution(
            organiser, event.items[0], body=BODY, commitment_ids=[commitment.id]
        )


@pytest.fixture
def published(app, db, restitution, make_user):
    with app.test_request_context():
        moderation.decide(
            make_user(role="moderator"), "restitution", restitution.id, "approve", "compliant"
        )
    db.session.commit()
    return restitution


def report_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Report))


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_a_reader_reports_a_published_restitution_once(db, client, login_as, make_user, published):
    page_url = f"/ateliers/restitutions/{published.id}"
    url = f"{page_url}/signaler"
    assert url not in text_of(client.get(page_url)), "no link for anonymous visitors"
    login_as(make_user(locale="en"))
    assert f'href="{url}"' in text_of(client.get(page_url))

    form = client.get(url)
    assert form.status_code == 200
    assert "Report a restitution" in text_of(form) and "registre public" in text_of(form)
    assert 'type="radio"' in text_of(form)

    sent = client.post(url, data={"reason": "spam"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(page_url)
    assert "Thank you: your report is sent to the moderators." in text_of(client.get(page_url))
    again = client.post(url, data={"reason": "abuse", "detail": "Encore"})
    assert again.status_code == 422
    assert "You have already reported this contribution." in text_of(again)
    assert "Encore" in text_of(again), "what was typed comes back"

    report = db.session.scalar(select(Report))
    assert (report.content_kind, report.content_id, report.reason) == (
        "restitution",
        published.id,
        "spam",
    )
    assert report_count(db) == 1
    db.session.refresh(published)
    assert published.open_report_count == 1


def test_a_report_for_another_reason_needs_a_detail(db, client, login_as, make_user, published):
    login_as(make_user(locale="en"))
    url = f"/ateliers/restitutions/{published.id}/signaler"
    response = client.post(url, data={"reason": "other", "detail": ""})
    assert response.status_code == 422 and "Say what the problem is." in text_of(response)
    assert report_count(db) == 0


def test_anonymous_visitors_are_sent_to_log_in(db, client, published):
    url = f"/ateliers/restitutions/{published.id}/signaler"
    for response in (client.get(url), client.post(url, data={"reason": "spam"})):
        assert response.status_code == 302
        assert "/connexion" in response.headers["Location"]
    assert report_count(db) == 0


def test_pending_hidden_or_unknown_restitutions_cannot_be_reported(
    app, db, client, login_as, make_user, restitution
):
    db.session.commit()
    organiser = restitution.author
    # Even its organisers, who may read it while it waits, cannot report it.
    for reader in (make_user(), organiser):
        login_as(reader)
        url = f"/ateliers/restitutions/{restitution.id}/signaler"
        assert client.get(url).status_code == 404
        assert client.post(url, data={"reason": "spam"}).status_code == 404
        client.post("/deconnexion")
    with app.test_request_context():
        moderator = make_user(role="moderator")
        moderation.decide(moderator, "restitution", restitution.id, "approve", "compliant")
        moderation.decide(moderator, "restitution", restitution.id, "hide", "abuse")
    db.session.commit()
    assert restitution.status == "hidden"
    login_as(make_user())
    url = f"/ateliers/restitutions/{restitution.id}/signaler"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"reason": "spam"}).status_code == 404
    assert client.get("/ateliers/restitutions/999999/signaler").status_code == 404
    assert report_count(db) == 0
