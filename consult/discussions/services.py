"""Discussion services: post, reply, edit, withdraw; counters; reply digests.

Counters (Thread.contribution_count, Thread.top_level_count, Contribution.reply_count) are
changed by atomic SQL in the writing transaction. Moderation changes recount the branch under
a lock on the thread row, so that concurrent posts and decisions never lose an update.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import User
from consult.core import audit, mail, tokens
from consult.core.db import db, utcnow
from consult.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from consult.core.moderation import ModerationMode, ModerationStatus
from consult.core.templating import external_url
from consult.discussions import rules
from consult.discussions.models import Contribution, HeldReason, ReplyNotice, Thread
from consult.discussions.targets import Host

UNSUBSCRIBE_PURPOSE = "unsubscribe-replies"
DIGEST_INTERVAL = timedelta(hours=1)


def get_thread(host: Host) -> Thread | None:
    return db.session.scalar(
        select(Thread).where(Thread.target_kind == host.kind, Thread.target_id == host.id)
    )


def ensure_thread(host: Host) -> Thread:
    """The thread of `host`, created on the first contribution (two first posters race safely)."""
    thread = get_thread(host)
    if thread is not None:
        return thread
    try:
        with db.session.begin_nested():
            thread = Thread(target_kind=host.kind, target_id=host.id, plan_id=host.plan_id)
            db.session.add(thread)
    except IntegrityError:
        thread = get_thread(host)
    return thread


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_l("Write your contribution before sending it."), field="body")
    if len(body) > rules.BODY_MAX_LENGTH:
        raise ValidationFailed(
            _l("A contribution has at most %(max)d characters.", max=rules.BODY_MAX_LENGTH),
            field="body",
        )
    return body


def _require_contributor(actor) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_l("Log in to contribute."))
    if getattr(actor, "is_blocked", False):
        raise PermissionDenied(_l("Your account can no longer contribute."))
    if not getattr(actor, "is_verified", False):
        raise PermissionDenied(_l("Confirm your e-mail address to contribute."))
    if not rules.can_contribute(actor):
        raise PermissionDenied()


def _initial_status(host: Host, body: str) -> tuple[str, str | None]:
    watched = rules.watched_words_in(body, current_app.config["MODERATION_WATCHLIST"])
    if watched:
        return ModerationStatus.PENDING.value, HeldReason.WATCHED_WORD.value
    if host.moderation_mode == ModerationMode.PRE:
        return ModerationStatus.PENDING.value, HeldReason.PRE_MODERATION.value
    return ModerationStatus.PUBLISHED.value, None


def post_contribution(
    actor, host: Host, body: str, *, parent: Contribution | None = None, official: bool = False
) -> Contribution:
    """Write a contribution on `host`, or a reply to `parent`.

    Capability discussions:comment, verified and not blocked. `official` marks the answer of
    the actor's institution (an organiser of a carrying institution only). Published at once,
    or held for moderation (pre-moderation, watched words). Raises PermissionDenied,
    InvalidTransition (closed target, parent gone, too deep) or ValidationFailed.
    """
    _require_contributor(actor)
    body = _check_body(body)
    if not host.is_open:
        raise InvalidTransition(_l("This discussion is closed: it takes no new contribution."))
    thread = ensure_thread(host)
    if thread.is_closed:
        raise InvalidTransition(_l("This discussion is closed: it takes no new contribution."))
    institution_id = None
    if official:
        mine = [
            i.id
            for i in getattr(actor, "institutions", [])
            if i.id in host.official_institution_ids
        ]
        if not mine:
            raise PermissionDenied(_l("Only the institutions carrying it can answer officially."))
        institution_id = mine[0]
    depth, root_id = 0, None
    if parent is not None:
        if parent.thread_id != thread.id:
            raise ValidationFailed(_l("You can only reply within the same discussion."))
        if not parent.is_visible or parent.is_withdrawn:
            raise InvalidTransition(_l("The contribution you are replying to is no longer shown."))
        if not rules.can_reply_to(parent.depth):
            raise InvalidTransition(_l("Replies cannot go deeper here: reply higher up."))
        depth, root_id = parent.depth + 1, parent.root_id or parent.id
    status, held_reason = _initial_status(host, body)
    now = utcnow()
    contribution = Contribution(
        thread_id=thread.id,
        parent_id=parent.id if parent is not None else None,
        root_id=root_id,
        depth=depth,
        author_id=actor.id,
        body=body,
        status=status,
        held_reason=held_reason,
        is_visible=status == ModerationStatus.PUBLISHED,
        is_official=official,
        institution_id=institution_id,
        created_at=now,
    )
    db.session.add(contribution)
    db.session.flush()
    if contribution.is_visible:
        _count_in(contribution, +1, top_level=parent is None)
        _notify_parent_author(contribution, parent)
    audit.record(
        actor, "discussions.post", "contribution", contribution.id, None,
        {"thread": thread.id, "status": status, "official": official},
    )  # fmt: skip
    return contribution


def _ancestor_ids(contribution: Contribution) -> list[int]:
    ids, parent_id = [], contribution.parent_id
    while parent_id is not None:
        ids.append(parent_id)
        parent = db.session.get(Contribution, parent_id)
        parent_id = parent.parent_id if parent else None
    return ids


def _count_in(contribution: Contribution, delta: int, *, top_level: bool) -> None:
    """Add `delta` visible contributions to the thread and to every ancestor, atomically."""
    values = {"contribution_count": Thread.contribution_count + delta}
    if top_level:
        values["top_level_count"] = Thread.top_level_count + delta
    if delta > 0:
        values["last_contribution_at"] = contribution.created_at
    db.session.execute(update(Thread).where(Thread.id == contribution.thread_id).values(**values))
    ancestors = _ancestor_ids(contribution)
    if ancestors:
        db.session.execute(
            update(Contribution)
            .where(Contribution.id.in_(ancestors))
            .values(reply_count=Contribution.reply_count + delta)
        )
    db.session.expire_all()


def edit_contribution(actor, contribution: Contribution, body: str, host: Host) -> None:
    """Change the text of the actor's own contribution within the edit window.
    A watched word sends it back to moderation. Raises PermissionDenied, InvalidTransition,
    ValidationFailed."""
    if getattr(actor, "id", None) != contribution.author_id:
        raise PermissionDenied(_l("Only its author can edit a contribution."))
    _require_contributor(actor)
    body = _check_body(body)
    now = utcnow()
    if contribution.is_withdrawn or contribution.status in (
        ModerationStatus.HIDDEN,
        ModerationStatus.REJECTED,
    ):
        raise InvalidTransition(_l("This contribution can no longer be edited."))
    window = current_app.config["DISCUSSION_EDIT_WINDOW"]
    if not rules.is_within_edit_window(contribution.created_at, now, window):
        raise InvalidTransition(
            _l("The time to edit this contribution is over (%(minutes)d minutes).",
               minutes=int(window.total_seconds() // 60))
        )  # fmt: skip
    if body == contribution.body:
        return
    contribution.body = body
    contribution.edited_at = now
    if contribution.status == ModerationStatus.PUBLISHED:
        status, held = _initial_status(host, body)
        if held == HeldReason.WATCHED_WORD:
            set_status(contribution, ModerationStatus.PENDING.value)
            contribution.held_reason = held
    audit.record(actor, "discussions.edit", "contribution", contribution.id)


def withdraw_contribution(actor, contribution: Contribution) -> None:
    """The author takes back a contribution: its text is erased, a placeholder keeps the
    thread's shape. Raises PermissionDenied or InvalidTransition."""
    if getattr(actor, "id", None) != contribution.author_id:
        raise PermissionDenied(_l("Only its author can withdraw a contribution."))
    if contribution.is_withdrawn:
        raise InvalidTransition(_l("This contribution is already withdrawn."))
    was_counted = contribution.is_visible
    contribution.withdrawn_at = utcnow()
    contribution.body = ""
    if was_counted:
        _count_in(contribution, -1, top_level=False)
    db.session.execute(
        update(ReplyNotice)
        .where(ReplyNotice.contribution_id == contribution.id, ReplyNotice.sent_at.is_(None))
        .values(sent_at=utcnow())
    )
    audit.record(actor, "discussions.withdraw", "contribution", contribution.id)


