from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from consult.discussions import services
from consult.discussions.models import Contribution, Thread
from tests.factories import make_commitment, make_contribution, make_host, make_institution


@pytest.fixture
def host(app, db):
    with app.test_request_context():
        yield make_host()


def thread_of(db, host):
    thread = db.session.scalar(select(Thread).where(Thread.target_id == host.id))
    db.session.refresh(thread)
    return thread


def test_contributions_and_replies_keep_exact_counters(db, host, make_user):
    first = make_contribution(host)
    reply = make_contribution(host, parent=first)
    make_contribution(host, parent=reply)
    make_contribution(host)
    thread = thread_of(db, host)
    assert (thread.contribution_count, thread.top_level_count) == (4, 2)
    db.session.refresh(first)
    assert first.reply_count == 2
    assert reply.root_id == first.id and reply.depth == 1


def test_replies_stop_at_the_depth_limit(db, host):
    parent = make_contribution(host)
    for _ in range(3):
        parent = make_contribution(host, parent=parent)
    assert parent.depth == 3
    with pytest.raises(InvalidTransition):
        make_contribution(host, parent=parent)


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_empty_or_too_long_bodies_are_refused(db, host, body):
    with pytest.raises(ValidationFailed):
        make_contribution(host, body=body)
    assert db.session.scalar(select(Contribution.id)) is None


def test_only_verified_unblocked_accounts_contribute(db, host, make_user):
    with pytest.raises(PermissionDenied):
        make_contribution(host, author=make_user(verified=False))
    blocked = make_user()
    blocked.blocked_at = services.utcnow()
    with pytest.raises(PermissionDenied):
        make_contribution(host, author=blocked)


def test_pre_moderation_holds_contributions_out_of_the_counts(db, app, make_user):
    with app.test_request_context():
        host = make_host(mode="pre")
        held = make_contribution(host)
    assert held.status == "pending" and not held.is_visible
    assert thread_of(db, host).contribution_count == 0


def test_a_watched_word_holds_a_contribution_whatever_the_mode(db, app, host):
    app.config["MODERATION_WATCHLIST"] = ("arnaque",)
    try:
        held = make_contribution(host, body="C'est une ARNAQUE totale")
        kept = make_contribution(host, body="Des arnaqueurs partout")  # not the whole word
    finally:
        app.config["MODERATION_WATCHLIST"] = ()
    assert (held.status, held.held_reason) == ("pending", "watched_word")
    assert kept.status == "published"


def test_official_answers_need_a_carrying_institution(db, app, make_user):
    ministry = make_institution()
    with app.test_request_context():
        host = make_host(make_commitment(institutions=[ministry]))
        organiser = make_user(role="organiser", institutions=[ministry])
        outsider = make_user(role="organiser", institutions=[make_institution()])
        question = make_contribution(host)
        answer = make_contribution(host, author=organiser, parent=question, official=True)
        with pytest.raises(PermissionDenied):
            make_contribution(host, author=outsider, parent=question, official=True)
    assert answer.is_official and answer.institution_id == ministry.id


def test_edit_within_the_window_only(db, app, host, make_user):
    author = make_user()
    contribution = make_contribution(host, author=author)
    services.edit_contribution(author, contribution, "Texte corrigé", host)
    assert contribution.body == "Texte corrigé" and contribution.edited_at is not None
    with pytest.raises(PermissionDenied):
        services.edit_contribution(make_user(), contribution, "Pas à moi", host)
    contribution.created_at -= timedelta(hours=2)
    with pytest.raises(InvalidTransition):
        services.edit_contribution(author, contribution, "Trop tard", host)


def test_withdrawing_erases_the_text_and_keeps_the_shape(db, host, make_user):
    author = make_user()
    contribution = make_contribution(host, author=author)
    make_contribution(host, parent=contribution)
    services.withdraw_contribution(author, contribution)
    thread = thread_of(db, host)
    assert contribution.body == "" and contribution.is_withdrawn
    assert (thread.contribution_count, thread.top_level_count) == (1, 1)


def test_hiding_a_contribution_hides_its_branch_from_every_count(db, host):
    root = make_contribution(host)
    reply = make_contribution(host, parent=root)
    make_contribution(host, parent=reply)
    services.set_status(reply, "hidden")
    thread = thread_of(db, host)
    db.session.refresh(root)
    assert thread.contribution_count == 1 and root.reply_count == 0
    services.set_status(reply, "published")
    assert thread_of(db, host).contribution_count == 3


def test_the_first_reply_is_mailed_at_once_then_digested_hourly(db, app, host, make_user, outbox):
    author = make_user()
    author.notify_replies = True
    question = make_contribution(host, author=author)
    with app.test_request_context():
        make_contribution(host, parent=question, body="Première réponse")
        make_contribution(host, parent=question, body="Deuxième réponse")
        services.mail.flush_outbox()
    assert [m.template for m in outbox] == ["discussions/replies_digest"]
    assert "Première réponse" in outbox[0].body and "List-Unsubscribe" in outbox[0].headers
    # An hour later, the waiting reply goes out in one digest.
    from consult.discussions.models import ReplyNotice

    for notice in db.session.scalars(select(ReplyNotice).where(ReplyNotice.sent_at.is_not(None))):
        notice.sent_at -= timedelta(hours=2)
    with app.test_request_context():
        assert services.send_due_digests() == 1
        services.mail.flush_outbox()
    assert "Deuxième réponse" in outbox[1].body


def test_no_mail_for_own_replies_or_without_consent(db, app, host, make_user, outbox):
    author = make_user()
    question = make_contribution(host, author=author)
    with app.test_request_context():
        make_contribution(host, author=author, parent=question)
        make_contribution(host, parent=question)  # author has not opted in
        services.mail.flush_outbox()
    assert outbox == []


def test_an_approved_held_reply_is_told_to_the_parent_author(db, app, make_user, outbox):
    with app.test_request_context():
        host = make_host(mode="pre")
        author = make_user()
        author.notify_replies = True
        question = make_contribution(host, author=author)
        services.set_status(question, "published")
        reply = make_contribution(host, parent=question, body="Réponse approuvée")
        services.mail.flush_outbox()
        assert outbox == []
        services.set_status(reply, "published")
        services.mail.flush_outbox()
    assert [m.template for m in outbox] == ["discussions/replies_digest"]
    assert "Réponse approuvée" in outbox[0].body
