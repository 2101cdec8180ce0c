"""Read queries of discussions: one page of a thread in a fixed number of statements."""

import math
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from consult.accounts.models import User
from consult.core.db import db
from consult.core.moderation import ModerationStatus
from consult.discussions.models import Contribution, Thread

#: The orders a thread can be read in: value of the `tri` parameter → label.
SORT_LABELS = {
    "newest": _l("Newest first"),
    "oldest": _l("Oldest first"),
    "replies": _l("Most replied"),
}
DEFAULT_SORT = "newest"

_C = Contribution
#: Top-level order per sort; official answers always come first, the id breaks ties.
_ROOT_ORDER = {
    "newest": (_C.is_official.desc(), _C.created_at.desc(), _C.id.desc()),
    "oldest": (_C.is_official.desc(), _C.created_at.asc(), _C.id.asc()),
    "replies": (_C.is_official.desc(), _C.reply_count.desc(), _C.created_at.desc(), _C.id.desc()),
}
#: Replies read as a conversation: official answers first, then in the order they came.
_REPLY_ORDER = (_C.is_official.desc(), _C.created_at.asc(), _C.id.asc())


@dataclass
class Node:
    """A contribution shown in a thread, with the replies shown under it."""

    contribution: Contribution
    replies: list["Node"] = field(default_factory=list)

    @property
    def is_pending(self) -> bool:
        return self.contribution.is_pending


@dataclass
class ThreadPage:
    """One page of a thread as a visitor sees it."""

    kind: str
    target_id: int
    thread: Thread | None
    nodes: list[Node]
    page: int
    pages: int
    sort: str

    @property
    def count(self) -> int:
        """Visible contributions, replies included, withdrawn ones left out."""
        return self.thread.contribution_count if self.thread else 0

    @property
    def is_closed(self) -> bool:
        return bool(self.thread and self.thread.is_closed)


def clean_sort(value: str | None) -> str:
    return value if value in SORT_LABELS else DEFAULT_SORT


def clean_page(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(1, min(number, 10**6))


def _with_people(query):
    # Authors in the same statement, without their institutions (a selectin load by default,
    # which would add a statement whenever a query brings new authors).
    return query.options(
        joinedload(Contribution.author).lazyload(User.institutions),
        joinedload(Contribution.institution),
    )


def get_thread(kind: str, target_id: int) -> Thread | None:
    return db.session.scalar(
        select(Thread).where(Thread.target_kind == kind, Thread.target_id == target_id)
    )


def get_thread_page(
    kind: str, target_id: int, *, page: int = 1, sort: str = DEFAULT_SORT, viewer=None
) -> ThreadPage:
    """One page of the thread of (kind, target_id): at most four statements whatever its size.

    The thread; the page of visible top-level contributions (official answers first, then by
    `sort`); every visible reply of those, by their root; and, for a signed-in viewer, their own
    contributions awaiting moderation, which only they see. Authors and institutions come in
    the same statements.
    """
    sort = clean_sort(sort)
    thread = get_thread(kind, target_id)
    if thread is None:
        return ThreadPage(kind, target_id, None, [], 1, 1, sort)
    pages = page_count(thread.top_level_count)
    page = min(clean_page(page), pages)
    size = current_app.config["DISCUSSION_PAGE_SIZE"]
    # The page is cut on ids alone, read in order from ix_contributions_thread_page; only its
    # rows are then joined to their authors (joining first would sort every top-level row).
    page_ids = (
        select(Contribution.id)
        .where(
            Contribution.thread_id == thread.id,
            Contribution.parent_id.is_(None),
            Contribution.is_visible.is_(True),
        )
        .order_by(*_ROOT_ORDER[sort])
        .limit(size)
        .offset((page - 1) * size)
        .subquery()
    )
    roots = db.session.scalars(
        _with_people(select(Contribution))
        .join(page_ids, Contribution.id == page_ids.c.id)
        .order_by(*_ROOT_ORDER[sort])
    ).all()
    replies = []
    if roots:
        replies = db.session.scalars(
            _with_people(select(Contribution))
            .where(
                Contribution.root_id.in_([root.id for root in roots]),
                Contribution.is_visible.is_(True),
            )
            .order_by(*_REPLY_ORDER)
        ).all()
    pending = []
    viewer_id = getattr(viewer, "id", None) if getattr(viewer, "is_authenticated", False) else None
    if viewer_id is not None:
        pending = db.session.scalars(
            _with_people(select(Contribution))
            .where(
                Contribution.thread_id == thread.id,
                Contribution.author_id == viewer_id,
                Contribution.status == ModerationStatus.PENDING.value,
                Contribution.withdrawn_at.is_(None),
            )
            .order_by(Contribution.created_at.desc(), Contribution.id.desc())
        ).all()
    nodes = _build_tree(roots, replies, pending, first_page=page == 1)
    return ThreadPage(kind, target_id, thread, nodes, page, pages, sort)


def _build_tree(roots, replies, pending, *, first_page: bool) -> list[Node]:
    """Hang each reply under its parent, keeping the order of the queries.

    The viewer's own pending contributions: top-level ones open the first page, replies go
    under their parent when it is on this page (a reply always waits below a visible one).
    """
    by_id: dict[int, Node] = {}
    nodes = []
    for root in roots:
        node = by_id[root.id] = Node(root)
        nodes.append(node)
    for reply in replies:
        node = by_id[reply.id] = Node(reply)
        parent = by_id.get(reply.parent_id)
        if parent is not None:
            parent.replies.append(node)
    waiting_roots = []
    for contribution in reversed(pending):  # oldest first, so each waiting reply goes last
        if contribution.parent_id is None:
            if first_page:
                waiting_roots.insert(0, Node(contribution))
        elif (parent := by_id.get(contribution.parent_id)) is not None:
            parent.replies.append(Node(contribution))
    return waiting_roots + nodes


def is_shown_to(contribution: Contribution, viewer) -> bool:
    """Whether `viewer` may see `contribution`: everyone when visible, its author while it
    awaits moderation."""
    if contribution.is_visible:
        return True
    return (
        contribution.is_pending
        and not contribution.is_withdrawn
        and getattr(viewer, "is_authenticated", False)
        and getattr(viewer, "id", None) == contribution.author_id
    )


def page_of(contribution: Contribution) -> int:
    """The page, in the default order (official answers first, then newest first), that shows
    `contribution`'s branch. A top-level contribution awaiting moderation opens page 1."""
    root = (
        db.session.get(Contribution, contribution.root_id) if contribution.root_id else contribution
    )
    if not root.is_visible:
        return 1
    newer = (Contribution.created_at > root.created_at) | (
        (Contribution.created_at == root.created_at) & (Contribution.id > root.id)
    )
    official = Contribution.is_official.is_(True)
    # Before an official answer: the newer official ones; before any other: every official
    # answer, and the newer others.
    comes_first = (official & newer) if root.is_official else (official | newer)
    before = db.session.scalar(
        select(func.count(Contribution.id)).where(
            Contribution.thread_id == root.thread_id,
            Contribution.parent_id.is_(None),
            Contribution.is_visible.is_(True),
            comes_first,
        )
    )
    return before // current_app.config["DISCUSSION_PAGE_SIZE"] + 1


def page_count(top_level_count: int) -> int:
    return max(1, math.ceil(top_level_count / current_app.config["DISCUSSION_PAGE_SIZE"]))
