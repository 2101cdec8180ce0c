"""HTTP tests of the workshops: agenda, event page, registration and cancellation, calendars,
and every organiser page for every role.

Pages are read in English (users with locale "en", visitors with Accept-Language: en) so the
assertions hold whatever the state of the French catalogue.
"""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from consult.accounts.system import SystemActor
from consult.core.db import utcnow
from consult.workshops import services
from consult.workshops.models import Event, ProgrammeItem, Registration
from tests.factories import make_commitment, make_event, make_institution, make_user

EN = {"Accept-Language": "en"}


def text_of(response) -> str:
    return response.get_data(as_text=True)


def main_of(response) -> str:
    return text_of(response).split("<main", 1)[1].split("</main>", 1)[0]


@pytest.fixture
def client(app, db):
    """The test client; what the test changed is flushed before each request reads it."""
    test_client = app.test_client()
    send = test_client.open

    def flushed_then_sent(*args, **kwargs):
        db.session.flush()
        return send(*args, **kwargs)

    test_client.open = flushed_then_sent
    return test_client


@pytest.fixture
def ctx(app, db):
    """A request context: services build links for their e-mails."""
    with app.test_request_context():
        yield


@pytest.fixture
def ministry(ctx):
    return make_institution(slug="ministere-test-ateliers", name="Ministère des Ateliers")


@pytest.fixture
def event(ministry):
    return make_event(institution=ministry, capacity=2)


def organiser_of(institution, **kwargs):
    return make_user(role="organiser", institutions=[institution], locale="en", **kwargs)


def participant(**kwargs):
    return make_user(locale="en", **kwargs)


def register(user, item, affiliation="civil_society", **kwargs):
    return services.register_for_workshop(user, item, affiliation=affiliation, **kwargs)


def registration_data(item, **overrides):
    data = {"workshop": str(item.id), "affiliation": "civil_society", "organisation": ""}
    data.update(overrides)
    return data


def card_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="fr-card__title"><a href="[^"]+">([^<]+)</a>', html)


def fresh(db, instance):
    db.session.expire_all()
    return db.session.get(type(instance), instance.id)


# The agenda ----------------------------------------------------------------------------------


def test_agenda_lists_upcoming_and_past_events_with_their_marks(client, ministry):
    upcoming = make_event(institution=ministry, starts_in_days=5)
    past = make_event(institution=ministry, starts_in_days=-5)
    cancelled = make_event(institution=ministry, starts_in_days=8)
    services.cancel_event(SystemActor(), cancelled, "Grève des transports.")
    demo = make_event(institution=ministry, starts_in_days=12)
    demo.is_demo = True
    draft = make_event(institution=ministry, status="draft")

    response = client.get("/ateliers/", headers=EN)

    assert response.status_code == 200
    page = main_of(response)
    assert page.count("<h1") == 1
    assert "« Ministère ouvert »" in page
    upcoming_part, past_part = page.split('id="passes"', 1)
    assert card_titles(upcoming_part) == [upcoming.title, cancelled.title, demo.title]
    assert card_titles(past_part) == [past.title]
    assert draft.title not in card_titles(page)
    card = upcoming_part.split(demo.title, 1)[1].split("</li>", 1)[0]
    assert "Demonstration" in card
    cancelled_card = upcoming_part.split(cancelled.title, 1)[1].split("fr-card__end", 1)[0]
    assert "Cancelled" in cancelled_card
    assert "2 seats left out of 2" in upcoming_part
    assert "Ministère des Ateliers" in page
    assert "20 avenue de Ségur, Paris" in page


def test_agenda_is_in_french_by_default(client, ministry):
    make_event(institution=ministry)
    page = text_of(client.get("/ateliers/"))
    assert '<html lang="fr"' in page
    assert "<h1>Ateliers</h1>" in page


def test_agenda_filters_are_plain_get_parameters(client, db, ministry):
    other = make_institution(slug="autre-ministere-ateliers", name="Autre ministère")
    commitment = make_commitment(institutions=[ministry])
    in_person = make_event(institution=ministry, starts_in_days=5)
    in_person.commitments = [commitment]
    online = make_event(institution=other, starts_in_days=40)
    online.venue, online.online_url = None, "https://webinaire.example.org/atelier"
    month = online.starts_at.astimezone(UTC).strftime("%Y-%m")
    db.session.flush()

    def titles(query):
        response = client.get(f"/ateliers/?{query}", headers=EN)
        assert response.status_code == 200
        return set(card_titles(main_of(response)))

    assert titles("") == {in_person.title, online.title}
    assert titles("institution=ministere-test-ateliers") == {in_person.title}
    assert titles(f"engagement={commitment.id}") == {in_person.title}
    assert titles("modalite=en-ligne") == {online.title}
    assert titles("modalite=sur-place") == {in_person.title}
    if in_person.starts_at.strftime("%Y-%m") != month:
        assert titles(f"mois={month}") == {online.title}
    # Values that mean nothing are ignored rather than refused.
    assert titles("mois=2026-13&modalite=<script>&engagement=abc") == {
        in_person.title,
        online.title,
    }
    page = text_of(client.get("/ateliers/?institution=ministere-test-ateliers", headers=EN))
    assert 'value="ministere-test-ateliers" selected' in page
    assert "/ateliers/institutions/ministere-test-ateliers.ics" in page


