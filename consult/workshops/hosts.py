"""Restitutions as hosts of discussions (see discussions.targets): citizens discuss them."""

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from consult.core.db import db
from consult.core.moderation import ModerationMode, ModerationStatus
from consult.discussions.targets import Host
from consult.plans.models import Commitment
from consult.workshops import restitutions
from consult.workshops.models import Restitution

#: The discussion target kind of a restitution.
RESTITUTION = "restitution"


def restitution_host(restitution_id: int) -> Host | None:
    """The restitution's thread: answered officially by the event's institution, moderated as
    the plan of the first commitment it concerns (after publication when it concerns none),
    open only while the restitution is published."""
    restitution = db.session.scalar(
        select(Restitution)
        .where(Restitution.id == restitution_id)
        .options(
            joinedload(Restitution.event),
            joinedload(Restitution.item),
            selectinload(Restitution.commitments).joinedload(Commitment.plan),
        )
    )
    if restitution is None:
        return None
    commitments = sorted(restitution.commitments, key=lambda c: (c.plan_id, c.number))
    plan = commitments[0].plan if commitments else None
    return Host(
        kind=RESTITUTION,
        id=restitution.id,
        title=restitutions.title_of(restitution),
        url=url_for("workshops.show_restitution", restitution_id=restitution.id),
        plan_id=plan.id if plan else None,
        moderation_mode=plan.moderation_mode if plan else ModerationMode.POST.value,
        official_institution_ids=frozenset({restitution.event.institution_id}),
        is_open=restitution.status == ModerationStatus.PUBLISHED,
    )


def register(app) -> None:
    from consult.discussions.targets import register_host

    register_host(app, RESTITUTION, restitution_host)
