"""Plan services: follow-up of statuses and calendars, text edits with versions, plan building.

Capability plans:manage throughout; rules.can_update_commitment narrows it to the commitments an
organiser's institution carries. Every write leaves a public trace: a StatusChange or a
TextRevision, plus an audit entry.
"""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from consult.accounts.models import Institution
from consult.core import audit
from consult.core.db import db, utcnow
from consult.core.errors import Conflict, PermissionDenied, ValidationFailed
from consult.core.moderation import ModerationMode
from consult.plans import rules
from consult.plans.models import (
    Action,
    Axis,
    Commitment,
    Plan,
    PlanKind,
    Progress,
    Schedule,
    StatusChange,
    TextRevision,
    Theme,
    TrackedField,
    commitment_institutions,
)

NOTE_MAX_LENGTH = 2000


class StaleVersion(Conflict):
    """Someone else saved the texts since the editor opened them; carries the current texts."""

    def __init__(self, current: dict):
        super().__init__(
            _l(
                "Someone else changed these texts while you were editing. Their version is shown "
                "below; your text is kept in the form: compare, then save again."
            )
        )
        self.current = current


def _require_update(actor, commitment: Commitment) -> None:
    if not rules.can_update_commitment(actor, commitment):
        raise PermissionDenied(_l("Only the institutions carrying this commitment can update it."))


def _acting_institution(actor, commitment: Commitment, institution_id: int | None):
    """The carrying institution the change is made for: one the actor acts for."""
    if institution_id is None:
        mine = rules.carrying_institutions_of(actor, commitment)
        return mine[0] if mine else None
    for institution in commitment.institutions:
        if institution.id == institution_id:
            if rules.is_admin(actor) or institution in rules.carrying_institutions_of(
                actor, commitment
            ):
                return institution
    raise ValidationFailed(_l("Choose one of the institutions you act for."), field="institution")


def _allowed_values(field: str) -> set[str]:
    if field == TrackedField.STATUS:
        return {p.value for p in Progress}
    if field == TrackedField.SCHEDULE:
        return {s.value for s in Schedule}
    raise ValidationFailed(
        _l("Choose what to change: the progress or the calendar."), field="change"
    )


def update_status(
    actor,
    commitment: Commitment,
    *,
    field: str,
    value: str,
    note: str,
    action: Action | None = None,
    institution_id: int | None = None,
    at: datetime | None = None,
) -> StatusChange:
    """Change the progress or calendar of `commitment` (or one of its actions) with an explanation.

    Capability plans:manage on a carried commitment. Appends a StatusChange to the public history.
    Raises PermissionDenied, ValidationFailed (unknown value, same value, no explanation).
    """
    _require_update(actor, commitment)
    if value not in _allowed_values(field):
        raise ValidationFailed(_l("Choose one of the proposed values."), field="change")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(
            _l("Explain the change: the explanation is published in the history."), field="note"
        )
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationFailed(
            _l("The explanation has at most %(max)d characters.", max=NOTE_MAX_LENGTH), field="note"
        )
    target = action if action is not None else commitment
    if action is not None and action.commitment_id != commitment.id:
        raise ValidationFailed(_l("This action belongs to another commitment."))
    old_value = getattr(target, field)
    if old_value == value:
        raise ValidationFailed(
            _l("This is already the current value: choose a different one."), field="change"
        )
    institution = _acting_institution(actor, commitment, institution_id)
    when = at or utcnow()
    setattr(target, field, value)
    setattr(target, f"{field}_original", None)  # the document's wording no longer applies
    target.updated_at = when
    commitment.updated_at = when
    change = StatusChange(
        commitment_id=commitment.id,
        action_id=action.id if action is not None else None,
        field=field,
        old_value=old_value,
        new_value=value,
        note=note,
        institution=institution,
        changed_by_id=getattr(actor, "id", None),
        changed_at=when,
    )
    db.session.add(change)
    db.session.flush()
    audit.record(
        actor,
        "plans.update_status",
        "action" if action is not None else "commitment",
        target.id,
        {field: old_value},
        {field: value},
    )
    return change


def text_fields_of(target) -> tuple[str, ...]:
    return rules.ACTION_TEXTS if isinstance(target, Action) else rules.COMMITMENT_TEXTS


def texts_of(target) -> dict:
    return {name: getattr(target, name) or "" for name in text_fields_of(target)}


