"""Read queries of moderation: the queue of every kind, an item's file, blocked accounts, the log.

The queue goes through targets.KINDS, so a kind added there shows in it with its filters. A page
of the queue costs a fixed number of statements, whatever the number of items on it.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import joinedload, lazyload

from consult.accounts.models import Institution, User
from consult.core.db import db, utcnow
from consult.core.moderation import REPORT_REASON_LABELS, ModerationStatus, ReportReason
from consult.discussions.models import HeldReason
from consult.moderation import targets
from consult.moderation.models import Decision, Report
from consult.plans.models import Plan

#: Items per page of the queue, of the blocked accounts and of the public log.
PER_PAGE = 50

#: The queue's states, in the order of its counts.
QUEUE_STATES = ("pending", "to_review", "reported", "hidden", "rejected")
QUEUE_STATE_LABELS = {
    "pending": _l("Awaiting pre-moderation"),
    "to_review": _l("Published, not reviewed yet"),
    "reported": _l("Reported"),
    "hidden": _l("Hidden"),
    "rejected": _l("Rejected"),
}

HELD_REASON_LABELS = {
    HeldReason.PRE_MODERATION: _l("Held: the plan is pre-moderated"),
    HeldReason.WATCHED_WORD: _l("Held: contains a watched word"),
}

#: What the queue's reason filter offers: open reports' reasons, then why an item is held.
QUEUE_REASONS = tuple(r.value for r in ReportReason) + tuple(r.value for r in HeldReason)

_S = ModerationStatus


@dataclass
class QueueFilters:
    """What the moderator narrowed the queue to; empty values keep everything."""

    kind: str = ""
    state: str = ""
    reason: str = ""
    plan_id: int | None = None
    institution_id: int | None = None


@dataclass
class QueueItem:
    """One row of the queue or the item page: the content, where it was written, its reports."""

    kind: str
    item: object
    context: targets.ItemContext
    #: (report reason, count) of the open reports, most frequent first.
    reports: list[tuple[str, int]] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.item.id

    @property
    def adapter(self):
        return targets.kind(self.kind)

    @property
    def kind_label(self):
        return self.adapter.label

    @property
    def text(self) -> str:
        return self.adapter.text(self.item)

    @property
    def author(self):
        return self.adapter.author(self.item)

    @property
    def status(self) -> str:
        return self.item.status

    @property
    def is_reviewed(self) -> bool:
        return self.item.reviewed_at is not None

    @property
    def report_count(self) -> int:
        return sum(count for _reason, count in self.reports)

    @property
    def claimer(self) -> User | None:
        """The moderator whose claim is still running, if any."""
        if self.item.claimed_by_id is None or not self.item.claimed_at:
            return None
        if self.item.claimed_at <= utcnow() - current_app.config["MODERATION_CLAIM_DURATION"]:
            return None
        return self.item.claimed_by

    @property
    def claim_ends_at(self) -> datetime | None:
        if self.claimer is None:
            return None
        return self.item.claimed_at + current_app.config["MODERATION_CLAIM_DURATION"]


@dataclass
class QueuePage:
    items: list[QueueItem]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _state_condition(model, state: str):
    """Which items are in `state`; the empty state is every item waiting for a decision."""
    published = model.status == _S.PUBLISHED.value
    conditions = {
        "pending": model.status == _S.PENDING.value,
        "to_review": and_(published, model.reviewed_at.is_(None)),
        # Reports on hidden or rejected content wait for nothing: it is not shown.
        "reported": and_(published, model.open_report_count > 0),
        "hidden": model.status == _S.HIDDEN.value,
        "rejected": model.status == _S.REJECTED.value,
    }
    if state in conditions:
        return conditions[state]
    return or_(conditions["pending"], conditions["to_review"], conditions["reported"])


def _reason_condition(kind: str, model, reason: str):
    if reason in {r.value for r in HeldReason}:
        # Kinds without a held_reason column (restitutions) are always pre-moderated.
        held = getattr(model, "held_reason", literal(HeldReason.PRE_MODERATION.value))
        return and_(model.status == _S.PENDING.value, held == reason)
    return exists().where(
        Report.content_kind == kind,
        Report.content_id == model.id,
        Report.resolved_at.is_(None),
        Report.reason == reason,
    )


def _kinds(filters: QueueFilters) -> list[tuple[str, object]]:
    return [
        (name, adapter)
        for name, adapter in targets.KINDS.items()
        if not filters.kind or filters.kind == name
    ]


def _filtered(kind: str, adapter, filters: QueueFilters, *, with_state: bool = True):
    """The adapter's queue query narrowed by every filter (the state one unless told not to)."""
    model = adapter.model
    query = adapter.queue_query()
    if with_state:
        query = query.where(_state_condition(model, filters.state))
    if filters.reason:
        query = query.where(_reason_condition(kind, model, filters.reason))
    if filters.plan_id:
        query = adapter.filter_plan(query, filters.plan_id)
    if filters.institution_id:
        query = adapter.filter_institution(query, filters.institution_id)
    return query


