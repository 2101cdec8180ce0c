"""Read queries of the workshops: agenda, event page, registrants, CSV rows, organiser lists.

Each function issues a fixed number of statements whatever the number of events and
registrations: relationships the pages show are loaded up front.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from consult.accounts.models import Institution
from consult.core.db import db
from consult.plans.models import Commitment, Plan
from consult.workshops.models import (
    Event,
    EventStatus,
    Kit,
    ProgrammeItem,
    Registration,
    RegistrationStatus,
    event_commitments,
)

PARIS = ZoneInfo("Europe/Paris")
#: Events the public sees: drafts stay with their organisers.
PUBLIC_STATUSES = (EventStatus.PUBLISHED.value, EventStatus.CANCELLED.value)
MODE_IN_PERSON = "sur-place"
MODE_ONLINE = "en-ligne"
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


# The agenda ----------------------------------------------------------------------------------


@dataclass
class AgendaFilters:
    """The agenda's plain GET filters; values that are not valid are ignored."""

    institution: str | None = None
    commitment: int | None = None
    mode: str | None = None
    month: str | None = None

    @classmethod
    def from_args(cls, args) -> "AgendaFilters":
        mode = args.get("modalite")
        month = args.get("mois", "")
        commitment = args.get("engagement", type=int)
        return cls(
            institution=(args.get("institution") or "").strip()[:120] or None,
            commitment=commitment if commitment and commitment > 0 else None,
            mode=mode if mode in (MODE_IN_PERSON, MODE_ONLINE) else None,
            month=month if _MONTH.match(month) else None,
        )

    @property
    def active(self) -> bool:
        return any((self.institution, self.commitment, self.mode, self.month))

    def month_bounds(self) -> tuple[datetime, datetime] | None:
        """The month's first and next month's first instants, Paris time, in UTC."""
        if not self.month:
            return None
        year, month = (int(part) for part in self.month.split("-"))
        start = datetime(year, month, 1, tzinfo=PARIS)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=PARIS)
        return start.astimezone(UTC), end.astimezone(UTC)


@dataclass
class Agenda:
    upcoming: list[Event]
    past: list[Event]


def list_agenda(filters: AgendaFilters, now: datetime) -> Agenda:
    """Published and cancelled events matching `filters`: upcoming soonest first, past latest
    first. Two statements (events with their institution, then their programmes)."""
    query = (
        select(Event)
        .join(Institution, Institution.id == Event.institution_id)
        .where(Event.status.in_(PUBLIC_STATUSES))
        .options(
            joinedload(Event.institution),
            selectinload(Event.items),
            lazyload(Event.commitments),
        )
    )
    if filters.institution:
        query = query.where(Institution.slug == filters.institution)
    if filters.commitment:
        query = query.where(Event.commitments.any(Commitment.id == filters.commitment))
    if filters.mode == MODE_IN_PERSON:
        query = query.where(Event.venue.is_not(None))
    elif filters.mode == MODE_ONLINE:
        query = query.where(Event.online_url.is_not(None))
    bounds = filters.month_bounds()
    if bounds:
        query = query.where(Event.starts_at >= bounds[0], Event.starts_at < bounds[1])
    events = list(db.session.scalars(query.order_by(Event.starts_at, Event.id)).unique())
    upcoming = [e for e in events if not e.is_past(now)]
    past = [e for e in reversed(events) if e.is_past(now)]
    return Agenda(upcoming=upcoming, past=past)


def list_agenda_institutions() -> list[Institution]:
    """Institutions with at least one public event, for the filter."""
    return list(
        db.session.scalars(
            select(Institution)
            .where(
                Institution.id.in_(
                    select(Event.institution_id).where(Event.status.in_(PUBLIC_STATUSES))
                )
            )
            .order_by(Institution.name)
        )
    )


def list_agenda_commitments() -> list[Commitment]:
    """Commitments at least one public event is about, newest plan first, for the filter."""
    about = (
        select(event_commitments.c.commitment_id)
        .join(Event, Event.id == event_commitments.c.event_id)
        .where(Event.status.in_(PUBLIC_STATUSES))
    )
    return list(
        db.session.scalars(
            select(Commitment)
            .join(Plan, Plan.id == Commitment.plan_id)
            .where(Commitment.id.in_(about))
            .options(joinedload(Commitment.plan))
            .order_by(Plan.period_start.desc(), Plan.slug, Commitment.number)
        )
    )


def list_agenda_months() -> list[str]:
    """The months ("2026-06"), Paris time, in which public events start, latest first."""
    starts = db.session.scalars(select(Event.starts_at).where(Event.status.in_(PUBLIC_STATUSES)))
    return sorted({s.astimezone(PARIS).strftime("%Y-%m") for s in starts}, reverse=True)


