"""The audit trail: who did what, when, with the values before and after."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.db import UTCDateTime, db, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Who acted; null for the system (CLI without a user, scheduled jobs).
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: "feature.verb", e.g. "accounts.set_role".
    action: Mapped[str] = mapped_column(String(80), index=True)
    #: The kind and id of what was acted on, e.g. ("user", 12).
    target_kind: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def record(
    actor,
    action: str,
    target_kind: str,
    target_id: int | None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Add an audit entry to the session; it commits with the change it describes.

    Never put an e-mail address, a password or a token in `before` or `after`.
    """
    actor_id = getattr(actor, "id", None) if getattr(actor, "is_authenticated", False) else None
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry
