"""Moderation services: reports, claims, decisions one by one or many, blocking authors."""

from datetime import timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult.core import mail
from consult.core.audit import AuditEntry
from consult.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from consult.core.moderation import REASONS_FOR, DecisionAction, ModerationStatus
from consult.discussions import services as discussions
from consult.discussions.models import Contribution, ReplyNotice, Thread
from consult.moderation import services
from consult.moderation.models import Decision, Report
from consult.moderation.services import TRANSITIONS
from consult.plans import services as plans
from tests.factories import make_commitment, make_contribution, make_host, make_plan


@pytest.fixture
def host(app, db):
    with app.test_request_context():
        yield make_host()


@pytest.fixture
def moderator(make_user):
    return make_user(role="moderator", display_name="Modératrice")


def sent(outbox):
    """Deliver what the services queued, as the unit of work does after its commit."""
    mail.flush_outbox()
    return outbox


def thread_of(db, host) -> Thread:
    thread = db.session.scalar(select(Thread).where(Thread.target_id == host.id))
    db.session.refresh(thread)
    return thread


def audit_actions(target_kind=None) -> list[str]:
    query = select(AuditEntry.action).order_by(AuditEntry.id)
    if target_kind:
        query = query.where(AuditEntry.target_kind == target_kind)
    return list(AuditEntry.query.session.scalars(query))


def in_state(app, status: str, author=None) -> Contribution:
    """A contribution in `status`, reached the way it happens on the site."""
    with app.test_request_context():
        host = make_host(mode="pre" if status in ("pending", "rejected") else "post")
        contribution = make_contribution(host, author=author)
    if status == "hidden":
        discussions.set_status(contribution, "hidden")
    elif status == "rejected":
        discussions.set_status(contribution, "rejected")
    assert contribution.status == status
    return contribution


# Reports ------------------------------------------------------------------------------------


def test_a_report_counts_once_per_person_and_is_audited(db, host, make_user):
    contribution = make_contribution(host)
    reader = make_user()

    report = services.report_content(reader, "contribution", contribution.id, "spam")
    with pytest.raises(Conflict):
        services.report_content(reader, "contribution", contribution.id, "abuse")
    services.report_content(make_user(), "contribution", contribution.id, "off_topic")

    db.session.refresh(contribution)
    assert contribution.open_report_count == 2
    assert report.reason == "spam" and report.resolved_at is None
    assert len(db.session.scalars(select(Report)).all()) == 2
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "moderation.report")
    ).all()
    assert [e.after for e in entries] == [{"reason": "spam"}, {"reason": "off_topic"}]
    assert all(reader.email not in str(e.after) for e in entries)


def test_other_reason_needs_a_detail_and_reasons_are_a_closed_list(db, host, make_user):
    contribution = make_contribution(host)
    reader = make_user()
    with pytest.raises(ValidationFailed) as error:
        services.report_content(reader, "contribution", contribution.id, "other", "   ")
    assert error.value.field == "detail"
    with pytest.raises(ValidationFailed) as error:
        services.report_content(reader, "contribution", contribution.id, "boring")
    assert error.value.field == "reason"
    with pytest.raises(ValidationFailed) as error:
        services.report_content(reader, "contribution", contribution.id, "other", "x" * 1001)
    assert error.value.field == "detail"

    report = services.report_content(
        reader, "contribution", contribution.id, "other", "  Lien vers un site douteux "
    )
    assert report.detail == "Lien vers un site douteux"


def test_only_signed_in_people_report_what_is_shown(app, db, host, make_user):
    from flask_login import AnonymousUserMixin

    shown = make_contribution(host)
    with pytest.raises(PermissionDenied):
        services.report_content(AnonymousUserMixin(), "contribution", shown.id, "spam")
    hidden = in_state(app, "hidden")
    with pytest.raises(NotFound):
        services.report_content(make_user(), "contribution", hidden.id, "spam")
    with pytest.raises(NotFound):
        services.report_content(make_user(), "contribution", 999999, "spam")
    with pytest.raises(NotFound):
        services.report_content(make_user(), "petition", shown.id, "spam")


def test_withdrawn_contributions_and_replies_under_hidden_ones_cannot_be_reported(
    db, host, make_user
):
    author = make_user()
    withdrawn = make_contribution(host, author=author)
    discussions.withdraw_contribution(author, withdrawn)
    parent = make_contribution(host)
    reply = make_contribution(host, parent=parent)
    discussions.set_status(parent, "hidden")
    db.session.refresh(reply)
    assert reply.status == "published" and not reply.is_visible

    for unseen in (withdrawn, reply):
        with pytest.raises(NotFound):
            services.report_content(make_user(), "contribution", unseen.id, "spam")


# Claims -------------------------------------------------------------------------------------


def test_a_claim_keeps_other_moderators_out_until_it_lapses(app, db, host, moderator, make_user):
    contribution = make_contribution(host)
    other = make_user(role="moderator")

    services.claim(moderator, "contribution", contribution.id)
    services.claim(moderator, "contribution", contribution.id)  # claiming again renews it
    assert contribution.claimed_by_id == moderator.id
    with pytest.raises(Conflict):
        services.claim(other, "contribution", contribution.id)
    with pytest.raises(Conflict):
        services.decide(other, "contribution", contribution.id, "hide", "spam")
    assert contribution.status == "published"

    contribution.claimed_at -= app.config["MODERATION_CLAIM_DURATION"] + timedelta(seconds=1)
    db.session.flush()
    services.claim(other, "contribution", contribution.id)
    assert contribution.claimed_by_id == other.id


def test_a_released_claim_frees_the_item_and_only_its_holder_releases_it(
    db, host, moderator, make_user
):
    contribution = make_contribution(host)
    other = make_user(role="moderator")
    services.claim(moderator, "contribution", contribution.id)

    services.release(other, "contribution", contribution.id)
    assert contribution.claimed_by_id == moderator.id
    services.release(moderator, "contribution", contribution.id)
    assert contribution.claimed_by_id is None
    services.claim(other, "contribution", contribution.id)
    assert contribution.claimed_by_id == other.id


@pytest.mark.parametrize("role", ["participant", "organiser"])
def test_only_moderators_claim_and_decide(db, host, make_user, role):
    contribution = make_contribution(host)
    user = make_user(role=role)
    with pytest.raises(PermissionDenied):
        services.claim(user, "contribution", contribution.id)
    with pytest.raises(PermissionDenied):
        services.decide(user, "contribution", contribution.id, "hide", "spam")
    with pytest.raises(PermissionDenied):
        services.decide_many(user, "contribution", [contribution.id], "hide", "spam")
    with pytest.raises(PermissionDenied):
        services.block_author(user, contribution.author, "spam")
    assert contribution.status == "published"


# Decisions ----------------------------------------------------------------------------------

STATES = ["pending", "published", "hidden", "rejected"]
ACTIONS = [
    DecisionAction.APPROVE,
    DecisionAction.HIDE,
    DecisionAction.RESTORE,
    DecisionAction.REJECT,
]
EXPECTED = {
    ("pending", "approve"): "published",
    ("published", "approve"): "published",
    ("published", "hide"): "hidden",
    ("hidden", "restore"): "published",
    ("rejected", "restore"): "published",
    ("pending", "reject"): "rejected",
}


def test_the_transition_table_is_the_one_tested():
    table = {
        (status.value, action.value): new.value
        for action, (allowed, new) in TRANSITIONS.items()
        for status in allowed
    }
    assert table == EXPECTED


@pytest.mark.parametrize("status", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_transition_is_allowed_or_refused(app, db, moderator, status, action):
    contribution = in_state(app, status)
    reason = REASONS_FOR[action][0].value
    expected = EXPECTED.get((status, action.value))

    if expected is None:
        with pytest.raises(InvalidTransition):
            services.decide(moderator, "contribution", contribution.id, action, reason)
        db.session.refresh(contribution)
        assert contribution.status == status and contribution.reviewed_at is None
        assert db.session.scalar(select(Decision.id)) is None
    else:
        decision = services.decide(moderator, "contribution", contribution.id, action, reason)
        db.session.refresh(contribution)
        assert contribution.status == expected and contribution.reviewed_at is not None
        assert contribution.is_visible is (expected == "published")
        assert (decision.action, decision.reason) == (action, reason)


@pytest.mark.parametrize(
    ("action", "reason"),
    [("approve", "spam"), ("hide", "compliant"), ("restore", "abuse"), ("reject", "error")],
)
def test_a_reason_must_fit_the_decision(app, db, moderator, action, reason):
    status = {"approve": "pending", "hide": "published", "restore": "hidden", "reject": "pending"}
    contribution = in_state(app, status[action])
    with pytest.raises(ValidationFailed) as error:
        services.decide(moderator, "contribution", contribution.id, action, reason)
    assert error.value.field == "reason"
    assert contribution.status == status[action]


def test_a_decision_needs_a_known_action_and_a_short_note(db, host, moderator):
    contribution = make_contribution(host)
    with pytest.raises(ValidationFailed) as error:
        services.decide(moderator, "contribution", contribution.id, "delete", "spam")
    assert error.value.field == "action"
    with pytest.raises(ValidationFailed) as error:
        services.decide(moderator, "contribution", contribution.id, "hide", "spam", "x" * 2001)
    assert error.value.field == "note"
    with pytest.raises(NotFound):
        services.decide(moderator, "contribution", 999999, "hide", "spam")


def test_a_decision_resolves_reports_and_is_recorded_and_audited(db, host, moderator, make_user):
    contribution = make_contribution(host)
    for reason in ("spam", "abuse"):
        services.report_content(make_user(), "contribution", contribution.id, reason)
    services.claim(moderator, "contribution", contribution.id)

    decision = services.decide(
        moderator, "contribution", contribution.id, "hide", "abuse", "  Insultes répétées "
    )

    db.session.refresh(contribution)
    assert contribution.open_report_count == 0 and contribution.claimed_by_id is None
    reports = db.session.scalars(select(Report)).all()
    assert len(reports) == 2 and all(r.resolved_at is not None for r in reports)
    assert (decision.content_kind, decision.content_id) == ("contribution", contribution.id)
    assert (decision.moderator_id, decision.action, decision.reason, decision.note) == (
        moderator.id,
        "hide",
        "abuse",
        "Insultes répétées",
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "moderation.hide"))
    assert (entry.actor_id, entry.target_kind, entry.target_id) == (
        moderator.id,
        "contribution",
        contribution.id,
    )
    assert entry.before == {"status": "published"}
    assert entry.after == {"status": "hidden", "reason": "abuse"}


def test_the_author_is_told_in_their_own_language(app, db, host, moderator, make_user, outbox):
    english = make_user(locale="en")
    french = make_user(locale="fr")
    first = make_contribution(host, author=english, body="Buy cheap watches")
    second = make_contribution(host, author=french)

    services.decide(moderator, "contribution", first.id, "hide", "spam")
    services.decide(moderator, "contribution", second.id, "hide", "off_topic")

    messages = sent(outbox)
    assert [m.recipients for m in messages] == [[english.email], [french.email]]
    assert [m.template for m in messages] == ["moderation/decision"] * 2
    assert [m.locale for m in messages] == ["en", "fr"]
    assert messages[0].subject == "A moderation decision about your contribution"
    assert "has been hidden by the moderators" in messages[0].body
    assert "Reason: Spam or advertising" in messages[0].body
    assert "Buy cheap watches" not in messages[0].body
    assert "/moderation/journal" in messages[0].body


def test_marking_a_published_item_reviewed_sends_no_mail(db, host, moderator, outbox):
    contribution = make_contribution(host)
    services.decide(moderator, "contribution", contribution.id, "approve", "compliant")
    assert contribution.reviewed_at is not None
    assert sent(outbox) == []


def test_approving_a_held_contribution_publishes_it_and_counts_it(app, db, moderator, outbox):
    contribution = in_state(app, "pending")
    thread = db.session.get(Thread, contribution.thread_id)
    assert thread.contribution_count == 0

    services.decide(moderator, "contribution", contribution.id, "approve", "compliant")

    db.session.refresh(thread)
    assert contribution.is_visible and thread.contribution_count == 1
    assert [m.template for m in sent(outbox)] == ["moderation/decision"]


def test_decide_many_decides_what_it_can_and_says_why_it_skipped_the_rest(
    app, db, moderator, make_user
):
    first, second = in_state(app, "pending"), in_state(app, "pending")
    published = in_state(app, "published")
    claimed = in_state(app, "pending")
    services.claim(make_user(role="moderator"), "contribution", claimed.id)

    decided, skipped = services.decide_many(
        moderator,
        "contribution",
        [first.id, published.id, second.id, claimed.id, 999999, first.id],
        "reject",
        "spam",
        "Vague de spam",
    )

    assert [d.content_id for d in decided] == [first.id, second.id]
    assert [content_id for content_id, _why in skipped] == [published.id, claimed.id, 999999]
    assert skipped[0][1] == str(
        _l("This decision does not apply to the item in its current state.")
    )
    assert skipped[1][1] == str(_l("Another moderator is already handling this item."))
    for contribution, status in ((first, "rejected"), (second, "rejected"), (published,
                                 "published"), (claimed, "pending")):  # fmt: skip
        db.session.refresh(contribution)
        assert contribution.status == status
    assert db.session.scalar(select(Decision.id).where(Decision.content_id == published.id)) is None


def test_decide_many_refuses_a_reason_that_does_not_fit_before_deciding_anything(
    app, db, moderator
):
    pending = in_state(app, "pending")
    with pytest.raises(ValidationFailed):
        services.decide_many(moderator, "contribution", [pending.id], "approve", "spam")
    assert pending.status == "pending"


# Blocking -----------------------------------------------------------------------------------


def test_blocking_hides_everything_at_once_and_the_counters_drop(
    app, db, host, moderator, make_user, outbox
):
    author = make_user(locale="en")
    other = make_user()
    first = make_contribution(host, author=author)
    make_contribution(host, author=other, parent=first)
    second = make_contribution(host, author=author)
    kept = make_contribution(host, author=other)
    assert thread_of(db, host).contribution_count == 4

    decision = services.block_author(moderator, author, "repeated_abuse", "Trois alertes")

    thread = thread_of(db, host)
    assert (thread.contribution_count, thread.top_level_count) == (1, 1)
    for contribution in (first, second):
        db.session.refresh(contribution)
        assert contribution.status == "hidden" and contribution.is_hidden_by_block
    db.session.refresh(kept)
    assert kept.is_visible
    assert author.is_blocked
    assert (decision.content_kind, decision.subject_user_id, decision.action) == (
        "user",
        author.id,
        "block_author",
    )
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "moderation.block_author")
    )
    assert entry.after == {"blocked": True, "hidden": 2, "reason": "repeated_abuse"}
    message = sent(outbox)[-1]
    assert message.recipients == [author.email] and message.locale == "en"
    assert "Your account has been blocked" in message.body
    with pytest.raises(PermissionDenied):
        make_contribution(host, author=author)


def test_unblocking_restores_exactly_what_the_block_hid(app, db, host, moderator, make_user):
    author = make_user()
    hidden_before = make_contribution(host, author=author)
    services.decide(moderator, "contribution", hidden_before.id, "hide", "abuse")
    hidden_by_block = make_contribution(host, author=author)
    hidden_again = make_contribution(host, author=author)
    pending = make_contribution(host, author=author)
    discussions.set_status(pending, "pending")

    services.block_author(moderator, author, "spam")
    # While the account is blocked, nothing of it can be published again one by one.
    with pytest.raises(InvalidTransition):
        services.decide(moderator, "contribution", hidden_again.id, "restore", "error")
    services.unblock_author(moderator, author, "error", "Erreur de personne")

    statuses = {}
    for contribution in (hidden_before, hidden_by_block, hidden_again, pending):
        db.session.refresh(contribution)
        statuses[contribution.id] = contribution.status
        assert not contribution.is_hidden_by_block
    assert statuses == {
        hidden_before.id: "hidden",
        hidden_by_block.id: "published",
        hidden_again.id: "published",
        pending.id: "pending",
    }
    assert not author.is_blocked
    assert thread_of(db, host).contribution_count == 2
    assert audit_actions("user")[-2:] == ["moderation.block_author", "moderation.unblock_author"]


