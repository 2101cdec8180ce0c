"""Workshop journeys in Chromium: an organiser creates and publishes an event; a citizen
registers with the keyboard only, gets the e-mail with its calendar file and cancels by its
link; a seat freed on a full workshop goes to the first person waiting.

Each journey makes its own institution and event through the services in the live server's
application, so the journeys do not depend on their order nor on the demo data.
"""

import time
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from tests.browser.test_plans import log_in, path_of

pytestmark = pytest.mark.browser

SUBMIT = "main form[method=post] button[type=submit]"
FLASHES = "main [role=status] .fr-alert"
ADD_SESSION = "#session-form button[type=submit]"


@contextmanager
def live_app(live_server):
    """The live server's database in a request context (services build links), committed."""
    from consult.core.db import db

    with live_server.app.test_request_context():
        try:
            yield db.session
            db.session.commit()
        finally:
            db.session.remove()


@dataclass
class Person:
    id: int
    email: str
    password: str
    display_name: str


@dataclass
class Ground:
    institution_id: int
    institution_slug: str
    commitment_id: int | None = None


@pytest.fixture
def make_ground(live_server):
    """An institution (and a commitment it carries) of its own for one journey."""
    from tests.factories import make_commitment, make_institution

    def create(with_commitment: bool = False) -> Ground:
        with live_app(live_server) as session:
            stamp = time.monotonic_ns()
            institution = make_institution(
                slug=f"ministere-parcours-{stamp}", name=f"Ministère du parcours {stamp}"
            )
            commitment = (
                make_commitment(institutions=[institution], actions=0) if with_commitment else None
            )
            session.flush()
            return Ground(institution.id, institution.slug, commitment.id if commitment else None)

    return create


@pytest.fixture
def make_person(live_server):
    from consult.accounts.models import Institution
    from tests.factories import DEFAULT_PASSWORD, make_user

    def create(role="participant", institution_id=None, display_name=None) -> Person:
        with live_app(live_server) as session:
            institutions = [session.get(Institution, institution_id)] if institution_id else []
            user = make_user(
                email=f"atelier-{time.monotonic_ns()}@exemple.fr",
                role=role,
                institutions=institutions,
                display_name=display_name,
            )
            return Person(user.id, user.email, DEFAULT_PASSWORD, user.display_name)

    return create


@pytest.fixture
def make_live_event(live_server):
    """A published event of the ground's institution with one workshop of `capacity` seats."""
    from consult.accounts.models import Institution
    from tests.factories import make_event

    def create(ground: Ground, capacity: int = 5) -> tuple[int, int, str]:
        with live_app(live_server) as session:
            event = make_event(
                institution=session.get(Institution, ground.institution_id), capacity=capacity
            )
            session.flush()
            return event.id, event.items[0].id, event.title

    return create


def say(live_server, msgid: str, **values) -> str:
    """`msgid` as the French interface shows it, placeholders filled."""
    from flask_babel import force_locale, gettext

    with live_server.app.test_request_context(), force_locale("fr"):
        return gettext(msgid, **values)


def registration_of(live_server, person: Person, event_id: int):
    from sqlalchemy import select

    from consult.workshops.models import Registration

    with live_app(live_server) as session:
        registration = session.scalar(
            select(Registration)
            .where(Registration.user_id == person.id, Registration.event_id == event_id)
            .order_by(Registration.id.desc())
        )
        return registration.status if registration else None


def seats_taken(live_server, item_id: int) -> int:
    from consult.workshops.models import ProgrammeItem

    with live_app(live_server) as session:
        return session.get(ProgrammeItem, item_id).seats_taken