def count_by_state(filters: QueueFilters) -> dict[str, int]:
    """How many items each state holds under the other filters; "" is the awaiting total.
    One statement per kind."""
    counts = dict.fromkeys(("", *QUEUE_STATES), 0)
    for name, adapter in _kinds(filters):
        model = adapter.model
        columns = [
            func.coalesce(func.sum(case((_state_condition(model, state), 1), else_=0)), 0)
            for state in ("", *QUEUE_STATES)
        ]
        row = db.session.execute(
            _filtered(name, adapter, filters, with_state=False).with_only_columns(*columns)
        ).one()
        for state, value in zip(("", *QUEUE_STATES), row, strict=True):
            counts[state] += int(value or 0)
    return counts


def _keys(filters: QueueFilters):
    """(kind, id, created_at) of every item matching, across kinds, as one subquery."""
    selects = [
        _filtered(name, adapter, filters).with_only_columns(
            cast(literal(name), String(30)).label("kind"),
            adapter.model.id.label("id"),
            adapter.model.created_at.label("created_at"),
        )
        for name, adapter in _kinds(filters)
    ]
    if not selects:
        return None
    return union_all(*selects).subquery("queue")


def list_queue(
    filters: QueueFilters, *, page: int = 1, per_page: int = PER_PAGE, total: int | None = None
) -> QueuePage:
    """One page of the queue, oldest first, whatever the kind.

    Statements: the total (unless given: count_by_state has it), the page's keys, then per
    kind its items (author and claimer joined) and their contexts (two), and the open reports
    of the page (one).
    """
    keys = _keys(filters)
    if keys is None:
        return QueuePage([], 1, per_page, 0)
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(keys))
    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(page, pages))
    rows = db.session.execute(
        select(keys.c.kind, keys.c.id)
        .order_by(keys.c.created_at, keys.c.kind, keys.c.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return QueuePage(_load_items([(kind, id_) for kind, id_ in rows]), page, per_page, total)


def _load_items(keys: list[tuple[str, int]], *, with_parents: bool = False) -> list[QueueItem]:
    by_kind: dict[str, list[int]] = {}
    for kind, content_id in keys:
        by_kind.setdefault(kind, []).append(content_id)
    loaded: dict[tuple[str, int], QueueItem] = {}
    for kind, ids in by_kind.items():
        adapter = targets.kind(kind)
        items = adapter.load_many(ids)
        contexts = adapter.contexts(items, with_parents=with_parents)
        for item in items:
            loaded[(kind, item.id)] = QueueItem(kind, item, contexts[item.id])
    reports = _open_report_counts(list(loaded))
    for key, queue_item in loaded.items():
        queue_item.reports = reports.get(key, [])
    return [loaded[key] for key in keys if key in loaded]


def _open_report_counts(keys: list[tuple[str, int]]) -> dict[tuple[str, int], list]:
    """(reason, count) of the open reports of each item, in one statement."""
    if not keys:
        return {}
    by_kind: dict[str, list[int]] = {}
    for kind, content_id in keys:
        by_kind.setdefault(kind, []).append(content_id)
    rows = db.session.execute(
        select(Report.content_kind, Report.content_id, Report.reason, func.count(Report.id))
        .where(
            Report.resolved_at.is_(None),
            or_(
                *(
                    and_(Report.content_kind == kind, Report.content_id.in_(ids))
                    for kind, ids in by_kind.items()
                )
            ),
        )
        .group_by(Report.content_kind, Report.content_id, Report.reason)
    ).all()
    counts: dict[tuple[str, int], list] = {}
    for kind, content_id, reason, count in rows:
        counts.setdefault((kind, content_id), []).append((reason, count))
    for reasons in counts.values():
        reasons.sort(key=lambda pair: (-pair[1], pair[0]))
    return counts


def get_item(kind: str, content_id: int) -> QueueItem | None:
    """One item with its context (target and parent) and open report counts."""
    if targets.kind(kind) is None:
        return None
    items = _load_items([(kind, content_id)], with_parents=True)
    return items[0] if items else None


def list_reports(kind: str, content_id: int) -> list[Report]:
    """Every report of an item, open ones first, newest first. Reporters are not loaded: the
    pages never show who reported."""
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.content_kind == kind, Report.content_id == content_id)
            .order_by(Report.resolved_at.is_not(None), Report.created_at.desc(), Report.id.desc())
        )
    )


