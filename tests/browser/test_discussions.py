"""Discussion and moderation journeys in Chromium.

A citizen contributes and replies with the keyboard only (with and without JavaScript), a
moderator works the queue of a pre-moderated plan, an organiser answers officially, a reader
reports a contribution, hostile texts go through the real forms, and the public moderation log
shows the decisions without their authors or texts.

Each journey works on a plan and a commitment of its own, made through the services in the live
server's application: a plan's moderation mode or a thread's size never leaks from one journey
into another, whatever their order.
"""

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.test_plans import log_in, path_of

pytestmark = pytest.mark.browser

THREAD_TITLE = "#discussion-title"
THREAD_FORM = "#discussion form.consult-contribution-form"
FORM_ERRORS = "#error-summary"
FLASHES = "main [role=status] .fr-alert"
POST_BUTTON = "main form[method=post] button[type=submit]"

#: Filled by the pre-moderation journey, read by the public-log journey (which makes its own
#: decisions through the services when run alone).
MODERATED: dict = {}


# --- the live server's data, through the services ----------------------------------------------


@contextmanager
def live_app(live_server):
    """The live server's database in a request context (services build links), committed."""
    from consult.core.db import db

    with live_server.app.test_request_context():
        try:
            yield db.session
            db.session.commit()
        finally:
            db.session.remove()


@dataclass
class Ground:
    """A plan with one commitment carried by one institution, as the pages show them."""

    plan_id: int
    plan_slug: str
    commitment_id: int
    path: str
    institution_id: int
    institution_name: str


@dataclass
class Person:
    id: int
    email: str
    password: str
    display_name: str


@pytest.fixture
def make_ground(live_server):
    from tests.factories import make_commitment, make_institution, make_plan

    def create(mode: str | None = None) -> Ground:
        with live_app(live_server) as session:
            institution = make_institution(name="Ministère de la Participation citoyenne")
            plan = make_plan()
            if mode is not None:
                plan.moderation_mode = mode
            commitment = make_commitment(plan=plan, institutions=[institution], actions=0)
            session.flush()
            return Ground(
                plan_id=plan.id,
                plan_slug=plan.slug,
                commitment_id=commitment.id,
                path=f"/plans/{plan.slug}/engagements/{commitment.number}",
                institution_id=institution.id,
                institution_name=institution.name,
            )

    return create


@pytest.fixture
def make_person(live_server):
    """A verified account of `role` in the live server's database."""
    from consult.accounts.models import Institution
    from tests.factories import DEFAULT_PASSWORD, make_user

    def create(role="participant", locale="fr", institution_id=None, display_name=None) -> Person:
        with live_app(live_server) as session:
            institutions = [session.get(Institution, institution_id)] if institution_id else []
            user = make_user(
                role=role, locale=locale, institutions=institutions, display_name=display_name
            )
            return Person(user.id, user.email, DEFAULT_PASSWORD, user.display_name)

    return create


def post_many(live_server, author: Person, ground: Ground, bodies, parent_id=None) -> list[int]:
    """Contributions (or replies to `parent_id`) of `author`, oldest first; their ids."""
    from consult.accounts.models import User
    from consult.discussions import services
    from consult.discussions.models import Contribution
    from consult.plans.hosts import commitment_host

    with live_app(live_server) as session:
        user = session.get(User, author.id)
        host = commitment_host(ground.commitment_id)
        parent = session.get(Contribution, parent_id) if parent_id else None
        return [services.post_contribution(user, host, body, parent=parent).id for body in bodies]


def post(live_server, author: Person, ground: Ground, body: str, parent_id=None) -> int:
    return post_many(live_server, author, ground, [body], parent_id)[0]


# --- words of the interface --------------------------------------------------------------------


def say(live_server, msgid: str, locale: str = "fr", **values) -> str:
    """`msgid` as the interface or an e-mail shows it in `locale`, placeholders filled."""
    from flask_babel import force_locale, gettext

    with live_server.app.test_request_context(), force_locale(locale):
        return gettext(msgid, **values)


def say_count(live_server, singular: str, plural: str, num: int, locale: str = "fr") -> str:
    from flask_babel import force_locale, ngettext

    with live_server.app.test_request_context(), force_locale(locale):
        return ngettext(singular, plural, num)


def contributions_heading(live_server, count: int, locale: str = "fr") -> str:
    return say_count(live_server, "%(num)d contribution", "%(num)d contributions", count, locale)


# --- reading pages -----------------------------------------------------------------------------


