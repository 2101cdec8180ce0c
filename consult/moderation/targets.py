"""The kinds of content moderation handles, behind one interface.

Contributions now; restitutions and petitions plug in by adding an adapter to KINDS. This is
the only module of moderation that imports feature models.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from consult.core.db import db
from consult.core.moderation import ModerationStatus
from consult.discussions import services as discussions
from consult.discussions.models import Contribution, Thread


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


class ContributionKind:
    """Contributions to discussions."""

    name = "contribution"

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
        return item.status == ModerationStatus.PUBLISHED


KINDS = {ContributionKind.name: ContributionKind()}


def kind(name: str):
    return KINDS.get(name)
