"""The moderation queue's contents, filters, counts and cost; the public log's figures."""

from datetime import timedelta

import pytest

from consult.discussions import services as discussions
from consult.moderation import queries, services
from consult.moderation.models import Decision
from consult.moderation.queries import QueueFilters
from consult.plans.hosts import action_host
from tests.factories import (
    make_commitment,
    make_contribution,
    make_host,
    make_institution,
    make_plan,
)


@pytest.fixture
def request_context(app, db):
    with app.test_request_context():
        yield


@pytest.fixture
def moderator(make_user):
    return make_user(role="moderator")


def ids(page) -> list[int]:
    return [entry.id for entry in page.items]


def queue(**filters) -> list[int]:
    return ids(queries.list_queue(QueueFilters(**filters)))


def age(contribution, minutes: int) -> None:
    contribution.created_at -= timedelta(minutes=minutes)


def test_the_queue_holds_what_waits_for_a_moderator_oldest_first(
    request_context, db, moderator, make_user
):
    post_host, pre_host = make_host(), make_host(mode="pre")
    unreviewed = make_contribution(post_host)
    reviewed = make_contribution(post_host)
    services.decide(moderator, "contribution", reviewed.id, "approve", "compliant")
    reported = make_contribution(post_host)
    services.decide(moderator, "contribution", reported.id, "approve", "compliant")
    services.report_content(make_user(), "contribution", reported.id, "spam")
    held = make_contribution(pre_host)
    hidden = make_contribution(post_host)
    services.decide(moderator, "contribution", hidden.id, "hide", "spam")
    rejected = make_contribution(pre_host)
    services.decide(moderator, "contribution", rejected.id, "reject", "off_topic")
    author = make_user()
    withdrawn = make_contribution(post_host, author=author)
    discussions.withdraw_contribution(author, withdrawn)
    for minutes, contribution in enumerate((held, reported, unreviewed)):
        age(contribution, 10 * (minutes + 1))

    assert queue() == [unreviewed.id, reported.id, held.id]
    assert queue(state="pending") == [held.id]
    assert queue(state="to_review") == [unreviewed.id]
    assert queue(state="reported") == [reported.id]
    assert queue(state="hidden") == [hidden.id]
    assert queue(state="rejected") == [rejected.id]
    assert queries.count_by_state(QueueFilters()) == {
        "": 3,
        "pending": 1,
        "to_review": 1,
        "reported": 1,
        "hidden": 1,
        "rejected": 1,
    }


def test_reason_filters_read_open_reports_and_why_an_item_is_held(
    app, request_context, db, moderator, make_user
):
    host = make_host()
    spam = make_contribution(host)
    services.report_content(make_user(), "contribution", spam.id, "spam")
    dealt_with = make_contribution(host)
    services.report_content(make_user(), "contribution", dealt_with.id, "spam")
    services.decide(moderator, "contribution", dealt_with.id, "approve", "compliant")
    personal = make_contribution(host)
    services.report_content(make_user(), "contribution", personal.id, "personal_data")
    app.config["MODERATION_WATCHLIST"] = ("arnaque",)
    try:
        watched = make_contribution(host, body="Une arnaque")
    finally:
        app.config["MODERATION_WATCHLIST"] = ()
    pre = make_contribution(make_host(mode="pre"))

    assert queue(reason="spam") == [spam.id]
    assert queue(reason="personal_data", state="reported") == [personal.id]
    assert queue(reason="watched_word") == [watched.id]
    assert queue(reason="pre_moderation") == [pre.id]
    assert queue(reason="abuse") == []
    assert queries.count_by_state(QueueFilters(reason="spam"))["reported"] == 1


def test_plan_and_institution_filters_follow_the_commitment_and_its_actions(request_context, db):
    ministry, other = make_institution(), make_institution()
    plan = make_plan()
    carried = make_commitment(plan=plan, institutions=[ministry])
    elsewhere = make_commitment(plan=make_plan(), institutions=[other])
    on_commitment = make_contribution(make_host(carried))
    on_action = make_contribution(action_host(carried.actions[0].id))
    outside = make_contribution(make_host(elsewhere))

    assert sorted(queue(institution_id=ministry.id)) == sorted([on_commitment.id, on_action.id])
    assert queue(institution_id=other.id) == [outside.id]
    assert sorted(queue(plan_id=plan.id)) == sorted([on_commitment.id, on_action.id])
    assert queue(plan_id=plan.id, institution_id=other.id) == []
    assert queries.count_by_state(QueueFilters(institution_id=other.id))[""] == 1
    assert queue(kind="contribution", plan_id=elsewhere.plan_id) == [outside.id]


def test_a_queue_row_knows_its_target_reports_claim_and_blocked_author(
    request_context, db, moderator, make_user
):
    commitment = make_commitment()
    author = make_user()
    contribution = make_contribution(make_host(commitment), author=author)
    for reason in ("spam", "spam", "abuse"):
        services.report_content(make_user(), "contribution", contribution.id, reason)
    services.claim(moderator, "contribution", contribution.id)

    [entry] = queries.list_queue(QueueFilters()).items

    assert entry.context.target_title == commitment.title
    assert entry.context.target_url.endswith(f"/engagements/{commitment.number}")
    assert entry.reports == [("spam", 2), ("abuse", 1)] and entry.report_count == 3
    assert entry.claimer.id == moderator.id and entry.author.id == author.id
    services.block_author(moderator, author, "spam")
    [entry] = queries.list_queue(QueueFilters(state="hidden")).items
    assert entry.author.is_blocked


