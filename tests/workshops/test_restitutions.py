"""Restitutions: written by the event's organisers after it, moderated, then shown on the event,
on their own page with a discussion, and on each commitment they concern."""

import pytest
from flask import render_template
from sqlalchemy import select

from consult.accounts.system import SystemActor
from consult.core.audit import AuditEntry
from consult.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from consult.discussions import services as discussions
from consult.discussions.targets import load_host
from consult.moderation import queries as moderation_queries
from consult.moderation import services as moderation
from consult.workshops import restitutions
from consult.workshops import services as events
from consult.workshops.models import ItemKind
from tests.factories import make_commitment, make_event, make_institution

BODY = "Les participants proposent de **publier** les données des marchés publics."


@pytest.fixture(autouse=True)
def english_interface(app, monkeypatch):
    """These tests read the messages in English, whatever the default language."""
    monkeypatch.setattr(app.extensions["babel"], "locale_selector", lambda: "en")


@pytest.fixture
def ctx(app, db):
    with app.test_request_context():
        yield


@pytest.fixture
def ministry(db):
    return make_institution()


@pytest.fixture
def commitments(app, db, ministry):
    with app.test_request_context():
        return [make_commitment(institutions=[ministry]) for _ in range(2)]


@pytest.fixture
def past_event(app, db, ministry, commitments):
    """An event of `ministry` that took place two days ago, about both commitments."""
    with app.test_request_context():
        event = make_event(institution=ministry, starts_in_days=-2, workshops=2)
        events.update_event(SystemActor(), event, commitments=commitments)
        return event


@pytest.fixture
def organiser(make_user, ministry):
    return make_user(role="organiser", institutions=[ministry])


@pytest.fixture
def moderator(make_user):
    return make_user(role="moderator")


def write(organiser, event, *, item=0, **fields):
    fields.setdefault("body", BODY)
    return restitutions.save_restitution(organiser, event.items[item], **fields)


def approve(moderator, restitution):
    return moderation.decide(moderator, "restitution", restitution.id, "approve", "compliant")


# Services ----------------------------------------------------------------------------------------


def test_a_restitution_waits_for_moderation_then_is_published(
    ctx, db, past_event, organiser, moderator, commitments
):
    restitution = write(
        organiser, past_event, participant_count=14, commitment_ids=[commitments[1].id]
    )
    assert restitution.status == "pending" and restitution.published_at is None
    assert restitutions.list_published_restitutions(past_event) == []
    assert restitutions.list_published_for_commitment(commitments[1].id) == []

    approve(moderator, restitution)

    assert restitution.status == "published" and restitution.published_at is not None
    assert restitutions.list_published_restitutions(past_event) == [restitution]
    assert restitutions.list_published_for_commitment(commitments[1].id) == [restitution]
    assert restitutions.list_published_for_commitment(commitments[0].id) == []
    audit = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.target_id == restitution.id)
    ).all()
    assert "workshops.save_restitution" in audit and "moderation.approve" in audit


def test_the_moderation_queue_lists_restitutions_with_their_page(
    ctx, db, past_event, organiser, commitments
):
    restitution = write(organiser, past_event, commitment_ids=[commitments[0].id])
    filters = moderation_queries.QueueFilters(kind="restitution")

    page = moderation_queries.list_queue(filters)
    assert [(entry.kind, entry.id) for entry in page.items] == [("restitution", restitution.id)]
    entry = page.items[0]
    assert entry.context.target_url == f"/ateliers/restitutions/{restitution.id}"
    assert past_event.items[0].title in entry.context.target_title
    assert entry.text == BODY and entry.author.id == organiser.id
    assert moderation_queries.count_by_state(filters)["pending"] == 1
    # The other filters apply to restitutions too.
    by_plan = moderation_queries.QueueFilters(kind="restitution", plan_id=commitments[0].plan_id)
    elsewhere = moderation_queries.QueueFilters(kind="restitution", plan_id=-1)
    by_reason = moderation_queries.QueueFilters(kind="restitution", reason="pre_moderation")
    by_ministry = moderation_queries.QueueFilters(institution_id=past_event.institution_id)
    assert moderation_queries.list_queue(by_plan).total == 1
    assert moderation_queries.list_queue(elsewhere).total == 0
    assert moderation_queries.list_queue(by_reason).total == 1
    assert [e.kind for e in moderation_queries.list_queue(by_ministry).items] == ["restitution"]


def test_rewriting_sends_it_back_to_moderation(ctx, db, past_event, organiser, moderator):
    restitution = write(organiser, past_event)
    approve(moderator, restitution)
    first_published = restitution.published_at

    again = write(organiser, past_event, body="Texte corrigé.")

    assert again is restitution
    assert (again.status, again.body, again.reviewed_at) == ("pending", "Texte corrigé.", None)
    assert restitutions.list_published_restitutions(past_event) == []
    approve(moderator, again)
    assert again.published_at == first_published