def edit_texts(
    actor,
    commitment: Commitment,
    *,
    expected_version: int,
    texts: dict,
    action: Action | None = None,
    institution_id: int | None = None,
) -> TextRevision | None:
    """Replace the texts of `commitment` (or one of its actions), if nobody saved since
    `expected_version`. Capability plans:manage on a carried commitment. Returns the new
    revision, or None when nothing changed. Raises PermissionDenied, ValidationFailed,
    StaleVersion (with the current texts)."""
    _require_update(actor, commitment)
    target = action if action is not None else commitment
    if not (texts.get("title") or "").strip():
        raise ValidationFailed(_l("The title cannot be empty."), field="title")
    new_texts = {name: (texts.get(name) or "").strip() for name in text_fields_of(target)}
    if new_texts == texts_of(target):
        return None
    institution = _acting_institution(actor, commitment, institution_id)
    # One statement: only the editor who started from the current version wins.
    model = type(target)
    bumped = db.session.execute(
        update(model)
        .where(model.id == target.id, model.version == expected_version)
        .values(version=model.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if bumped != 1:
        db.session.refresh(target)
        raise StaleVersion(texts_of(target))
    db.session.refresh(target, ["version"])
    before = texts_of(target)
    _ensure_first_revision(commitment, action, before)
    for name, value in new_texts.items():
        setattr(target, name, value or None if name != "title" else value)
    now = utcnow()
    target.updated_at = now
    commitment.updated_at = now
    revision = TextRevision(
        commitment_id=commitment.id,
        action_id=action.id if action is not None else None,
        version=target.version,
        texts=new_texts,
        institution=institution,
        edited_by_id=getattr(actor, "id", None),
        created_at=now,
    )
    db.session.add(revision)
    db.session.flush()
    changed = {k: v for k, v in new_texts.items() if before.get(k) != v}
    audit.record(
        actor,
        "plans.edit_texts",
        "action" if action is not None else "commitment",
        target.id,
        {"version": target.version - 1, "fields": sorted(changed)},
        {"version": target.version},
    )
    return revision


def _ensure_first_revision(commitment: Commitment, action: Action | None, texts: dict) -> None:
    """Keep the texts as they were before the first edit, so it can be compared too."""
    same_object = (
        TextRevision.action_id == action.id
        if action is not None
        else TextRevision.action_id.is_(None)
    )
    exists = db.session.scalar(
        select(func.count(TextRevision.id)).where(
            TextRevision.commitment_id == commitment.id, same_object
        )
    )
    if not exists:
        target = action if action is not None else commitment
        db.session.add(
            TextRevision(
                commitment_id=commitment.id,
                action_id=action.id if action is not None else None,
                version=target.version - 1,
                texts=texts,
                created_at=target.updated_at,
            )
        )


# Building plans (admins) -------------------------------------------------------------------


def _require_admin(actor) -> None:
    if not rules.can_create_plans(actor):
        raise PermissionDenied(_l("Only administrators can create plans and commitments."))


def create_plan(
    actor,
    *,
    slug: str,
    title: str,
    kind: str = PlanKind.NATIONAL.value,
    period_start: int,
    period_end: int | None = None,
    summary: str = "",
    institution: Institution | None = None,
    published_on=None,
    commitments_announced: int | None = None,
    source_title: str | None = None,
    status_as_of=None,
) -> Plan:
    """Create an empty plan. Admins only. Raises PermissionDenied, ValidationFailed, Conflict."""
    _require_admin(actor)
    if kind not in {k.value for k in PlanKind}:
        raise ValidationFailed(_l("Choose one of the proposed kinds."), field="kind")
    if period_end is not None and period_end < period_start:
        raise ValidationFailed(_l("The plan cannot end before it starts."), field="period_end")
    if db.session.scalar(select(func.count(Plan.id)).where(Plan.slug == slug)):
        raise Conflict(_l("A plan already uses this address."))
    plan = Plan(
        slug=slug,
        title=title,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        summary=summary,
        institution=institution,
        published_on=published_on,
        commitments_announced=commitments_announced,
        source_title=source_title,
        status_as_of=status_as_of,
    )
    db.session.add(plan)
    db.session.flush()
    audit.record(actor, "plans.create_plan", "plan", plan.id, None, {"slug": slug, "title": title})
    return plan


def set_moderation_mode(actor, plan: Plan, mode: str) -> None:
    """Choose how contributions on the plan's commitments and actions are moderated: "post"
    (published at once, reviewed after) or "pre" (held until a moderator approves them).
    Admins only; contributions already written keep their state. Audited. Raises
    PermissionDenied, ValidationFailed."""
    _require_admin(actor)
    if mode not in {m.value for m in ModerationMode}:
        raise ValidationFailed(_l("Choose one of the proposed modes."), field="mode")
    if plan.moderation_mode == mode:
        return
    before = plan.moderation_mode
    plan.moderation_mode = mode
    db.session.flush()
    audit.record(
        actor, "plans.set_moderation_mode", "plan", plan.id, {"mode": before}, {"mode": mode}
    )


def add_axis(actor, plan: Plan, *, title: str, description: str | None = None, themes=()) -> Axis:
    """Append an axis (and its sub-themes) to `plan`. Admins only."""
    _require_admin(actor)
    number = (max((a.number for a in plan.axes), default=0)) + 1
    axis = Axis(plan=plan, number=number, title=title, description=description)
    for position, theme in enumerate(themes, start=1):
        axis.themes.append(Theme(position=position, title=theme))
    db.session.add(axis)
    db.session.flush()
    audit.record(actor, "plans.add_axis", "plan", plan.id, None, {"axis": number, "title": title})
    return axis


def add_commitment(
    actor,
    plan: Plan,
    *,
    title: str,
    number: int | None = None,
    axis: Axis | None = None,
    theme: Theme | None = None,
    institutions=(),
    issues: str | None = None,
    description: str | None = None,
) -> Commitment:
    """Add a commitment to `plan`, numbered next unless `number` is given. Admins only.
    Raises PermissionDenied, ValidationFailed (axis of another plan), Conflict (number taken)."""
    _require_admin(actor)
    if axis is not None and axis.plan_id != plan.id:
        raise ValidationFailed(_l("This axis belongs to another plan."), field="axis")
    if theme is not None and (axis is None or theme.axis_id != axis.id):
        raise ValidationFailed(_l("This sub-theme belongs to another axis."), field="theme")
    if number is None:
        number = (
            db.session.scalar(
                select(func.max(Commitment.number)).where(Commitment.plan_id == plan.id)
            )
            or 0
        ) + 1
    elif db.session.scalar(
        select(func.count(Commitment.id)).where(
            Commitment.plan_id == plan.id, Commitment.number == number
        )
    ):
        raise Conflict(_l("Another commitment of this plan has this number."))
    commitment = Commitment(
        plan=plan,
        number=number,
        title=title,
        axis=axis,
        theme=theme,
        issues=issues,
        description=description,
    )
    db.session.add(commitment)
    db.session.flush()
    _write_institutions(commitment, institutions)
    audit.record(
        actor,
        "plans.add_commitment",
        "commitment",
        commitment.id,
        None,
        {"plan": plan.slug, "number": number},
    )
    return commitment


def add_action(actor, commitment: Commitment, *, title: str, **texts) -> Action:
    """Append an action to the roadmap of `commitment`. Admins, and organisers who carry it."""
    _require_update(actor, commitment)
    position = (
        db.session.scalar(
            select(func.max(Action.position)).where(Action.commitment_id == commitment.id)
        )
        or 0
    ) + 1
    action = Action(commitment=commitment, position=position, title=title, **texts)
    db.session.add(action)
    db.session.flush()
    audit.record(actor, "plans.add_action", "action", action.id, None, {"position": position})
    return action


def assign_institutions(actor, commitment: Commitment, institutions) -> None:
    """Set the institutions carrying `commitment`, in order. Admins only."""
    _require_admin(actor)
    before = [i.slug for i in commitment.institutions]
    _write_institutions(commitment, institutions)
    after = [i.slug for i in institutions]
    if before != after:
        audit.record(
            actor,
            "plans.assign_institutions",
            "commitment",
            commitment.id,
            {"institutions": before},
            {"institutions": after},
        )


def _write_institutions(commitment: Commitment, institutions) -> None:
    db.session.execute(
        commitment_institutions.delete().where(
            commitment_institutions.c.commitment_id == commitment.id
        )
    )
    seen = set()
    rows = []
    for position, institution in enumerate(institutions):
        if institution.id in seen:
            continue
        seen.add(institution.id)
        rows.append(
            {"commitment_id": commitment.id, "institution_id": institution.id, "position": position}
        )
    if rows:
        db.session.execute(commitment_institutions.insert(), rows)
    db.session.expire(commitment, ["institutions"])


def record_initial_status(
    commitment: Commitment,
    *,
    action: Action | None,
    field: str,
    value: str | None,
    original: str | None,
    note: str,
    as_of: datetime,
) -> None:
    """Set the status a source document gives, with its history entry (demo loading)."""
    target = action if action is not None else commitment
    setattr(target, field, value)
    setattr(target, f"{field}_original", original)
    if value is None:
        return
    db.session.add(
        StatusChange(
            commitment_id=commitment.id,
            action_id=action.id if action is not None else None,
            field=field,
            old_value=None,
            new_value=value,
            note=note,
            changed_at=as_of,
        )
    )


def as_utc_midnight(day) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