def test_pages_hold_fifty_items(request_context, db):
    host = make_host()
    for _ in range(53):
        make_contribution(host)
    first = queries.list_queue(QueueFilters())
    second = queries.list_queue(QueueFilters(), page=2)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (53, 2, 50, 3)
    assert set(ids(first)).isdisjoint(ids(second))
    assert queries.list_queue(QueueFilters(), page=99).page == 2


def _fill_queue(app, number: int, moderator, make_user) -> None:
    """`number` items on different commitments, actions and authors, some reported or claimed."""
    with app.test_request_context():
        for index in range(number):
            commitment = make_commitment(institutions=[make_institution()])
            if index % 2:
                host = action_host(commitment.actions[0].id)
            else:
                host = make_host(commitment)
            parent = make_contribution(host) if index % 3 == 0 else None
            contribution = make_contribution(host, parent=parent)
            if index % 4 == 0:
                services.report_content(make_user(), "contribution", contribution.id, "spam")
            if index % 5 == 0:
                services.claim(moderator, "contribution", contribution.id)


@pytest.mark.parametrize("number", [1, 50])
def test_the_queue_page_costs_the_same_statements_whatever_it_holds(
    app, db, client, login_as, make_user, count_statements, number
):
    moderator = make_user(role="moderator")
    _fill_queue(app, number, moderator, make_user)
    login_as(moderator)
    client.get("/moderation/")  # warm caches

    with count_statements() as counted:
        response = client.get("/moderation/")

    assert response.status_code == 200
    parents = len(range(0, number, 3))
    assert response.get_data(as_text=True).count('name="bulk-items"') == min(50, number + parents)
    # The session and the user's institutions (2), counts by state (one per kind: contributions
    # and restitutions, the total with them), the page (1), its items (1), their targets (2) and
    # reports (1), the filter lists (2).
    assert counted["n"] == 11


@pytest.mark.parametrize("number", [1, 30])
def test_the_item_page_and_the_public_log_cost_a_fixed_number_of_statements(
    app, db, client, login_as, make_user, count_statements, number
):
    moderator = make_user(role="moderator")
    with app.test_request_context():
        host = make_host()
        parent = make_contribution(host)
        contribution = make_contribution(host, parent=parent)
        for _ in range(number):
            services.report_content(make_user(), "contribution", contribution.id, "spam")
            other = make_contribution(host)
            services.decide(moderator, "contribution", other.id, "hide", "spam")
    url = f"/moderation/contribution/{contribution.id}"
    login_as(moderator)
    client.get("/moderation/journal")  # warm caches

    with count_statements() as item:
        assert client.get(url).status_code == 200
    with count_statements() as log:
        assert client.get("/moderation/journal").status_code == 200

    # Item: session (2), the item (1), targets (2), parent (1), open reports, reports,
    # decisions (3). Log: session (2), the summary (1), a page of decisions and its total (2).
    assert (item["n"], log["n"]) == (9, 5)


# The public log -----------------------------------------------------------------------------


def test_the_log_counts_decisions_by_reason_and_month(request_context, db, moderator, make_user):
    host = make_host()
    for reason in ("spam", "spam", "abuse"):
        services.decide(moderator, "contribution", make_contribution(host).id, "hide", reason)
    services.block_author(moderator, make_user(), "repeated_abuse")
    decisions = db.session.scalars(db.select(Decision).order_by(Decision.id)).all()
    decisions[0].created_at -= timedelta(days=62)
    db.session.flush()

    summary = queries.summarise_decisions()

    assert summary.total == 4
    assert summary.by_reason == [("spam", 2), ("abuse", 1), ("repeated_abuse", 1)]
    assert summary.reasons == ["spam", "abuse", "repeated_abuse"]
    assert [total for _month, _counts, total in summary.by_month] == [3, 1]
    newest, oldest = summary.by_month
    assert newest[0] > oldest[0] and newest[0].day == 1
    assert newest[1] == {"spam": 1, "abuse": 1, "repeated_abuse": 1}
    assert oldest[1] == {"spam": 1}
    assert summary.share(2) == 50

    listed = queries.list_public_decisions(page=1)
    assert [d.id for d in listed.items] == [d.id for d in reversed(decisions[1:])] + [
        decisions[0].id
    ]


def test_blocked_accounts_are_listed_with_the_reason_of_their_block(
    request_context, db, moderator, make_user
):
    first, second = make_user(), make_user()
    services.block_author(moderator, first, "spam")
    services.block_author(moderator, second, "repeated_abuse")
    services.unblock_author(moderator, first, "error")
    services.block_author(moderator, first, "repeated_abuse")

    users = queries.list_blocked_users(page=1)

    assert {u.id for u in users.items} == {first.id, second.id}
    assert queries.get_block_reasons([first.id, second.id]) == {
        first.id: "repeated_abuse",
        second.id: "repeated_abuse",
    }