def test_rejected_restitutions_stay_off_the_pages(ctx, db, past_event, organiser, moderator):
    restitution = write(organiser, past_event)
    moderation.decide(moderator, "restitution", restitution.id, "reject", "off_topic")
    assert restitution.status == "rejected"
    assert restitutions.list_published_restitutions(past_event) == []


def test_only_the_event_organisers_write_its_restitutions(ctx, db, past_event, make_user):
    other = make_user(role="organiser", institutions=[make_institution()])
    for someone in (other, make_user(role="participant"), make_user(role="moderator")):
        with pytest.raises(PermissionDenied):
            write(someone, past_event)
    write(make_user(role="admin"), past_event)


def test_restitutions_wait_for_the_end_of_the_event(ctx, db, ministry, organiser):
    upcoming = make_event(institution=ministry, starts_in_days=3)
    with pytest.raises(InvalidTransition, match="over"):
        write(organiser, upcoming)


def test_a_cancelled_event_and_sessions_other_than_workshops_take_none(
    ctx, db, past_event, organiser
):
    plenary = events.add_item(SystemActor(), past_event, title="Plénière", kind=ItemKind.PLENARY)
    with pytest.raises(InvalidTransition):
        restitutions.save_restitution(organiser, plenary, body=BODY)
    events.cancel_event(SystemActor(), past_event, "Grève")
    with pytest.raises(InvalidTransition):
        write(organiser, past_event)