def test_blocking_twice_yourself_or_with_the_wrong_reason_is_refused(db, moderator, make_user):
    author = make_user()
    with pytest.raises(ValidationFailed):
        services.block_author(moderator, author, "compliant")
    with pytest.raises(InvalidTransition):
        services.unblock_author(moderator, author, "error")
    with pytest.raises(InvalidTransition):
        services.block_author(moderator, moderator, "spam")
    services.block_author(moderator, author, "spam")
    with pytest.raises(InvalidTransition):
        services.block_author(moderator, author, "spam")
    with pytest.raises(ValidationFailed):
        services.unblock_author(moderator, author, "spam")


# What hiding takes away -----------------------------------------------------------------------


def test_a_hidden_contribution_leaves_the_counts_and_the_reply_digest(
    app, db, host, moderator, make_user, outbox
):
    author = make_user()
    author.notify_replies = True
    question = make_contribution(host, author=author)
    with app.test_request_context():
        make_contribution(host, parent=question, body="Première réponse, envoyée")
        late = make_contribution(host, parent=question, body="Réponse cachée ensuite")
    assert [m.template for m in sent(outbox)] == ["discussions/replies_digest"]
    db.session.refresh(question)
    assert question.reply_count == 2

    services.decide(moderator, "contribution", late.id, "hide", "abuse")

    db.session.refresh(question)
    assert question.reply_count == 1 and thread_of(db, host).contribution_count == 2
    for notice in db.session.scalars(select(ReplyNotice).where(ReplyNotice.sent_at.is_not(None))):
        notice.sent_at -= timedelta(hours=2)
    with app.test_request_context():
        assert discussions.send_due_digests() == 0
    bodies = " ".join(m.body for m in sent(outbox))
    assert "Réponse cachée ensuite" not in bodies
    assert (
        db.session.scalar(select(ReplyNotice).where(ReplyNotice.contribution_id == late.id)).sent_at
        is not None
    )


# The plan's moderation mode -------------------------------------------------------------------


def test_admins_set_a_plans_moderation_mode_and_new_contributions_follow_it(
    app, db, make_user, moderator
):
    admin = make_user(role="admin")
    with app.test_request_context():
        commitment = make_commitment()
        plan = commitment.plan
        with pytest.raises(PermissionDenied):
            plans.set_moderation_mode(moderator, plan, "pre")
        with pytest.raises(ValidationFailed) as error:
            plans.set_moderation_mode(admin, plan, "never")
        assert error.value.field == "mode"
        published = make_contribution(make_host(commitment))

        plans.set_moderation_mode(admin, plan, "pre")
        plans.set_moderation_mode(admin, plan, "pre")  # no change, no second entry
        held = make_contribution(make_host(commitment))

    assert plan.moderation_mode == "pre"
    assert published.status == ModerationStatus.PUBLISHED
    assert held.status == ModerationStatus.PENDING and held.held_reason == "pre_moderation"
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "plans.set_moderation_mode")
    ).all()
    assert [(e.before, e.after) for e in entries] == [({"mode": "post"}, {"mode": "pre"})]


def test_a_new_plan_is_post_moderated(app, db):
    with app.test_request_context():
        assert make_plan().moderation_mode == "post"


def test_a_blocked_authors_pending_item_cannot_be_published(db, app, make_user):
    from consult.core.errors import InvalidTransition as Refused
    from consult.moderation import services as moderation
    from tests.factories import make_contribution, make_host

    with app.test_request_context():
        host = make_host(mode="pre")
        author = make_user()
        held = make_contribution(host, author=author)
        moderator = make_user(role="moderator")
        moderation.block_author(moderator, author, "repeated_abuse")
        with pytest.raises(Refused):
            moderation.decide(moderator, "contribution", held.id, "approve", "compliant")
        moderation.decide(moderator, "contribution", held.id, "reject", "spam")
    assert held.status == "rejected"
