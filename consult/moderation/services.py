"""Moderation services: reports, claims, decisions (one or many), blocking authors.

Capability moderation:report for reports, moderation:decide for the rest. Every report and
decision enters the audit trail; decisions also enter the public moderation log (Decision).
"""

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import User
from consult.core import audit, mail
from consult.core.db import db, utcnow
from consult.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from consult.core.moderation import (
    REASONS_FOR,
    DecisionAction,
    DecisionReason,
    ModerationStatus,
    ReportReason,
)
from consult.core.permissions import Capability, require
from consult.moderation import targets
from consult.moderation.models import Decision, Report

DETAIL_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 2000

#: action → (statuses it applies to, status it leads to)
_S = ModerationStatus
TRANSITIONS = {
    DecisionAction.APPROVE: ({_S.PENDING, _S.PUBLISHED}, _S.PUBLISHED),
    DecisionAction.HIDE: ({_S.PUBLISHED}, _S.HIDDEN),
    DecisionAction.RESTORE: ({_S.HIDDEN, _S.REJECTED}, _S.PUBLISHED),
    DecisionAction.REJECT: ({_S.PENDING}, _S.REJECTED),
}


def _kind(name: str):
    adapter = targets.kind(name)
    if adapter is None:
        raise NotFound()
    return adapter


def _item(kind_name: str, content_id: int):
    adapter = _kind(kind_name)
    item = adapter.get(content_id)
    if item is None:
        raise NotFound()
    return adapter, item


def report_content(actor, kind_name: str, content_id: int, reason: str, detail: str = ""):
    """Report content to the moderators. Capability moderation:report; one report per person
    and content. Raises PermissionDenied, NotFound, ValidationFailed, Conflict."""
    require(actor, Capability.MODERATION_REPORT)
    adapter, item = _item(kind_name, content_id)
    if not adapter.is_visible(item):
        raise NotFound()
    if reason not in {r.value for r in ReportReason}:
        raise ValidationFailed(_l("Choose a reason."), field="reason")
    detail = (detail or "").strip()
    if reason == ReportReason.OTHER and not detail:
        raise ValidationFailed(_l("Say what the problem is."), field="detail")
    if len(detail) > DETAIL_MAX_LENGTH:
        raise ValidationFailed(
            _l("The detail has at most %(max)d characters.", max=DETAIL_MAX_LENGTH), field="detail"
        )
    try:
        with db.session.begin_nested():
            report = Report(
                content_kind=kind_name,
                content_id=content_id,
                reporter_id=actor.id,
                reason=reason,
                detail=detail or None,
            )
            db.session.add(report)
    except IntegrityError:
        raise Conflict(_l("You have already reported this contribution.")) from None
    model = type(item)
    db.session.execute(
        update(model)
        .where(model.id == item.id)
        .values(open_report_count=model.open_report_count + 1)
    )
    audit.record(actor, "moderation.report", kind_name, content_id, None, {"reason": reason})
    return report