def list_decisions_about(kind: str, content_id: int, author_id: int | None = None):
    """The decisions on an item, and the blocks of its author, newest first, with moderators."""
    about = and_(Decision.content_kind == kind, Decision.content_id == content_id)
    if author_id is not None:
        about = or_(about, Decision.subject_user_id == author_id)
    return list(
        db.session.scalars(
            select(Decision)
            .where(about)
            .options(joinedload(Decision.moderator).options(lazyload(User.institutions)))
            .order_by(Decision.created_at.desc(), Decision.id.desc())
        )
    )


def list_plans() -> list[Plan]:
    """The plans to filter by, newest first."""
    return list(
        db.session.scalars(select(Plan).order_by(Plan.period_start.desc(), Plan.title, Plan.id))
    )


def list_institutions() -> list[Institution]:
    return list(db.session.scalars(select(Institution).order_by(Institution.name)))


def count_items_of_author(user_id: int, status: str) -> dict[str, int]:
    """How many items of each kind the author has in `status` (for the block confirmation)."""
    return {
        name: len(adapter.items_of_author(user_id, status))
        for name, adapter in targets.KINDS.items()
    }


def count_items_hidden_by_block(user_id: int) -> dict[str, int]:
    """How many items of each kind the author's block hid (for the unblock confirmation)."""
    return {
        name: sum(
            1
            for item in adapter.items_of_author(user_id, _S.HIDDEN.value)
            if item.is_hidden_by_block
        )
        for name, adapter in targets.KINDS.items()
    }


def list_blocked_users(*, page: int = 1) -> Pagination:
    """Blocked accounts, most recently blocked first."""
    query = (
        select(User)
        .where(User.blocked_at.is_not(None))
        .options(lazyload(User.institutions))
        .order_by(User.blocked_at.desc(), User.id.desc())
    )
    return db.paginate(query, page=page, per_page=PER_PAGE, max_per_page=PER_PAGE)


def get_block_reasons(user_ids) -> dict[int, str]:
    """The reason of each account's latest block, in one statement."""
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(Decision.subject_user_id, Decision.reason)
        .where(Decision.subject_user_id.in_(user_ids), Decision.action == "block_author")
        .order_by(Decision.created_at, Decision.id)
    ).all()
    return dict(rows)  # the latest block wins, being last


# The public moderation log ---------------------------------------------------------------------


def _month(column):
    """The "YYYY-MM" of a UTC timestamp, on SQLite and PostgreSQL."""
    # Constants, not parameters: PostgreSQL must see the same expression in SELECT and GROUP BY.
    if db.session.get_bind().dialect.name == "sqlite":
        return func.strftime(literal_column("'%Y-%m'"), column)
    return func.to_char(func.timezone(literal_column("'UTC'"), column), literal_column("'YYYY-MM'"))


@dataclass
class LogSummary:
    """Decisions counted by reason and by month, for the public log's tables and bars."""

    #: (reason, count), most frequent first.
    by_reason: list[tuple[str, int]]
    #: (first day of the month, {reason: count}, month total), newest month first.
    by_month: list[tuple[date, dict[str, int], int]]
    #: The reasons found, in the order of by_reason: the columns of the monthly table.
    reasons: list[str]
    total: int

    def share(self, count: int) -> int:
        """Percentage rounded to the unit, for bar widths."""
        return round(100 * count / self.total) if self.total else 0


def summarise_decisions() -> LogSummary:
    """Counts of every decision by month and reason, in one statement."""
    month = _month(Decision.created_at).label("month")
    rows = db.session.execute(
        select(month, Decision.reason, func.count(Decision.id))
        .group_by(month, Decision.reason)
        .order_by(month.desc())
    ).all()
    by_reason: dict[str, int] = {}
    months: dict[str, dict[str, int]] = {}
    for month_key, reason, count in rows:
        by_reason[reason] = by_reason.get(reason, 0) + count
        months.setdefault(month_key, {})[reason] = count
    ordered = sorted(by_reason.items(), key=lambda pair: (-pair[1], pair[0]))
    by_month = [
        (date(int(key[:4]), int(key[5:7]), 1), counts, sum(counts.values()))
        for key, counts in sorted(months.items(), reverse=True)
    ]
    return LogSummary(
        by_reason=ordered,
        by_month=by_month,
        reasons=[reason for reason, _count in ordered],
        total=sum(by_reason.values()),
    )


def list_public_decisions(*, page: int = 1) -> Pagination:
    """One page of decisions, newest first: only what the public log shows is read."""
    query = select(Decision).order_by(Decision.created_at.desc(), Decision.id.desc())
    return db.paginate(query, page=page, per_page=PER_PAGE, max_per_page=PER_PAGE)


def report_reason_label(reason: str):
    return REPORT_REASON_LABELS.get(reason, reason)