def tab_to(page, predicate: str, limit: int = 200) -> None:
    """Press Tab until `predicate` (JavaScript on document.activeElement) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            assert page.evaluate("document.activeElement.matches(':focus-visible')")
            return
    pytest.fail(f"Tab never reached {predicate}")


# --- an organiser creates and publishes an event ----------------------------------------------


def test_an_organiser_creates_an_event_and_publishes_it(
    browse, live_server, make_ground, make_person
):
    ground = make_ground(with_commitment=True)
    organiser = make_person(role="organiser", institution_id=ground.institution_id)
    title = f"Ministère ouvert : les données de la santé {time.monotonic_ns()}"

    page = browse.open(locale="fr-FR")
    log_in(browse, page, organiser, then="/ateliers/")
    browse.click(page, "main a[href='/manage/ateliers/']")
    assert page.locator("h1").inner_text() == say(live_server, "Manage my events")
    browse.click(page, "main a[href='/manage/ateliers/evenements/nouveau']")

    assert page.locator("#institution option").count() == 1
    if page.locator("#kit").count():
        page.select_option("#kit", "0")
    page.fill("#title", title)
    page.fill("#description", "Trois ateliers avec les associations de patients.")
    page.fill("#starts_at", "2031-06-21T17:00")
    page.fill("#ends_at", "2031-06-21T16:00")  # before the start: refused, input kept
    page.fill("#venue", "14 avenue Duquesne, 75007 Paris")
    page.fill("#accessibility_info", "Accès de plain-pied, boucle magnétique.")
    page.check(f"#commitments-{ground.commitment_id}", force=True)
    browse.click(page, SUBMIT, status=422)
    assert (
        say(live_server, "The event must end after it starts.")
        in page.locator("#error-summary").inner_text()
    )
    assert page.input_value("#title") == title
    assert page.is_checked(f"#commitments-{ground.commitment_id}")

    page.fill("#ends_at", "2031-06-21T20:00")
    browse.click(page, SUBMIT)
    assert path_of(page).startswith("/manage/ateliers/evenements/")
    event_id = int(path_of(page).split("/")[4])
    assert page.locator("h1").inner_text() == title
    assert page.locator(".fr-alert--success").count() == 1

    # The programme: a plenary, then a workshop with its seats.
    page.select_option("#kind", "plenary")
    page.fill("#title", "Plénière d'ouverture")
    page.fill("#starts_at", "17:00")
    page.fill("#ends_at", "17:30")
    browse.click(page, ADD_SESSION)
    page.select_option("#kind", "workshop")
    page.fill("#title", "Atelier : ouvrir les données des hôpitaux")
    page.fill("#starts_at", "17:30")
    page.fill("#ends_at", "19:00")
    page.fill("#room", "Salle Laroque")
    page.fill("#capacity", "15")
    browse.click(page, ADD_SESSION)
    rows = page.locator("#programme-table tbody tr")
    assert rows.count() == 2
    assert "Salle Laroque" in rows.nth(1).inner_text()

    browse.click(page, f"form[action='/manage/ateliers/evenements/{event_id}/publier'] button")
    assert path_of(page) == f"/ateliers/evenements/{event_id}"
    assert page.locator("h1").inner_text() == title
    main = page.locator("main").inner_text()
    assert "17:00" in main and "20:00" in main  # Paris time, as typed
    assert "14 avenue Duquesne" in main and "boucle magnétique" in main
    assert (
        say(live_server, "Seats left: %(left)d out of %(capacity)d", left=15, capacity=15) in main
    )

    browse.visit(page, f"/ateliers/?institution={ground.institution_slug}")
    assert page.locator("main .fr-card__title").all_inner_texts() == [title]

    # Every organiser page of the event passes the accessibility checks too.
    manage = f"/manage/ateliers/evenements/{event_id}"
    for path in ("/manage/ateliers/", f"{manage}/", f"{manage}/modifier", f"{manage}/inscrits",
                 f"{manage}/message", f"{manage}/annuler"):  # fmt: skip
        browse.visit(page, path)
        assert page.locator("h1").count() == 1
    browse.visit(page, f"{manage}/")
    browse.click(page, "#programme-table tbody tr:last-child a")
    assert page.input_value("#capacity") == "15"
    page.fill("#capacity", "14")
    browse.click(page, SUBMIT)
    assert path_of(page) == f"{manage}/"
    assert "14" in page.locator("#programme-table tbody tr:last-child td:nth-child(4)").inner_text()


# --- a citizen registers with the keyboard only, then cancels by the link ------------------------


def test_a_citizen_registers_with_the_keyboard_and_cancels_by_the_link(
    browse, live_server, make_ground, make_person, make_live_event
):
    ground = make_ground()
    event_id, item_id, title = make_live_event(ground, capacity=3)
    citizen = make_person(display_name="Camille Citoyenne")
    event_path = f"/ateliers/evenements/{event_id}"

    page = browse.open(locale="fr-FR")
    browse.visit(page, event_path)
    assert page.locator("#inscription a[href^='/connexion']").count() == 1
    log_in(browse, page, citizen, then=event_path)

    tab_to(page, "el.name === 'workshop'")
    page.keyboard.press("Space")
    assert page.is_checked(f"#workshop-{item_id}")
    tab_to(page, "el.name === 'affiliation'", limit=5)
    page.keyboard.press("ArrowDown")  # the second side: civil society
    assert page.is_checked("input[name=affiliation][value=civil_society]")
    tab_to(page, "el.id === 'organisation'", limit=5)
    page.keyboard.type("Association des usagers")
    tab_to(page, "el.id === 'needs'", limit=5)
    page.keyboard.type("Un interprète en langue des signes")
    tab_to(page, "el.type === 'submit'", limit=5)
    browse.press(page, "Enter")

    assert path_of(page) == event_path
    assert urlsplit(page.url).fragment == "inscription"
    assert page.locator(FLASHES).count() == 1
    assert say(live_server, "You are registered") in page.locator("#inscription").inner_text()
    assert registration_of(live_server, citizen, event_id) == "confirmed"
    assert seats_taken(live_server, item_id) == 1

    message = live_server.wait_for_mail(citizen.email, "workshops/registration_confirmed")
    assert title in message.subject
    [(name, mimetype, content)] = message.attachments
    assert (name, mimetype) == ("invitation.ics", "text/calendar")
    [entry] = Calendar.from_ical(content).walk("VEVENT")
    assert str(entry["SUMMARY"]) == title
    assert str(entry["URL"]) == live_server.url + event_path
    # The page's own calendar file says the same.
    download = page.request.get(f"{event_path}.ics")
    assert download.headers["content-type"].startswith("text/calendar")
    assert str(Calendar.from_ical(download.body()).walk("VEVENT")[0]["SUMMARY"]) == title

    link = live_server.link_in(message, "/ateliers/annuler/")
    other = browse.open(locale="fr-FR")  # not logged in: the link is the proof
    browse.visit(other, link[:-4] + "abcd", status=400)  # a damaged link says so
    browse.visit(other, link)
    assert title in other.locator("main").inner_text()
    tab_to(other, "el.type === 'submit'")
    browse.press(other, "Enter")
    assert path_of(other) == event_path
    assert other.locator(".fr-alert--success").count() == 1
    assert registration_of(live_server, citizen, event_id) == "cancelled"
    assert seats_taken(live_server, item_id) == 0


# --- a freed seat goes to the first person waiting ---------------------------------------------


def register_with_the_form(browse, page, item_id: int) -> None:
    page.check(f"#workshop-{item_id}", force=True)
    page.check("input[name=affiliation][value=administration]", force=True)
    browse.click(page, "#inscription form button[type=submit]")


def test_a_seat_freed_goes_to_the_first_person_waiting(
    browse, live_server, make_ground, make_person, make_live_event
):
    ground = make_ground()
    event_id, item_id, title = make_live_event(ground, capacity=1)
    holder, waiting = make_person(), make_person()
    event_path = f"/ateliers/evenements/{event_id}"

    first = browse.open(locale="fr-FR")
    log_in(browse, first, holder, then=event_path)
    register_with_the_form(browse, first, item_id)
    assert registration_of(live_server, holder, event_id) == "confirmed"

    second = browse.open(javascript=False, locale="fr-FR")  # the journey needs no script
    log_in(browse, second, waiting, then=event_path)
    full_hint = second.locator(f"label[for='workshop-{item_id}'] .fr-hint-text").inner_text()
    assert full_hint == say(live_server, "Full: you will be first on the waiting list.")
    register_with_the_form(browse, second, item_id)
    section = second.locator("#inscription").inner_text()
    assert say(live_server, "You are on the waiting list") in section
    assert registration_of(live_server, waiting, event_id) == "waitlisted"
    live_server.wait_for_mail(waiting.email, "workshops/registration_waitlisted")

    browse.click(first, f"#inscription a[href='{event_path}/desinscription']")
    browse.click(first, SUBMIT)
    assert path_of(first) == event_path
    assert registration_of(live_server, holder, event_id) == "cancelled"

    promoted = live_server.wait_for_mail(waiting.email, "workshops/registration_promoted")
    assert title in promoted.subject
    assert promoted.attachments and promoted.attachments[0][0] == "invitation.ics"
    assert registration_of(live_server, waiting, event_id) == "confirmed"
    browse.visit(second, event_path)
    assert say(live_server, "You are registered") in second.locator("#inscription").inner_text()
    assert seats_taken(live_server, item_id) == 1
