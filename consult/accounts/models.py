"""Users, their server-side sessions, and the institutions organisers act for."""

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.db import UTCDateTime, db, utcnow
from consult.core.permissions import Role


class InstitutionKind(StrEnum):
    MINISTRY = "ministry"
    SENATE = "senate"
    NATIONAL_ASSEMBLY = "national_assembly"
    INDEPENDENT_AUTHORITY = "independent_authority"
    COURT = "court"
    OTHER = "other"


INSTITUTION_KIND_LABELS = {
    InstitutionKind.MINISTRY: _l("Ministry"),
    InstitutionKind.SENATE: _l("Senate"),
    InstitutionKind.NATIONAL_ASSEMBLY: _l("National Assembly"),
    InstitutionKind.INDEPENDENT_AUTHORITY: _l("Independent authority"),
    InstitutionKind.COURT: _l("Court"),
    InstitutionKind.OTHER: _l("Other institution"),
}


organiser_institutions = Table(
    "organiser_institutions",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("institution_id", ForeignKey("institutions.id", ondelete="CASCADE"), primary_key=True),
)


class Institution(db.Model):
    """A body that carries commitments and organises events: a ministry, the Senate…"""

    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable, readable identifier used in URLs and in the demo data files.
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(40), default=InstitutionKind.MINISTRY.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def kind_label(self):
        return INSTITUTION_KIND_LABELS.get(InstitutionKind(self.kind), self.kind)

    @property
    def label(self) -> str:
        return self.short_name or self.name


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The address as typed, lower-cased; null once the account is deleted.
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    #: Argon2id hash; null once the account is deleted.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.PARTICIPANT.value)
    locale: Mapped[str] = mapped_column(String(8), default="fr")
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Notifications are opt-in (consent): all off until the user ticks them.
    #: E-mail when someone replies to one of my contributions.
    notify_replies: Mapped[bool] = mapped_column(Boolean, default=False)
    #: E-mail reminders for the workshops I registered for.
    notify_events: Mapped[bool] = mapped_column(Boolean, default=False)
    #: E-mail news of the petitions I signed (thresholds, answers).
    notify_petitions: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set by a moderator: the account can no longer contribute, its content is hidden.
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    institutions: Mapped[list[Institution]] = relationship(
        secondary=organiser_institutions, order_by=Institution.name, lazy="selectin"
    )

    # Flask-Login reads the id of the server-side session, not of the user: see AuthSession.
    def get_id(self):  # pragma: no cover - replaced per request by the session loader
        raise NotImplementedError

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def public_name(self):
        """The name shown beside public contributions."""
        return _l("Deleted contributor") if self.is_deleted else self.display_name


class AuthSession(db.Model):
    """A signed-in browser. Logging out deletes the row, so a copied cookie is worthless after."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random secret carried in the session cookie; only its SHA-256 is stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Browser family noted at log-in, to list one's sessions ("Firefox on Linux"), never the IP.
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship(lazy="joined")