# Moderation changes ---------------------------------------------------------------------


def set_status(contribution: Contribution, status: str) -> None:
    """Move a contribution to a moderation status and recount its branch (moderation)."""
    _lock_thread(contribution.thread_id)
    first_publication = (
        contribution.status == ModerationStatus.PENDING and status == ModerationStatus.PUBLISHED
    )
    contribution_id = contribution.id
    contribution.status = status
    db.session.flush()
    recount_branch(contribution.root_id or contribution.id, contribution.thread_id)
    if first_publication:
        # A reply held for moderation is told to its parent's author once approved.
        approved = db.session.get(Contribution, contribution_id)
        if approved.is_visible:
            db.session.execute(
                update(Thread)
                .where(Thread.id == approved.thread_id)
                .values(last_contribution_at=func.now())
            )
            parent_id = approved.parent_id
            parent = db.session.get(Contribution, parent_id) if parent_id else None
            _notify_parent_author(approved, parent)


def _lock_thread(thread_id: int) -> None:
    """Serialise counter rewrites with concurrent posts (PostgreSQL row lock; SQLite writers
    are serialised already)."""
    db.session.execute(select(Thread.id).where(Thread.id == thread_id).with_for_update())


def recount_branch(root_id: int, thread_id: int) -> None:
    """Recompute visibility and reply counts of one branch, then the thread's counters."""
    rows = db.session.scalars(
        select(Contribution)
        .where((Contribution.id == root_id) | (Contribution.root_id == root_id))
        .order_by(Contribution.depth)
    ).all()
    by_id = {row.id: row for row in rows}
    for row in rows:
        parent_visible = True if row.parent_id is None else by_id[row.parent_id].is_visible
        row.is_visible = parent_visible and row.status == ModerationStatus.PUBLISHED
    for row in rows:
        row.reply_count = 0
    for row in sorted(rows, key=lambda r: -r.depth):
        if row.is_visible and not row.is_withdrawn:
            ancestor_id = row.parent_id
            while ancestor_id is not None:
                ancestor = by_id[ancestor_id]
                ancestor.reply_count += 1
                ancestor_id = ancestor.parent_id
    db.session.flush()
    recount_thread(thread_id)