@dataclass(frozen=True)
class Seats:
    """What an event's workshops offer, summed: for the agenda's cards."""

    capacity: int
    left: int
    waiting: int

    @property
    def has_workshops(self) -> bool:
        return self.capacity > 0


def seats_of(event: Event) -> Seats:
    workshops = [item for item in event.items if item.takes_registrations]
    return Seats(
        capacity=sum(item.capacity or 0 for item in workshops),
        left=sum(item.seats_left for item in workshops),
        waiting=sum(item.waitlist_count for item in workshops),
    )


# One event -----------------------------------------------------------------------------------


def get_event(event_id: int) -> Event | None:
    """An event with what its page shows: institution, kit, programme, commitments and their
    plans. Three statements."""
    return db.session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .options(
            joinedload(Event.institution),
            joinedload(Event.kit),
            selectinload(Event.items),
            selectinload(Event.commitments).joinedload(Commitment.plan),
        )
    )


@dataclass(frozen=True)
class ViewerRegistration:
    registration: Registration
    #: 1 for the first person waiting; None for a confirmed seat.
    position: int | None


def get_viewer_registration(event: Event, user_id: int) -> ViewerRegistration | None:
    """The active registration of `user_id` at `event`, with its place in the waiting line."""
    registration = db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.user_id == user_id,
            Registration.status != RegistrationStatus.CANCELLED.value,
        )
    )
    if registration is None:
        return None
    position = None
    if registration.status == RegistrationStatus.WAITLISTED:
        position = db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.item_id == registration.item_id,
                Registration.status == RegistrationStatus.WAITLISTED.value,
                Registration.id <= registration.id,
            )
        )
    return ViewerRegistration(registration, position)


def get_registration(event: Event, registration_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.id == registration_id, Registration.event_id == event.id
        )
    )


def list_institution_events(institution: Institution) -> list[Event]:
    """An institution's public events, for its calendar feed."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.institution_id == institution.id, Event.status.in_(PUBLIC_STATUSES))
            .options(lazyload(Event.commitments))
            .order_by(Event.starts_at)
        )
    )


def get_institution(slug: str) -> Institution | None:
    return db.session.scalar(select(Institution).where(Institution.slug == slug))


# Organisers ----------------------------------------------------------------------------------


def list_managed_events(institution_ids: list[int] | None) -> list[Event]:
    """Events of these institutions (every event for None: administrators), all statuses,
    latest first."""
    query = select(Event).options(
        joinedload(Event.institution), selectinload(Event.items), lazyload(Event.commitments)
    )
    if institution_ids is not None:
        query = query.where(Event.institution_id.in_(institution_ids))
    return list(db.session.scalars(query.order_by(Event.starts_at.desc(), Event.id.desc())))


def list_published_kits() -> list[Kit]:
    return list(
        db.session.scalars(
            select(Kit).where(Kit.published_at.is_not(None)).order_by(Kit.version.desc())
        )
    )


def list_commitment_choices(
    institution_ids: list[int] | None, also: list[int] = ()
) -> list[Commitment]:
    """Commitments an event of these institutions can be about (every commitment for None),
    plus those in `also` (already chosen), newest plan first."""
    query = (
        select(Commitment)
        .join(Plan, Plan.id == Commitment.plan_id)
        .options(joinedload(Commitment.plan))
        .order_by(Plan.period_start.desc(), Plan.slug, Commitment.number)
    )
    if institution_ids is not None:
        condition = Commitment.institutions.any(Institution.id.in_(institution_ids))
        if also:
            condition = condition | Commitment.id.in_(list(also))
        query = query.where(condition)
    return list(db.session.scalars(query))


def list_registrants(event: Event) -> dict[int, list[Registration]]:
    """Active registrations by workshop id: confirmed first, then the waiting line in order."""
    registrations = db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status != RegistrationStatus.CANCELLED.value,
        )
        .options(joinedload(Registration.user))
        .order_by(
            Registration.item_id,
            (Registration.status != RegistrationStatus.CONFIRMED.value),
            Registration.id,
        )
    )
    grouped: dict[int, list[Registration]] = {}
    for registration in registrations:
        grouped.setdefault(registration.item_id, []).append(registration)
    return grouped


def list_attendance_rows(event: Event) -> list[tuple[Registration, ProgrammeItem]]:
    """Confirmed registrants for the day's sheet, by workshop then name."""
    rows = db.session.execute(
        select(Registration, ProgrammeItem)
        .join(ProgrammeItem, ProgrammeItem.id == Registration.item_id)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED.value,
        )
        .options(joinedload(Registration.user))
        .order_by(ProgrammeItem.position, ProgrammeItem.id, Registration.id)
    ).all()
    return sorted(
        ((registration, item) for registration, item in rows),
        key=lambda row: (row[1].position, row[1].id, row[0].user.display_name.casefold()),
    )
