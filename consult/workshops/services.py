"""Workshop services: events and programmes, registrations with exact seats, waiting lists.

Seats are counters changed by one conditional UPDATE next to the registration rows: atomic on
SQLite (writers are serialised) and on PostgreSQL (the WHERE is re-checked under the row lock).
Cancellations lock the workshop row before promoting from the waiting list.
"""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from consult.core import audit, mail, tokens
from consult.core.db import db, utcnow
from consult.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from consult.core.permissions import Capability, require
from consult.core.templating import external_url
from consult.workshops import calendar, rules
from consult.workshops.models import (
    Affiliation,
    Event,
    EventStatus,
    ItemKind,
    ProgrammeItem,
    Registration,
    RegistrationStatus,
)

CANCEL_PURPOSE = "cancel-registration"
TITLE_MAX = 200
TEXT_MAX = 20000


# Events and programmes (organisers) ---------------------------------------------------------


def _require_manage(actor, event: Event) -> None:
    if not rules.can_manage_event(actor, event):
        raise PermissionDenied(_l("Only the organisers of this institution can change this event."))


def _check_event_fields(*, title, starts_at, ends_at, venue, online_url) -> None:
    if not (title or "").strip():
        raise ValidationFailed(_l("Give the event a title."), field="title")
    if starts_at is None or ends_at is None:
        raise ValidationFailed(_l("Give the start and the end of the event."), field="starts_at")
    if ends_at <= starts_at:
        raise ValidationFailed(_l("The event must end after it starts."), field="ends_at")
    if not (venue or "").strip() and not (online_url or "").strip():
        raise ValidationFailed(_l("Give a place, an online link, or both."), field="venue")
    if online_url:
        parts = urlsplit(online_url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValidationFailed(
                _l("Give a full web address, starting with https://"), field="online_url"
            )


def create_event(
    actor,
    *,
    institution,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    description: str = "",
    venue: str | None = None,
    accessibility_info: str | None = None,
    online_url: str | None = None,
    registration_opens_at: datetime | None = None,
    registration_closes_at: datetime | None = None,
    has_waiting_list: bool = True,
    has_parity_quota: bool = False,
    commitments=(),
    kit=None,
    is_demo: bool = False,
) -> Event:
    """A draft event for `institution`, made from `kit` (its version is kept).

    Capability workshops:manage for that institution. Raises PermissionDenied, ValidationFailed.
    """
    require(actor, Capability.WORKSHOPS_MANAGE)
    if not rules.can_organise_for(actor, institution.id):
        raise PermissionDenied(_l("You do not organise events for this institution."))
    _check_event_fields(
        title=title, starts_at=starts_at, ends_at=ends_at, venue=venue, online_url=online_url
    )
    if (
        registration_closes_at
        and registration_opens_at
        and registration_closes_at <= registration_opens_at
    ):
        raise ValidationFailed(
            _l("Registration must close after it opens."), field="registration_closes_at"
        )
    event = Event(
        institution=institution,
        kit=kit,
        title=title.strip(),
        description=(description or "").strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        venue=(venue or "").strip() or None,
        accessibility_info=(accessibility_info or "").strip() or None,
        online_url=(online_url or "").strip() or None,
        registration_opens_at=registration_opens_at,
        registration_closes_at=registration_closes_at,
        has_waiting_list=has_waiting_list,
        has_parity_quota=has_parity_quota,
        is_demo=is_demo,
        created_by_id=getattr(actor, "id", None),
        status=EventStatus.DRAFT.value,
    )
    event.commitments = list(commitments)
    db.session.add(event)
    db.session.flush()
    audit.record(actor, "workshops.create_event", "event", event.id, None, {"title": event.title})
    return event


def update_event(actor, event: Event, **fields) -> None:
    """Change an event's details. Same checks as creation. Raises PermissionDenied,
    ValidationFailed, InvalidTransition (cancelled event)."""
    _require_manage(actor, event)
    if event.status == EventStatus.CANCELLED:
        raise InvalidTransition(_l("A cancelled event can no longer be changed."))
    merged = {
        "title": event.title, "starts_at": event.starts_at, "ends_at": event.ends_at,
        "venue": event.venue, "online_url": event.online_url,
    }  # fmt: skip
    merged.update({k: v for k, v in fields.items() if k in merged})
    _check_event_fields(**merged)
    opens = fields.get("registration_opens_at", event.registration_opens_at)
    closes = fields.get("registration_closes_at", event.registration_closes_at)
    if opens and closes and closes <= opens:
        raise ValidationFailed(
            _l("Registration must close after it opens."), field="registration_closes_at"
        )
    before = {"title": event.title, "starts_at": event.starts_at.isoformat()}
    for name, value in fields.items():
        if name == "commitments":
            event.commitments = list(value)
        elif name in ("title", "description"):  # never null: an empty description is ""
            setattr(event, name, (value or "").strip())
        elif hasattr(event, name):
            setattr(event, name, (value.strip() or None) if isinstance(value, str) else value)
    audit.record(actor, "workshops.update_event", "event", event.id, before,
                 {"title": event.title, "starts_at": event.starts_at.isoformat()})  # fmt: skip


def add_item(
    actor,
    event: Event,
    *,
    title: str,
    kind: str = ItemKind.WORKSHOP.value,
    capacity: int | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    room: str | None = None,
    description: str | None = None,
) -> ProgrammeItem:
    """Append a session to the programme. Workshops need a capacity of at least one seat."""
    _require_manage(actor, event)
    _check_item(title=title, kind=kind, capacity=capacity, starts_at=starts_at, ends_at=ends_at)
    position = max((i.position for i in event.items), default=0) + 1
    item = ProgrammeItem(
        event=event, position=position, title=title.strip(), kind=kind,
        capacity=capacity if kind == ItemKind.WORKSHOP else None,
        starts_at=starts_at, ends_at=ends_at, room=(room or "").strip() or None,
        description=(description or "").strip() or None,
    )  # fmt: skip
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "workshops.add_item", "event", event.id, None, {"item": item.title})
    return item


