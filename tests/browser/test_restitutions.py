"""Restitution journey in Chromium: the organiser of a past event publishes what one of its
workshops produced; it waits for a moderator, then shows on the commitment's page among the
related contributions and on its own page, where a reader can report it.

The journey makes its own institution, plan, commitment and past event through the services in
the live server's application, so it depends neither on other journeys nor on the demo data.
"""

import time
from dataclasses import dataclass

import pytest

from tests.browser.test_discussions import decide, flashes, tick, words
from tests.browser.test_plans import log_in, path_of
from tests.browser.test_workshops import live_app, say

pytestmark = pytest.mark.browser

SUBMIT = "main form[method=post] button[type=submit]"
RELATED = "#contributions-associees"


@dataclass
class Ground:
    commitment_id: int
    commitment_path: str
    event_id: int
    event_title: str
    item_id: int
    workshop_title: str
    institution_id: int


@dataclass
class Person:
    id: int
    email: str
    password: str
    display_name: str


@pytest.fixture
def ground(live_server) -> Ground:
    """A commitment of a plan, carried by an institution whose event took place two days ago
    about that commitment, with one workshop."""
    from consult.accounts.system import SystemActor
    from consult.workshops import services as events
    from tests.factories import make_commitment, make_event, make_institution, make_plan

    with live_app(live_server) as session:
        stamp = time.monotonic_ns()
        institution = make_institution(
            slug=f"ministere-restitution-{stamp}", name=f"Ministère des restitutions {stamp}"
        )
        plan = make_plan(slug=f"plan-restitution-{stamp}")
        commitment = make_commitment(plan=plan, institutions=[institution], actions=0)
        event = make_event(institution=institution, starts_in_days=-2)
        events.update_event(SystemActor(), event, commitments=[commitment])
        session.flush()
        item = event.items[0]
        return Ground(
            commitment_id=commitment.id,
            commitment_path=f"/plans/{plan.slug}/engagements/{commitment.number}",
            event_id=event.id,
            event_title=event.title,
            item_id=item.id,
            workshop_title=item.title,
            institution_id=institution.id,
        )


@pytest.fixture
def make_person(live_server):
    from consult.accounts.models import Institution
    from tests.factories import DEFAULT_PASSWORD, make_user

    def create(role="participant", institution_id=None) -> Person:
        with live_app(live_server) as session:
            institutions = [session.get(Institution, institution_id)] if institution_id else []
            user = make_user(
                email=f"restitution-{time.monotonic_ns()}@exemple.fr",
                role=role,
                institutions=institutions,
            )
            return Person(user.id, user.email, DEFAULT_PASSWORD, user.display_name)

    return create


def restitution_status(live_server, restitution_id: int) -> str:
    from consult.workshops.models import Restitution

    with live_app(live_server) as session:
        return session.get(Restitution, restitution_id).status


def test_a_restitution_is_published_after_moderation_then_reported(
    browse, live_server, ground, make_person
):
    organiser = make_person(role="organiser", institution_id=ground.institution_id)
    moderator = make_person(role="moderator")
    reader = make_person()
    text = f"Les participants demandent un registre public des algorithmes {time.monotonic_ns()}."

    # The organiser writes the workshop's restitution from the event's restitutions page.
    office = browse.open()
    log_in(
        browse,
        office,
        organiser,
        then=f"/manage/ateliers/evenements/{ground.event_id}/restitutions",
    )
    manage = f"/manage/ateliers/evenements/{ground.event_id}/restitutions"
    browse.click(office, f"main a[href='{manage}/{ground.item_id}']")
    office.fill("#body", text)
    office.fill("#participant_count", "17")
    tick(office, f"#commitments-{ground.commitment_id}")
    browse.click(office, SUBMIT)
    assert path_of(office).startswith("/ateliers/restitutions/")
    restitution_id = int(path_of(office).split("/")[3])
    restitution_path = f"/ateliers/restitutions/{restitution_id}"
    assert flashes(office) == words(
        say(
            live_server,
            "The restitution is sent to the moderators: it will be published once they approve it.",
        )
    )
    assert text in office.locator("main").inner_text()
    assert office.locator("main .fr-alert--warning").count() == 1, "shown as not public"
    assert restitution_status(live_server, restitution_id) == "pending"

    # Pending: nowhere for a visitor.
    visitor = browse.open()
    browse.visit(visitor, ground.commitment_path)
    assert visitor.locator(RELATED).count() == 0
    assert visitor.locator(f"main a[href='{restitution_path}']").count() == 0
    browse.visit(visitor, restitution_path, status=404)

    # The moderator finds it in the queue filtered to restitutions and approves it.
    desk = browse.open()
    log_in(browse, desk, moderator, then="/moderation/")
    desk.select_option("#type", "restitution")
    browse.click(desk, "main form[role=search] button[type=submit]")
    assert "type=restitution" in desk.url
    browse.click(desk, f"#queue tbody th a[href^='/moderation/restitution/{restitution_id}?']")
    assert path_of(desk) == f"/moderation/restitution/{restitution_id}"
    assert text in desk.locator("main blockquote").inner_text()
    decide(browse, desk, "approve", "compliant")
    assert path_of(desk) == "/moderation/"
    assert flashes(desk) == say(
        live_server, "Approved: the item is published and marked as reviewed."
    )
    assert (
        desk.locator(
            f"#queue tbody th a[href^='/moderation/restitution/{restitution_id}?']"
        ).count()
        == 0
    )
    assert restitution_status(live_server, restitution_id) == "published"

    # Published: among the commitment's related contributions, then on its own page.
    browse.visit(visitor, ground.commitment_path)
    assert words(visitor.locator(RELATED).inner_text()) == say(live_server, "Related contributions")
    related = visitor.locator(f"{RELATED} + ul a[href='{restitution_path}']")
    assert related.count() == 1
    assert ground.workshop_title in related.inner_text()
    assert ground.event_title in related.inner_text()
    browse.click(visitor, f"{RELATED} + ul a[href='{restitution_path}']")
    assert path_of(visitor) == restitution_path
    assert text in visitor.locator("main").inner_text()
    assert visitor.locator("main .fr-alert--warning").count() == 0
    report_link = f"main a[href='{restitution_path}/signaler']"
    assert visitor.locator(report_link).count() == 0, "reporting is for signed-in readers"

    # A signed-in reader reports it once.
    reading = browse.open()
    log_in(browse, reading, reader, then=restitution_path)
    assert words(reading.locator(report_link).inner_text()) == say(
        live_server, "Report this restitution"
    )
    browse.click(reading, report_link)
    assert path_of(reading) == f"{restitution_path}/signaler"
    assert reading.locator("h1").inner_text() == say(live_server, "Report a restitution")
    assert text in reading.locator("main blockquote").inner_text()
    tick(reading, "input[name=reason][value=spam]")
    browse.click(reading, SUBMIT)
    assert path_of(reading) == restitution_path
    assert flashes(reading) == say(live_server, "Thank you: your report is sent to the moderators.")
