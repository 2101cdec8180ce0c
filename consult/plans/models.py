"""Plans, their axes and sub-themes, commitments, actions, and their append-only follow-up."""

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Institution, User
from consult.core.db import UTCDateTime, db, utcnow


class PlanKind(StrEnum):
    NATIONAL = "national"
    SENATE = "senate"
    NATIONAL_ASSEMBLY = "national_assembly"


PLAN_KIND_LABELS = {
    PlanKind.NATIONAL: _l("National action plan"),
    PlanKind.SENATE: _l("Senate action plan"),
    PlanKind.NATIONAL_ASSEMBLY: _l("National Assembly action plan"),
}


class Progress(StrEnum):
    """How far a commitment or action is ("avancement")."""

    NOT_STARTED = "not_started"
    PARTIAL = "partial"
    SUBSTANTIAL = "substantial"
    COMPLETE = "complete"


PROGRESS_LABELS = {
    # TRANSLATORS: progress of a commitment, as in the French plan's follow-up ("non démarré").
    Progress.NOT_STARTED: _l("Not started"),
    Progress.PARTIAL: _l("Partial"),
    Progress.SUBSTANTIAL: _l("Substantial"),
    Progress.COMPLETE: _l("Complete"),
}


class Schedule(StrEnum):
    """Whether a commitment keeps to its calendar ("calendrier")."""

    ON_TIME = "on_time"
    DELAYED = "delayed"


SCHEDULE_LABELS = {
    Schedule.ON_TIME: _l("On time"),
    Schedule.DELAYED: _l("Delayed"),
}


class TrackedField(StrEnum):
    STATUS = "status"
    SCHEDULE = "schedule"


commitment_institutions = Table(
    "commitment_institutions",
    db.metadata,
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("institution_id", ForeignKey("institutions.id", ondelete="CASCADE"), primary_key=True),
    #: Order in which the document lists the carrying institutions.
    Column("position", Integer, nullable=False, default=0),
)


class Plan(db.Model):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Readable, permanent identifier used in URLs ("2015-2017"); never changes.
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30), default=PlanKind.NATIONAL.value)
    #: The institution whose plan it is, for the Senate's or the Assembly's plans.
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))
    period_start: Mapped[int] = mapped_column(Integer)
    period_end: Mapped[int | None] = mapped_column(Integer)
    published_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Commitments the plan announces when the source lists fewer of them.
    commitments_announced: Mapped[int | None] = mapped_column(Integer)
    #: Where the data comes from: the public document, by title.
    source_title: Mapped[str | None] = mapped_column(String(500))
    #: The date the statuses were published as of, in the source document.
    status_as_of: Mapped[date | None] = mapped_column(Date)
    #: "post" (published at once, reviewed after) or "pre" (held until approved).
    moderation_mode: Mapped[str] = mapped_column(String(10), default="post", server_default="post")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    institution: Mapped[Institution | None] = relationship()
    axes: Mapped[list["Axis"]] = relationship(
        back_populates="plan", order_by="Axis.number", cascade="all, delete-orphan"
    )

    @property
    def period_label(self) -> str:
        return (
            f"{self.period_start}-{self.period_end}" if self.period_end else str(self.period_start)
        )

    @property
    def kind_label(self):
        return PLAN_KIND_LABELS[PlanKind(self.kind)]


class Axis(db.Model):
    __tablename__ = "axes"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[Plan] = relationship(back_populates="axes")
    themes: Mapped[list["Theme"]] = relationship(
        back_populates="axis", order_by="Theme.position", cascade="all, delete-orphan"
    )


class Theme(db.Model):
    """A sub-theme inside an axis ("Renforcer la transparence de la dépense…")."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("axes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))

    axis: Mapped[Axis] = relationship(back_populates="themes")


class Commitment(db.Model):
    __tablename__ = "commitments"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[int | None] = mapped_column(ForeignKey("axes.id", ondelete="SET NULL"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    #: The number the plan gives it; with the plan's slug, its readable URL.
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    #: "Enjeux": why the commitment matters.
    issues: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(20))
    #: The status as the source document words it ("Susbtantiel voire complet").
    status_original: Mapped[str | None] = mapped_column(String(200))
    status_note: Mapped[str | None] = mapped_column(Text)
    schedule: Mapped[str | None] = mapped_column(String(20))
    schedule_original: Mapped[str | None] = mapped_column(String(200))
    #: Optimistic lock for text edits: each edit must name the version it started from.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship()
    axis: Mapped[Axis | None] = relationship()
    theme: Mapped[Theme | None] = relationship()
    institutions: Mapped[list[Institution]] = relationship(
        secondary=commitment_institutions, order_by=commitment_institutions.c.position
    )
    actions: Mapped[list["Action"]] = relationship(
        back_populates="commitment", order_by="Action.position", cascade="all, delete-orphan"
    )

    @property
    def status_label(self):
        return PROGRESS_LABELS[Progress(self.status)] if self.status else None

    @property
    def schedule_label(self):
        return SCHEDULE_LABELS[Schedule(self.schedule)] if self.schedule else None


class Action(db.Model):
    """A step of a commitment's roadmap ("feuille de route"), with its results."""

    __tablename__ = "actions"
    __table_args__ = (UniqueConstraint("commitment_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), index=True
    )
    #: 1-based order in the roadmap; with the commitment, its readable URL.
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    results: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(20))
    status_original: Mapped[str | None] = mapped_column(String(200))
    status_note: Mapped[str | None] = mapped_column(Text)
    schedule: Mapped[str | None] = mapped_column(String(20))
    schedule_original: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commitment: Mapped[Commitment] = relationship(back_populates="actions")

    @property
    def status_label(self):
        return PROGRESS_LABELS[Progress(self.status)] if self.status else None

    @property
    def schedule_label(self):
        return SCHEDULE_LABELS[Schedule(self.schedule)] if self.schedule else None


class StatusChange(db.Model):
    """One dated change of a status or calendar, with the organisation's explanation.
    Appended, never edited or deleted: it is the public history."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), index=True
    )
    #: Null when the change is the commitment's own; else the action's.
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(String(20))
    new_value: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text)
    #: The institution the change was made for (shown publicly).
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    action: Mapped[Action | None] = relationship()
    institution: Mapped[Institution | None] = relationship()
    changed_by: Mapped[User | None] = relationship()

    @property
    def old_label(self):
        return label_for(self.field, self.old_value)

    @property
    def new_label(self):
        return label_for(self.field, self.new_value)


class TextRevision(db.Model):
    """The texts of a commitment or action after each edit, so versions can be compared."""

    __tablename__ = "text_revisions"
    __table_args__ = (UniqueConstraint("commitment_id", "action_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    #: Field name → text, for every text field of the object at this version.
    texts: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    institution: Mapped[Institution | None] = relationship()
    edited_by: Mapped[User | None] = relationship()


def label_for(field: str, value: str | None):
    if value is None:
        return None
    labels = PROGRESS_LABELS if field == TrackedField.STATUS else SCHEDULE_LABELS
    enum = Progress if field == TrackedField.STATUS else Schedule
    return labels[enum(value)]
