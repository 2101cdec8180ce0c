"""HTTP tests of discussions: the thread on its page, every form, every role, hostile input."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from consult.accounts.models import User
from consult.core import tokens
from consult.discussions import services
from consult.discussions.models import Contribution, Thread
from consult.moderation.models import Report
from tests.factories import (
    DEFAULT_PASSWORD,
    make_commitment,
    make_contribution,
    make_host,
    make_institution,
    make_user,
)

EN = {"Accept-Language": "en"}


def participant(**kwargs):
    return make_user(locale="en", **kwargs)


def count(db, model=Contribution) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def text_of(response) -> str:
    return response.get_data(as_text=True)


def thread_html(response) -> str:
    page = text_of(response)
    return page.split('id="discussion"', 1)[1].split("</main>", 1)[0]


def fragment(page: str, contribution_id: int) -> str:
    """The article of one contribution in a page."""
    start = page.index(f'id="contribution-{contribution_id}"')
    return page[start : page.index("</article>", start)]


def kept_text(response, text: str) -> bool:
    """Whether the text box of the page shown again holds `text` (HTML-escaped)."""
    from markupsafe import escape

    box = re.search(r"<textarea[^>]*>(.*?)</textarea>", text_of(response), re.DOTALL)
    return box is not None and box.group(1).strip() == str(escape(text))


def thread_of(db, host) -> Thread:
    thread = db.session.scalar(
        select(Thread).where(Thread.target_kind == host.kind, Thread.target_id == host.id)
    )
    db.session.refresh(thread)
    return thread


# The thread on the commitment and action pages ---------------------------------------------


def test_thread_shows_the_count_nested_replies_and_official_answers_first(
    db, client, host, ministry, page_url
):
    question = make_contribution(host, body="Où en est l'ouverture des données ?")
    reply = make_contribution(host, parent=question, body="Première réponse citoyenne")
    make_contribution(host, parent=reply, body="Réponse à la réponse")
    organiser = make_user(role="organiser", institutions=[ministry])
    official = make_contribution(
        host, author=organiser, parent=question, official=True, body="Les données sont publiées."
    )

    response = client.get(page_url, headers=EN)
    assert response.status_code == 200
    html = thread_html(response)
    assert '<h2 id="discussion-title">4 contributions</h2>' in html
    # Replies nest in lists under their parent; the official answer comes first among siblings.
    root = html.split(f'id="contribution-{question.id}"', 1)[1]
    assert root.index(f'id="contribution-{official.id}"') < root.index(
        f'id="contribution-{reply.id}"'
    )
    first_reply = rf'consult-thread__replies"[^>]*>\s*<li[^>]*id="contribution-{official.id}"'
    assert re.search(first_reply, html)
    badge = fragment(html, official.id)
    assert "fr-badge" in badge and "Official answer from Ministère de la Transparence" in badge
    assert f'href="/contributions/{question.id}"' in fragment(html, question.id)
    assert "<time datetime=" in fragment(html, question.id)
    # Headings follow the nesting: h3 for a contribution, h4 for its replies, h5 below.
    assert re.search(rf'<h3[^>]*id="contribution-{question.id}-author"', html)
    assert re.search(r'<h5[^>]*id="contribution-\d+-author"[^>]*>', html)


def test_the_action_page_has_its_own_thread(app, db, client, commitment):
    action = commitment.actions[0]
    with app.test_request_context():
        from consult.plans.hosts import action_host

        host = action_host(action.id)
        make_contribution(host, body="Sur cette action précisément")
    url = f"/plans/{commitment.plan.slug}/engagements/{commitment.number}/actions/1"
    page = text_of(client.get(url, headers=EN))
    assert "Sur cette action précisément" in page
    assert "Sur cette action" not in text_of(
        client.get(f"/plans/{commitment.plan.slug}/engagements/{commitment.number}")
    )


def test_a_withdrawn_contribution_leaves_a_placeholder_and_its_replies(db, client, host, page_url):
    author = participant()
    withdrawn = make_contribution(host, author=author, body="Texte qui sera retiré")
    make_contribution(host, parent=withdrawn, body="Une réponse qui reste")
    services.withdraw_contribution(author, withdrawn)
    db.session.commit()

    html = thread_html(client.get(page_url, headers=EN))
    assert "Texte qui sera retiré" not in html
    assert "Contribution withdrawn by its author" in fragment(html, withdrawn.id)
    assert "Une réponse qui reste" in html
    assert "1 contribution</h2>" in html


def test_an_edited_contribution_says_when(db, client, host, page_url):
    author = participant()
    contribution = make_contribution(host, author=author)
    services.edit_contribution(author, contribution, "Texte corrigé", host)
    db.session.commit()
    html = fragment(thread_html(client.get(page_url, headers=EN)), contribution.id)
    assert "Texte corrigé" in html and "edited on <time datetime=" in html


def test_hidden_contributions_appear_on_no_page_in_no_count_and_no_permalink(
    db, client, host, page_url
):
    kept = make_contribution(host, body="Contribution visible")
    hidden = make_contribution(host, body="Contribution cachée")
    under_hidden = make_contribution(host, parent=hidden, body="Réponse sous une cachée")
    hidden_reply = make_contribution(host, parent=kept, body="Réponse cachée")
    services.set_status(hidden, "hidden")
    services.set_status(hidden_reply, "hidden")
    db.session.commit()

    for url in (page_url, f"{page_url}?tri=oldest", f"{page_url}?tri=replies"):
        html = thread_html(client.get(url, headers=EN))
        assert "Contribution visible" in html
        assert "cachée" not in html and "Réponse sous" not in html
        assert "1 contribution</h2>" in html
    for contribution in (hidden, under_hidden, hidden_reply):
        assert client.get(f"/contributions/{contribution.id}").status_code == 404
        assert client.get(f"/contributions/{contribution.id}/repondre").status_code in (302, 404)


def test_pending_contributions_are_shown_to_their_author_only(app, db, client, login_as):
    with app.test_request_context():
        host = make_host(mode="pre")
    commitment_url = host.url
    author, other = participant(), participant()
    login_as(author)
    response = client.post(
        f"/discussions/commitment/{host.id}/contribuer",
        data={"body": "Ma contribution en attente"},
        headers=EN,
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Your contribution is awaiting moderation." in text_of(response)
    held = db.session.scalar(select(Contribution))
    html = fragment(thread_html(response), held.id)
    assert "Ma contribution en attente" in html and "Awaiting moderation" in html
    assert response.request.path == commitment_url

    client.post("/deconnexion")
    assert "Ma contribution en attente" not in text_of(client.get(commitment_url))
    assert client.get(f"/contributions/{held.id}").status_code == 404
    login_as(other)
    assert "Ma contribution en attente" not in text_of(client.get(commitment_url))
    assert client.get(f"/contributions/{held.id}").status_code == 404
    assert thread_of(db, host).contribution_count == 0


def many_top_level(host, number):
    """`number` top-level contributions, oldest first, one second apart."""
    made = []
    base = services.utcnow() - timedelta(days=1)
    for index in range(number):
        contribution = make_contribution(host, body=f"Contribution numéro {index + 1}.")
        contribution.created_at = base + timedelta(seconds=index)
        made.append(contribution)
    return made


def numbers_on(response) -> list[int]:
    return [int(n) for n in re.findall(r"Contribution numéro (\d+)\.", thread_html(response))]


def test_pagination_twenty_top_level_contributions_a_page(db, client, host, page_url):
    many_top_level(host, 45)
    db.session.commit()

    first = client.get(page_url, headers=EN)
    assert numbers_on(first) == list(range(45, 25, -1))
    assert "45 contributions</h2>" in thread_html(first)
    assert 'aria-current="page">1</a>' in text_of(first)
    third = client.get(f"{page_url}?page=3", headers=EN)
    assert numbers_on(third) == [5, 4, 3, 2, 1]
    assert 'aria-current="page">3</a>' in text_of(third)
    # Past the end shows the last page; nonsense shows the first.
    assert numbers_on(client.get(f"{page_url}?page=99")) == [5, 4, 3, 2, 1]
    assert numbers_on(client.get(f"{page_url}?page=abc"))[0] == 45


def test_sorting_keeps_the_order_in_the_page_links(db, client, host, page_url):
    made = many_top_level(host, 25)
    make_contribution(host, parent=made[9], body="Réponse")
    make_contribution(host, parent=made[9], body="Autre réponse")
    make_contribution(host, parent=made[3], body="Réponse")
    db.session.commit()

    oldest = client.get(f"{page_url}?tri=oldest", headers=EN)
    assert numbers_on(oldest) == list(range(1, 21))
    assert f'href="{page_url}?page=2&amp;tri=oldest#discussion"' in text_of(oldest)
    assert numbers_on(client.get(f"{page_url}?tri=oldest&page=2")) == [21, 22, 23, 24, 25]
    replied = numbers_on(client.get(f"{page_url}?tri=replies"))
    assert replied[:2] == [10, 4]
    assert numbers_on(client.get(f"{page_url}?tri=<script>"))[0] == 25  # unknown: newest


def test_the_permalink_opens_the_right_page_at_the_right_place(
    db, client, host, ministry, page_url
):
    made = many_top_level(host, 45)
    reply = make_contribution(host, parent=made[2], body="Réponse à la troisième")
    organiser = make_user(role="organiser", institutions=[ministry])
    official = make_contribution(host, author=organiser, official=True, body="Réponse officielle")
    official.created_at = made[0].created_at - timedelta(days=1)  # the oldest, yet listed first
    db.session.commit()

    def target(contribution):
        response = client.get(f"/contributions/{contribution.id}")
        assert response.status_code == 302
        return response.headers["Location"]

    assert target(official) == f"{page_url}#contribution-{official.id}"
    # Page 1: the official answer, then the 19 newest; the next one opens page 2.
    assert target(made[26]) == f"{page_url}#contribution-{made[26].id}"
    assert target(made[25]) == f"{page_url}?page=2#contribution-{made[25].id}"
    assert target(made[2]) == f"{page_url}?page=3#contribution-{made[2].id}"
    assert target(reply) == f"{page_url}?page=3#contribution-{reply.id}"
    landing = client.get(f"{page_url}?page=3")
    assert f'id="contribution-{reply.id}"' in text_of(landing)
    assert f'id="contribution-{official.id}"' in text_of(client.get(page_url))


def thread_statements(client, count_statements, app, db, size, replies_each, viewer=None):
    commitment = make_commitment()
    with app.test_request_context():
        host = make_host(commitment)
        roots = [make_contribution(host) for _ in range(size)]
        for root in roots:
            parent = root
            for _ in range(replies_each):
                parent = make_contribution(host, parent=parent)
    db.session.commit()
    url = f"/plans/{commitment.plan.slug}/engagements/{commitment.number}"
    client.get(url)  # warm caches (templates, host registry) outside the count
    with count_statements() as counted:
        assert client.get(url).status_code == 200
    with count_statements() as second_page:
        assert client.get(f"{url}?page=2&tri=replies").status_code == 200
    return counted["n"], second_page["n"]


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_thread_page_costs_the_same_statements_at_5_or_200_contributions(
    app, db, client, count_statements, login_as, signed_in
):
    if signed_in:
        login_as(participant())
    small = thread_statements(client, count_statements, app, db, 5, 0)
    large = thread_statements(client, count_statements, app, db, 50, 3)  # 200 contributions
    assert small == large, (small, large)


# Contributing -----------------------------------------------------------------------------


def contribute_url(host):
    return f"/discussions/{host.kind}/{host.id}/contribuer"


def test_anonymous_visitors_see_a_log_in_link_and_are_sent_to_log_in(db, client, host, page_url):
    html = thread_html(client.get(page_url, headers=EN))
    assert "<textarea" not in html
    assert "/connexion?next=" in html
    response = client.post(contribute_url(host), data={"body": "Anonyme"})
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert count(db) == 0


def test_unverified_participants_are_refused_with_a_message_and_keep_their_text(
    db, client, host, page_url, login_as
):
    login_as(participant(verified=False))
    html = thread_html(client.get(page_url, headers=EN))
    assert "<textarea" not in html and "/inscription/verifiez-vos-courriels" in html
    response = client.post(contribute_url(host), data={"body": "Mon texte gardé"})
    assert response.status_code == 403
    assert "Confirm your e-mail address to contribute." in text_of(response)
    assert kept_text(response, "Mon texte gardé")
    assert count(db) == 0


def test_blocked_accounts_see_why_they_cannot_contribute(db, client, host, page_url, login_as):
    blocked = participant()
    login_as(blocked)
    blocked.blocked_at = services.utcnow()
    db.session.commit()
    html = thread_html(client.get(page_url, headers=EN))
    assert "<textarea" not in html and "Your account can no longer contribute." in html


@pytest.mark.parametrize("role", ["participant", "organiser", "moderator", "admin"])
def test_every_signed_in_role_contributes_and_lands_on_its_contribution(
    db, client, host, page_url, login_as, role
):
    login_as(make_user(role=role, locale="en", institutions=[make_institution()]))
    assert "<textarea" in thread_html(client.get(page_url))
    response = client.post(contribute_url(host), data={"body": "Ma *première* contribution"})
    contribution = db.session.scalar(select(Contribution))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/contributions/{contribution.id}"
    landing = client.get(response.headers["Location"])
    assert landing.headers["Location"] == f"{page_url}#contribution-{contribution.id}"
    page = client.get(landing.headers["Location"])
    assert "Your contribution is published." in text_of(page)
    assert "<em>première</em>" in fragment(text_of(page), contribution.id)
    assert contribution.body == "Ma *première* contribution"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write your contribution before sending it."),
        ("   \n  ", "Write your contribution before sending it."),
        ("x" * 5001, "A contribution has at most 5000 characters."),
    ],
)
def test_form_errors_keep_the_text_and_answer_422(db, client, host, login_as, body, message):
    login_as(participant())
    response = client.post(contribute_url(host), data={"body": body})
    assert response.status_code == 422
    page = text_of(response)
    assert message in page and 'id="error-summary"' in page
    assert "<title>Error" in page or "<title>Erreur" in page
    if body.strip():
        assert kept_text(response, body)
    assert count(db) == 0


def test_a_closed_discussion_refuses_and_keeps_the_text(db, client, host, page_url, login_as):
    make_contribution(host)
    thread_of(db, host).is_closed = True
    db.session.commit()
    login_as(participant())
    assert "<textarea" not in thread_html(client.get(page_url))
    response = client.post(contribute_url(host), data={"body": "Trop tard ?"})
    assert response.status_code == 422
    assert "This discussion is closed" in text_of(response)
    assert kept_text(response, "Trop tard ?")
    assert count(db) == 1


def test_replies_stop_at_the_depth_limit_and_keep_the_text(db, client, host, login_as):
    parent = make_contribution(host)
    for _ in range(3):
        parent = make_contribution(host, parent=parent)
    db.session.commit()
    login_as(participant())
    page = client.get(f"/contributions/{parent.id}/repondre")
    assert "Replies cannot go deeper here" in text_of(page)
    response = client.post(f"/contributions/{parent.id}/repondre", data={"body": "Plus bas"})
    assert response.status_code == 422
    assert "Replies cannot go deeper here: reply higher up." in text_of(response)
    assert kept_text(response, "Plus bas")
    assert count(db) == 4


def test_the_reply_page_shows_the_parent_and_posts_a_reply(db, client, host, login_as, outbox):
    author = participant()
    author.notify_replies = True
    question = make_contribution(host, author=author, body="La question posée")
    db.session.commit()
    login_as(participant())
    page = client.get(f"/contributions/{question.id}/repondre")
    assert page.status_code == 200
    assert "La question posée" in text_of(page) and "<textarea" in text_of(page)

    response = client.post(f"/contributions/{question.id}/repondre", data={"body": "Ma réponse"})
    assert response.status_code == 302
    reply = db.session.scalar(select(Contribution).where(Contribution.parent_id == question.id))
    assert reply.body == "Ma réponse" and reply.depth == 1
    assert [m.template for m in outbox] == ["discussions/replies_digest"]


def test_the_reply_page_needs_a_log_in_and_a_shown_parent(db, client, host, login_as):
    question = make_contribution(host)
    hidden = make_contribution(host)
    services.set_status(hidden, "hidden")
    db.session.commit()
    response = client.get(f"/contributions/{question.id}/repondre")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    login_as(participant())
    assert client.get(f"/contributions/{hidden.id}/repondre").status_code == 404
    hidden_reply = client.post(f"/contributions/{hidden.id}/repondre", data={"body": "x"})
    assert hidden_reply.status_code == 404
    assert client.get("/contributions/999999/repondre").status_code == 404


def test_the_preview_button_shows_the_rendered_text_and_saves_nothing(db, client, host, login_as):
    login_as(participant())
    response = client.post(
        contribute_url(host), data={"body": "Un **aperçu** <b>brut</b>", "preview": "1"}
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "<strong>aperçu</strong>" in page and "&lt;b&gt;brut&lt;/b&gt;" in page
    assert kept_text(response, "Un **aperçu** <b>brut</b>")
    assert count(db) == 0
    live = client.post("/contributions/apercu", data={"body": "*vite*"})
    assert live.status_code == 200 and text_of(live) == "<p><em>vite</em></p>\n"


def test_unknown_hosts_are_404(db, client, login_as):
    login_as(participant())
    assert client.get("/discussions/commitment/999999/contribuer").status_code == 404
    assert client.get("/discussions/petition-inconnue/1/contribuer").status_code == 404


# Official answers ---------------------------------------------------------------------------


def test_organisers_of_a_carrying_institution_answer_officially(
    db, client, host, ministry, page_url, login_as
):
    question = make_contribution(host)
    db.session.commit()
    login_as(make_user(role="organiser", locale="en", institutions=[ministry]))
    form = thread_html(client.get(page_url))
    assert "Answer on behalf of Ministère de la Transparence (official answer)" in form
    response = client.post(
        f"/contributions/{question.id}/repondre", data={"body": "Notre réponse", "official": "y"}
    )
    assert response.status_code == 302
    answer = db.session.scalar(select(Contribution).where(Contribution.parent_id == question.id))
    assert answer.is_official and answer.institution_id == ministry.id


def test_organisers_of_another_institution_cannot_answer_officially(
    db, client, host, page_url, login_as
):
    question = make_contribution(host)
    db.session.commit()
    login_as(make_user(role="organiser", locale="en", institutions=[make_institution()]))
    assert "official answer" not in thread_html(client.get(page_url))
    response = client.post(
        f"/contributions/{question.id}/repondre", data={"body": "Réponse usurpée", "official": "y"}
    )
    assert response.status_code == 403
    assert "Only the institutions carrying it can answer officially." in text_of(response)
    assert kept_text(response, "Réponse usurpée")
    assert count(db) == 1


# Rate limit -------------------------------------------------------------------------------


def test_posting_too_fast_gives_the_form_back_with_the_text(db, make_app, host):
    fresh = make_app(RATELIMIT_ENABLED=True, RATELIMIT_CONTRIBUTE="2 per minute")
    client = fresh.test_client()
    author = participant()
    db.session.commit()
    client.post("/connexion", data={"email": author.email, "password": DEFAULT_PASSWORD})
    answers = [
        client.post(contribute_url(host), data={"body": f"Message {n}"}) for n in range(1, 4)
    ]
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "You are sending contributions too quickly." in text_of(answers[-1])
    assert kept_text(answers[-1], "Message 3")
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    assert count(db) == 2
    # The limit follows the account: another person is not slowed down.
    client.post("/deconnexion")
    other = participant()
    db.session.commit()
    client.post("/connexion", data={"email": other.email, "password": DEFAULT_PASSWORD})
    assert client.post(contribute_url(host), data={"body": "Autre"}).status_code == 302


# Edit and withdraw ------------------------------------------------------------------------


def test_the_author_edits_within_the_window(db, client, host, page_url, login_as):
    author = participant()
    contribution = make_contribution(host, author=author, body="Premier jet")
    db.session.commit()
    login_as(author)
    assert "/modifier" in fragment(thread_html(client.get(page_url)), contribution.id)
    page = client.get(f"/contributions/{contribution.id}/modifier")
    assert kept_text(page, "Premier jet")
    response = client.post(
        f"/contributions/{contribution.id}/modifier", data={"body": "Version corrigée"}
    )
    assert response.status_code == 302
    db.session.refresh(contribution)
    assert contribution.body == "Version corrigée" and contribution.edited_at is not None


def test_editing_after_the_window_is_refused_and_keeps_the_text(db, client, host, login_as):
    author = participant()
    contribution = make_contribution(host, author=author, body="Ancien texte")
    contribution.created_at -= timedelta(hours=2)
    db.session.commit()
    login_as(author)
    assert client.get(f"/contributions/{contribution.id}/modifier").status_code == 409
    response = client.post(f"/contributions/{contribution.id}/modifier", data={"body": "Tardif"})
    assert response.status_code == 422
    assert "The time to edit this contribution is over" in text_of(response)
    assert kept_text(response, "Tardif")
    db.session.refresh(contribution)
    assert contribution.body == "Ancien texte"


def test_edit_errors_keep_the_text(db, client, host, login_as):
    author = participant()
    contribution = make_contribution(host, author=author)
    db.session.commit()
    login_as(author)
    response = client.post(f"/contributions/{contribution.id}/modifier", data={"body": "é" * 5001})
    assert response.status_code == 422 and kept_text(response, "é" * 5001)


@pytest.mark.parametrize("role", ["participant", "organiser", "moderator", "admin"])
def test_nobody_else_edits_or_withdraws_a_contribution(db, client, host, login_as, role):
    contribution = make_contribution(host, body="Pas à vous")
    db.session.commit()
    login_as(make_user(role=role, locale="en", institutions=[make_institution()]))
    base = f"/contributions/{contribution.id}"
    assert client.get(f"{base}/modifier").status_code == 403
    assert client.post(f"{base}/modifier", data={"body": "Piratage"}).status_code == 403
    assert client.get(f"{base}/retirer").status_code == 403
    assert client.post(f"{base}/retirer").status_code == 403
    db.session.refresh(contribution)
    assert contribution.body == "Pas à vous" and not contribution.is_withdrawn


@pytest.mark.parametrize("action", ["modifier", "retirer", "signaler", "repondre"])
def test_anonymous_visitors_are_sent_to_log_in_for_every_action(db, client, host, action):
    contribution = make_contribution(host)
    db.session.commit()
    for method in (client.get, client.post):
        response = method(f"/contributions/{contribution.id}/{action}")
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_the_author_withdraws_after_confirming(db, client, host, page_url, login_as):
    author = participant()
    contribution = make_contribution(host, author=author, body="À retirer")
    db.session.commit()
    login_as(author)
    confirm = client.get(f"/contributions/{contribution.id}/retirer")
    assert confirm.status_code == 200 and "À retirer" in text_of(confirm)
    response = client.post(f"/contributions/{contribution.id}/retirer", follow_redirects=True)
    assert response.status_code == 200
    assert "Contribution withdrawn by its author" in fragment(text_of(response), contribution.id)
    assert "À retirer" not in thread_html(response)
    assert client.get(f"/contributions/{contribution.id}/retirer").status_code == 409
    assert client.post(f"/contributions/{contribution.id}/retirer").status_code == 409


# Reports ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["participant", "organiser", "moderator", "admin"])
def test_any_signed_in_person_reports_once(db, client, host, login_as, role):
    contribution = make_contribution(host, body="Contenu douteux")
    db.session.commit()
    login_as(make_user(role=role, locale="en", institutions=[make_institution()]))
    url = f"/contributions/{contribution.id}/signaler"
    page = client.get(url)
    assert page.status_code == 200 and "Contenu douteux" in text_of(page)
    assert 'type="radio"' in text_of(page)

    response = client.post(url, data={"reason": "spam"}, follow_redirects=True)
    assert "Thank you: your report is sent to the moderators." in text_of(response)
    again = client.post(url, data={"reason": "abuse", "detail": "Encore"})
    assert again.status_code == 422
    assert "You have already reported this contribution." in text_of(again)
    assert "Encore" in text_of(again)
    assert count(db, Report) == 1
    db.session.refresh(contribution)
    assert contribution.open_report_count == 1


def test_a_report_for_another_reason_needs_a_detail(db, client, host, login_as):
    contribution = make_contribution(host)
    db.session.commit()
    login_as(participant())
    url = f"/contributions/{contribution.id}/signaler"
    response = client.post(url, data={"reason": "other", "detail": ""})
    assert response.status_code == 422 and "Say what the problem is." in text_of(response)
    assert 'value="other" checked' in text_of(response) or "checked id" in text_of(response)
    no_reason = client.post(url, data={"detail": "Sans motif"})
    assert no_reason.status_code == 422 and "Choose a reason." in text_of(no_reason)
    assert "Sans motif" in text_of(no_reason)
    bad_reason = client.post(url, data={"reason": "<script>"})
    assert bad_reason.status_code == 422
    assert count(db, Report) == 0


def test_hidden_or_withdrawn_contributions_cannot_be_reported(db, client, host, login_as):
    hidden = make_contribution(host)
    services.set_status(hidden, "hidden")
    author = participant()
    withdrawn = make_contribution(host, author=author)
    services.withdraw_contribution(author, withdrawn)
    db.session.commit()
    login_as(participant())
    for contribution in (hidden, withdrawn):
        url = f"/contributions/{contribution.id}/signaler"
        assert client.get(url).status_code == 404
        assert client.post(url, data={"reason": "spam"}).status_code == 404
    assert count(db, Report) == 0


def test_reporting_too_fast_keeps_the_form(db, make_app, host):
    fresh = make_app(RATELIMIT_ENABLED=True, RATELIMIT_REPORT="1 per minute")
    client = fresh.test_client()
    first, second = make_contribution(host), make_contribution(host)
    reader = participant()
    db.session.commit()
    client.post("/connexion", data={"email": reader.email, "password": DEFAULT_PASSWORD})
    sent = client.post(f"/contributions/{first.id}/signaler", data={"reason": "spam"})
    assert sent.status_code == 302
    response = client.post(
        f"/contributions/{second.id}/signaler", data={"reason": "other", "detail": "Mon détail"}
    )
    assert response.status_code == 429
    assert "Mon détail" in text_of(response) and "Please wait a moment" in text_of(response)
    assert count(db, Report) == 1


# Unsubscribe ------------------------------------------------------------------------------


def unsubscribe_url(app, user) -> str:
    with app.test_request_context():
        token = tokens.make_token(services.UNSUBSCRIBE_PURPOSE, {"user": user.id})
    return f"/notifications/desabonnement/{token}"


def test_unsubscribe_asks_then_turns_reply_mails_off(app, db, client):
    user = participant()
    user.notify_replies = True
    db.session.commit()
    url = unsubscribe_url(app, user)
    page = client.get(url, headers=EN)
    assert page.status_code == 200 and '<form method="post"' in text_of(page)
    db.session.refresh(user)
    assert user.notify_replies  # reading the page changes nothing
    done = client.post(url, headers=EN)
    assert done.status_code == 200
    assert "You will no longer receive e-mails about replies" in text_of(done)
    db.session.refresh(user)
    assert not user.notify_replies


def test_a_bad_unsubscribe_link_says_so(db, client):
    response = client.post("/notifications/desabonnement/pas-un-jeton", headers=EN)
    assert response.status_code == 400
    assert "This unsubscribe link is not valid." in text_of(response)


def test_one_click_unsubscribe_needs_no_csrf_token(app, db, make_app):
    fresh = make_app(WTF_CSRF_ENABLED=True)
    user = participant()
    user.notify_replies = True
    db.session.commit()
    response = fresh.test_client().post(
        unsubscribe_url(app, user), data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    db.session.refresh(user)
    assert not user.notify_replies


# CSRF -------------------------------------------------------------------------------------


def csrf_token(response) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text_of(response))
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def csrf_client(db, make_app):
    """A client of an app that checks CSRF tokens, signed in as a participant."""
    fresh = make_app(WTF_CSRF_ENABLED=True)
    client = fresh.test_client()
    user = participant()
    db.session.commit()
    token = csrf_token(client.get("/connexion"))
    response = client.post(
        "/connexion",
        data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    client.user = user
    return client


def csrf_cases(host, mine, theirs):
    """(page showing the form, address it posts to, data) for every form of discussions."""
    return [
        (host.url, contribute_url(host), {"body": "Avec jeton"}),
        (f"/contributions/{theirs.id}/repondre", None, {"body": "Réponse avec jeton"}),
        (f"/contributions/{mine.id}/modifier", None, {"body": "Modifié avec jeton"}),
        (f"/contributions/{theirs.id}/signaler", None, {"reason": "spam"}),
        (f"/contributions/{mine.id}/retirer", None, {}),
    ]


@pytest.mark.parametrize("case", range(5))
def test_every_form_needs_its_csrf_token(db, csrf_client, host, case):
    mine = make_contribution(host, author=csrf_client.user, body="La mienne")
    theirs = make_contribution(host, body="Celle d'un autre")
    db.session.commit()
    page, action, data = csrf_cases(host, mine, theirs)[case]
    action = action or page
    before_contributions, before_reports = count(db), count(db, Report)

    refused = csrf_client.post(action, data=data)
    assert refused.status_code == 400
    assert (count(db), count(db, Report)) == (before_contributions, before_reports)
    db.session.refresh(mine)
    assert mine.body == "La mienne"

    token = csrf_token(csrf_client.get(page))
    accepted = csrf_client.post(action, data={**data, "csrf_token": token})
    assert accepted.status_code == 302, text_of(accepted)[:2000]


def test_the_live_preview_needs_the_csrf_token(db, csrf_client, host):
    assert csrf_client.post("/contributions/apercu", data={"body": "x"}).status_code == 400
    token = csrf_token(csrf_client.get(host.url))
    ok = csrf_client.post("/contributions/apercu", data={"body": "*x*", "csrf_token": token})
    assert ok.status_code == 200 and text_of(ok) == "<p><em>x</em></p>\n"


# Hostile Markdown through the real form -----------------------------------------------------

HOSTILE = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    "[cliquez](javascript:alert(1))",
    "[cliquez](JaVaScRiPt:alert(1))",
    "[cliquez](javascript&#58;alert(1))",
    "[image](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">lien</a>',
    '**[gras *et* lien](https://exemple.fr "titre" onclick=alert(1))**',
    "*[a](https://exemple.fr)*[b](javascript:alert(1))**",
    "<!-- commentaire --> <![CDATA[ x ]]>",
    "Texte \u202eesrever\u202c et \u2066isolé\u2069",
    "> citation <svg onload=alert(1)>",
    "`<script>alert(1)</script>`",
    '<https://exemple.fr/"onmouseover="alert(1)>',
    '[x](https://exemple.fr/" onmouseover="alert(1))',
    "<style>body{display:none}</style><iframe src=https://exemple.fr></iframe>",
    "[lien](vbscript:msgbox(1)) [autre](file:///etc/passwd)",
]

ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "a", "blockquote", "code"}


class InertChecker(HTMLParser):
    """Collects anything in rendered HTML that could run: tags, attributes, addresses."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if tag != "a" or name not in {"href", "title", "rel"}:
                self.problems.append(f"attribute {name} on <{tag}>")
            elif name == "href" and not re.match(r"^(https?:|mailto:)", value or ""):
                self.problems.append(f"address {value!r}")
            elif name == "rel" and value != "nofollow ugc noopener":
                self.problems.append(f"rel {value!r}")

    def handle_comment(self, data):
        self.problems.append("comment")

    def unknown_decl(self, data):
        self.problems.append("declaration")


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_markdown_is_stored_as_typed_and_rendered_inert(
    db, client, host, page_url, login_as, body
):
    from consult.core.forms import clean_text

    login_as(participant())
    response = client.post(contribute_url(host), data={"body": body})
    assert response.status_code == 302
    contribution = db.session.scalar(select(Contribution))
    # Stored as typed, less the invisible control and direction characters every form drops.
    assert contribution.body == clean_text(body)
    assert "\u202e" not in contribution.body

    html = fragment(text_of(client.get(page_url)), contribution.id)
    text = html.split('consult-contribution__text">', 1)[1].split("</div>", 1)[0]
    checker = InertChecker()
    checker.feed(text)
    checker.close()
    assert checker.problems == [], (body, text)