def _check_item(*, title, kind, capacity, starts_at, ends_at) -> None:
    if not (title or "").strip():
        raise ValidationFailed(_l("Give the session a title."), field="title")
    if kind not in {k.value for k in ItemKind}:
        raise ValidationFailed(_l("Choose one of the proposed kinds."), field="kind")
    if kind == ItemKind.WORKSHOP and (capacity is None or capacity < 1):
        raise ValidationFailed(_l("A workshop needs at least one seat."), field="capacity")
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationFailed(_l("The session must end after it starts."), field="ends_at")


def update_item(actor, item: ProgrammeItem, **fields) -> None:
    """Change a session. A capacity below the seats already taken is refused."""
    _require_manage(actor, item.event)
    merged = {"title": item.title, "kind": item.kind, "capacity": item.capacity,
              "starts_at": item.starts_at, "ends_at": item.ends_at}  # fmt: skip
    merged.update({k: v for k, v in fields.items() if k in merged})
    _check_item(**merged)
    if merged["capacity"] is not None and merged["capacity"] < item.seats_taken:
        raise ValidationFailed(
            _l("%(taken)d seats are already taken: the capacity cannot be lower.",
               taken=item.seats_taken),
            field="capacity",
        )  # fmt: skip
    if item.seats_taken and merged["kind"] != ItemKind.WORKSHOP:
        raise ValidationFailed(
            _l("This workshop has registrations: it stays a workshop."), field="kind"
        )
    # The capacity moves by one conditional statement so a concurrent registration cannot
    # slip under it.
    if "capacity" in fields and fields["capacity"] != item.capacity:
        changed = db.session.execute(
            update(ProgrammeItem)
            .where(ProgrammeItem.id == item.id, ProgrammeItem.seats_taken <= fields["capacity"])
            .values(capacity=fields["capacity"])
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            raise Conflict(_l("More seats were taken meanwhile: reload the page."))
        db.session.refresh(item)
        promote_from_waitlist(item)
    for name in ("title", "kind", "starts_at", "ends_at", "room", "description"):
        if name in fields:
            value = fields[name]
            setattr(item, name, value.strip() if isinstance(value, str) else value)
    audit.record(actor, "workshops.update_item", "event", item.event_id, None, {"item": item.id})


def remove_item(actor, item: ProgrammeItem) -> None:
    _require_manage(actor, item.event)
    if item.seats_taken or item.waitlist_count:
        raise InvalidTransition(_l("This workshop has registrations: it cannot be removed."))
    db.session.delete(item)
    audit.record(actor, "workshops.remove_item", "event", item.event_id, None, {"item": item.id})


def publish_event(actor, event: Event) -> None:
    """Make a draft public. It needs a programme with at least one session."""
    _require_manage(actor, event)
    if event.status != EventStatus.DRAFT:
        raise InvalidTransition(_l("Only a draft can be published."))
    if not event.items:
        raise InvalidTransition(_l("Add at least one session to the programme before publishing."))
    event.status = EventStatus.PUBLISHED.value
    event.published_at = utcnow()
    audit.record(actor, "workshops.publish_event", "event", event.id, {"status": "draft"},
                 {"status": "published"})  # fmt: skip


def cancel_event(actor, event: Event, reason: str) -> int:
    """Cancel an event and tell every registrant why. Returns how many were told."""
    _require_manage(actor, event)
    if event.status == EventStatus.CANCELLED:
        raise InvalidTransition(_l("This event is already cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _l("Say why the event is cancelled: registrants are told."), field="reason"
        )
    before = event.status
    event.status = EventStatus.CANCELLED.value
    event.cancelled_at = utcnow()
    registrations = _active_registrations(event)
    for registration in registrations:
        _tell(registration, "workshops/event_cancelled", reason=reason)
    audit.record(actor, "workshops.cancel_event", "event", event.id, {"status": before},
                 {"status": "cancelled", "told": len(registrations)})  # fmt: skip
    return len(registrations)


def _active_registrations(event: Event) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration).where(
                Registration.event_id == event.id,
                Registration.status != RegistrationStatus.CANCELLED.value,
            )
        )
    )