def test_agenda_uses_a_fixed_number_of_statements(client, db, ministry, count_statements):
    def statements(total):
        for _ in range(total):
            make_event(institution=ministry, workshops=2).commitments = [
                make_commitment(institutions=[ministry], actions=0)
            ]
        db.session.flush()
        with count_statements() as counter:
            assert client.get("/ateliers/").status_code == 200
        return counter["n"]

    few = statements(2)
    many = statements(38)
    assert few == many
    assert few <= 6


# The event page ------------------------------------------------------------------------------


def test_event_page_shows_details_programme_and_seats(client, ctx, ministry):
    commitment = make_commitment(institutions=[ministry])
    event = make_event(institution=ministry, capacity=3, workshops=2)
    event.description = "Un atelier **contributif** avec la société civile."
    event.accessibility_info = "Accès de plain-pied, boucle magnétique."
    event.commitments = [commitment]
    services.add_item(SystemActor(), event, title="Restitution au ministre", kind="restitution")
    register(participant(), event.items[0])
    register(participant(), event.items[0])

    response = client.get(f"/ateliers/evenements/{event.id}", headers=EN)

    assert response.status_code == 200
    page = main_of(response)
    assert page.count("<h1") == 1 and event.title in page
    assert "<strong>contributif</strong>" in page
    assert "Accès de plain-pied, boucle magnétique." in page
    assert f"/plans/{commitment.plan.slug}/engagements/{commitment.number}" in page
    assert "Seats left: 1 out of 3" in page and "Seats left: 3 out of 3" in page
    assert "Restitution to the minister" in page
    assert f'href="/ateliers/evenements/{event.id}.ics"' in page
    assert "/ateliers/institutions/ministere-test-ateliers.ics" in page
    assert "Log in to register" in page  # a visitor is told how
    assert re.search(r'class="fr-badge[^"]*">Registration open</p>', page)
    assert f"<title>{event.title} – " in text_of(response)


def test_event_page_shows_the_time_in_paris(client, ctx, ministry):
    event = make_event(institution=ministry)
    # 15:00 UTC on a summer day is 17:00 in Paris.
    event.starts_at = datetime(2031, 6, 21, 15, 0, tzinfo=UTC)
    event.ends_at = datetime(2031, 6, 21, 18, 0, tzinfo=UTC)
    page = main_of(client.get(f"/ateliers/evenements/{event.id}", headers=EN))
    assert "June 21, 2031" in page
    assert "5:00" in page and "8:00" in page


def test_drafts_are_404_except_to_their_organisers(client, ctx, ministry, login_as):
    draft = make_event(institution=ministry, status="draft")
    assert client.get(f"/ateliers/evenements/{draft.id}").status_code == 404
    assert client.get(f"/ateliers/evenements/{draft.id}.ics").status_code == 404
    assert client.get("/ateliers/evenements/999999").status_code == 404
    login_as(organiser_of(make_institution()))
    assert client.get(f"/ateliers/evenements/{draft.id}").status_code == 404
    login_as(organiser_of(ministry))
    preview = client.get(f"/ateliers/evenements/{draft.id}", headers=EN)
    assert preview.status_code == 200
    assert "This is a draft" in main_of(preview)


def event_statements(client, count_statements, event_id):
    from consult.core.db import db

    db.session.flush()
    with count_statements() as counter:
        assert client.get(f"/ateliers/evenements/{event_id}").status_code == 200
    return counter["n"]


def test_event_page_uses_a_fixed_number_of_statements(
    client, ctx, ministry, login_as, count_statements
):
    small = make_event(institution=ministry, capacity=50, workshops=1)
    large = make_event(institution=ministry, capacity=50, workshops=3)
    for event in (small, large):
        event.commitments = [make_commitment(institutions=[ministry], actions=0)]
    register(participant(), small.items[0])
    for item in large.items:
        for _ in range(8):
            register(participant(), item)
    assert event_statements(client, count_statements, small.id) == event_statements(
        client, count_statements, large.id
    )
    # Signed in and registered (waiting, so the position is counted too).
    full = make_event(institution=ministry, capacity=1)
    register(participant(), full.items[0])
    viewer = participant()
    register(viewer, full.items[0])
    login_as(viewer)
    signed_in = event_statements(client, count_statements, full.id)
    assert signed_in == event_statements(client, count_statements, full.id)
    assert event_statements(client, count_statements, large.id) <= signed_in


