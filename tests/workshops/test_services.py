from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from consult.workshops import services
from consult.workshops.models import Registration
from tests.factories import make_event, make_institution


@pytest.fixture
def ctx(app, db):
    with app.test_request_context():
        yield


def register(user, item, affiliation="civil_society", **kwargs):
    return services.register_for_workshop(user, item, affiliation=affiliation, **kwargs)


def test_second_person_waits_when_one_seat(ctx, db, make_user, outbox):
    event = make_event(capacity=1)
    item = event.items[0]
    first, second = make_user(), make_user()
    assert register(first, item).status == "confirmed"
    assert register(second, item).status == "waitlisted"
    db.session.refresh(item)
    assert (item.seats_taken, item.waitlist_count) == (1, 1)
    services.mail.flush_outbox()
    assert [m.template for m in outbox] == [
        "workshops/registration_confirmed",
        "workshops/registration_waitlisted",
    ]
    assert outbox[0].attachments[0][0] == "invitation.ics"
    assert b"BEGIN:VEVENT" in outbox[0].attachments[0][2]


def test_registering_twice_is_a_conflict_and_keeps_the_count(ctx, db, make_user):
    event = make_event(capacity=5, workshops=2)
    user = make_user()
    register(user, event.items[0])
    with pytest.raises(Conflict):
        register(user, event.items[1])
    db.session.refresh(event.items[0])
    assert event.items[0].seats_taken == 1 and event.items[1].seats_taken == 0


def test_full_without_waiting_list_is_refused(ctx, db, make_user):
    item = make_event(capacity=1, waiting_list=False).items[0]
    register(make_user(), item)
    with pytest.raises(Conflict):
        register(make_user(), item)
    assert db.session.scalar(select(func.count(Registration.id))) == 1


def test_cancelling_a_seat_promotes_the_first_in_line(ctx, db, make_user, outbox):
    item = make_event(capacity=1).items[0]
    holder, first, second = make_user(), make_user(), make_user()
    seat = register(holder, item)
    waiting_first = register(first, item)
    register(second, item)
    services.cancel_registration(holder, seat)
    db.session.refresh(item)
    assert waiting_first.status == "confirmed" and waiting_first.promoted_at
    assert (item.seats_taken, item.waitlist_count) == (1, 1)
    services.mail.flush_outbox()
    assert outbox[-1].template == "workshops/registration_promoted"
    assert outbox[-1].recipient == first.email


def test_parity_keeps_half_of_the_seats_for_each_side(ctx, db, make_user):
    item = make_event(capacity=2, parity=True).items[0]
    assert register(make_user(), item, "administration").status == "confirmed"
    assert register(make_user(), item, "administration").status == "waitlisted"
    assert register(make_user(), item, "civil_society").status == "confirmed"
    db.session.refresh(item)
    assert (item.seats_taken, item.administration_seats_taken) == (2, 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "cancelled"}, "cancelled"),
        ({"status": "draft"}, "not published"),
    ],
)
def test_closed_events_refuse_registrations(ctx, db, make_user, change, message):
    event = make_event()
    for name, value in change.items():
        setattr(event, name, value)
    with pytest.raises(InvalidTransition):
        register(make_user(), event.items[0])


def test_past_and_not_yet_open_events_refuse(ctx, db, make_user):
    event = make_event()
    with pytest.raises(InvalidTransition):
        register(make_user(), event.items[0], now=event.starts_at + timedelta(minutes=1))
    event.registration_opens_at = services.utcnow() + timedelta(days=1)
    with pytest.raises(InvalidTransition):
        register(make_user(), event.items[0])


def test_unverified_accounts_and_bad_affiliations_are_refused(ctx, db, make_user):
    item = make_event().items[0]
    with pytest.raises(PermissionDenied):
        register(make_user(verified=False), item)
    with pytest.raises(ValidationFailed):
        register(make_user(), item, affiliation="lobby")


def test_capacity_cannot_drop_below_the_seats_taken(ctx, db, make_user):
    from consult.accounts.system import SystemActor

    item = make_event(capacity=3).items[0]
    register(make_user(), item)
    register(make_user(), item)
    with pytest.raises(ValidationFailed):
        services.update_item(SystemActor(), item, capacity=1)
    services.update_item(SystemActor(), item, capacity=2)
    assert item.capacity == 2


def test_raising_the_capacity_promotes_people_waiting(ctx, db, make_user):
    from consult.accounts.system import SystemActor

    item = make_event(capacity=1).items[0]
    register(make_user(), item)
    waiting = register(make_user(), item)
    services.update_item(SystemActor(), item, capacity=2)
    assert waiting.status == "confirmed"


def test_event_rules(ctx, db, make_user):
    ministry = make_institution()
    organiser = make_user(role="organiser", institutions=[ministry])
    outsider = make_user(role="organiser", institutions=[make_institution()])
    start = services.utcnow() + timedelta(days=3)
    with pytest.raises(ValidationFailed):
        services.create_event(organiser, institution=ministry, title="x", starts_at=start,
                              ends_at=start - timedelta(hours=1), venue="Paris")  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.create_event(organiser, institution=ministry, title="x", starts_at=start,
                              ends_at=start + timedelta(hours=1))  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.create_event(outsider, institution=ministry, title="x", starts_at=start,
                              ends_at=start + timedelta(hours=1), venue="Paris")  # fmt: skip
    event = services.create_event(organiser, institution=ministry, title="Atelier",
                                  starts_at=start, ends_at=start + timedelta(hours=1),
                                  online_url="https://webinaire.exemple.fr/ouvert")  # fmt: skip
    with pytest.raises(InvalidTransition):
        services.publish_event(organiser, event)  # no programme yet


def test_cancelling_an_event_tells_every_registrant(ctx, db, make_user, outbox):
    from consult.accounts.system import SystemActor

    event = make_event(capacity=1)
    register(make_user(), event.items[0])
    register(make_user(), event.items[0])
    assert services.cancel_event(SystemActor(), event, "Grève des transports") == 2
    services.mail.flush_outbox()
    assert [m.template for m in outbox][-2:] == ["workshops/event_cancelled"] * 2


def test_reminders_go_once_the_day_before_and_needs_are_erased_after(ctx, db, make_user, outbox):
    event = make_event(starts_in_days=1)
    event.starts_at = services.utcnow() + timedelta(hours=20)
    registration = register(make_user(), event.items[0], needs="Fauteuil roulant")
    assert services.send_reminders() == 1
    assert services.send_reminders() == 0
    assert services.erase_past_needs(now=event.ends_at + timedelta(hours=1)) == 1
    db.session.refresh(registration)
    assert registration.accessibility_needs is None


def test_cancel_link_is_signed(ctx, db, make_user):
    registration = register(make_user(), make_event().items[0])
    token = services.cancel_token(registration)
    assert services.registration_for_token(token) is registration
    with pytest.raises(InvalidTransition):
        services.registration_for_token(token[:-2] + "xx")


def test_update_event_clears_a_description_and_checks_the_registration_window(ctx, db):
    from consult.accounts.system import SystemActor

    event = make_event()
    services.update_event(SystemActor(), event, description="")
    assert event.description == ""
    with pytest.raises(ValidationFailed):
        services.update_event(
            SystemActor(), event,
            registration_opens_at=event.starts_at - timedelta(days=1),
            registration_closes_at=event.starts_at - timedelta(days=2),
        )  # fmt: skip