# Registrations (participants) -----------------------------------------------------------------


def _registration_closed_message(event: Event, now: datetime):
    if event.status == EventStatus.CANCELLED:
        return _l("This event is cancelled.")
    if event.status != EventStatus.PUBLISHED:
        return _l("This event is not published.")
    if event.starts_at <= now:
        return _l("This event has already taken place.")
    if event.registration_opens_at and now < event.registration_opens_at:
        return _l("Registration is not open yet.")
    return _l("Registration for this event is closed.")


def register_for_workshop(
    actor,
    item: ProgrammeItem,
    *,
    affiliation: str,
    organisation: str = "",
    needs: str = "",
    now: datetime | None = None,
) -> Registration:
    """Give `actor` a seat at workshop `item`, or a waiting-list place when it is full.

    Capability workshops:register, verified account. Writes one Registration and, for a
    seat, adds one to the counters. Raises PermissionDenied, InvalidTransition (closed,
    cancelled, past, not a workshop), ValidationFailed or Conflict (full without waiting
    list, already registered), writing nothing.
    """
    require(actor, Capability.WORKSHOPS_REGISTER)
    if not getattr(actor, "is_verified", False):
        raise PermissionDenied(_l("Confirm your e-mail address to register."))
    event = item.event
    now = now or utcnow()
    if not item.takes_registrations:
        raise InvalidTransition(_l("This session takes no registration."))
    if not rules.is_registration_open(event, now):
        raise InvalidTransition(_registration_closed_message(event, now))
    if affiliation not in {a.value for a in Affiliation}:
        raise ValidationFailed(
            _l("Say whether you come from the administration or from civil society."),
            field="affiliation",
        )
    organisation = (organisation or "").strip()[:200] or None
    needs = (needs or "").strip() or None
    if needs and len(needs) > 2000:
        raise ValidationFailed(
            _l("Describe your needs in at most 2,000 characters."), field="needs"
        )
    is_administration = affiliation == Affiliation.ADMINISTRATION
    conditions = [ProgrammeItem.id == item.id, ProgrammeItem.seats_taken < ProgrammeItem.capacity]
    if event.has_parity_quota:
        quota = rules.parity_quota(item)
        if is_administration:
            conditions.append(ProgrammeItem.administration_seats_taken < quota)
        else:
            conditions.append(
                ProgrammeItem.seats_taken - ProgrammeItem.administration_seats_taken < quota
            )
    try:
        with db.session.begin_nested():  # on conflict, the seat is given back too
            # One atomic statement: never read seats_taken, then write it.
            granted = (
                db.session.execute(
                    update(ProgrammeItem)
                    .where(*conditions)
                    .values(
                        seats_taken=ProgrammeItem.seats_taken + 1,
                        administration_seats_taken=ProgrammeItem.administration_seats_taken
                        + (1 if is_administration else 0),
                    )
                    .execution_options(synchronize_session=False)
                ).rowcount
                == 1
            )
            if not granted:
                if not event.has_waiting_list:
                    raise Conflict(_l("This workshop is full."))
                db.session.execute(
                    update(ProgrammeItem)
                    .where(ProgrammeItem.id == item.id)
                    .values(waitlist_count=ProgrammeItem.waitlist_count + 1)
                    .execution_options(synchronize_session=False)
                )
            status = RegistrationStatus.CONFIRMED if granted else RegistrationStatus.WAITLISTED
            registration = Registration(
                event_id=event.id,
                item_id=item.id,
                user_id=actor.id,
                status=status.value,
                affiliation=affiliation,
                organisation=organisation,
                accessibility_needs=needs,
                created_at=now,
            )
            db.session.add(registration)
            db.session.flush()
    except IntegrityError:  # unique (event_id, user_id) among active registrations
        raise Conflict(_l("You are already registered for this event.")) from None
    db.session.refresh(item)
    audit.record(actor, "workshops.register", "registration", registration.id, None,
                 {"status": status.value, "item": item.id})  # fmt: skip
    _tell(
        registration,
        "workshops/registration_confirmed" if granted else "workshops/registration_waitlisted",
        with_calendar=granted,
    )
    return registration