# Registration --------------------------------------------------------------------------------


def test_register_then_cancel_by_the_link_of_the_email(app, client, db, event, login_as, outbox):
    user = participant()
    login_as(user)
    item = event.items[0]

    response = client.post(
        f"/ateliers/evenements/{event.id}/inscription",
        data=registration_data(item, organisation="Association Regards Citoyens", needs="LSF"),
        headers=EN,
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/ateliers/evenements/{event.id}#inscription")
    page = main_of(client.get(f"/ateliers/evenements/{event.id}", headers=EN))
    assert "You are registered" in page and item.title in page
    assert "Seats left: 1 out of 2" in page
    [message] = [m for m in outbox if m.template == "workshops/registration_confirmed"]
    assert message.recipient == user.email
    [(name, mimetype, content)] = message.attachments
    assert (name, mimetype) == ("invitation.ics", "text/calendar")
    [entry] = Calendar.from_ical(content).walk("VEVENT")
    assert str(entry["SUMMARY"]) == event.title
    link = re.search(r"http://localhost(/ateliers/annuler/\S+)", message.body).group(1)

    anonymous = app.test_client()
    shown = anonymous.get(link, headers=EN)
    assert shown.status_code == 200
    assert event.title in main_of(shown) and "Cancel this registration" in main_of(shown)
    cancelled = anonymous.post(link, headers=EN)
    assert cancelled.status_code == 302
    registration = db.session.scalar(select(Registration).where(Registration.user_id == user.id))
    db.session.refresh(registration)
    assert registration.status == "cancelled"
    assert registration.accessibility_needs is None
    assert fresh(db, item).seats_taken == 0
    again = anonymous.get(link, headers=EN)
    assert "This registration is already cancelled" in main_of(again)
    assert "Cancel this registration" not in main_of(again)
    assert anonymous.post(link).status_code == 422


def test_cancel_link_keeps_csrf_and_refuses_a_bad_token(app, client, event, monkeypatch):
    assert client.get("/ateliers/annuler/pas-un-jeton", headers=EN).status_code == 400
    assert client.post("/ateliers/annuler/pas-un-jeton").status_code == 400
    registration = register(participant(), event.items[0])
    link = f"/ateliers/annuler/{services.cancel_token(registration)}"
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(link).status_code == 400
    page = text_of(client.get(link))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(link, data={"csrf_token": token}).status_code == 302


def test_full_workshop_without_waiting_list_is_refused_with_the_input_kept(
    client, ministry, login_as
):
    event = make_event(institution=ministry, capacity=1, waiting_list=False)
    item = event.items[0]
    register(participant(), item)
    login_as(participant())

    page = main_of(client.get(f"/ateliers/evenements/{event.id}", headers=EN))
    assert re.search(rf'value="{item.id}"[^>]*disabled', page)
    assert "no waiting list" in page

    response = client.post(
        f"/ateliers/evenements/{event.id}/inscription",
        data=registration_data(item, affiliation="administration", organisation="DINUM"),
        headers=EN,
    )

    assert response.status_code == 422
    page = main_of(response)
    assert "This workshop is full." in page
    assert 'value="DINUM"' in page
    assert re.search(r'value="administration"[^>]*checked|checked[^>]*value="administration"', page)
    assert text_of(response).split("<title>", 1)[1].startswith("Error")


def test_full_workshop_with_waiting_list_puts_you_in_line(client, ministry, login_as, outbox):
    event = make_event(institution=ministry, capacity=1)
    item = event.items[0]
    register(participant(), item)
    register(participant(), item)
    user = participant()
    login_as(user)
    response = client.post(
        f"/ateliers/evenements/{event.id}/inscription", data=registration_data(item), headers=EN
    )
    assert response.status_code == 302
    page = main_of(client.get(f"/ateliers/evenements/{event.id}", headers=EN))
    assert "You are on the waiting list" in page
    assert "You are number 2 in line" in page
    assert outbox[-1].template == "workshops/registration_waitlisted"


def test_registering_twice_shows_the_registration_and_refuses(client, event, login_as):
    user = participant()
    register(user, event.items[0])
    login_as(user)
    page = main_of(client.get(f"/ateliers/evenements/{event.id}", headers=EN))
    assert "You are registered" in page
    assert 'name="affiliation"' not in page
    response = client.post(
        f"/ateliers/evenements/{event.id}/inscription",
        data=registration_data(event.items[0]),
        headers=EN,
    )
    assert response.status_code == 422
    assert "You are already registered for this event." in main_of(response)


@pytest.mark.parametrize("situation", ["closed", "not_open", "cancelled", "past"])
def test_registration_refused_when_closed_cancelled_or_past(client, ministry, login_as, situation):
    event = make_event(institution=ministry, starts_in_days=-2 if situation == "past" else 10)
    if situation == "closed":
        event.registration_closes_at = utcnow() - timedelta(hours=1)
    elif situation == "not_open":
        event.registration_opens_at = utcnow() + timedelta(days=2)
    elif situation == "cancelled":
        services.cancel_event(SystemActor(), event, "Annulé.")
    login_as(participant())

    page = main_of(client.get(f"/ateliers/evenements/{event.id}", headers=EN))
    assert 'name="affiliation"' not in page
    expected = {
        "closed": "Registration for this event is closed.",
        "not_open": "Registration opens on",
        "cancelled": "The event is cancelled: registration is closed.",
        "past": "This event has already taken place.",
    }[situation]
    assert expected in page
    badge = {"closed": "Registration closed", "not_open": "Registration not open yet",
             "cancelled": "Cancelled", "past": "Past"}[situation]  # fmt: skip
    assert re.search(rf'class="fr-badge[^"]*">{badge}</p>', page)
    response = client.post(
        f"/ateliers/evenements/{event.id}/inscription",
        data=registration_data(event.items[0]),
        headers=EN,
    )
    assert response.status_code == 422
    assert "error-summary" in main_of(response)


def test_registration_form_errors_keep_the_input(client, event, login_as):
    login_as(participant())
    response = client.post(
        f"/ateliers/evenements/{event.id}/inscription",
        data={"organisation": "Open Knowledge France", "needs": "Boucle magnétique"},
        headers=EN,
    )
    assert response.status_code == 422
    page = main_of(response)
    assert "Choose a workshop." in page
    assert "Say whether you come from the administration or from civil society." in page
    assert 'value="Open Knowledge France"' in page
    assert "Boucle magnétique</textarea>" in page


def test_visitors_and_unverified_accounts_are_told_how_to_register(client, db, event, login_as):
    page = main_of(client.get(f"/ateliers/evenements/{event.id}", headers=EN))
    assert f"/connexion?next=/ateliers/evenements/{event.id}" in page.replace("%2F", "/")
    assert 'name="affiliation"' not in page
    post = client.post(
        f"/ateliers/evenements/{event.id}/inscription", data=registration_data(event.items[0])
    )
    assert post.status_code == 302 and "/connexion" in post.headers["Location"]

    login_as(participant(verified=False))
    page = main_of(client.get(f"/ateliers/evenements/{event.id}", headers=EN))
    assert "confirm your e-mail address" in page
    assert 'name="affiliation"' not in page
    refused = client.post(
        f"/ateliers/evenements/{event.id}/inscription", data=registration_data(event.items[0])
    )
    assert refused.status_code == 403
    assert db.session.scalar(select(Registration.id)) is None


def test_signed_in_verified_participant_sees_the_form(client, event, login_as):
    login_as(participant())
    page = main_of(client.get(f"/ateliers/evenements/{event.id}", headers=EN))
    assert 'name="affiliation"' in page and 'name="workshop"' in page
    assert "Visible only to the organisers" in page
    assert "deleted after the event" in page


def test_own_cancellation_asks_for_confirmation_then_promotes(
    client, db, ministry, login_as, outbox
):
    event = make_event(institution=ministry, capacity=1)
    item = event.items[0]
    user, waiting = participant(), participant()
    register(user, item)
    register(waiting, item)
    login_as(user)
    url = f"/ateliers/evenements/{event.id}/desinscription"

    confirm = client.get(url, headers=EN)
    assert confirm.status_code == 200
    assert "Your seat will go to the first person on the waiting list" in main_of(confirm)
    response = client.post(url, headers=EN)

    assert response.status_code == 302
    statuses = dict(db.session.execute(select(Registration.user_id, Registration.status)).all())
    assert statuses == {user.id: "cancelled", waiting.id: "confirmed"}
    assert outbox[-1].template == "workshops/registration_promoted"
    assert outbox[-1].recipient == waiting.email
    # Nothing left to cancel: back to the event page.
    assert client.get(url).status_code == 302


def test_own_cancellation_needs_login(client, event):
    response = client.get(f"/ateliers/evenements/{event.id}/desinscription")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


# Calendars -----------------------------------------------------------------------------------


def test_event_calendar_file_parses(client, event):
    response = client.get(f"/ateliers/evenements/{event.id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    [entry] = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(entry["SUMMARY"]) == event.title
    assert entry.decoded("DTSTART") == event.starts_at.replace(microsecond=0)
    assert str(entry["URL"]).endswith(f"/ateliers/evenements/{event.id}")


def test_institution_feed_lists_its_public_events(client, ministry):
    published = make_event(institution=ministry)
    draft = make_event(institution=ministry, status="draft")
    make_event()  # another institution's
    response = client.get("/ateliers/institutions/ministere-test-ateliers.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    entries = Calendar.from_ical(response.data).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in entries] == [published.title]
    assert draft.title.encode() not in response.data
    assert client.get("/ateliers/institutions/inconnue.ics").status_code == 404


# Organiser pages: who may see what -----------------------------------------------------------


MANAGE_PAGES = [
    "/manage/ateliers/evenements/{id}/",
    "/manage/ateliers/evenements/{id}/modifier",
    "/manage/ateliers/evenements/{id}/programme/{item}",
    "/manage/ateliers/evenements/{id}/annuler",
    "/manage/ateliers/evenements/{id}/inscrits",
    "/manage/ateliers/evenements/{id}/inscrits.csv",
    "/manage/ateliers/evenements/{id}/message",
]
MANAGE_ACTIONS = [
    "/manage/ateliers/evenements/{id}/publier",
    "/manage/ateliers/evenements/{id}/programme/{item}/supprimer",
    "/manage/ateliers/evenements/{id}/inscrits/{registration}/presence",
]


@pytest.fixture
def people(ministry):
    return {
        "anonymous": None,
        "participant": participant(),
        "moderator": make_user(role="moderator", locale="en"),
        "other_organiser": organiser_of(make_institution()),
        "organiser": organiser_of(ministry),
        "admin": make_user(role="admin", locale="en"),
    }


EXPECTED_PAGE_STATUS = {
    "anonymous": 302,
    "participant": 403,
    "moderator": 403,
    "other_organiser": 403,
    "organiser": 200,
    "admin": 200,
}


@pytest.mark.parametrize("role", list(EXPECTED_PAGE_STATUS))
def test_every_organiser_page_for_every_role(client, event, people, login_as, role):
    registration = register(participant(), event.items[0])
    if people[role] is not None:
        login_as(people[role])
    values = {"id": event.id, "item": event.items[0].id, "registration": registration.id}
    expected = EXPECTED_PAGE_STATUS[role]
    for template in MANAGE_PAGES:
        response = client.get(template.format(**values))
        assert response.status_code == expected, (template, role)
        if expected == 302:
            assert "/connexion" in response.headers["Location"]
    for template in MANAGE_ACTIONS:
        response = client.post(template.format(**values), data={"present": "1"})
        assert response.status_code in ((302,) if expected in (200, 302) else (403,)), (
            template,
            role,
        )
    index = client.get("/manage/ateliers/")
    create = client.get("/manage/ateliers/evenements/nouveau")
    allowed = role in ("organiser", "other_organiser", "admin")
    assert index.status_code == create.status_code == (302 if role == "anonymous" else
                                                        200 if allowed else 403)  # fmt: skip


def test_organiser_list_shows_only_my_institutions_events(client, ministry, login_as):
    mine = make_event(institution=ministry, status="draft")
    theirs = make_event()
    login_as(organiser_of(ministry))
    page = main_of(client.get("/manage/ateliers/", headers=EN))
    assert mine.title in page and theirs.title not in page
    assert "Create an event" in page
    assert "Draft" in page


def test_admin_list_shows_every_event(client, ministry, login_as):
    mine, theirs = make_event(institution=ministry), make_event()
    login_as(make_user(role="admin", locale="en"))
    page = main_of(client.get("/manage/ateliers/", headers=EN))
    assert mine.title in page and theirs.title in page


# Organiser pages: events ---------------------------------------------------------------------


def event_form(institution, **overrides):
    data = {
        "institution": str(institution.id),
        "kit": "0",
        "title": "Ministère ouvert : la transparence des algorithmes",
        "description": "Trois ateliers avec la société civile.",
        "starts_at": "2031-06-21T17:00",
        "ends_at": "2031-06-21T20:00",
        "venue": "20 avenue de Ségur, 75007 Paris",
        "accessibility_info": "Ascenseur, boucle magnétique.",
        "online_url": "",
        "registration_opens_at": "",
        "registration_closes_at": "2031-06-20T12:00",
        "has_waiting_list": "y",
    }
    data.update(overrides)
    return data


def test_organiser_creates_an_event_in_paris_time(client, db, ministry, login_as):
    commitment = make_commitment(institutions=[ministry])
    elsewhere = make_commitment(institutions=[make_institution()])
    login_as(organiser_of(ministry))
    form = client.get("/manage/ateliers/evenements/nouveau", headers=EN)
    assert form.status_code == 200
    page = main_of(form)
    assert f'value="{commitment.id}"' in page and f'value="{elsewhere.id}"' not in page
    assert page.count("<option") == 1  # my institution; no kit yet

    response = client.post(
        "/manage/ateliers/evenements/nouveau",
        data=event_form(ministry, commitments=[str(commitment.id)]),
        headers=EN,
    )

    assert response.status_code == 302
    event = db.session.scalar(select(Event).order_by(Event.id.desc()))
    assert response.headers["Location"].endswith(f"/manage/ateliers/evenements/{event.id}/")
    assert event.status == "draft" and event.institution_id == ministry.id
    assert event.starts_at == datetime(2031, 6, 21, 15, 0, tzinfo=UTC)  # summer time
    assert event.registration_closes_at == datetime(2031, 6, 20, 10, 0, tzinfo=UTC)
    assert event.has_waiting_list and not event.has_parity_quota
    assert [c.id for c in event.commitments] == [commitment.id]


def test_event_form_errors_keep_the_input(client, db, ministry, login_as):
    login_as(organiser_of(ministry))
    response = client.post(
        "/manage/ateliers/evenements/nouveau",
        data=event_form(ministry, ends_at="2031-06-21T16:00"),
        headers=EN,
    )
    assert response.status_code == 422
    page = main_of(response)
    assert "The event must end after it starts." in page
    assert 'value="Ministère ouvert : la transparence des algorithmes"' in page
    assert 'value="2031-06-21T16:00"' in page
    assert "Ascenseur, boucle magnétique.</textarea>" in page
    assert db.session.scalar(select(Event.id)) is None

    garbled = client.post(
        "/manage/ateliers/evenements/nouveau",
        data=event_form(ministry, starts_at="demain"),
        headers=EN,
    )
    assert garbled.status_code == 422
    assert "Enter a date and a time" in main_of(garbled)
    assert 'value="demain"' in main_of(garbled)


def test_organiser_cannot_create_for_another_institution(client, db, ministry, login_as):
    other = make_institution()
    login_as(organiser_of(ministry))
    response = client.post(
        "/manage/ateliers/evenements/nouveau", data=event_form(other), headers=EN
    )
    assert response.status_code == 422
    assert db.session.scalar(select(Event.id)) is None


def test_event_can_be_made_from_a_published_kit(client, db, ministry, login_as):
    from consult.workshops.models import Kit

    kit = Kit(version=77, title="Kit Ministère ouvert", published_at=utcnow())
    draft_kit = Kit(version=78, title="Kit en préparation")
    db.session.add_all([kit, draft_kit])
    db.session.flush()
    login_as(organiser_of(ministry))
    page = main_of(client.get("/manage/ateliers/evenements/nouveau", headers=EN))
    assert "Kit Ministère ouvert, version 77" in page and "Kit en préparation" not in page
    response = client.post(
        "/manage/ateliers/evenements/nouveau",
        data=event_form(ministry, kit=str(kit.id)),
        headers=EN,
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Event.kit_id)) == kit.id


def test_organiser_edits_an_event(client, db, event, ministry, login_as):
    login_as(organiser_of(ministry))
    url = f"/manage/ateliers/evenements/{event.id}/modifier"
    form = client.get(url, headers=EN)
    assert form.status_code == 200
    assert f'value="{event.title}"' in main_of(form)
    assert 'name="institution"' not in main_of(form)
    data = event_form(ministry, title="Nouveau titre", description="")
    del data["institution"], data["kit"]
    response = client.post(url, data=data, headers=EN)
    assert response.status_code == 302
    assert fresh(db, event).title == "Nouveau titre"
    bad = client.post(url, data={**data, "online_url": "webinaire"}, headers=EN)
    assert bad.status_code == 422
    assert "Give a full web address" in main_of(bad)


# Organiser pages: programme, publication, cancellation -----------------------------------------


def item_form(**overrides):
    data = {
        "kind": "workshop",
        "title": "Atelier : ouvrir les données",
        "starts_at": "17:30",
        "ends_at": "18:45",
        "room": "Salle Laroque",
        "description": "",
        "capacity": "12",
    }
    data.update(overrides)
    return data


def test_programme_editor_adds_edits_and_removes_sessions(client, db, ministry, login_as):
    event = make_event(institution=ministry, status="draft", workshops=0)
    event.starts_at = datetime(2031, 6, 21, 15, 0, tzinfo=UTC)
    event.ends_at = datetime(2031, 6, 21, 18, 0, tzinfo=UTC)
    login_as(organiser_of(ministry))
    url = f"/manage/ateliers/evenements/{event.id}/"

    added = client.post(url, data=item_form(), headers=EN)
    assert added.status_code == 302
    item = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.event_id == event.id))
    assert (item.capacity, item.room) == (12, "Salle Laroque")
    assert item.starts_at == datetime(2031, 6, 21, 15, 30, tzinfo=UTC)

    no_seats = client.post(url, data=item_form(capacity=""), headers=EN)
    assert no_seats.status_code == 422
    assert "A workshop needs at least one seat." in main_of(no_seats)
    assert 'value="Atelier : ouvrir les données"' in main_of(no_seats)
    backwards = client.post(url, data=item_form(ends_at="17:00"), headers=EN)
    assert backwards.status_code == 422
    assert "The session must end after it starts." in main_of(backwards)

    edit = f"/manage/ateliers/evenements/{event.id}/programme/{item.id}"
    assert 'value="17:30"' in main_of(client.get(edit, headers=EN))
    assert client.post(edit, data=item_form(capacity="20"), headers=EN).status_code == 302
    assert fresh(db, item).capacity == 20

    removed = client.post(f"/manage/ateliers/evenements/{event.id}/programme/{item.id}/supprimer")
    assert removed.status_code == 302
    assert db.session.scalar(select(ProgrammeItem.id).where(ProgrammeItem.id == item.id)) is None


