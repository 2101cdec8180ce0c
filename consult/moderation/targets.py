"""The kinds of content moderation handles, behind one interface.

Contributions and workshop restitutions; petitions plug in by adding an adapter to KINDS. This
is the only module of moderation that imports feature models.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import joinedload, lazyload

from consult.accounts.models import User
from consult.core.db import db
from consult.core.moderation import ModerationStatus
from consult.discussions import services as discussions
from consult.discussions.models import Contribution, TargetKind, Thread
from consult.discussions.targets import load_hosts
from consult.plans.models import Action, Commitment, commitment_institutions
from consult.workshops import restitutions
from consult.workshops.models import Event, Restitution, restitution_commitments


@dataclass
class QueueRow:
    """One item of the queue, whatever its kind."""

    kind: str
    id: int
    status: str
    created_at: datetime
    excerpt: str
    author_id: int | None
    open_report_count: int
    is_reviewed: bool
    claimed_by_id: int | None
    claimed_at: datetime | None
    plan_id: int | None
    held_reason: str | None


@dataclass
class ItemContext:
    """Where an item was written: its target (title and page) and, for a reply, its parent."""

    target_title: str | None = None
    target_url: str | None = None
    parent: object | None = None


class ContributionKind:
    """Contributions to discussions."""

    name = "contribution"
    label = _l("Contribution")
    #: The model: the queue filters on its moderation columns (status, reviewed_at, held_reason,
    #: open_report_count, claimed_by_id, claimed_at, created_at), which every kind has.
    model = Contribution

    def get(self, content_id: int) -> Contribution | None:
        return db.session.get(Contribution, content_id)

    def author_id(self, item: Contribution) -> int | None:
        return item.author_id

    def set_status(self, item: Contribution, status: str) -> None:
        discussions.set_status(item, status)

    def queue_query(self) -> Select:
        return (
            select(Contribution)
            .join(Thread, Thread.id == Contribution.thread_id)
            .options(joinedload(Contribution.thread))
            .where(Contribution.withdrawn_at.is_(None))
        )

    def row(self, item: Contribution) -> QueueRow:
        return QueueRow(
            kind=self.name,
            id=item.id,
            status=item.status,
            created_at=item.created_at,
            excerpt=item.body,
            author_id=item.author_id,
            open_report_count=item.open_report_count,
            is_reviewed=item.reviewed_at is not None,
            claimed_by_id=item.claimed_by_id,
            claimed_at=item.claimed_at,
            plan_id=item.thread.plan_id,
            held_reason=item.held_reason,
        )

    def items_of_author(self, user_id: int, status: str) -> list[Contribution]:
        return list(
            db.session.scalars(
                select(Contribution).where(
                    Contribution.author_id == user_id, Contribution.status == status
                )
            )
        )

    def is_visible(self, item: Contribution) -> bool:
        # A reply under a hidden contribution is published but not shown; a withdrawn one is
        # a placeholder: neither can be reported.
        return (
            item.status == ModerationStatus.PUBLISHED and item.is_visible and not item.is_withdrawn
        )

    def author(self, item: Contribution) -> User | None:
        return item.author

    def text(self, item: Contribution) -> str:
        """The Markdown source, rendered by the pages with rich_text or as an excerpt."""
        return item.body

    def filter_plan(self, query: Select, plan_id: int) -> Select:
        return query.where(Thread.plan_id == plan_id)

    def filter_institution(self, query: Select, institution_id: int) -> Select:
        """Keep contributions about a commitment the institution carries, or one of its actions."""
        carried = select(commitment_institutions.c.commitment_id).where(
            commitment_institutions.c.institution_id == institution_id
        )
        return query.where(
            or_(
                and_(
                    Thread.target_kind == TargetKind.COMMITMENT.value,
                    Thread.target_id.in_(carried),
                ),
                and_(
                    Thread.target_kind == TargetKind.ACTION.value,
                    Thread.target_id.in_(
                        select(Action.id).where(Action.commitment_id.in_(carried))
                    ),
                ),
            )
        )

    def load_many(self, ids) -> list[Contribution]:
        """The items with their thread, author and claimer, in one statement."""
        ids = list(ids)
        if not ids:
            return []
        return list(
            db.session.scalars(
                select(Contribution)
                .where(Contribution.id.in_(ids))
                .options(
                    joinedload(Contribution.thread),
                    joinedload(Contribution.author).options(lazyload(User.institutions)),
                    joinedload(Contribution.claimed_by).options(lazyload(User.institutions)),
                )
            ).unique()
        )

    def contexts(self, items, *, with_parents: bool = False) -> dict[int, ItemContext]:
        """Each item's target title and page, and with_parents the contribution a reply
        answers: two statements (three with parents) whatever the number of items, even when
        one finds nothing, so that a page costs the same whatever it holds. Needs a request
        context (URLs)."""
        if not items:
            return {}
        wanted = {TargetKind.COMMITMENT.value: set(), TargetKind.ACTION.value: set()}
        for item in items:
            if item.thread.target_kind in wanted:
                wanted[item.thread.target_kind].add(item.thread.target_id)
        links: dict[tuple[str, int], tuple[str, str]] = {}
        for commitment in db.session.scalars(
            select(Commitment)
            .where(Commitment.id.in_(wanted[TargetKind.COMMITMENT.value]))
            .options(joinedload(Commitment.plan))
        ):
            url = url_for(
                "plans.show_commitment", slug=commitment.plan.slug, number=commitment.number
            )
            links[(TargetKind.COMMITMENT.value, commitment.id)] = (commitment.title, url)
        for action in db.session.scalars(
            select(Action)
            .where(Action.id.in_(wanted[TargetKind.ACTION.value]))
            .options(joinedload(Action.commitment).joinedload(Commitment.plan))
        ):
            commitment = action.commitment
            url = url_for(
                "plans.show_action",
                slug=commitment.plan.slug,
                number=commitment.number,
                position=action.position,
            )
            links[(TargetKind.ACTION.value, action.id)] = (action.title, url)
        parents = {}
        if with_parents:
            parent_ids = {item.parent_id for item in items if item.parent_id}
            parents = {
                parent.id: parent
                for parent in db.session.scalars(
                    select(Contribution)
                    .where(Contribution.id.in_(parent_ids))
                    .options(joinedload(Contribution.author).options(lazyload(User.institutions)))
                )
            }
        # Threads on other hosts (restitutions…) are named by their host: one lookup each.
        others = {
            (item.thread.target_kind, item.thread.target_id)
            for item in items
            if item.thread.target_kind not in wanted
        }
        for key, host in load_hosts(others).items():
            links[key] = (host.title, host.url)
        contexts = {}
        for item in items:
            title, url = links.get((item.thread.target_kind, item.thread.target_id), (None, None))
            contexts[item.id] = ItemContext(title, url, parents.get(item.parent_id))
        return contexts


class RestitutionKind:
    """Restitutions of workshops, always held until a moderator approves them."""

    name = "restitution"
    label = _l("Workshop restitution")
    model = Restitution

    def get(self, content_id: int) -> Restitution | None:
        return db.session.get(Restitution, content_id)

    def author_id(self, item: Restitution) -> int | None:
        return item.author_id

    def set_status(self, item: Restitution, status: str) -> None:
        restitutions.set_status(item, status)

    def queue_query(self) -> Select:
        return select(Restitution)

    def row(self, item: Restitution) -> QueueRow:
        plans = sorted({c.plan_id for c in item.commitments})
        return QueueRow(
            kind=self.name,
            id=item.id,
            status=item.status,
            created_at=item.created_at,
            excerpt=item.body,
            author_id=item.author_id,
            open_report_count=item.open_report_count,
            is_reviewed=item.reviewed_at is not None,
            claimed_by_id=item.claimed_by_id,
            claimed_at=item.claimed_at,
            plan_id=plans[0] if plans else None,
            held_reason=None,
        )

    def items_of_author(self, user_id: int, status: str) -> list[Restitution]:
        return list(
            db.session.scalars(
                select(Restitution).where(
                    Restitution.author_id == user_id, Restitution.status == status
                )
            )
        )

    def is_visible(self, item: Restitution) -> bool:
        return item.status == ModerationStatus.PUBLISHED

    def author(self, item: Restitution) -> User | None:
        return item.author

    def text(self, item: Restitution) -> str:
        return item.body

    def filter_plan(self, query: Select, plan_id: int) -> Select:
        """Keep restitutions concerning a commitment of the plan."""
        concerned = (
            select(restitution_commitments.c.restitution_id)
            .join(Commitment, Commitment.id == restitution_commitments.c.commitment_id)
            .where(Commitment.plan_id == plan_id)
        )
        return query.where(Restitution.id.in_(concerned))

    def filter_institution(self, query: Select, institution_id: int) -> Select:
        """Keep restitutions of the institution's events."""
        return query.where(
            Restitution.event_id.in_(select(Event.id).where(Event.institution_id == institution_id))
        )

    def load_many(self, ids) -> list[Restitution]:
        """The items with their event, workshop, author and claimer, in one statement (their
        commitments in a second)."""
        ids = list(ids)
        if not ids:
            return []
        return list(
            db.session.scalars(
                select(Restitution)
                .where(Restitution.id.in_(ids))
                .options(
                    joinedload(Restitution.event),
                    joinedload(Restitution.item),
                    joinedload(Restitution.author).options(lazyload(User.institutions)),
                    joinedload(Restitution.claimed_by).options(lazyload(User.institutions)),
                )
            ).unique()
        )

    def contexts(self, items, *, with_parents: bool = False) -> dict[int, ItemContext]:
        """Each restitution's own page: no statement (load_many brought event and workshop).
        Needs a request context (URLs)."""
        return {
            item.id: ItemContext(
                restitutions.title_of(item),
                url_for("workshops.show_restitution", restitution_id=item.id),
            )
            for item in items
        }


KINDS = {ContributionKind.name: ContributionKind(), RestitutionKind.name: RestitutionKind()}


def kind(name: str):
    return KINDS.get(name)
