"""Threads and their contributions, with counters kept exact in the writing transaction."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Institution, User
from consult.core.db import UTCDateTime, db, utcnow
from consult.core.moderation import ModerationStatus


class TargetKind(StrEnum):
    """What a thread can be about. Later features add their kinds here."""

    COMMITMENT = "commitment"
    ACTION = "action"


class Thread(db.Model):
    """The discussion of one target, known only by its kind and id."""

    __tablename__ = "threads"
    __table_args__ = (UniqueConstraint("target_kind", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int] = mapped_column(Integer)
    #: The plan the target belongs to, for its moderation mode and the queue's filters.
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Visible contributions not withdrawn, replies included: the count shown.
    contribution_count: Mapped[int] = mapped_column(Integer, default=0)
    #: Visible top-level contributions (withdrawn ones stay as placeholders): for pagination.
    top_level_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_contribution_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HeldReason(StrEnum):
    PRE_MODERATION = "pre_moderation"
    WATCHED_WORD = "watched_word"


class Contribution(db.Model):
    __tablename__ = "contributions"
    __table_args__ = (
        # Reads a page of top-level contributions in the default order (official answers
        # first, newest first) from the index alone; the trailing id breaks ties.
        Index(
            "ix_contributions_thread_page",
            "thread_id",
            "parent_id",
            "is_visible",
            "is_official",
            "created_at",
            "id",
        ),
        Index("ix_contributions_root", "root_id"),
        Index("ix_contributions_queue", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id"))
    #: The top-level contribution of its branch; null for a top-level one.
    root_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id"))
    #: 0 for a top-level contribution, 1 for a reply, and so on.
    depth: Mapped[int] = mapped_column(Integer, default=0)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The Markdown source as typed; HTML is made on display (core.sanitize).
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ModerationStatus.PUBLISHED.value)
    #: Published and every ancestor visible: what pages and counters show.
    is_visible: Mapped[bool] = mapped_column(Boolean, default=False)
    held_reason: Mapped[str | None] = mapped_column(String(20))
    #: The institution's official answer, listed first among its siblings.
    is_official: Mapped[bool] = mapped_column(Boolean, default=False)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))
    #: Visible, not withdrawn contributions below this one (for "most replied").
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    #: Reports not yet dealt with by a moderator.
    open_report_count: Mapped[int] = mapped_column(Integer, default=0)
    #: When a moderator last decided on it (post-moderation: null until reviewed).
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Hidden because its author was blocked: unblocking restores exactly these.
    is_hidden_by_block: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    thread: Mapped[Thread] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    institution: Mapped[Institution | None] = relationship()
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_pending(self) -> bool:
        return self.status == ModerationStatus.PENDING


class ReplyNotice(db.Model):
    """A reply waiting to be told to the author of the contribution it answers, by digest."""

    __tablename__ = "reply_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Null until sent in a digest.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    contribution: Mapped[Contribution] = relationship()
    recipient: Mapped[User] = relationship()