def test_capacity_below_the_seats_taken_is_refused(client, db, event, ministry, login_as):
    item = event.items[0]
    register(participant(), item)
    register(participant(), item)
    login_as(organiser_of(ministry))
    response = client.post(
        f"/manage/ateliers/evenements/{event.id}/programme/{item.id}",
        data=item_form(title=item.title, capacity="1"),
        headers=EN,
    )
    assert response.status_code == 422
    assert "2 seats are already taken" in main_of(response)
    assert 'value="1"' in main_of(response)
    assert fresh(db, item).capacity == 2

    removal = client.post(
        f"/manage/ateliers/evenements/{event.id}/programme/{item.id}/supprimer", headers=EN
    )
    assert removal.status_code == 302
    assert "it cannot be removed" in main_of(client.get(removal.headers["Location"], headers=EN))
    assert fresh(db, item) is not None


def test_publishing_needs_a_programme(client, db, ministry, login_as):
    event = make_event(institution=ministry, status="draft", workshops=0)
    login_as(organiser_of(ministry))
    refused = client.post(f"/manage/ateliers/evenements/{event.id}/publier", headers=EN)
    assert refused.status_code == 302
    page = main_of(client.get(refused.headers["Location"], headers=EN))
    assert "Add at least one session to the programme before publishing." in page
    assert fresh(db, event).status == "draft"

    services.add_item(SystemActor(), event, title="Atelier", capacity=5)
    published = client.post(f"/manage/ateliers/evenements/{event.id}/publier")
    assert published.status_code == 302
    assert published.headers["Location"].endswith(f"/ateliers/evenements/{event.id}")
    assert fresh(db, event).status == "published"


