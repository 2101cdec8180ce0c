"""Read queries of discussions: the page of a thread, its tree, the page of a permalink."""

from datetime import timedelta

import pytest
from sqlalchemy import event

from consult.discussions import queries, services
from tests.factories import make_commitment, make_contribution, make_host, make_institution


@pytest.fixture
def small_pages(app):
    app.config["DISCUSSION_PAGE_SIZE"] = 3
    yield
    app.config["DISCUSSION_PAGE_SIZE"] = 20


def dated(contributions):
    """Space the contributions a minute apart, in the order given (oldest first)."""
    base = services.utcnow() - timedelta(days=1)
    for index, contribution in enumerate(contributions):
        contribution.created_at = base + timedelta(minutes=index)
    return contributions


def ids(nodes):
    return [node.contribution.id for node in nodes]


def page(host, **kwargs):
    return queries.get_thread_page(host.kind, host.id, **kwargs)


def test_a_thread_without_contribution_is_one_empty_page(db, host):
    empty = page(host)
    assert (empty.thread, empty.nodes, empty.page, empty.pages, empty.count) == (None, [], 1, 1, 0)
    assert not empty.is_closed


def test_official_answers_come_first_then_the_chosen_order(db, host, ministry, make_user):
    organiser = make_user(role="organiser", institutions=[ministry])
    first, second, official, third = dated(
        [
            make_contribution(host),
            make_contribution(host),
            make_contribution(host, author=organiser, official=True),
            make_contribution(host),
        ]
    )
    make_contribution(host, parent=first)
    make_contribution(host, parent=first)
    make_contribution(host, parent=second)

    assert ids(page(host).nodes) == [official.id, third.id, second.id, first.id]
    assert ids(page(host, sort="oldest").nodes) == [official.id, first.id, second.id, third.id]
    assert ids(page(host, sort="replies").nodes) == [official.id, first.id, second.id, third.id]
    assert page(host, sort="nonsense").sort == "newest"


def test_replies_hang_under_their_parent_official_first_then_in_order(
    db, host, ministry, make_user
):
    organiser = make_user(role="organiser", institutions=[ministry])
    root = make_contribution(host)
    early, official, late = dated(
        [
            make_contribution(host, parent=root),
            make_contribution(host, parent=root, author=organiser, official=True),
            make_contribution(host, parent=root),
        ]
    )
    deep = make_contribution(host, parent=early)
    deeper = make_contribution(host, parent=deep)

    (node,) = page(host).nodes
    assert ids(node.replies) == [official.id, early.id, late.id]
    assert ids(node.replies[1].replies) == [deep.id]
    assert ids(node.replies[1].replies[0].replies) == [deeper.id]


def test_pages_cut_top_level_contributions_only(db, host, small_pages):
    roots = dated([make_contribution(host) for _ in range(7)])
    for root in roots:
        make_contribution(host, parent=root)
    first = page(host)
    assert (first.pages, first.count) == (3, 14)
    assert ids(first.nodes) == [r.id for r in reversed(roots[4:])]
    assert all(len(node.replies) == 1 for node in first.nodes)
    assert ids(page(host, page=3).nodes) == [roots[0].id]
    assert page(host, page=42).page == 3
    assert page(host, page="x").page == 1


def test_the_viewer_alone_sees_their_pending_contributions(app, db, make_user, small_pages):
    author, other = make_user(), make_user()
    commitment = make_commitment()
    with app.test_request_context():
        host = make_host(commitment)
        roots = dated([make_contribution(host) for _ in range(4)])
        host = make_host(commitment, mode="pre")
        held_root = make_contribution(host, author=author)
        held_reply = make_contribution(host, author=author, parent=roots[3])
        far_reply = make_contribution(host, author=author, parent=roots[0])  # on page 2
        withdrawn = make_contribution(host, author=author)
        services.withdraw_contribution(author, withdrawn)

    mine = page(host, viewer=author)
    assert ids(mine.nodes)[0] == held_root.id
    assert ids(mine.nodes)[1:] == [roots[3].id, roots[2].id, roots[1].id]
    assert ids(mine.nodes[1].replies) == [held_reply.id]
    assert mine.nodes[1].replies[0].is_pending
    assert withdrawn.id not in ids(mine.nodes)
    second = page(host, page=2, viewer=author)
    assert ids(second.nodes) == [roots[0].id]
    assert ids(second.nodes[0].replies) == [far_reply.id]

    for viewer in (other, None):
        theirs = page(host, viewer=viewer)
        assert ids(theirs.nodes) == [roots[3].id, roots[2].id, roots[1].id]
        assert theirs.nodes[0].replies == []
    assert mine.count == 4