def claim(actor, kind_name: str, content_id: int) -> None:
    """Take an item so no other moderator decides it meanwhile. The claim lapses after
    MODERATION_CLAIM_DURATION. Raises PermissionDenied, NotFound, Conflict."""
    require(actor, Capability.MODERATION_DECIDE)
    adapter, item = _item(kind_name, content_id)
    model = type(item)
    now = utcnow()
    lapsed = now - current_app.config["MODERATION_CLAIM_DURATION"]
    taken = db.session.execute(
        update(model)
        .where(
            model.id == item.id,
            or_(
                model.claimed_by_id.is_(None),
                model.claimed_by_id == actor.id,
                model.claimed_at < lapsed,
            ),
        )
        .values(claimed_by_id=actor.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise Conflict(_l("Another moderator is already handling this item."))
    db.session.refresh(item)


def release(actor, kind_name: str, content_id: int) -> None:
    require(actor, Capability.MODERATION_DECIDE)
    _adapter, item = _item(kind_name, content_id)
    if item.claimed_by_id == actor.id:
        item.claimed_by_id = None
        item.claimed_at = None


def _check_reason(action: str, reason: str) -> None:
    if reason not in {r.value for r in REASONS_FOR[DecisionAction(action)]}:
        raise ValidationFailed(_l("Choose a reason that fits this decision."), field="reason")


def _check_note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationFailed(
            _l("The note has at most %(max)d characters.", max=NOTE_MAX_LENGTH), field="note"
        )
    return note or None


def decide(actor, kind_name: str, content_id: int, action: str, reason: str, note: str = ""):
    """Approve, hide, restore or reject one item, with a reason code and an optional note.

    Capability moderation:decide. Refused when another moderator's claim is active. Resolves
    the item's reports, records the decision (public log) and the audit entry, and e-mails the
    author the decision and its reason. Raises PermissionDenied, NotFound, ValidationFailed,
    Conflict, InvalidTransition.
    """
    require(actor, Capability.MODERATION_DECIDE)
    if action not in TRANSITIONS:
        raise ValidationFailed(_l("Choose a decision."), field="action")
    _check_reason(action, reason)
    note = _check_note(note)
    adapter, item = _item(kind_name, content_id)
    now = utcnow()
    lapsed = now - current_app.config["MODERATION_CLAIM_DURATION"]
    if item.claimed_by_id not in (None, actor.id) and item.claimed_at and item.claimed_at > lapsed:
        raise Conflict(_l("Another moderator is already handling this item."))
    allowed, new_status = TRANSITIONS[DecisionAction(action)]
    before = item.status
    if before not in allowed:
        raise InvalidTransition(
            _l("This decision does not apply to the item in its current state.")
        )
    if new_status == ModerationStatus.PUBLISHED and before != ModerationStatus.PUBLISHED:
        author = db.session.get(User, adapter.author_id(item))
        if author is not None and author.is_blocked:
            raise InvalidTransition(
                _l("Its author is blocked: unblock the account before publishing this item.")
            )
    if new_status != before:
        adapter.set_status(item, new_status.value)
    # From now on the item's state is this decision's, not the block's: unblocking the author
    # must not publish again what a moderator hid for its own reasons.
    item.is_hidden_by_block = False
    item.reviewed_at = now
    item.claimed_by_id = None
    item.claimed_at = None
    item.open_report_count = 0
    db.session.execute(
        update(Report)
        .where(
            Report.content_kind == kind_name,
            Report.content_id == content_id,
            Report.resolved_at.is_(None),
        )
        .values(resolved_at=now)
    )
    decision = Decision(
        content_kind=kind_name,
        content_id=content_id,
        moderator_id=actor.id,
        action=action,
        reason=reason,
        note=note,
        created_at=now,
    )
    db.session.add(decision)
    db.session.flush()
    audit.record(
        actor, f"moderation.{action}", kind_name, content_id,
        {"status": before}, {"status": new_status.value, "reason": reason},
    )  # fmt: skip
    if new_status != before:
        _tell_author(adapter.author_id(item), decision)
    return decision


def decide_many(actor, kind_name: str, content_ids, action: str, reason: str, note: str = ""):
    """The same decision on a selection. Items that cannot take it are skipped and returned
    with their reason; the others are decided. Raises PermissionDenied, ValidationFailed."""
    require(actor, Capability.MODERATION_DECIDE)
    if action not in TRANSITIONS:
        raise ValidationFailed(_l("Choose a decision."), field="action")
    _check_reason(action, reason)
    decided, skipped = [], []
    for content_id in dict.fromkeys(content_ids):
        try:
            with db.session.begin_nested():
                decided.append(decide(actor, kind_name, content_id, action, reason, note))
        except (Conflict, InvalidTransition, NotFound) as error:
            skipped.append((content_id, str(error)))
    return decided, skipped


def block_author(actor, user: User, reason: str, note: str = "") -> Decision:
    """Block an account: it can no longer contribute and everything it published is hidden at
    once. Capability moderation:decide. Raises PermissionDenied, ValidationFailed,
    InvalidTransition."""
    require(actor, Capability.MODERATION_DECIDE)
    _check_reason(DecisionAction.BLOCK_AUTHOR, reason)
    note = _check_note(note)
    if user.is_blocked:
        raise InvalidTransition(_l("This account is already blocked."))
    if user.id == getattr(actor, "id", None):
        raise InvalidTransition(_l("You cannot block your own account."))
    now = utcnow()
    user.blocked_at = now
    hidden = 0
    for adapter in targets.KINDS.values():
        for item in adapter.items_of_author(user.id, ModerationStatus.PUBLISHED.value):
            item.is_hidden_by_block = True
            adapter.set_status(item, ModerationStatus.HIDDEN.value)
            hidden += 1
    decision = _user_decision(actor, user, DecisionAction.BLOCK_AUTHOR, reason, note, now)
    audit.record(actor, "moderation.block_author", "user", user.id, {"blocked": False},
                 {"blocked": True, "hidden": hidden, "reason": reason})  # fmt: skip
    _tell_author(user.id, decision)
    return decision


def unblock_author(actor, user: User, reason: str, note: str = "") -> Decision:
    """Lift a block and restore exactly what the block hid. Capability moderation:decide."""
    require(actor, Capability.MODERATION_DECIDE)
    _check_reason(DecisionAction.UNBLOCK_AUTHOR, reason)
    note = _check_note(note)
    if not user.is_blocked:
        raise InvalidTransition(_l("This account is not blocked."))
    now = utcnow()
    user.blocked_at = None
    restored = 0
    for adapter in targets.KINDS.values():
        for item in adapter.items_of_author(user.id, ModerationStatus.HIDDEN.value):
            if item.is_hidden_by_block:
                item.is_hidden_by_block = False
                adapter.set_status(item, ModerationStatus.PUBLISHED.value)
                restored += 1
    decision = _user_decision(actor, user, DecisionAction.UNBLOCK_AUTHOR, reason, note, now)
    audit.record(actor, "moderation.unblock_author", "user", user.id, {"blocked": True},
                 {"blocked": False, "restored": restored, "reason": reason})  # fmt: skip
    _tell_author(user.id, decision)
    return decision


def _user_decision(actor, user, action, reason, note, now) -> Decision:
    decision = Decision(
        content_kind="user",
        content_id=user.id,
        subject_user_id=user.id,
        moderator_id=actor.id,
        action=action.value,
        reason=reason,
        note=note,
        created_at=now,
    )
    db.session.add(decision)
    db.session.flush()
    return decision


def _tell_author(user_id: int | None, decision: Decision) -> None:
    author = db.session.get(User, user_id) if user_id else None
    if author is None or author.is_deleted or not author.email:
        return
    mail.queue(
        author.email,
        "moderation/decision",
        author.locale,
        user=author,
        decision=decision,
        reason=DecisionReason(decision.reason),
    )


def get_decision_reasons(action: str):
    return REASONS_FOR.get(DecisionAction(action), ())