def test_cancelling_needs_a_reason_and_tells_the_registrants(
    client, db, event, ministry, login_as, outbox
):
    first, second = participant(), participant()
    register(first, event.items[0])
    register(second, event.items[0])
    login_as(organiser_of(ministry))
    url = f"/manage/ateliers/evenements/{event.id}/annuler"
    assert client.get(url).status_code == 200
    no_reason = client.post(url, data={"reason": ""}, headers=EN)
    assert no_reason.status_code == 422
    assert fresh(db, event).status == "published"

    outbox.clear()
    response = client.post(url, data={"reason": "La salle est indisponible."}, headers=EN)
    assert response.status_code == 302
    assert fresh(db, event).status == "cancelled"
    assert sorted(m.recipient for m in outbox) == sorted([first.email, second.email])
    assert all("La salle est indisponible." in m.body for m in outbox)
    page = main_of(client.get(f"/ateliers/evenements/{event.id}", headers=EN))
    assert "This event is cancelled" in page


# Organiser pages: registrants, check-in, CSV, message ------------------------------------------


def test_registrants_page_shows_names_and_needs_never_emails(client, event, ministry, login_as):
    confirmed = participant(display_name="Camille Martin")
    register(confirmed, event.items[0], organisation="Etalab", needs="Fauteuil roulant")
    register(participant(display_name="Dominique Petit"), event.items[0], "administration")
    waiting = participant(display_name="Claude Bernard")
    register(waiting, event.items[0])
    login_as(organiser_of(ministry))

    response = client.get(f"/manage/ateliers/evenements/{event.id}/inscrits", headers=EN)

    page = main_of(response)
    for text in ("Camille Martin", "Etalab", "Fauteuil roulant", "Dominique Petit"):
        assert text in page
    assert "Claude Bernard" in page and "Waiting, number 1" in page
    assert "@" not in page
    assert confirmed.email not in text_of(response)