def test_bad_input_is_refused_field_by_field(ctx, db, past_event, organiser):
    foreign = make_commitment()
    cases = [
        ({"body": "   "}, "body"),
        ({"body": "x" * (restitutions.BODY_MAX + 1)}, "body"),
        ({"participant_count": -1}, "participant_count"),
        ({"commitment_ids": [foreign.id]}, "commitments"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            write(organiser, past_event, **fields)
        assert refused.value.field == field
    assert restitutions.list_restitutions_by_item(past_event) == {}


def test_a_blocked_organiser_cannot_write(ctx, db, past_event, organiser):
    from consult.core.db import utcnow

    organiser.blocked_at = utcnow()
    with pytest.raises(PermissionDenied):
        write(organiser, past_event)


def test_citizens_discuss_a_published_restitution(
    ctx, db, past_event, organiser, moderator, make_user
):
    restitution = write(organiser, past_event)
    assert load_host("restitution", restitution.id).is_open is False
    approve(moderator, restitution)

    host = load_host("restitution", restitution.id)
    assert host.is_open and host.url == f"/ateliers/restitutions/{restitution.id}"
    assert host.official_institution_ids == {past_event.institution_id}
    contribution = discussions.post_contribution(make_user(), host, "Très utile, merci.")
    assert contribution.status == "published"
    # The moderation queue names the restitution as where the contribution was written.
    entry = moderation_queries.get_item("contribution", contribution.id)
    assert entry.context.target_url == host.url


# Pages -------------------------------------------------------------------------------------------


def test_a_published_restitution_shows_on_its_page_and_on_its_commitments(
    app, client, db, past_event, organiser, moderator, commitments
):
    with app.test_request_context():
        restitution = write(
            organiser, past_event, participant_count=9, commitment_ids=[commitments[0].id]
        )
    commitment = commitments[0]
    commitment_url = f"/plans/{commitment.plan.slug}/engagements/{commitment.number}"
    url = f"/ateliers/restitutions/{restitution.id}"

    assert client.get(url).status_code == 404
    assert url not in client.get(commitment_url).get_data(as_text=True)

    with app.test_request_context():
        approve(moderator, restitution)
    page = client.get(url).get_data(as_text=True)
    commitment_page = client.get(commitment_url).get_data(as_text=True)

    assert "<strong>publier</strong>" in page
    assert 'id="discussion"' in page
    assert past_event.items[0].title in page
    assert f'href="{url}"' in commitment_page
    assert 'id="contributions-associees"' in commitment_page
    other_page = client.get(
        f"/plans/{commitments[1].plan.slug}/engagements/{commitments[1].number}"
    ).get_data(as_text=True)
    assert url not in other_page and 'id="contributions-associees"' not in other_page


def test_organisers_preview_a_restitution_awaiting_moderation(
    app, client, db, past_event, organiser, login_as
):
    with app.test_request_context():
        restitution = write(organiser, past_event)
    login_as(organiser)
    response = client.get(f"/ateliers/restitutions/{restitution.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "fr-alert--warning" in page and 'id="discussion"' not in page


def test_the_event_partial_lists_published_restitutions(app, db, past_event, organiser, moderator):
    with app.test_request_context():
        first = write(organiser, past_event, item=0, participant_count=12)
        write(organiser, past_event, item=1)  # still awaiting moderation
        approve(moderator, first)
        html = render_template(
            "workshops/_restitutions.html",
            restitutions=restitutions.list_published_restitutions(past_event),
        )
        empty = render_template("workshops/_restitutions.html", restitutions=[])

    assert f'href="/ateliers/restitutions/{first.id}"' in html
    assert past_event.items[0].title in html and past_event.items[1].title not in html
    assert 'id="restitutions-title"' in empty and "/ateliers/restitutions/" not in empty


def test_the_organiser_writes_a_restitution_through_the_form(
    app, client, db, past_event, organiser, login_as, commitments
):
    login_as(organiser)
    base = f"/manage/ateliers/evenements/{past_event.id}/restitutions"
    listing = client.get(base)
    assert listing.status_code == 200
    item = past_event.items[0]
    assert f"{base}/{item.id}" in listing.get_data(as_text=True)

    form = client.get(f"{base}/{item.id}").get_data(as_text=True)
    assert commitments[0].title in form
    response = client.post(
        f"{base}/{item.id}",
        data={"body": BODY, "participant_count": "11", "commitments": [str(commitments[0].id)]},
    )
    assert response.status_code == 302
    restitution = restitutions.list_restitutions_by_item(past_event)[item.id]
    assert response.headers["Location"] == f"/ateliers/restitutions/{restitution.id}"
    assert (restitution.participant_count, [c.id for c in restitution.commitments]) == (
        11,
        [commitments[0].id],
    )
    # Coming back to the form shows what was sent.
    again = client.get(f"{base}/{item.id}").get_data(as_text=True)
    assert "Les participants proposent" in again and "checked" in again


def test_a_refused_form_keeps_what_was_typed(app, client, db, past_event, organiser, login_as):
    login_as(organiser)
    url = f"/manage/ateliers/evenements/{past_event.id}/restitutions/{past_event.items[0].id}"
    response = client.post(url, data={"body": "Mon texte", "participant_count": "beaucoup"})
    assert response.status_code == 422
    assert "Mon texte" in response.get_data(as_text=True)
    assert restitutions.list_restitutions_by_item(past_event) == {}


def test_others_cannot_reach_the_organiser_pages(app, client, db, past_event, make_user, login_as):
    base = f"/manage/ateliers/evenements/{past_event.id}/restitutions"
    assert client.get(base).status_code == 302  # to the log-in page
    login_as(make_user(role="organiser", institutions=[make_institution()]))
    assert client.get(base).status_code == 403
    assert client.post(f"{base}/{past_event.items[0].id}", data={"body": "x"}).status_code == 403
    assert restitutions.list_restitutions_by_item(past_event) == {}


def test_a_session_of_another_event_is_not_found(
    app, client, db, past_event, organiser, login_as, ministry
):
    with app.test_request_context():
        other = make_event(institution=ministry, starts_in_days=-3)
    login_as(organiser)
    url = f"/manage/ateliers/evenements/{past_event.id}/restitutions/{other.items[0].id}"
    assert client.get(url).status_code == 404


def test_moderators_open_a_restitution_in_the_queue(
    app, client, db, past_event, organiser, moderator, login_as
):
    with app.test_request_context():
        restitution = write(organiser, past_event)
    login_as(moderator)
    queue = client.get("/moderation/?type=restitution").get_data(as_text=True)
    assert f"/moderation/restitution/{restitution.id}" in queue
    item_page = client.get(f"/moderation/restitution/{restitution.id}")
    assert item_page.status_code == 200
    assert f"/ateliers/restitutions/{restitution.id}" in item_page.get_data(as_text=True)
    response = client.post(
        f"/moderation/restitution/{restitution.id}",
        data={"action": "approve", "approve-reason": "compliant", "approve-note": ""},
    )
    assert response.status_code == 302
    db.session.refresh(restitution)
    assert restitution.status == "published"


def test_the_commitment_page_costs_the_same_whatever_its_restitutions(
    app, client, db, ministry, commitments, organiser, moderator, count_statements
):
    commitment = commitments[0]
    url = f"/plans/{commitment.plan.slug}/engagements/{commitment.number}"
    counts = []
    for workshops in (1, 4):
        with app.test_request_context():
            event = make_event(institution=ministry, starts_in_days=-2, workshops=workshops)
            events.update_event(SystemActor(), event, commitments=[commitment])
            for index in range(workshops):
                approve(
                    moderator, write(organiser, event, item=index, commitment_ids=[commitment.id])
                )
        client.get(url)  # warm caches
        with count_statements() as counted:
            page = client.get(url).get_data(as_text=True)
        counts.append(counted["n"])
    assert page.count("/ateliers/restitutions/") == 5
    assert counts[0] == counts[1]
