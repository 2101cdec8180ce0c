""" "Ministère ouvert" events: kits, events, programme items, registrations, restitutions."""

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Institution, User
from consult.core.db import UTCDateTime, db, utcnow
from consult.core.moderation import ModerationStatus


class KitDocumentKind(StrEnum):
    WORKSHOP_FORMAT = "workshop_format"
    PROGRAMME_TEMPLATE = "programme_template"
    PLENARY_SLIDES = "plenary_slides"
    WORKSHOP_MATERIALS = "workshop_materials"
    LOGO = "logo"
    OTHER = "other"


KIT_DOCUMENT_KIND_LABELS = {
    KitDocumentKind.WORKSHOP_FORMAT: _l("Workshop format"),
    KitDocumentKind.PROGRAMME_TEMPLATE: _l("Programme template"),
    KitDocumentKind.PLENARY_SLIDES: _l("Plenary presentation"),
    KitDocumentKind.WORKSHOP_MATERIALS: _l("Workshop materials"),
    KitDocumentKind.LOGO: _l("Logo"),
    KitDocumentKind.OTHER: _l("Other resource"),
}


class Kit(db.Model):
    """A published version of the "Ministère ouvert" kit: a bundle of downloadable resources."""

    __tablename__ = "kits"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Draft versions are prepared by admins; published ones are offered to organisers.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    documents: Mapped[list["KitDocument"]] = relationship(
        back_populates="kit", order_by="KitDocument.position", cascade="all, delete-orphan"
    )


class KitDocument(db.Model):
    __tablename__ = "kit_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    #: Generated name under instance/uploads/ (never the uploader's).
    stored_name: Mapped[str] = mapped_column(String(100))
    #: The name offered when downloading, made safe.
    download_name: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)

    kit: Mapped[Kit] = relationship(back_populates="documents")


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


EVENT_STATUS_LABELS = {
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
    EventStatus.CANCELLED: _l("Cancelled"),
}


event_commitments = Table(
    "event_commitments",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
)


class Event(db.Model):
    """A "Ministère ouvert" event (or a Forum Open d'État, an online workshop…)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_status_starts", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    #: The kit version the event was made from; kept when newer versions appear.
    kit_id: Mapped[int | None] = mapped_column(ForeignKey("kits.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=EventStatus.DRAFT.value)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue: Mapped[str | None] = mapped_column(Text)
    accessibility_info: Mapped[str | None] = mapped_column(Text)
    online_url: Mapped[str | None] = mapped_column(String(500))
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    has_waiting_list: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Half administration, half civil society in every workshop (Forum Open d'État).
    has_parity_quota: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Made up for the demonstration: said on every page that shows it.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the accessibility needs of its registrants were erased (after the event).
    needs_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    institution: Mapped[Institution] = relationship()
    kit: Mapped[Kit | None] = relationship()
    commitments = relationship("Commitment", secondary=event_commitments, lazy="selectin")
    items: Mapped[list["ProgrammeItem"]] = relationship(
        back_populates="event", order_by="ProgrammeItem.position", cascade="all, delete-orphan"
    )

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)

    @property
    def is_in_person(self) -> bool:
        return bool(self.venue)

    def is_past(self, now: datetime) -> bool:
        return self.ends_at < now


class ItemKind(StrEnum):
    PLENARY = "plenary"
    WORKSHOP = "workshop"
    RESTITUTION = "restitution"
    BREAK = "break"


ITEM_KIND_LABELS = {
    ItemKind.PLENARY: _l("Plenary session"),
    ItemKind.WORKSHOP: _l("Workshop"),
    ItemKind.RESTITUTION: _l("Restitution to the minister"),
    ItemKind.BREAK: _l("Break"),
}


class ProgrammeItem(db.Model):
    """A session of the programme; workshops take registrations against their seats."""

    __tablename__ = "programme_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20), default=ItemKind.WORKSHOP.value)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    room: Mapped[str | None] = mapped_column(String(200))
    #: Seats of a workshop; null for sessions without registration.
    capacity: Mapped[int | None] = mapped_column(Integer)
    #: Confirmed registrations, changed only by atomic SQL next to the registration rows.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    #: Of which from the administration (for the parity quota).
    administration_seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    waitlist_count: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="items")

    @property
    def takes_registrations(self) -> bool:
        return self.kind == ItemKind.WORKSHOP and self.capacity is not None

    @property
    def seats_left(self) -> int:
        return max(0, (self.capacity or 0) - self.seats_taken)


class Affiliation(StrEnum):
    ADMINISTRATION = "administration"
    CIVIL_SOCIETY = "civil_society"


AFFILIATION_LABELS = {
    Affiliation.ADMINISTRATION: _l("Public administration"),
    Affiliation.CIVIL_SOCIETY: _l("Civil society"),
}


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("On the waiting list"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
}


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        # One active registration per person and event, whatever the workshop.
        Index(
            "uq_registrations_active",
            "event_id",
            "user_id",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index("ix_registrations_item_status", "item_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("programme_items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    affiliation: Mapped[str] = mapped_column(String(20))
    organisation: Mapped[str | None] = mapped_column(String(200))
    #: Seen by the organiser only; erased after the event.
    accessibility_needs: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the reminder of the day before was sent (null until then).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    item: Mapped[ProgrammeItem] = relationship()
    user: Mapped[User] = relationship()

    @property
    def is_confirmed(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED


restitution_commitments = Table(
    "restitution_commitments",
    db.metadata,
    Column("restitution_id", ForeignKey("restitutions.id", ondelete="CASCADE"), primary_key=True),
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
)


class Restitution(db.Model):
    """What a workshop produced, published by the organiser as a contribution to the plan."""

    __tablename__ = "restitutions"
    __table_args__ = (UniqueConstraint("item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("programme_items.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    participant_count: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=ModerationStatus.PENDING.value)
    open_report_count: Mapped[int] = mapped_column(Integer, default=0)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_hidden_by_block: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    item: Mapped[ProgrammeItem] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    commitments = relationship("Commitment", secondary=restitution_commitments, lazy="selectin")