def test_links_in_contributions_carry_rel_nofollow_ugc_noopener(db, client, host, page_url):
    contribution = make_contribution(host, body="[la source](https://exemple.fr/a?b=1&c=2)")
    db.session.commit()
    html = fragment(text_of(client.get(page_url)), contribution.id)
    assert '<a href="https://exemple.fr/a?b=1&amp;c=2" rel="nofollow ugc noopener">' in html


# Digests from the command line --------------------------------------------------------------


def test_send_digests_command_mails_waiting_replies(app, db, commitment, runner, outbox):
    author = participant()
    author.notify_replies = True
    with app.test_request_context():
        host = make_host(commitment)
        question = make_contribution(host, author=author)
        make_contribution(host, parent=question, body="Première")
        make_contribution(host, parent=question, body="Seconde, en attente")
        services.mail.flush_outbox()
    outbox.clear()
    from consult.discussions.models import ReplyNotice

    for notice in db.session.scalars(select(ReplyNotice).where(ReplyNotice.sent_at.is_not(None))):
        notice.sent_at -= timedelta(hours=2)
    db.session.commit()

    # As cron runs it: no request around, the links still point at the public site.
    result = runner.invoke(args=["discussions", "send-digests"])
    assert result.exit_code == 0, result.output
    assert "1 e-mail(s) sent." in result.output
    assert len(outbox) == 1 and "Seconde, en attente" in outbox[0].body
    assert db.session.get(User, author.id).email == outbox[0].recipient
    assert "http://localhost/contributions/" in outbox[0].body
    assert runner.invoke(args=["discussions", "send-digests"]).output == "0 e-mail(s) sent.\n"