def cancel_token(registration: Registration) -> str:
    return tokens.make_token(CANCEL_PURPOSE, {"r": registration.id, "u": registration.user_id})


def registration_for_token(token: str) -> Registration:
    """The registration a cancel link names. Raises InvalidTransition for a bad link."""
    try:
        payload = tokens.read_token(CANCEL_PURPOSE, token, timedelta(days=730))
    except tokens.InvalidToken:
        raise InvalidTransition(_l("This cancellation link is not valid.")) from None
    registration = (
        db.session.get(Registration, payload.get("r")) if isinstance(payload, dict) else None
    )
    if registration is None or registration.user_id != payload.get("u"):
        raise InvalidTransition(_l("This cancellation link is not valid."))
    return registration


def cancel_registration(actor, registration: Registration, *, by_link: bool = False) -> None:
    """Cancel a registration (its owner, or anyone holding the e-mailed link); a freed seat
    goes to the first person waiting. Raises PermissionDenied, InvalidTransition."""
    if not by_link and getattr(actor, "id", None) != registration.user_id:
        raise PermissionDenied(_l("Only the registrant can cancel this registration."))
    if registration.status == RegistrationStatus.CANCELLED:
        raise InvalidTransition(_l("This registration is already cancelled."))
    if registration.event.is_past(utcnow()):
        raise InvalidTransition(_l("This event has already taken place."))
    item = registration.item
    _lock_item(item)
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED.value
    registration.cancelled_at = utcnow()
    registration.accessibility_needs = None
    if was_confirmed:
        administration = 1 if registration.affiliation == Affiliation.ADMINISTRATION else 0
        db.session.execute(
            update(ProgrammeItem)
            .where(ProgrammeItem.id == item.id)
            .values(
                seats_taken=ProgrammeItem.seats_taken - 1,
                administration_seats_taken=ProgrammeItem.administration_seats_taken
                - administration,
            )
            .execution_options(synchronize_session=False)
        )
    else:
        db.session.execute(
            update(ProgrammeItem)
            .where(ProgrammeItem.id == item.id)
            .values(waitlist_count=ProgrammeItem.waitlist_count - 1)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    db.session.refresh(item)
    audit.record(actor if not by_link else None, "workshops.cancel_registration", "registration",
                 registration.id, {"status": "confirmed" if was_confirmed else "waitlisted"},
                 {"status": "cancelled"})  # fmt: skip
    if was_confirmed:
        promote_from_waitlist(item)


def _lock_item(item: ProgrammeItem) -> None:
    """Serialise promotions (PostgreSQL row lock; SQLite writers are serialised already)."""
    db.session.execute(
        select(ProgrammeItem.id).where(ProgrammeItem.id == item.id).with_for_update()
    )


def promote_from_waitlist(item: ProgrammeItem) -> list[Registration]:
    """Give free seats to the people waiting, in the order they registered, and tell them."""
    promoted = []
    event = item.event
    if event.status != EventStatus.PUBLISHED or event.is_past(utcnow()):
        return promoted
    waiting = db.session.scalars(
        select(Registration)
        .where(
            Registration.item_id == item.id,
            Registration.status == RegistrationStatus.WAITLISTED.value,
        )
        .order_by(Registration.id)
    ).all()
    for registration in waiting:
        db.session.refresh(item)
        if item.seats_taken >= (item.capacity or 0):
            break
        if event.has_parity_quota and not rules.side_has_room(item, registration.affiliation):
            continue
        administration = 1 if registration.affiliation == Affiliation.ADMINISTRATION else 0
        db.session.execute(
            update(ProgrammeItem)
            .where(ProgrammeItem.id == item.id)
            .values(
                seats_taken=ProgrammeItem.seats_taken + 1,
                administration_seats_taken=ProgrammeItem.administration_seats_taken
                + administration,
                waitlist_count=ProgrammeItem.waitlist_count - 1,
            )
            .execution_options(synchronize_session=False)
        )
        registration.status = RegistrationStatus.CONFIRMED.value
        registration.promoted_at = utcnow()
        db.session.flush()
        audit.record(None, "workshops.promote", "registration", registration.id,
                     {"status": "waitlisted"}, {"status": "confirmed"})  # fmt: skip
        _tell(registration, "workshops/registration_promoted", with_calendar=True)
        promoted.append(registration)
    db.session.refresh(item)
    return promoted


# Organisers' tools ---------------------------------------------------------------------------


def check_in(actor, registration: Registration, present: bool) -> None:
    """Mark a registrant present (or not) on the day."""
    _require_manage(actor, registration.event)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise InvalidTransition(_l("Only confirmed registrants can be checked in."))
    registration.checked_in_at = utcnow() if present else None


def message_registrants(actor, event: Event, subject: str, body: str) -> int:
    """E-mail every active registrant of `event`; returns how many were written to."""
    _require_manage(actor, event)
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise ValidationFailed(_l("Give the message a subject."), field="subject")
    if not body:
        raise ValidationFailed(_l("Write the message."), field="body")
    if len(subject) > TITLE_MAX or len(body) > TEXT_MAX:
        raise ValidationFailed(_l("The message is too long."), field="body")
    registrations = _active_registrations(event)
    for registration in registrations:
        _tell(registration, "workshops/organiser_message", subject=subject, message=body)
    audit.record(actor, "workshops.message_registrants", "event", event.id, None,
                 {"recipients": len(registrations)})  # fmt: skip
    return len(registrations)


def send_reminders(now: datetime | None = None) -> int:
    """E-mail confirmed registrants whose event starts within a day (once). For a scheduler."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED.value,
            Registration.reminded_at.is_(None),
            Event.status == EventStatus.PUBLISHED.value,
            Event.starts_at > now,
            Event.starts_at <= now + timedelta(days=1),
        )
    ).all()
    for registration in due:
        registration.reminded_at = now
        _tell(registration, "workshops/reminder", with_calendar=True)
    return len(due)


def erase_past_needs(now: datetime | None = None) -> int:
    """Erase the accessibility needs given for events that have ended (personal data)."""
    now = now or utcnow()
    events = db.session.scalars(
        select(Event).where(Event.ends_at < now, Event.needs_erased_at.is_(None))
    ).all()
    erased = 0
    for event in events:
        erased += db.session.execute(
            update(Registration)
            .where(Registration.event_id == event.id, Registration.accessibility_needs.is_not(None))
            .values(accessibility_needs=None)
        ).rowcount
        event.needs_erased_at = now
    return erased


def _tell(registration: Registration, template: str, *, with_calendar: bool = False, **context):
    user = registration.user
    if user is None or user.is_deleted or not user.email:
        return
    event = registration.event
    url = external_url("workshops.show_event", event_id=event.id)
    attachments = []
    if with_calendar:
        domain = urlsplit(url).hostname or "consult"
        attachments.append(
            ("invitation.ics", "text/calendar", calendar.event_ics(event, url, domain))
        )
    mail.queue(
        user.email,
        template,
        user.locale,
        attachments=attachments,
        user=user,
        event=event,
        registration=registration,
        event_url=url,
        cancel_url=external_url("workshops.cancel_by_link", token=cancel_token(registration)),
        **context,
    )