def words(text: str) -> str:
    """The text with its line breaks and runs of spaces as single spaces; the no-break spaces
    of French typography stay as they are."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def thread_title(page) -> str:
    return words(page.locator(THREAD_TITLE).inner_text())


def flashes(page) -> str:
    return words(" ".join(page.locator(FLASHES).all_inner_texts()))


def errors(page) -> str:
    return words(page.locator(FORM_ERRORS).inner_text())


def landed_on(page) -> int:
    """The contribution the address points at (a permalink's anchor)."""
    match = re.fullmatch(r"contribution-(\d+)", urlsplit(page.url).fragment)
    assert match, f"no contribution anchor in {page.url}"
    return int(match.group(1))


def query_of(page) -> dict:
    return parse_qs(urlsplit(page.url).query)


def contribution(page, contribution_id: int):
    return page.locator(f"#contribution-{contribution_id}")


def text_of(page, contribution_id: int) -> str:
    return (
        contribution(page, contribution_id)
        .locator(":scope > article .consult-contribution__text")
        .inner_text()
    )


def author_of(page, contribution_id: int) -> str:
    return words(
        contribution(page, contribution_id)
        .locator(":scope > article .consult-contribution__author")
        .inner_text()
    )


def reply_ids(page, contribution_id: int) -> list[int]:
    """The replies shown right under a contribution, in their order."""
    ids = (
        contribution(page, contribution_id)
        .locator(":scope > ol.consult-thread__replies > li")
        .evaluate_all("(items) => items.map((item) => item.id)")
    )
    return [int(value.removeprefix("contribution-")) for value in ids]


def tick(page, selector: str) -> None:
    """Tick a radio button or checkbox as people do: on its label when the label draws the box
    (DSFR), on the box itself when the label only speaks to screen readers."""
    box = page.locator(selector)
    label = page.locator(f"label[for='{box.get_attribute('id')}']")
    if label.is_visible():
        label.click()
    else:  # where the box is drawn (by the label's ::before, over the input)
        box.scroll_into_view_if_needed()
        area = box.bounding_box()
        page.mouse.click(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
    assert box.is_checked(), selector


def in_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    # The browser scrolls the anchor to the top, give or take a fraction of a pixel.
    return box is not None and -1 <= box["y"] < size["height"] and box["height"] > 0


# --- the keyboard ------------------------------------------------------------------------------


def focused(page, selector: str) -> bool:
    """Whether `selector` (one compound selector list item) has the focus, shown as such.

    CSS only: it works on pages without JavaScript, where nothing can be evaluated.
    """
    return page.locator(f"{selector}:focus-visible").count() == 1


def tab_to(page, selector: str, *, limit: int = 300) -> None:
    """Press Tab until `selector` has the focus; fail after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return
    pytest.fail(f"Tab never reached {selector} ({limit} presses)", pytrace=False)


# --- journeys 1 and 5: contribute and reply with the keyboard -----------------------------------


def contribute_and_reply_with_the_keyboard(browse, live_server, make_ground, make_person, *, js):
    """The citizen's journey, with or without JavaScript; returns nothing, asserts all the way."""
    ground = make_ground()
    elder = make_person(display_name="Camille Ancienne")
    others = make_person(display_name="Dominique Régulière")
    citizen = make_person(display_name="Alex Clavier")
    parent_id = post(live_server, elder, ground, "La première contribution, bientôt en page 2.")
    post_many(live_server, others, ground, [f"Contribution numéro {n}." for n in range(1, 22)])
    count = 22  # top-level, newest first, 20 a page: the first one is now on page 2

    page = browse.open(javascript=js)
    log_in(browse, page, citizen, then=ground.path)
    assert thread_title(page) == contributions_heading(live_server, count)

    # Contribute: Tab to the text box, type, Tab to the button, Enter.
    mine = "Je soutiens cet engagement.\nPubliez les données au format ouvert, s’il vous plaît."
    tab_to(page, f"{THREAD_FORM} textarea#body")
    page.keyboard.type(mine)
    tab_to(page, f"{THREAD_FORM} button[name=send]", limit=3)
    button = page.locator(f"{THREAD_FORM} button[name=send]")
    assert words(button.inner_text()) == say(live_server, "Publish my contribution")
    browse.press(page, "Enter")

    mine_id = landed_on(page)
    assert path_of(page) == ground.path and "page" not in query_of(page)
    assert flashes(page) == say(live_server, "Your contribution is published.")
    assert author_of(page, mine_id) == citizen.display_name
    assert words(text_of(page, mine_id)) == words(mine)
    assert in_viewport(page, f"#contribution-{mine_id}")
    count += 1
    assert thread_title(page) == contributions_heading(live_server, count)

    # Page 2 through the numbered pagination, then "Reply" under the oldest contribution.
    tab_to(page, "#discussion nav.fr-pagination a[href*='page=2']")
    browse.press(page, "Enter")
    assert query_of(page).get("page") == ["2"]
    assert contribution(page, parent_id).count() == 1
    reply_link = f"#contribution-{parent_id} > article a[data-reply-to='{parent_id}']"
    assert words(page.locator(reply_link).inner_text()) == say(live_server, "Reply")
    tab_to(page, reply_link)
    reply = "Bonne idée : j’ajoute qu’un calendrier de publication aiderait."
    if js:
        page.keyboard.press("Enter")  # the form opens under the contribution, focused
        form = f"#reply-form-{parent_id}"
        assert page.locator(reply_link).get_attribute("aria-expanded") == "true"
        assert focused(page, f"{form} textarea"), "the text box of the reply must take the focus"
        browse.check(page)  # the inline form, as it is now
    else:
        browse.press(page, "Enter")  # the reply page
        assert path_of(page) == f"/contributions/{parent_id}/repondre"
        form = "main form.consult-contribution-form"
        assert "première contribution" in page.locator("main blockquote").inner_text()
        tab_to(page, f"{form} textarea#body")
    page.keyboard.type(reply)
    tab_to(page, f"{form} button[name=send]", limit=3)
    assert words(page.locator(f"{form} button[name=send]").inner_text()) == say(
        live_server, "Publish my reply"
    )
    browse.press(page, "Enter")

    reply_id = landed_on(page)
    assert path_of(page) == ground.path and query_of(page).get("page") == ["2"]
    assert flashes(page) == say(live_server, "Your contribution is published.")
    assert reply_ids(page, parent_id) == [reply_id]
    assert author_of(page, reply_id) == citizen.display_name
    assert words(text_of(page, reply_id)) == words(reply)
    count += 1
    assert thread_title(page) == contributions_heading(live_server, count)

    # Anyone's permalinks open the right page at the right place.
    visitor = browse.open(javascript=js)
    browse.visit(visitor, f"/contributions/{reply_id}")
    assert path_of(visitor) == ground.path and query_of(visitor).get("page") == ["2"]
    assert landed_on(visitor) == reply_id
    assert reply_ids(visitor, parent_id) == [reply_id]
    assert in_viewport(visitor, f"#contribution-{reply_id}")
    assert thread_title(visitor) == contributions_heading(live_server, count)
    browse.visit(visitor, f"/contributions/{mine_id}")
    assert path_of(visitor) == ground.path and "page" not in query_of(visitor)
    assert landed_on(visitor) == mine_id and contribution(visitor, parent_id).count() == 0


def test_a_citizen_contributes_and_replies_with_the_keyboard_only(
    browse, live_server, make_ground, make_person
):
    contribute_and_reply_with_the_keyboard(browse, live_server, make_ground, make_person, js=True)


def test_a_citizen_contributes_and_replies_without_javascript(
    browse, live_server, make_ground, make_person
):
    contribute_and_reply_with_the_keyboard(browse, live_server, make_ground, make_person, js=False)


# --- journey 2: pre-moderation, worked from the queue ------------------------------------------


def queue_ids(page) -> list[int]:
    """The contributions listed in the queue (filtered to that kind), in their order."""
    values = page.locator("#queue tbody input[type=checkbox]").evaluate_all(
        "(boxes) => boxes.map((box) => box.value)"
    )
    assert all(value.startswith("contribution:") for value in values), values
    return [int(value.removeprefix("contribution:")) for value in values]


def open_item(browse, page, content_id: int) -> None:
    browse.click(page, f"#queue tbody th a[href^='/moderation/contribution/{content_id}?']")
    assert path_of(page) == f"/moderation/contribution/{content_id}"


def decision_mails(live_server, person: Person, count: int = 1, timeout: float = 10.0) -> list:
    """The moderation decisions e-mailed to `person`, once `count` have left."""
    deadline = time.monotonic() + timeout
    while len(found := live_server.messages(person.email, "moderation/decision")) < count:
        if time.monotonic() > deadline:
            from consult.core.mail import sent_messages

            everyone = [
                m.recipient
                for m in list(sent_messages(live_server.app))
                if m.template == "moderation/decision"
            ]
            pytest.fail(
                f"{len(found)} of {count} decision e-mails reached {person.display_name} "
                f"<{person.email}> in {timeout}s; decision e-mails sent: {everyone}",
                pytrace=False,
            )
        time.sleep(0.05)
    return found


def decision_mail(live_server, person: Person):
    return decision_mails(live_server, person)[-1]


def decide(browse, page, action: str, reason: str, note: str = "") -> None:
    form = f"main form[aria-labelledby='decide-{action}-title']"
    tick(page, f"{form} input[name='{action}-reason'][value='{reason}']")
    if note:
        page.fill(f"{form} textarea[name='{action}-note']", note)
    browse.click(page, f"{form} button[type=submit]")


def test_a_moderator_works_the_queue_in_pre_moderation(
    browse, live_server, make_ground, make_person
):
    ground = make_ground()
    admin = make_person(role="admin")
    moderator = make_person(role="moderator", display_name="Morgane Modératrice")
    author = make_person(display_name="Jeanne Patiente")
    english = make_person(locale="en", display_name="Robin Offtopic")
    spammer = make_person(display_name="Sam Réclame")

    # An administrator puts the plan under pre-moderation.
    office = browse.open()
    manage_path = f"/manage/plans/{ground.plan_slug}/"
    log_in(browse, office, admin, then=manage_path)
    pre = "input[name='moderation-mode'][value='pre']"
    assert office.is_checked("input[name='moderation-mode'][value='post']")
    tick(office, pre)
    browse.click(office, "main form:has(input[name=form][value=moderation]) button[type=submit]")
    assert path_of(office) == manage_path
    assert flashes(office) == say(live_server, "The moderation mode of the plan is saved.")
    assert office.is_checked(pre)

    # A participant posts: the contribution waits, shown to its author only.
    held_text = "Les comptes rendus des comités de suivi devraient être publiés."
    writer = browse.open()
    log_in(browse, writer, author, then=ground.path)
    writer.fill(f"{THREAD_FORM} textarea", held_text)
    browse.click(writer, f"{THREAD_FORM} button[name=send]")
    held = landed_on(writer)
    assert flashes(writer) == say(live_server, "Your contribution is awaiting moderation.")
    waiting = contribution(writer, held).inner_text()
    assert say(live_server, "Awaiting moderation").lower() == "en attente de modération"
    assert "en attente de modération" in waiting.lower()
    assert held_text in waiting
    assert thread_title(writer) == say(live_server, "Discussion"), "nothing published yet"

    visitor = browse.open()
    browse.visit(visitor, ground.path)
    assert contribution(visitor, held).count() == 0
    assert held_text not in visitor.locator("main").inner_text()
    assert "en attente" not in visitor.locator("#discussion").inner_text().lower()
    browse.visit(visitor, f"/contributions/{held}", status=404)

    # Three more wait: one to reject, two for a decision on a selection.
    off_topic = "I would rather talk about the weather in Brittany."
    rejected = post(live_server, english, ground, off_topic)
    spam = ["Achetez nos montres à prix cassés !", "Montres de luxe, livraison offerte !"]
    bulk = post_many(live_server, spammer, ground, spam)

    # The moderator narrows the queue to this plan's contributions awaiting pre-moderation.
    desk = browse.open()
    log_in(browse, desk, moderator, then="/moderation/")
    desk.select_option("#type", "contribution")
    desk.select_option("#state", "pending")
    desk.select_option("#plan", str(ground.plan_id))
    browse.click(desk, "main form[role=search] button[type=submit]")
    filters = {"type": ["contribution"], "state": ["pending"], "plan": [str(ground.plan_id)]}
    assert query_of(desk) == filters
    assert queue_ids(desk) == [held, rejected, *bulk], "oldest first"
    current = desk.locator("nav[aria-labelledby=states-title] a[aria-current=true]")
    assert words(current.inner_text()) == (f"{say(live_server, 'Awaiting pre-moderation')} (4)")
    assert author.display_name in desk.locator("#queue tbody tr").first.inner_text()

    # It claims the first item, then approves it with a reason and a note.
    open_item(browse, desk, held)
    assert held_text in desk.locator("main blockquote").inner_text()
    browse.click(desk, "main form[action*='/prendre'] button[type=submit]")
    assert flashes(desk) == say(
        live_server, "You are handling this item: other moderators cannot decide it meanwhile."
    )
    assert desk.locator("main form[action*='/liberer'] button[type=submit]").count() == 1
    note = "Conforme : rien à redire, c’est une demande précise."
    decide(browse, desk, "approve", "compliant", note)
    assert path_of(desk) == "/moderation/"
    assert query_of(desk) == filters, "back to the queue as it was filtered"
    assert flashes(desk) == say(
        live_server, "Approved: the item is published and marked as reviewed."
    )
    assert queue_ids(desk) == [rejected, *bulk]

    # The author is told, in their language, and sees it published.
    message = decision_mail(live_server, author)
    assert message.locale == "fr"
    assert message.subject == say(live_server, "A moderation decision about your contribution")
    assert (
        say(
            live_server,
            "Your contribution has been approved by the moderators and is now published.",
        )
        in message.body
    )
    reason_line = say(
        live_server, "Reason: %(reason)s", reason=say(live_server, "Complies with the charter")
    )
    assert reason_line in message.body
    assert note not in message.body, "the note is for the moderators only"
    browse.visit(writer, ground.path)
    assert held_text in text_of(writer, held)
    assert "en attente de modération" not in contribution(writer, held).inner_text().lower()
    assert thread_title(writer) == contributions_heading(live_server, 1)

    # The second item is rejected: gone from the queue and from its author's page.
    open_item(browse, desk, rejected)
    decide(browse, desk, "reject", "off_topic")
    assert flashes(desk) == say(live_server, "Rejected: the item will not be published.")
    assert queue_ids(desk) == bulk
    message = decision_mail(live_server, english)
    assert message.locale == "en"
    assert message.subject == "A moderation decision about your contribution"
    assert "Your contribution has not been published by the moderators." in message.body
    assert "Reason: Off-topic" in message.body
    robin = browse.open()  # in English: Robin's account says so, whatever the browser's language
    log_in(browse, robin, english, then=ground.path)
    assert robin.locator("html").get_attribute("lang") == "en"
    assert contribution(robin, rejected).count() == 0
    assert off_topic not in robin.locator("main").inner_text()
    assert thread_title(robin) == "1 contribution"

    # One decision on the two items left, ticked in the list.
    for content_id in bulk:
        tick(desk, f"#item-contribution-{content_id}")
    desk.select_option("#bulk-action", "reject")
    desk.select_option("#bulk-reason", "spam")
    browse.click(desk, "main form[action^='/moderation/decisions-groupees'] button[type=submit]")
    assert flashes(desk) == say_count(
        live_server, "%(num)d item is decided.", "%(num)d items are decided.", 2
    )
    assert queue_ids(desk) == []
    spam_reason = say(
        live_server, "Reason: %(reason)s", reason=say(live_server, "Spam or advertising")
    )
    for message in decision_mails(live_server, spammer, count=2):  # one per item decided
        assert spam_reason in message.body

    browse.visit(visitor, ground.path)
    shown = visitor.locator("#discussion").inner_text()
    assert held_text in shown
    assert all(text not in shown for text in (off_topic, *spam))
    assert thread_title(visitor) == contributions_heading(live_server, 1)

    MODERATED.update(
        decisions=[
            (held, "approve", "compliant"),
            (rejected, "reject", "off_topic"),
            *((content_id, "reject", "spam") for content_id in bulk),
        ],
        secrets=[
            held_text, off_topic, *spam, note,
            author.display_name, english.display_name, spammer.display_name,
            moderator.display_name,
        ],
    )  # fmt: skip


# --- journey 3: an official answer -------------------------------------------------------------


def test_an_organiser_answers_officially_and_the_answer_comes_first(
    browse, live_server, make_ground, make_person
):
    ground = make_ground()
    organiser = make_person(role="organiser", institution_id=ground.institution_id)
    asking, answering = make_person(), make_person()
    question = post(live_server, asking, ground, "Quand les données seront-elles ouvertes ?")
    earlier = post_many(
        live_server, answering, ground, ["Bonne question.", "Je me la pose aussi."], question
    )

    page = browse.open()
    log_in(browse, page, organiser, then=ground.path)
    page.click(f"#contribution-{question} > article a[data-reply-to='{question}']")
    form = f"#reply-form-{question}"  # opened under the question, without leaving the page
    official = page.locator(f"{form} input[type=checkbox][name=official]")
    label = page.locator(f"{form} label[for='{official.get_attribute('id')}']")
    assert words(label.inner_text()) == say(
        live_server,
        "Answer on behalf of %(institution)s (official answer)",
        institution=ground.institution_name,
    )
    browse.check(page)
    answer_text = "Les premiers jeux de données seront ouverts en juin sur data.gouv.fr."
    page.fill(f"{form} textarea", answer_text)
    tick(page, f"{form} input[type=checkbox][name=official]")
    browse.click(page, f"{form} button[name=send]")

    answer = landed_on(page)
    badge_text = say(
        live_server, "Official answer from %(institution)s", institution=ground.institution_name
    )
    for viewer in (page, browse.open()):
        if viewer is not page:
            browse.visit(viewer, f"/contributions/{answer}")
        assert reply_ids(viewer, question) == [answer, *earlier], "the official answer first"
        item = contribution(viewer, answer)
        assert "consult-contribution--official" in item.get_attribute("class")
        badge = item.locator(":scope > article .fr-badge")
        assert words(badge.text_content()) == badge_text  # shown in capitals by the stylesheet
        assert "réponse officielle" in badge.text_content().lower()
        assert text_of(viewer, answer).strip() == answer_text
        assert author_of(viewer, answer) == organiser.display_name
        assert thread_title(viewer) == contributions_heading(live_server, 4)


# --- journey 4: a report -----------------------------------------------------------------------


def test_a_participant_reports_a_contribution_once(browse, live_server, make_ground, make_person):
    from sqlalchemy import select

    from consult.moderation.models import Report

    ground = make_ground()
    writer, reader = make_person(), make_person()
    target = post(live_server, writer, ground, "Ce texte reprend un message publié ailleurs.")
    report_path = f"/contributions/{target}/signaler"
    report_link = f"#contribution-{target} > article a[href='{report_path}']"
    detail = "Copié mot pour mot d’un autre site, sans le citer."

    page = browse.open()
    log_in(browse, page, reader, then=ground.path)
    assert words(page.locator(report_link).inner_text()) == say(live_server, "Report")
    browse.click(page, report_link)
    assert path_of(page) == report_path
    assert page.locator("h1").inner_text() == say(live_server, "Report a contribution")

    other = "main input[name=reason][value=other]"
    tick(page, other)
    browse.click(page, POST_BUTTON, status=422)
    assert say(live_server, "Say what the problem is.") in errors(page)
    assert (
        say(live_server, "Say what the problem is.") in page.locator("#detail-error").inner_text()
    )
    assert page.is_checked(other), "the reason chosen is kept"

    page.fill("#detail", detail)
    browse.click(page, POST_BUTTON)
    assert path_of(page) == ground.path and landed_on(page) == target
    assert flashes(page) == say(live_server, "Thank you: your report is sent to the moderators.")

    browse.click(page, report_link)
    spam = "main input[name=reason][value=spam]"
    tick(page, spam)
    browse.click(page, POST_BUTTON, status=422)
    assert say(live_server, "You have already reported this contribution.") in errors(page)
    assert page.is_checked(spam)

    with live_app(live_server) as session:
        reports = session.scalars(
            select(Report).where(Report.content_kind == "contribution", Report.content_id == target)
        ).all()
        assert [(r.reporter_id, r.reason, r.detail) for r in reports] == [
            (reader.id, "other", detail)
        ]


# --- journey 6: hostile input ------------------------------------------------------------------

#: (what is typed, the words the page shows for it)
HOSTILE = [
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
    ("[clic](javascript:alert(1))", "[clic](javascript:alert(1))"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](data:text/html;base64,PHNjcmlwdD4=)"),
    ("**[a](javascript:alert(1))**", "[a](javascript:alert(1))"),
    ("<!-- -->", "<!-- -->"),
    ("Texte \u202eesrever\u202c et \u2066isolé\u2069 à lire", "Texte esrever et isolé à lire"),
]
DIRECTION_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")

#: Whatever could run or lead somewhere unsafe below `root`, as a list of problems.
INERT_PROBLEMS = """(root) => {
  const allowed = new Set(["p", "br", "em", "strong", "ul", "ol", "li", "a", "blockquote", "code"]);
  const problems = [];
  for (const element of root.querySelectorAll("*")) {
    if (!allowed.has(element.localName)) problems.push(`<${element.localName}>`);
    for (const attribute of element.attributes) {
      if (/^on/i.test(attribute.name)) problems.push(`${attribute.name} on ${element.localName}`);
      if (/^\\s*(javascript|data|vbscript):/i.test(attribute.value)) {
        problems.push(`${attribute.name}=${attribute.value}`);
      }
    }
  }
  const comments = document.createTreeWalker(root, NodeFilter.SHOW_COMMENT);
  if (comments.nextNode()) problems.push("comment");
  return problems;
}"""

#: Across the whole document: only our own scripts, no handler, no script address.
PAGE_PROBLEMS = """() => {
  const problems = [];
  for (const script of document.querySelectorAll("script")) {
    if (!script.src.startsWith(location.origin + "/static/")) {
      problems.push(`script ${script.src || script.textContent.slice(0, 40)}`);
    }
  }
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      if (/^on/i.test(attribute.name)) problems.push(`${attribute.name} on ${element.localName}`);
      if (/^\\s*(javascript|vbscript|data:text)/i.test(attribute.value)) {
        problems.push(`${attribute.name}=${attribute.value} on ${element.localName}`);
      }
    }
  }
  return problems;
}"""


class RawHtmlChecker(HTMLParser):
    """What the server sent, before any script ran: scripts, handlers, script addresses."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            self.problems.append(f"script {attributes}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name} on <{tag}>")
            if re.match(r"\s*(javascript|vbscript|data:text)", value or "", re.IGNORECASE):
                self.problems.append(f"{name}={value} on <{tag}>")


def test_hostile_texts_through_the_real_forms_stay_inert(
    browse, live_server, make_ground, make_person
):
    from consult.discussions.rules import BODY_MAX_LENGTH

    ground = make_ground()
    person, moderator = make_person(), make_person(role="moderator")
    dialogs, console_errors = [], []

    def watched(page):
        """A tab whose dialogs and console errors are all kept (a dialog is then dismissed)."""

        def on_dialog(dialog):
            dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_console(message):
            if message.type == "error":
                console_errors.append((message.text, message.location))

        page.on("dialog", on_dialog)
        page.on("console", on_console)
        return page

    def sent(form: str, body: str, shown: str) -> int:
        """Type `body` in `form`, check its live preview, send it; the contribution made."""
        page.fill(f"{form} textarea", body)
        # The live preview: the server's sanitised HTML, put into the page by the script.
        preview = page.locator(f"{form} [data-live-preview]")
        preview.wait_for(state="visible")
        assert words(preview.locator(".consult-prose").inner_text()) == words(shown), body
        assert preview.locator(".consult-prose").evaluate(INERT_PROBLEMS) == [], body
        browse.click(page, f"{form} button[name=send]")
        content_id = landed_on(page)
        text = contribution(page, content_id).locator(
            ":scope > article .consult-contribution__text"
        )
        assert words(text.inner_text()) == words(shown), body
        assert not DIRECTION_CONTROLS.search(text.inner_text()), body
        assert text.evaluate(INERT_PROBLEMS) == [], body
        return content_id

    page = watched(browse.open())
    log_in(browse, page, person, then=ground.path)
    posted = [sent(THREAD_FORM, body, shown) for body, shown in HOSTILE]
    # A reply goes through the other form, the one opened under a contribution.
    page.click(f"#contribution-{posted[0]} > article a[data-reply-to='{posted[0]}']")
    hostile_reply = "<svg onload=alert(1)> [ici](JaVaScRiPt:alert(1))"
    posted.append(sent(f"#reply-form-{posted[0]}", hostile_reply, hostile_reply))

    # Every one of them, on the page as the server sends it and as the browser built it.
    response = browse.visit(page, ground.path)
    assert thread_title(page) == contributions_heading(live_server, len(posted))
    checker = RawHtmlChecker()
    checker.feed(response.text())
    checker.close()
    assert checker.problems == []
    assert page.evaluate(PAGE_PROBLEMS) == []
    for content_id in posted:
        texts = contribution(page, content_id).locator(".consult-contribution__text")
        assert (
            texts.evaluate_all(f"(texts) => texts.flatMap((text) => ({INERT_PROBLEMS})(text))")
            == []
        )
    assert (
        page.locator("main a[href]").evaluate_all(
            "(links) => links.filter((link) => !/^https?:/.test(link.href)).map((l) => l.href)"
        )
        == []
    )

    # Too long: the browser stops typing at the limit, so only a tampered page can send more.
    too_long = ("Une contribution bien trop longue. " * 150)[:BODY_MAX_LENGTH] + "!"
    assert len(too_long) == BODY_MAX_LENGTH + 1
    box = f"{THREAD_FORM} textarea"
    assert page.locator(box).get_attribute("maxlength") == str(BODY_MAX_LENGTH)
    page.locator(box).evaluate("(box) => box.removeAttribute('maxlength')")
    page.fill(box, too_long)
    browse.click(page, f"{THREAD_FORM} button[name=send]", status=422)
    assert say(
        live_server, "A contribution has at most %(max)d characters.", max=BODY_MAX_LENGTH
    ) in errors(page)
    assert page.input_value("main textarea#body") == too_long, "the text typed is kept"
    browse.visit(page, ground.path)
    assert thread_title(page) == contributions_heading(live_server, len(posted))

    # Moderators read them all: in the queue's excerpts and on an item's page.
    desk = watched(browse.open())
    log_in(browse, desk, moderator, then="/moderation/")
    browse.visit(desk, f"/moderation/?type=contribution&state=to_review&plan={ground.plan_id}")
    assert sorted(queue_ids(desk)) == sorted(posted)
    assert "<img src=x onerror=alert(1)>" in desk.locator("#queue tbody").inner_text()
    assert desk.evaluate(PAGE_PROBLEMS) == []
    open_item(browse, desk, posted[1])
    quoted = desk.locator("main blockquote.consult-quoted")
    assert words(quoted.inner_text()) == HOSTILE[1][1]
    assert quoted.evaluate(INERT_PROBLEMS) == []
    assert desk.evaluate(PAGE_PROBLEMS) == []

    assert dialogs == [], "a dialog opened"
    # Chromium notes the refused form's own 422 answer in the console: the only error allowed.
    refused = f"{live_server.url}/discussions/commitment/{ground.commitment_id}/contribuer"
    assert [
        (text, where["url"])
        for text, where in console_errors
        if not (text.startswith("Failed to load resource") and where["url"] == refused)
    ] == []
    for tab in (page, desk):
        assert tab.consult_tracker.problems == [], "Content-Security-Policy refusals, errors"


# --- journey 7: the public moderation log ------------------------------------------------------


def moderate_through_services(live_server, make_ground, make_person) -> None:
    """The decisions of the pre-moderation journey, when this journey runs without it."""
    from consult.accounts.models import User
    from consult.moderation import services

    ground = make_ground(mode="pre")
    author, moderator = make_person(), make_person(role="moderator")
    texts = ["Un texte approuvé.", "Un texte hors sujet.", "Réclame une.", "Réclame deux."]
    ids = post_many(live_server, author, ground, texts)
    note = "Une note pour les modérateurs."
    with live_app(live_server) as session:
        actor = session.get(User, moderator.id)
        services.decide(actor, "contribution", ids[0], "approve", "compliant", note)
        services.decide(actor, "contribution", ids[1], "reject", "off_topic")
        services.decide_many(actor, "contribution", ids[2:], "reject", "spam")
    MODERATED.update(
        decisions=[
            (ids[0], "approve", "compliant"),
            (ids[1], "reject", "off_topic"),
            *((content_id, "reject", "spam") for content_id in ids[2:]),
        ],
        secrets=[*texts, note, author.display_name, moderator.display_name],
    )


def test_the_public_moderation_log_shows_decisions_without_authors_or_texts(
    browse, live_server, make_ground, make_person
):
    from sqlalchemy import func, select

    from consult.moderation.models import Decision

    if not MODERATED:
        moderate_through_services(live_server, make_ground, make_person)
    labels = {
        "approve": "Approve",
        "reject": "Reject",
        "compliant": "Complies with the charter",
        "off_topic": "Off-topic",
        "spam": "Spam or advertising",
    }
    with live_app(live_server) as session:
        newest = session.execute(
            select(Decision.content_kind, Decision.content_id, Decision.action, Decision.reason)
            .order_by(Decision.created_at.desc(), Decision.id.desc())
            .limit(50)
        ).all()
        by_reason = dict(
            session.execute(select(Decision.reason, func.count()).group_by(Decision.reason)).all()
        )

    page = browse.open()
    browse.visit(page, "/")
    browse.click(page, "footer a[href='/plan-du-site']")
    browse.click(page, "main a[href='/moderation/journal']")
    assert path_of(page) == "/moderation/journal"
    assert page.locator("h1").inner_text() == say(live_server, "Moderation log")

    rows = [
        [words(cell) for cell in row]
        for row in page.locator("#decisions tbody tr").evaluate_all(
            "(rows) => rows.map((row) => [...row.cells].slice(1).map((cell) => cell.innerText))"
        )
    ]
    assert len(rows) == len(newest)
    shown = {
        (kind, content_id): row for (kind, content_id, *_), row in zip(newest, rows, strict=True)
    }
    for content_id, action, reason in MODERATED["decisions"]:
        assert shown[("contribution", content_id)] == [
            say(live_server, "Contribution"),
            say(live_server, labels[action]),
            say(live_server, labels[reason]),
        ]
    counted = {
        cells[0]: int(cells[1])
        for cells in page.locator("#by-reason tbody tr").evaluate_all(
            "(rows) => rows.map((row) => [...row.cells].map((cell) => cell.innerText.trim()))"
        )
    }
    for reason in ("compliant", "off_topic", "spam"):
        assert counted[say(live_server, labels[reason])] == by_reason[reason]

    text = page.locator("main").inner_text()
    html = page.content()
    for secret in MODERATED["secrets"]:
        assert secret not in text and secret not in html, f"the log shows {secret!r}"
