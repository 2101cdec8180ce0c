"""Read queries of the workshops: agenda filters, waiting positions, organisers' lists."""

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from consult.accounts.system import SystemActor
from consult.core.db import utcnow
from consult.workshops import queries, services
from consult.workshops.models import Kit
from tests.factories import make_commitment, make_event, make_institution, make_user


@pytest.fixture
def ctx(app, db):
    with app.test_request_context():
        yield


def register(user, item, affiliation="civil_society", **kwargs):
    return services.register_for_workshop(user, item, affiliation=affiliation, **kwargs)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, queries.AgendaFilters()),
        (
            {"institution": "cnil", "engagement": "12", "modalite": "en-ligne", "mois": "2026-06"},
            queries.AgendaFilters("cnil", 12, "en-ligne", "2026-06"),
        ),
        ({"engagement": "-3", "modalite": "partout", "mois": "2026-13"}, queries.AgendaFilters()),
        ({"engagement": "douze", "mois": "juin"}, queries.AgendaFilters()),
    ],
)
def test_agenda_filters_keep_only_valid_values(args, expected):
    filters = queries.AgendaFilters.from_args(MultiDict(args))
    assert filters == expected
    assert filters.active == (expected != queries.AgendaFilters())


@pytest.mark.parametrize(
    ("month", "start", "end"),
    [
        # Paris is UTC+1 in winter, UTC+2 in summer: a month starts at 23:00 or 22:00 UTC.
        ("2026-01", datetime(2025, 12, 31, 23, tzinfo=UTC), datetime(2026, 1, 31, 23, tzinfo=UTC)),
        ("2026-06", datetime(2026, 5, 31, 22, tzinfo=UTC), datetime(2026, 6, 30, 22, tzinfo=UTC)),
        ("2026-12", datetime(2026, 11, 30, 23, tzinfo=UTC), datetime(2026, 12, 31, 23, tzinfo=UTC)),
    ],
)
def test_month_bounds_are_paris_months(month, start, end):
    assert queries.AgendaFilters(month=month).month_bounds() == (start, end)


def test_agenda_splits_upcoming_and_past_and_hides_drafts(ctx, db):
    institution = make_institution()
    later = make_event(institution=institution, starts_in_days=20)
    sooner = make_event(institution=institution, starts_in_days=3)
    old = make_event(institution=institution, starts_in_days=-30)
    recent = make_event(institution=institution, starts_in_days=-2)
    make_event(institution=institution, status="draft")

    agenda = queries.list_agenda(queries.AgendaFilters(), utcnow())

    assert agenda.upcoming == [sooner, later]
    assert agenda.past == [recent, old]


def test_agenda_filters_by_month_in_paris_time(ctx, db):
    institution = make_institution()
    event = make_event(institution=institution)
    # 23:30 UTC on 31 May is 01:30 on 1 June in Paris: a June event.
    event.starts_at = datetime(2031, 5, 31, 23, 30, tzinfo=UTC)
    event.ends_at = event.starts_at + timedelta(hours=2)
    db.session.flush()
    now = datetime(2031, 1, 1, tzinfo=UTC)
    june = queries.list_agenda(queries.AgendaFilters(month="2031-06"), now)
    may = queries.list_agenda(queries.AgendaFilters(month="2031-05"), now)
    assert june.upcoming == [event] and may.upcoming == []
    assert "2031-06" in queries.list_agenda_months()


def test_agenda_filter_options_list_only_public_events(ctx, db):
    shown, hidden = make_institution(name="A montrer"), make_institution(name="B cachée")
    commitment, other = make_commitment(institutions=[shown]), make_commitment()
    make_event(institution=shown).commitments = [commitment]
    make_event(institution=hidden, status="draft").commitments = [other]
    db.session.flush()
    assert queries.list_agenda_institutions() == [shown]
    assert queries.list_agenda_commitments() == [commitment]


def test_seats_sum_the_workshops(ctx, db):
    event = make_event(capacity=2, workshops=2)
    services.add_item(SystemActor(), event, title="Plénière", kind="plenary")
    register(make_user(), event.items[0])
    register(make_user(), event.items[0])
    register(make_user(), event.items[0])
    db.session.refresh(event.items[0])
    assert queries.seats_of(event) == queries.Seats(capacity=4, left=2, waiting=1)


def test_viewer_registration_gives_the_place_in_line(ctx, db):
    event = make_event(capacity=1)
    item = event.items[0]
    holder, first, second = make_user(), make_user(), make_user()
    register(holder, item)
    register(first, item)
    register(second, item)

    assert queries.get_viewer_registration(event, holder.id).position is None
    assert queries.get_viewer_registration(event, first.id).position == 1
    assert queries.get_viewer_registration(event, second.id).position == 2
    assert queries.get_viewer_registration(event, make_user().id) is None

    services.cancel_registration(
        first, queries.get_viewer_registration(event, first.id).registration
    )
    assert queries.get_viewer_registration(event, second.id).position == 1
    assert queries.get_viewer_registration(event, first.id) is None


def test_registrants_come_by_workshop_confirmed_first(ctx, db):
    event = make_event(capacity=1, workshops=2)
    first, second = event.items
    waiting = make_user()
    holder = make_user()
    register(holder, first)
    register(waiting, first)
    other = register(make_user(), second)
    grouped = queries.list_registrants(event)
    assert [r.user_id for r in grouped[first.id]] == [holder.id, waiting.id]
    assert [r.id for r in grouped[second.id]] == [other.id]


def test_attendance_rows_are_the_confirmed_by_workshop_then_name(ctx, db):
    event = make_event(capacity=2, workshops=2)
    first, second = event.items
    register(make_user(display_name="Zoé"), first)
    register(make_user(display_name="albert"), first)
    register(make_user(display_name="Waiting"), first)
    register(make_user(display_name="Bruno"), second)
    rows = queries.list_attendance_rows(event)
    assert [(r.user.display_name, item.id) for r, item in rows] == [
        ("albert", first.id),
        ("Zoé", first.id),
        ("Bruno", second.id),
    ]


def test_managed_events_and_commitment_choices_follow_the_institutions(ctx, db):
    mine, theirs = make_institution(), make_institution()
    my_event, their_event = make_event(institution=mine), make_event(institution=theirs)
    carried, elsewhere = (
        make_commitment(institutions=[mine]),
        make_commitment(institutions=[theirs]),
    )

    assert queries.list_managed_events([mine.id]) == [my_event]
    assert set(queries.list_managed_events(None)) >= {my_event, their_event}
    assert queries.list_commitment_choices([mine.id]) == [carried]
    assert set(queries.list_commitment_choices([mine.id], also=[elsewhere.id])) == {
        carried,
        elsewhere,
    }
    assert {carried, elsewhere} <= set(queries.list_commitment_choices(None))


def test_only_published_kits_are_offered(ctx, db):
    published = Kit(version=901, title="Publié", published_at=utcnow())
    db.session.add_all([published, Kit(version=902, title="Brouillon")])
    db.session.flush()
    assert queries.list_published_kits() == [published]


def test_institution_feed_and_lookup(ctx, db):
    institution = make_institution(slug="feed-test")
    event = make_event(institution=institution)
    make_event(institution=institution, status="draft")
    assert queries.get_institution("feed-test") == institution
    assert queries.get_institution("absente") is None
    assert queries.list_institution_events(institution) == [event]
    assert queries.get_registration(event, 999999) is None