def test_check_in_toggles(client, db, event, ministry, login_as):
    registration = register(participant(display_name="Camille Martin"), event.items[0])
    login_as(organiser_of(ministry))
    url = f"/manage/ateliers/evenements/{event.id}/inscrits/{registration.id}/presence"
    response = client.post(url, data={"present": "1"}, headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#inscription-{registration.id}")
    assert fresh(db, registration).checked_in_at is not None
    page = main_of(client.get(f"/manage/ateliers/evenements/{event.id}/inscrits", headers=EN))
    assert "Undo" in page
    assert client.post(url, data={"present": "0"}).status_code == 302
    assert fresh(db, registration).checked_in_at is None
    assert client.post(url, data={"present": "maybe"}).status_code == 400
    other = make_event(institution=ministry)
    wrong_event = f"/manage/ateliers/evenements/{other.id}/inscrits/{registration.id}/presence"
    assert client.post(wrong_event, data={"present": "1"}).status_code == 404


def test_csv_export_for_the_day_has_no_email(client, event, ministry, login_as):
    present = participant(display_name="Camille Martin")
    registration = register(present, event.items[0], organisation='=HYPERLINK("x")')
    registration.checked_in_at = utcnow()
    register(participant(display_name="Dominique Petit"), event.items[0], "administration")
    register(participant(display_name="Claude Attente"), event.items[0])  # waiting
    login_as(organiser_of(ministry))

    response = client.get(f"/manage/ateliers/evenements/{event.id}/inscrits.csv", headers=EN)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Name", "Workshop", "Affiliation", "Organisation", "Present"]
    assert sorted(row[0] for row in rows[1:]) == ["Camille Martin", "Dominique Petit"]
    camille = next(row for row in rows if row[0] == "Camille Martin")
    assert camille[1:] == [event.items[0].title, "Civil society", '\'=HYPERLINK("x")', "yes"]
    assert b"@" not in response.data


def test_message_goes_to_every_registrant(client, event, ministry, login_as, outbox):
    first, second = participant(), participant()
    register(first, event.items[0])
    register(second, event.items[0])
    login_as(organiser_of(ministry))
    url = f"/manage/ateliers/evenements/{event.id}/message"
    empty = client.post(url, data={"subject": "", "body": "Texte gardé"}, headers=EN)
    assert empty.status_code == 422
    assert "Texte gardé</textarea>" in main_of(empty)
    outbox.clear()
    response = client.post(
        url, data={"subject": "Plan d'accès", "body": "Entrée par le 3 rue Duquesne."}
    )
    assert response.status_code == 302
    assert sorted(m.recipient for m in outbox) == sorted([first.email, second.email])
    assert all(m.template == "workshops/organiser_message" for m in outbox)


# Command line --------------------------------------------------------------------------------


def test_cli_sends_reminders_and_erases_needs(app, db, ministry, outbox):
    soon = make_event(institution=ministry, starts_in_days=0.5)
    user = participant()
    register(user, soon.items[0])
    past = make_event(institution=ministry, starts_in_days=5)
    kept = register(participant(), past.items[0], needs="Interprète LSF")
    past.starts_at = utcnow() - timedelta(days=2)
    past.ends_at = utcnow() - timedelta(days=2) + timedelta(hours=3)
    db.session.flush()
    runner = app.test_cli_runner()
    services.mail.discard_outbox()  # the registrations' own e-mails

    sent = runner.invoke(args=["workshops", "send-reminders"])
    assert sent.exit_code == 0, sent.output
    assert "1 reminder(s) sent." in sent.output
    assert [(m.recipient, m.template) for m in outbox] == [(user.email, "workshops/reminder")]

    erased = runner.invoke(args=["workshops", "erase-needs"])
    assert erased.exit_code == 0, erased.output
    assert "1 registration(s) cleared." in erased.output
    assert fresh(db, kept).accessibility_needs is None


def test_registrants_page_and_export_use_a_fixed_number_of_statements(
    client, db, ministry, login_as, count_statements
):
    login_as(organiser_of(ministry))

    def statements(registrations):
        event = make_event(institution=ministry, capacity=20, workshops=2)
        for index in range(registrations):
            register(participant(), event.items[index % 2], needs="Besoin")
        db.session.flush()
        counts = []
        for url in ("inscrits", "inscrits.csv", ""):
            with count_statements() as counter:
                response = client.get(f"/manage/ateliers/evenements/{event.id}/{url}")
                assert response.status_code == 200
            counts.append(counter["n"])
        return counts

    few, many = statements(1), statements(12)
    assert few == many
    assert max(many) <= 10
