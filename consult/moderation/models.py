"""Reports and decisions on any kind of content, known by its kind and id."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.core.db import UTCDateTime, db, utcnow


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("content_kind", "content_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_kind: Mapped[str] = mapped_column(String(30))
    content_id: Mapped[int] = mapped_column(Integer)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when a moderator decides on the content.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reporter: Mapped[User | None] = relationship()


class Decision(db.Model):
    """A moderator's decision. Public (without author or text) in the moderation log."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_content", "content_kind", "content_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_kind: Mapped[str] = mapped_column(String(30))
    content_id: Mapped[int] = mapped_column(Integer)
    #: For author blocks, the author blocked; else null.
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(30))
    #: Private to moderators; never in the public log.
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    moderator: Mapped[User | None] = relationship(foreign_keys=[moderator_id])
