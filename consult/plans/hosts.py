"""Commitments and actions as hosts of discussions (see discussions.targets)."""

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from consult.core.db import db
from consult.discussions.models import TargetKind
from consult.discussions.targets import Host
from consult.plans.models import Action, Commitment


def commitment_host(commitment_id: int) -> Host | None:
    commitment = db.session.scalar(
        select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(joinedload(Commitment.plan), selectinload(Commitment.institutions))
    )
    if commitment is None:
        return None
    return Host(
        kind=TargetKind.COMMITMENT.value,
        id=commitment.id,
        title=commitment.title,
        url=url_for("plans.show_commitment", slug=commitment.plan.slug, number=commitment.number),
        plan_id=commitment.plan_id,
        moderation_mode=commitment.plan.moderation_mode,
        official_institution_ids=frozenset(i.id for i in commitment.institutions),
    )


def action_host(action_id: int) -> Host | None:
    action = db.session.scalar(
        select(Action)
        .where(Action.id == action_id)
        .options(
            joinedload(Action.commitment).joinedload(Commitment.plan),
            joinedload(Action.commitment).selectinload(Commitment.institutions),
        )
    )
    if action is None:
        return None
    commitment = action.commitment
    return Host(
        kind=TargetKind.ACTION.value,
        id=action.id,
        title=action.title,
        url=url_for(
            "plans.show_action",
            slug=commitment.plan.slug,
            number=commitment.number,
            position=action.position,
        ),
        plan_id=commitment.plan_id,
        moderation_mode=commitment.plan.moderation_mode,
        official_institution_ids=frozenset(i.id for i in commitment.institutions),
    )


def register(app) -> None:
    from consult.discussions.targets import register_host

    register_host(app, TargetKind.COMMITMENT.value, commitment_host)
    register_host(app, TargetKind.ACTION.value, action_host)
