"""Read queries for the plan pages: a fixed number of statements whatever the plan's size."""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from consult.core.db import db
from consult.plans.models import (
    Action,
    Axis,
    Commitment,
    Plan,
    PlanKind,
    Progress,
    Schedule,
    StatusChange,
    TextRevision,
)


def list_plans() -> list[Plan]:
    """Every plan, national ones first, newest first."""
    plans = db.session.scalars(
        select(Plan).options(selectinload(Plan.institution)).order_by(Plan.period_start.desc())
    ).all()
    return sorted(plans, key=lambda p: (p.kind != PlanKind.NATIONAL, -p.period_start, p.slug))


def get_plan(slug: str, *, with_axes: bool = True) -> Plan | None:
    query = select(Plan).where(Plan.slug == slug).options(joinedload(Plan.institution))
    if with_axes:
        query = query.options(selectinload(Plan.axes).selectinload(Axis.themes))
    return db.session.scalar(query)


def list_commitments(plan: Plan) -> list[Commitment]:
    """The plan's commitments with their institutions, axis and theme: three statements."""
    return list(
        db.session.scalars(
            select(Commitment)
            .where(Commitment.plan_id == plan.id)
            .options(selectinload(Commitment.institutions))
            .order_by(Commitment.number)
        )
    )


@dataclass
class Filters:
    axis: int | None = None
    institution: str | None = None
    status: str | None = None
    schedule: str | None = None

    @classmethod
    def from_args(cls, args) -> "Filters":
        """Read the summary table's GET filters, ignoring values that are not valid."""
        axis = args.get("axe", type=int)
        status = args.get("avancement") or None
        schedule = args.get("calendrier") or None
        return cls(
            axis=axis,
            institution=args.get("institution") or None,
            status=status if status in {p.value for p in Progress} | {"none"} else None,
            schedule=schedule if schedule in {s.value for s in Schedule} | {"none"} else None,
        )

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.axis, self.institution, self.status, self.schedule))

    def keep(self, commitment: Commitment, axis_numbers: dict[int, int]) -> bool:
        if self.axis is not None and axis_numbers.get(commitment.axis_id) != self.axis:
            return False
        if self.institution and self.institution not in {i.slug for i in commitment.institutions}:
            return False
        if self.status and (commitment.status or "none") != self.status:
            return False
        if self.schedule and (commitment.schedule or "none") != self.schedule:
            return False
        return True


@dataclass
class Distribution:
    """Counts per value of a closed list, in the list's order, for the chart and its table."""

    counts: list[tuple[str, int]]
    unknown: int
    total: int = field(init=False)

    def __post_init__(self):
        self.total = sum(c for _, c in self.counts) + self.unknown

    def share(self, count: int) -> int:
        """Percentage rounded to the unit, for bar widths."""
        return round(100 * count / self.total) if self.total else 0


def distribution(commitments, attribute: str, values) -> Distribution:
    counter = Counter(getattr(c, attribute) for c in commitments)
    return Distribution(
        counts=[(v.value, counter.get(v.value, 0)) for v in values], unknown=counter.get(None, 0)
    )


def get_commitment(plan: Plan, number: int) -> Commitment | None:
    return db.session.scalar(
        select(Commitment)
        .where(Commitment.plan_id == plan.id, Commitment.number == number)
        .options(
            selectinload(Commitment.institutions),
            selectinload(Commitment.actions),
            joinedload(Commitment.axis),
            joinedload(Commitment.theme),
        )
    )


def list_history(commitment: Commitment, action: Action | None = None) -> list[StatusChange]:
    """The dated public history, newest first: of the commitment and its actions, or one action."""
    query = (
        select(StatusChange)
        .where(StatusChange.commitment_id == commitment.id)
        .options(
            joinedload(StatusChange.institution),
            joinedload(StatusChange.changed_by),
            joinedload(StatusChange.action),
        )
        .order_by(StatusChange.changed_at.desc(), StatusChange.id.desc())
    )
    if action is not None:
        query = query.where(StatusChange.action_id == action.id)
    return list(db.session.scalars(query))


def list_revisions(commitment: Commitment, action: Action | None = None) -> list[TextRevision]:
    same_object = (
        TextRevision.action_id == action.id
        if action is not None
        else TextRevision.action_id.is_(None)
    )
    return list(
        db.session.scalars(
            select(TextRevision)
            .where(TextRevision.commitment_id == commitment.id, same_object)
            .options(joinedload(TextRevision.institution), joinedload(TextRevision.edited_by))
            .order_by(TextRevision.version.desc())
        )
    )


def get_current_plan(today_year: int) -> Plan | None:
    """The national plan running this year, else the most recent one."""
    plans = [p for p in list_plans() if p.kind == PlanKind.NATIONAL]
    for plan in plans:
        if plan.period_start <= today_year <= (plan.period_end or plan.period_start):
            return plan
    return plans[0] if plans else None


def get_latest_followed_plan() -> Plan | None:
    """The most recent national plan whose commitments have a status: its progress is known."""
    return db.session.scalar(
        select(Plan)
        .join(Commitment, Commitment.plan_id == Plan.id)
        .where(Plan.kind == PlanKind.NATIONAL, Commitment.status.is_not(None))
        .order_by(Plan.period_start.desc())
        .limit(1)
    )
