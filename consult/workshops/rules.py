"""Workshop rules: who organises which event, when registration is open, parity seats."""

import math
from datetime import datetime

from consult.core.permissions import Capability, Role, can, role_of
from consult.workshops.models import Affiliation, Event, EventStatus, ProgrammeItem


def can_manage_event(actor, event: Event) -> bool:
    """Capability workshops:manage, narrowed to the organisers of the event's institution."""
    if not can(actor, Capability.WORKSHOPS_MANAGE):
        return False
    if role_of(actor) == Role.ADMIN:
        return True
    return event.institution_id in {i.id for i in getattr(actor, "institutions", [])}


def can_organise_for(actor, institution_id: int) -> bool:
    if not can(actor, Capability.WORKSHOPS_MANAGE):
        return False
    if role_of(actor) == Role.ADMIN:
        return True
    return institution_id in {i.id for i in getattr(actor, "institutions", [])}


def is_registration_open(event: Event, now: datetime) -> bool:
    """Published, not started, and within the registration window when one is set."""
    if event.status != EventStatus.PUBLISHED or event.starts_at <= now:
        return False
    if event.registration_opens_at and now < event.registration_opens_at:
        return False
    if event.registration_closes_at and now >= event.registration_closes_at:
        return False
    return True


def parity_quota(item: ProgrammeItem) -> int:
    """Seats each side may take when the event keeps half administration, half civil society."""
    return math.ceil((item.capacity or 0) / 2)


def side_has_room(item: ProgrammeItem, affiliation: str) -> bool:
    quota = parity_quota(item)
    if affiliation == Affiliation.ADMINISTRATION:
        return item.administration_seats_taken < quota
    return item.seats_taken - item.administration_seats_taken < quota