def recount_thread(thread_id: int) -> None:
    visible = and_(Contribution.thread_id == thread_id, Contribution.is_visible.is_(True))
    contributions = db.session.scalar(
        select(func.count(Contribution.id)).where(visible, Contribution.withdrawn_at.is_(None))
    )
    top_level = db.session.scalar(
        select(func.count(Contribution.id)).where(visible, Contribution.parent_id.is_(None))
    )
    db.session.execute(
        update(Thread)
        .where(Thread.id == thread_id)
        .values(contribution_count=contributions, top_level_count=top_level)
    )
    db.session.expire_all()


# Reply notices and digests ------------------------------------------------------------------


def _notify_parent_author(reply: Contribution, parent: Contribution | None) -> None:
    if parent is None or parent.author_id == reply.author_id:
        return
    author = db.session.get(User, parent.author_id)
    if author is None or author.is_deleted or not author.notify_replies or not author.email:
        return
    db.session.add(
        ReplyNotice(recipient_id=author.id, thread_id=reply.thread_id, contribution_id=reply.id)
    )
    db.session.flush()
    send_due_digests(recipient_id=author.id, thread_id=reply.thread_id)


def send_due_digests(*, recipient_id: int | None = None, thread_id: int | None = None) -> int:
    """E-mail each author the replies waiting for them, at most once per thread per hour.

    Hidden or withdrawn replies are dropped, never told. Returns the number of e-mails queued.
    """
    from consult.discussions.targets import load_host

    now = utcnow()
    query = select(ReplyNotice).where(ReplyNotice.sent_at.is_(None))
    if recipient_id is not None:
        query = query.where(ReplyNotice.recipient_id == recipient_id)
    if thread_id is not None:
        query = query.where(ReplyNotice.thread_id == thread_id)
    pending = db.session.scalars(query.order_by(ReplyNotice.created_at)).all()
    groups: dict[tuple[int, int], list[ReplyNotice]] = {}
    for notice in pending:
        groups.setdefault((notice.recipient_id, notice.thread_id), []).append(notice)
    sent = 0
    for (recipient, thread), notices in groups.items():
        last = db.session.scalar(
            select(func.max(ReplyNotice.sent_at)).where(
                ReplyNotice.recipient_id == recipient, ReplyNotice.thread_id == thread
            )
        )
        if last is not None and now - last < DIGEST_INTERVAL:
            continue
        replies = [
            n.contribution
            for n in notices
            if n.contribution.is_visible and not n.contribution.is_withdrawn
        ]
        for notice in notices:
            notice.sent_at = now
        user = notices[0].recipient
        thread_row = db.session.get(Thread, thread)
        host = load_host(thread_row.target_kind, thread_row.target_id) if thread_row else None
        if not replies or host is None or not user.notify_replies or not user.email:
            continue
        token = tokens.make_token(UNSUBSCRIBE_PURPOSE, {"user": user.id})
        unsubscribe_url = external_url("discussions.unsubscribe", token=token)
        mail.queue(
            user.email,
            "discussions/replies_digest",
            user.locale,
            user=user,
            host=host,
            replies=replies,
            unsubscribe_url=unsubscribe_url,
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        sent += 1
    db.session.flush()
    return sent


def unsubscribe_from_replies(token: str) -> User:
    """Turn off reply e-mails for the user named in a signed unsubscribe link.
    Raises InvalidTransition for a bad link."""
    try:
        payload = tokens.read_token(UNSUBSCRIBE_PURPOSE, token, timedelta(days=365))
    except tokens.InvalidToken:
        raise InvalidTransition(_l("This unsubscribe link is not valid.")) from None
    user = db.session.get(User, payload.get("user")) if isinstance(payload, dict) else None
    if user is None or user.is_deleted:
        raise NotFound()
    if user.notify_replies:
        user.notify_replies = False
        audit.record(user, "discussions.unsubscribe", "user", user.id, {"notify_replies": True},
                     {"notify_replies": False})  # fmt: skip
    return user
