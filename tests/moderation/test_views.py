"""Moderation pages: who may see and do what, CSRF, kept input, bulk decisions, the public log."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from consult.core.audit import AuditEntry
from consult.moderation import services
from consult.moderation.models import Decision
from tests.core import conftest as core_fixtures
from tests.factories import (
    DEFAULT_PASSWORD,
    make_commitment,
    make_contribution,
    make_host,
    make_institution,
)
from tests.pages.html import read_page

#: The fixture that builds an app with other settings: here, one that checks CSRF tokens.
make_app = core_fixtures.make_app

REFUSED_ROLES = ["participant", "organiser"]
MODERATING_ROLES = ["moderator", "admin"]


@pytest.fixture
def ministry(db):
    return make_institution()


@pytest.fixture
def commitment(app, db, ministry):
    with app.test_request_context():
        return make_commitment(institutions=[ministry])


@pytest.fixture
def author(make_user):
    return make_user(display_name="Auteur Secret", locale="en")


@pytest.fixture
def item(app, commitment, author):
    with app.test_request_context():
        return make_contribution(make_host(commitment), author=author, body="Texte très secret")


@pytest.fixture
def pending(app, commitment, make_user):
    with app.test_request_context():
        return make_contribution(make_host(commitment, mode="pre"), author=make_user())


def user_with(make_user, role, ministry):
    institutions = [ministry] if role == "organiser" else []
    return make_user(role=role, institutions=institutions, locale="en")


@pytest.fixture
def moderator(make_user, ministry):
    return user_with(make_user, "moderator", ministry)


def refresh(db, *rows):
    for row in rows:
        db.session.refresh(row)


def html(response) -> str:
    return response.get_data(as_text=True)


def flashes(client, url="/moderation/") -> str:
    """The page shown after a redirect, with its flashed messages."""
    return html(client.get(url))


# Who may see and do what ----------------------------------------------------------------------

PAGES = [
    "/moderation/",
    "/moderation/?state=hidden&type=contribution&reason=spam&plan=1&institution=1&page=2",
    "/moderation/contribution/{item}",
    "/moderation/comptes/{author}/bloquer",
    "/moderation/comptes/{author}/debloquer",
    "/moderation/comptes-bloques",
]

ACTIONS = [
    ("/moderation/decisions-groupees", {"bulk-items": "contribution:{item}", "bulk-action": "hide",
                                        "bulk-reason": "spam"}),
    ("/moderation/contribution/{item}", {"action": "hide", "hide-reason": "spam"}),
    ("/moderation/contribution/{item}/prendre", {}),
    ("/moderation/contribution/{item}/liberer", {}),
    ("/moderation/comptes/{author}/bloquer", {"reason": "spam"}),
    ("/moderation/comptes/{author}/debloquer", {"reason": "error"}),
]  # fmt: skip


def fill(template: str, item, author) -> str:
    return template.format(item=item.id, author=author.id)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_the_log_in_page(client, item, author, page):
    response = client.get(fill(page, item, author))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")


@pytest.mark.parametrize(("url", "data"), ACTIONS)
def test_anonymous_visitors_change_nothing(db, client, item, author, url, data):
    data = {name: fill(value, item, author) for name, value in data.items()}
    response = client.post(fill(url, item, author), data=data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")
    refresh(db, item, author)
    assert (item.status, item.claimed_by_id, author.blocked_at) == ("published", None, None)


@pytest.mark.parametrize("role", REFUSED_ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_participants_and_organisers_get_the_access_denied_page(
    client, login_as, make_user, ministry, item, author, role, page
):
    login_as(user_with(make_user, role, ministry))
    assert client.get(fill(page, item, author)).status_code == 403


@pytest.mark.parametrize("role", REFUSED_ROLES)
@pytest.mark.parametrize(("url", "data"), ACTIONS)
def test_participants_and_organisers_change_nothing(
    db, client, login_as, make_user, ministry, item, author, role, url, data
):
    login_as(user_with(make_user, role, ministry))
    data = {name: fill(value, item, author) for name, value in data.items()}
    assert client.post(fill(url, item, author), data=data).status_code == 403
    refresh(db, item, author)
    assert (item.status, item.claimed_by_id, author.blocked_at) == ("published", None, None)
    assert db.session.scalar(select(Decision.id)) is None


@pytest.mark.parametrize("role", MODERATING_ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_moderators_and_admins_see_every_page(
    client, login_as, make_user, ministry, item, author, role, page
):
    login_as(user_with(make_user, role, ministry))
    response = client.get(fill(page, item, author))
    assert response.status_code == 200
    assert len(read_page(response).h1s) == 1


@pytest.mark.parametrize("role", MODERATING_ROLES)
def test_moderators_and_admins_decide_claim_release_block_and_unblock(
    db, client, login_as, make_user, ministry, item, author, role
):
    actor = user_with(make_user, role, ministry)
    login_as(actor)
    base = f"/moderation/contribution/{item.id}"

    assert client.post(f"{base}/prendre").status_code == 302
    refresh(db, item)
    assert item.claimed_by_id == actor.id
    assert client.post(f"{base}/liberer").status_code == 302
    refresh(db, item)
    assert item.claimed_by_id is None

    response = client.post(base, data={"action": "hide", "hide-reason": "abuse", "hide-note": "N"})
    assert response.status_code == 302
    refresh(db, item)
    assert item.status == "hidden"
    decision = db.session.scalar(select(Decision).where(Decision.content_id == item.id))
    assert (decision.moderator_id, decision.reason, decision.note) == (actor.id, "abuse", "N")

    response = client.post(f"/moderation/comptes/{author.id}/bloquer", data={"reason": "spam"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation/comptes-bloques"
    refresh(db, author)
    assert author.is_blocked
    assert author.display_name in flashes(client, "/moderation/comptes-bloques")

    response = client.post(f"/moderation/comptes/{author.id}/debloquer", data={"reason": "error"})
    assert response.status_code == 302
    refresh(db, author)
    assert not author.is_blocked


def test_the_header_links_the_queue_for_moderators_only(client, login_as, make_user, ministry):
    assert "/moderation/" not in html(client.get("/"))
    login_as(user_with(make_user, "participant", ministry))
    assert 'href="/moderation/"' not in html(client.get("/"))


def test_a_moderator_finds_the_queue_from_the_header(client, login_as, moderator):
    login_as(moderator)
    assert 'href="/moderation/"' in html(client.get("/"))


# CSRF ---------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(make_app, moderator):
    """A client of an app that checks CSRF tokens, logged in through the real form."""
    fresh = make_app(WTF_CSRF_ENABLED=True)
    client = fresh.test_client()
    token = read_page(client.get("/connexion")).inputs["csrf_token"]
    response = client.post(
        "/connexion",
        data={"csrf_token": token, "email": moderator.email, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    return client


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/moderation/contribution/{item}/prendre", {}),
        ("/moderation/contribution/{item}", {"action": "hide", "hide-reason": "spam"}),
        ("/moderation/decisions-groupees", {"bulk-items": "contribution:{item}",
                                            "bulk-action": "hide", "bulk-reason": "spam"}),
        ("/moderation/comptes/{author}/bloquer", {"reason": "spam"}),
    ],
)  # fmt: skip
def test_a_form_without_its_csrf_token_is_refused(db, csrf_client, item, author, url, data):
    data = {name: fill(value, item, author) for name, value in data.items()}
    response = csrf_client.post(fill(url, item, author), data=data)
    assert response.status_code == 400
    refresh(db, item, author)
    assert (item.status, item.claimed_by_id, author.blocked_at) == ("published", None, None)


def test_the_pages_give_tokens_that_are_accepted(db, csrf_client, item, moderator):
    page = read_page(csrf_client.get(f"/moderation/contribution/{item.id}"))
    response = csrf_client.post(
        f"/moderation/contribution/{item.id}/prendre",
        data={"csrf_token": page.inputs["csrf_token"]},
    )
    assert response.status_code == 302
    refresh(db, item)
    assert item.claimed_by_id == moderator.id

    page = read_page(csrf_client.get(f"/moderation/contribution/{item.id}"))
    response = csrf_client.post(
        f"/moderation/contribution/{item.id}",
        data={"hide-csrf_token": page.inputs["hide-csrf_token"], "action": "hide",
              "hide-reason": "spam"},
    )  # fmt: skip
    assert response.status_code == 302
    refresh(db, item)
    assert item.status == "hidden"


# The queue ----------------------------------------------------------------------------------


def test_the_queue_shows_rows_with_their_context_safely(
    db, app, client, login_as, moderator, commitment, make_user
):
    with app.test_request_context():
        hostile = make_contribution(
            make_host(commitment),
            author=make_user(display_name="Jeanne"),
            body="a < b & <script>alert(1)</script> **gras**",
        )
    services.report_content(make_user(), "contribution", hostile.id, "abuse")
    login_as(moderator)

    page = html(client.get("/moderation/"))

    assert "<script>alert(1)</script>" not in page
    assert "a &lt; b &amp; &lt;script&gt;alert(1)&lt;/script&gt; gras" in page
    assert "&amp;lt;" not in page
    assert "Jeanne" in page and commitment.title in page
    assert f'href="/moderation/contribution/{hostile.id}"' in page
    assert "Insulting or hateful (1)" in page
    assert "Reported (1)" in page


def test_filters_are_kept_through_the_item_page_and_back(
    db, client, login_as, moderator, pending, commitment
):
    login_as(moderator)
    query = f"state=pending&plan={commitment.plan_id}"
    queue = html(client.get(f"/moderation/?{query}&reason=nonsense&type=petition"))
    item_link = re.search(rf'href="(/moderation/contribution/{pending.id}\?[^"]+)"', queue)
    assert item_link, "the row links to its item page with the filters"
    link = item_link.group(1).replace("&amp;", "&")
    assert "reason=" not in link and "type=" not in link  # unknown values are dropped
    assert f"plan={commitment.plan_id}" in link and "state=pending" in link
    # The counts by state are links that keep the other filters.
    assert f'href="/moderation/?plan={commitment.plan_id}&amp;state=hidden"' in queue

    response = client.post(link, data={"action": "approve", "approve-reason": "compliant"})

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/moderation/?")
    assert "state=pending" in location and f"plan={commitment.plan_id}" in location
    refresh(db, pending)
    assert pending.status == "published"
    assert "Approved: the item is published" in flashes(client, location)


def test_bulk_decisions_decide_the_ticked_items_and_list_the_skipped_ones(
    db, app, client, login_as, moderator, commitment, item, make_user
):
    with app.test_request_context():
        host = make_host(commitment, mode="pre")
        first, second = make_contribution(host), make_contribution(host)
    login_as(moderator)
    data = {
        "bulk-items": [f"contribution:{first.id}", f"contribution:{item.id}",
                       f"contribution:{second.id}", "contribution:999999", "nonsense"],
        "bulk-action": "reject",
        "bulk-reason": "spam",
        "bulk-note": "Vague de spam",
    }  # fmt: skip

    response = client.post("/moderation/decisions-groupees?state=pending", data=data)

    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation/?state=pending"
    refresh(db, first, second, item)
    assert (first.status, second.status, item.status) == ("rejected", "rejected", "published")
    page = flashes(client, response.headers["Location"])
    assert "2 items are decided." in page
    assert f"Not decided: Contribution #{item.id}." in page
    assert "This decision does not apply to the item in its current state." in page
    assert "Not decided: Contribution #999999." in page
    notes = db.session.scalars(select(Decision.note).where(Decision.action == "reject")).all()
    assert notes == ["Vague de spam", "Vague de spam"]


def test_bulk_errors_keep_the_ticks_and_the_note(db, client, login_as, moderator, item, pending):
    login_as(moderator)
    data = {"bulk-items": [f"contribution:{pending.id}"], "bulk-note": "Ma note gardée"}

    response = client.post("/moderation/decisions-groupees", data=data)

    assert response.status_code == 422
    page = html(response)
    assert read_page(response).title.startswith("Error")
    assert re.search(rf'value="contribution:{pending.id}"\s+checked', page)
    assert not re.search(rf'value="contribution:{item.id}"\s+checked', page)
    assert "Ma note gardée" in page and "Choose a decision." in page

    data.update({"bulk-action": "approve", "bulk-reason": "spam"})
    response = client.post("/moderation/decisions-groupees", data=data)
    assert response.status_code == 422
    assert "Choose a reason that fits this decision." in html(response)
    refresh(db, pending)
    assert pending.status == "pending"

    response = client.post("/moderation/decisions-groupees", data={"bulk-action": "approve"})
    assert response.status_code == 422
    assert "Tick at least one item in the list." in html(response)


# One item -----------------------------------------------------------------------------------


def test_the_item_page_shows_the_context_reports_and_history_without_reporters(
    db, app, client, login_as, moderator, commitment, item, make_user
):
    with app.test_request_context():
        reply = make_contribution(make_host(commitment), parent=item, body="Une *réponse*")
    reporter = make_user(display_name="Rapporteur Discret")
    services.report_content(reporter, "contribution", reply.id, "other", "Il insulte")
    other_moderator = make_user(role="moderator", display_name="Autre Modérateur")
    services.decide(other_moderator, "contribution", reply.id, "approve", "compliant", "Vu")
    services.report_content(make_user(), "contribution", reply.id, "spam")
    login_as(moderator)

    response = client.get(f"/moderation/contribution/{reply.id}")

    page = html(response)
    assert "<em>réponse</em>" in page  # the full text, rendered
    assert "Texte très secret" in page  # the contribution it answers
    assert commitment.title in page
    assert "Il insulte" in page and "Spam or advertising" in page
    assert "Rapporteur Discret" not in page
    assert "Autre Modérateur" in page and "Vu" in page
    assert f"/moderation/comptes/{reply.author_id}/bloquer" in page
    # Published: approve (mark as reviewed) or hide, with the reasons that fit each.
    inputs = read_page(response).inputs
    assert {name for name in inputs if name.endswith("-reason")} == {
        "approve-reason",
        "hide-reason",
    }
    assert 'value="compliant"' in page and 'id="hide-reason-0"' in page
    assert 'name="reject-reason"' not in page and 'name="restore-reason"' not in page


def test_decision_errors_keep_the_note_and_say_what_is_wrong(db, client, login_as, moderator, item):
    login_as(moderator)
    url = f"/moderation/contribution/{item.id}"

    response = client.post(url, data={"action": "hide", "hide-note": "Gardée telle quelle"})

    assert response.status_code == 422
    assert read_page(response).title.startswith("Error")
    assert "Gardée telle quelle" in html(response) and "Choose a reason." in html(response)
    response = client.post(url, data={"action": "hide", "hide-reason": "compliant"})
    assert response.status_code == 422
    assert "Choose a reason that fits this decision." in html(response)
    refresh(db, item)
    assert item.status == "published"


def test_a_decision_that_no_longer_fits_is_refused_with_a_message(
    db, client, login_as, moderator, item
):
    login_as(moderator)
    response = client.post(
        f"/moderation/contribution/{item.id}", data={"action": "restore", "restore-reason": "error"}
    )
    assert response.status_code == 302
    assert "This decision does not apply" in flashes(client, response.headers["Location"])
    refresh(db, item)
    assert item.status == "published"


def test_another_moderators_claim_is_shown_and_blocks_deciding(
    db, client, login_as, moderator, make_user, item
):
    other = make_user(role="moderator", display_name="Camille Modère")
    services.claim(other, "contribution", item.id)
    login_as(moderator)
    url = f"/moderation/contribution/{item.id}"

    page = html(client.get(url))
    assert "Camille Modère claimed it" in page and 'name="hide-reason"' not in page
    assert "Camille Modère" in html(client.get("/moderation/"))

    response = client.post(url, data={"action": "hide", "hide-reason": "spam"})
    assert response.status_code == 409
    assert "Another moderator is already handling this item." in html(response)
    response = client.post(f"{url}/prendre")
    assert "Another moderator is already handling this item." in flashes(
        client, response.headers["Location"]
    )
    refresh(db, item)
    assert (item.status, item.claimed_by_id) == ("published", other.id)


def test_unknown_items_are_not_found(client, login_as, moderator):
    login_as(moderator)
    assert client.get("/moderation/contribution/999999").status_code == 404
    assert client.get("/moderation/petition/1").status_code == 404
    assert client.post("/moderation/petition/1/prendre").status_code == 404
    assert client.get("/moderation/comptes/999999/bloquer").status_code == 404


# Blocking -----------------------------------------------------------------------------------


def test_blocking_asks_for_confirmation_and_comes_back_to_the_item(
    db, client, login_as, moderator, item, author
):
    login_as(moderator)
    item_url = f"/moderation/contribution/{item.id}"
    confirm = f"/moderation/comptes/{author.id}/bloquer?next={item_url}"

    page = html(client.get(confirm))
    assert "1 published item will be hidden." in page
    refresh(db, author, item)
    assert not author.is_blocked  # showing the page changes nothing

    response = client.post(confirm, data={"note": "Pas de motif"})
    assert response.status_code == 422
    assert "Pas de motif" in html(response) and "Choose a reason." in html(response)

    response = client.post(confirm, data={"reason": "repeated_abuse", "note": "Trois alertes"})
    assert response.status_code == 302 and response.headers["Location"] == item_url
    refresh(db, author, item)
    assert author.is_blocked and item.status == "hidden"
    assert "Author blocked" in html(client.get("/moderation/?state=hidden"))

    blocked = html(client.get("/moderation/comptes-bloques"))
    assert author.display_name in blocked and "Repeated breaches of the charter" in blocked
    assert author.email not in blocked
    response = client.post(f"/moderation/comptes/{author.id}/bloquer", data={"reason": "spam"})
    assert response.status_code == 409
    assert "This account is already blocked." in html(response)

    page = html(client.get(f"/moderation/comptes/{author.id}/debloquer"))
    assert "1 item will be published again." in page
    response = client.post(
        f"/moderation/comptes/{author.id}/debloquer?next=https://ailleurs.example/",
        data={"reason": "error"},
    )
    assert response.headers["Location"] == "/moderation/comptes-bloques"
    refresh(db, author, item)
    assert not author.is_blocked and item.status == "published"


def test_a_moderator_cannot_block_their_own_account(db, client, login_as, moderator):
    login_as(moderator)
    response = client.post(f"/moderation/comptes/{moderator.id}/bloquer", data={"reason": "spam"})
    assert response.status_code == 409
    refresh(db, moderator)
    assert not moderator.is_blocked


# The public log -----------------------------------------------------------------------------


def test_the_public_log_shows_decisions_without_people_or_texts(
    db, client, moderator, item, author, make_user
):
    moderator.display_name = "Modératrice Anonyme"
    services.decide(moderator, "contribution", item.id, "hide", "personal_data", "Note privée")
    services.block_author(moderator, author, "repeated_abuse", "Autre note")

    response = client.get("/moderation/journal", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    page = html(response)
    for secret in ("Texte très secret", "Auteur Secret", "Modératrice Anonyme", "Note privée",
                   "Autre note", author.email, f"/contributions/{item.id}"):  # fmt: skip
        assert secret not in page
    assert "Reveals personal data" in page and "Repeated breaches of the charter" in page
    assert "Contribution" in page and "Account" in page
    assert "<caption" in page and "Decisions by month" in page
    assert read_page(response).h1s == ["Moderation log"]


def test_the_public_log_is_linked_from_the_site_map_and_paginated(db, client, moderator, app):
    assert 'href="/moderation/journal"' in html(client.get("/plan-du-site"))
    with app.test_request_context():
        host = make_host()
        for _ in range(51):
            services.decide(moderator, "contribution", make_contribution(host).id, "hide", "spam")
    first = html(client.get("/moderation/journal"))
    assert 'href="/moderation/journal?page=2"' in first
    assert client.get("/moderation/journal?page=2").status_code == 200
    assert client.get("/moderation/journal?page=9").status_code == 404


# The plan's moderation mode (admins) ----------------------------------------------------------


def test_admins_set_the_moderation_mode_on_the_plan_page(
    db, client, login_as, make_user, ministry, commitment
):
    plan = commitment.plan
    url = f"/manage/plans/{plan.slug}/"
    login_as(user_with(make_user, "admin", ministry))
    assert 'name="moderation-mode"' in html(client.get(url))

    response = client.post(url, data={"form": "moderation", "moderation-mode": "sometimes"})
    assert response.status_code == 422
    refresh(db, plan)
    assert plan.moderation_mode == "post"

    response = client.post(url, data={"form": "moderation", "moderation-mode": "pre"})
    assert response.status_code == 302
    refresh(db, plan)
    assert plan.moderation_mode == "pre"
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "plans.set_moderation_mode")
    )
    assert entry.after == {"mode": "pre"}


@pytest.mark.parametrize("role", ["participant", "organiser", "moderator"])
def test_only_admins_set_the_moderation_mode(
    db, client, login_as, make_user, ministry, commitment, role
):
    login_as(user_with(make_user, role, ministry))
    url = f"/manage/plans/{commitment.plan.slug}/"
    response = client.post(url, data={"form": "moderation", "moderation-mode": "pre"})
    assert response.status_code == 403
    refresh(db, commitment.plan)
    assert commitment.plan.moderation_mode == "post"


def test_the_kind_filter_is_kept_through_the_item_page_and_back(
    db, client, login_as, moderator, pending, commitment
):
    # The item pages' address has the kind as its path segment: the queue's kind filter travels
    # in the query string beside it, under a name of its own.
    login_as(moderator)
    filters = {"type": ["contribution"], "plan": [str(commitment.plan_id)]}
    queue = html(client.get(f"/moderation/?type=contribution&plan={commitment.plan_id}"))
    assert '<option selected value="contribution">' in queue
    item_link = re.search(rf'href="(/moderation/contribution/{pending.id}\?[^"]+)"', queue)
    assert item_link, "the row links to its item page with the filters"
    link = item_link.group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(link).query) == filters

    claimed = client.post(link.replace(f"/{pending.id}?", f"/{pending.id}/prendre?"))
    assert claimed.status_code == 302
    assert parse_qs(urlsplit(claimed.headers["Location"]).query) == filters
    decided = client.post(link, data={"action": "approve", "approve-reason": "compliant"})
    assert decided.status_code == 302
    back = urlsplit(decided.headers["Location"])
    assert back.path == "/moderation/" and parse_qs(back.query) == filters


def test_a_stray_kind_parameter_on_an_item_page_is_ignored(
    db, client, login_as, moderator, pending
):
    login_as(moderator)
    address = f"/moderation/contribution/{pending.id}"
    assert client.get(f"{address}?kind=restitution").status_code == 200
    for action in ("prendre", "liberer"):
        response = client.post(f"{address}/{action}?kind=restitution")
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == address
