"""Restitutions: what each workshop produced, published by its organisers after the event.

A restitution is a contribution to the plan's follow-up: it waits in the moderation queue
(moderation.targets.RestitutionKind) and is shown once a moderator approves it, on the event's
page, on its own page with a discussion, and on the page of every commitment it concerns.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from consult.core import audit
from consult.core.db import db, utcnow
from consult.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from consult.core.moderation import ModerationStatus
from consult.workshops import rules
from consult.workshops.models import (
    Event,
    EventStatus,
    ItemKind,
    ProgrammeItem,
    Restitution,
    restitution_commitments,
)

BODY_MAX = 20000
PARTICIPANTS_MAX = 100000


# Reading ----------------------------------------------------------------------------------------


def list_published_restitutions(event: Event) -> list[Restitution]:
    """The restitutions of `event` a visitor may read, in the programme's order. One statement
    (the commitments they concern come with a second, selectin)."""
    return list(
        db.session.scalars(
            select(Restitution)
            .join(ProgrammeItem, ProgrammeItem.id == Restitution.item_id)
            .where(
                Restitution.event_id == event.id,
                Restitution.status == ModerationStatus.PUBLISHED.value,
            )
            .options(joinedload(Restitution.item))
            .order_by(ProgrammeItem.position, ProgrammeItem.id)
        )
    )


def list_restitutions_by_item(event: Event) -> dict[int, Restitution]:
    """Every restitution of `event` whatever its state, by workshop (for its organisers)."""
    return {
        restitution.item_id: restitution
        for restitution in db.session.scalars(
            select(Restitution).where(Restitution.event_id == event.id)
        )
    }


def list_workshops(event: Event) -> list[ProgrammeItem]:
    """The sessions a restitution can be written for: the event's workshops."""
    return [item for item in event.items if item.kind == ItemKind.WORKSHOP]


def get_restitution(restitution_id: int) -> Restitution | None:
    return db.session.scalar(
        select(Restitution)
        .where(Restitution.id == restitution_id)
        .options(
            joinedload(Restitution.event).joinedload(Event.institution),
            joinedload(Restitution.item),
        )
    )


def is_shown_to(restitution: Restitution, actor) -> bool:
    """Published ones to everyone; the others to the event's organisers only."""
    return restitution.status == ModerationStatus.PUBLISHED or rules.can_manage_event(
        actor, restitution.event
    )


def list_published_for_commitment(commitment_id: int) -> list[Restitution]:
    """The published restitutions concerning a commitment, newest first, with their event and
    workshop: one statement."""
    return list(
        db.session.scalars(
            select(Restitution)
            .join(
                restitution_commitments,
                restitution_commitments.c.restitution_id == Restitution.id,
            )
            .where(
                restitution_commitments.c.commitment_id == commitment_id,
                Restitution.status == ModerationStatus.PUBLISHED.value,
            )
            .options(
                joinedload(Restitution.event),
                joinedload(Restitution.item),
                # The list shows none of them: load them only if asked.
                lazyload(Restitution.commitments),
            )
            .order_by(Restitution.published_at.desc(), Restitution.id.desc())
        )
    )


def title_of(restitution: Restitution) -> str:
    """How the restitution is named everywhere: its workshop, then its event."""
    return f"{restitution.item.title} – {restitution.event.title}"


# Writing (organisers of the event: workshops:manage narrowed by rules.can_manage_event) ---------


def takes_restitutions(event: Event, now: datetime) -> bool:
    """A published event that is over: its workshops' restitutions can be written."""
    return event.status == EventStatus.PUBLISHED and event.is_past(now)


def _check(event: Event, item: ProgrammeItem, now: datetime) -> None:
    if item.event_id != event.id or item.kind != ItemKind.WORKSHOP:
        raise InvalidTransition(_l("A restitution is written for one of the event's workshops."))
    if event.status != EventStatus.PUBLISHED:
        raise InvalidTransition(_l("Only an event that took place can have restitutions."))
    if not takes_restitutions(event, now):
        raise InvalidTransition(_l("Restitutions are published once the event is over."))


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_l("Write what the workshop produced."), field="body")
    if len(body) > BODY_MAX:
        raise ValidationFailed(
            _l("The text has at most %(max)d characters.", max=BODY_MAX), field="body"
        )
    return body


def _clean_count(participant_count) -> int | None:
    if participant_count in (None, ""):
        return None
    if (
        not isinstance(participant_count, int)
        or participant_count < 0
        or participant_count > PARTICIPANTS_MAX
    ):
        raise ValidationFailed(
            _l("Give the number of participants as a whole number."), field="participant_count"
        )
    return participant_count


def _chosen_commitments(event: Event, commitment_ids) -> list:
    offered = {c.id: c for c in event.commitments}
    chosen = list(dict.fromkeys(int(i) for i in commitment_ids or ()))
    if any(i not in offered for i in chosen):
        raise ValidationFailed(
            _l("Choose among the commitments the event is about."), field="commitments"
        )
    return [offered[i] for i in chosen]


def save_restitution(
    actor,
    item: ProgrammeItem,
    *,
    body: str,
    participant_count: int | None = None,
    commitment_ids=(),
    now: datetime | None = None,
) -> Restitution:
    """Write or rewrite the restitution of workshop `item`; it goes (back) to the moderation
    queue, and is shown again only once approved.

    Workshops:manage for the event's institution (rules.can_manage_event), an event published
    and over, an account not blocked. Raises PermissionDenied, InvalidTransition,
    ValidationFailed, writing nothing.
    """
    event = item.event
    if not rules.can_manage_event(actor, event):
        raise PermissionDenied(
            _l("Only the organisers of this event can publish its restitutions.")
        )
    if getattr(actor, "is_blocked", False):
        raise PermissionDenied(_l("Your account is blocked: it can no longer contribute."))
    now = now or utcnow()
    _check(event, item, now)
    body = _clean_body(body)
    participant_count = _clean_count(participant_count)
    commitments = _chosen_commitments(event, commitment_ids)
    restitution = db.session.scalar(select(Restitution).where(Restitution.item_id == item.id))
    before = None
    if restitution is None:
        restitution = Restitution(event_id=event.id, item_id=item.id, created_at=now)
        db.session.add(restitution)
    else:
        before = {"status": restitution.status}
    restitution.author_id = getattr(actor, "id", None)
    restitution.body = body
    restitution.participant_count = participant_count
    restitution.commitments = commitments
    restitution.status = ModerationStatus.PENDING.value
    restitution.reviewed_at = None
    restitution.is_hidden_by_block = False
    db.session.flush()
    audit.record(actor, "workshops.save_restitution", "restitution", restitution.id, before,
                 {"status": restitution.status, "item": item.id,
                  "commitments": [c.id for c in commitments]})  # fmt: skip
    return restitution


def set_status(restitution: Restitution, status: str) -> None:
    """The moderation state, set by moderation's decisions only: the first publication is dated
    (published_at), later ones keep that date."""
    restitution.status = status
    if status == ModerationStatus.PUBLISHED and restitution.published_at is None:
        restitution.published_at = utcnow()