def test_is_shown_to(db, host, make_user):
    author = make_user()
    published = make_contribution(host, author=author)
    assert queries.is_shown_to(published, None)
    services.set_status(published, "pending")
    assert queries.is_shown_to(published, author)
    assert not queries.is_shown_to(published, make_user())
    assert not queries.is_shown_to(published, None)
    services.set_status(published, "hidden")
    assert not queries.is_shown_to(published, author)


def test_page_of_follows_the_default_order(app, db, make_user, small_pages):
    ministry = make_institution()
    organiser = make_user(role="organiser", institutions=[ministry])
    with app.test_request_context():
        host = make_host(make_commitment(institutions=[ministry]))
        roots = dated([make_contribution(host) for _ in range(5)])
        official_old, official_new = dated(
            [
                make_contribution(host, author=organiser, official=True),
                make_contribution(host, author=organiser, official=True),
            ]
        )
        official_old.created_at = roots[0].created_at - timedelta(days=1)
        reply = make_contribution(host, parent=roots[0])
    # Order: official_new, official_old, roots[4], | roots[3], roots[2], roots[1], | roots[0]
    expected = {official_new: 1, official_old: 1, roots[4]: 1, roots[3]: 2, roots[1]: 2}
    for contribution, number in expected.items():
        assert queries.page_of(contribution) == number
        assert contribution.id in ids(page(host, page=number).nodes)
    assert queries.page_of(roots[0]) == queries.page_of(reply) == 3


@pytest.mark.parametrize("sort", list(queries.SORT_LABELS))
def test_the_pages_show_every_top_level_contribution_once_in_the_chosen_order(
    db, host, ministry, make_user, small_pages, sort
):
    organiser = make_user(role="organiser", institutions=[ministry])
    roots = dated([make_contribution(host) for _ in range(6)])
    officials = dated([make_contribution(host, author=organiser, official=True) for _ in range(2)])
    roots[3].created_at = roots[2].created_at  # the same minute: the id decides
    for count, root in enumerate(roots[:3], start=1):
        for _ in range(count):
            make_contribution(host, parent=root)
    every = roots + officials
    expected = {
        "newest": sorted(every, key=lambda c: (c.is_official, c.created_at, c.id), reverse=True),
        "oldest": sorted(every, key=lambda c: (not c.is_official, c.created_at, c.id)),
        "replies": sorted(
            every, key=lambda c: (c.is_official, c.reply_count, c.created_at, c.id), reverse=True
        ),
    }[sort]

    shown = [ids(page(host, page=number, sort=sort).nodes) for number in (1, 2, 3)]
    assert [len(ids_on_page) for ids_on_page in shown] == [3, 3, 2]
    assert sum(shown, []) == [c.id for c in expected]


def test_a_page_of_the_default_order_comes_from_the_index_without_sorting_the_thread(db, host):
    """On SQLite: the page of top-level contributions is cut from ix_contributions_thread_page
    read in order; only the page's own rows are sorted once joined to their authors."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        pytest.skip("reads SQLite's query plan")
    make_contribution(host)
    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "LIMIT" in statement:
            statements.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", keep)
    try:
        page(host)
    finally:
        event.remove(connection, "before_cursor_execute", keep)
    ((statement, parameters),) = statements
    plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    subquery = [detail for _, parent, _, detail in plan if parent != 0]
    assert any("COVERING INDEX ix_contributions_thread_page" in step for step in subquery), plan
    assert not any("TEMP B-TREE" in step for step in subquery), plan
