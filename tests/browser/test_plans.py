"""Action-plan journeys in Chromium: a citizen reads and filters the plan, organisers update it.

The live server gets the real demonstration plans once (`demo_plans`); expectations come from
the same files (consult/plans/demo_data/). Each journey that writes works on a commitment of
its own, so the journeys do not depend on their order.
"""

import time
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import yaml

from consult.app import REPOSITORY

pytestmark = pytest.mark.browser

DEMO_DATA = REPOSITORY / "consult" / "plans" / "demo_data"
PLAN = "2015-2017"
PLAN_PATH = f"/plans/{PLAN}/"
TOOLS = "header .fr-header__tools-links"
TABLE_ROWS = "#summary-table tbody tr"
FILTER_BUTTON = "main form[method=get] button[type=submit]"
SUBMIT = "main form[method=post] button[type=submit]"
HISTORY = "ol.consult-history > li"

# The journeys' own ground: who carries what, in the 2015-2017 plan's demo data.
FILTER_INSTITUTION = "ministere-finances-comptes-publics"
FILTER_PROGRESS = "partial"
STATUS_COMMITMENT = 5  # Cour des comptes alone; two actions
STATUS_INSTITUTION = "cour-des-comptes"
OTHER_INSTITUTION = "hatvp"  # carries commitment 6 only
TEXTS_COMMITMENT = 14  # Ministère de la Justice alone
TEXTS_INSTITUTION = "ministere-justice"


def read_demo(name: str):
    return yaml.safe_load((DEMO_DATA / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_plans(live_server) -> dict:
    """Load the demonstration plans into the live server once; return the 2015-2017 plan."""
    from sqlalchemy import select

    from consult.core.db import db
    from consult.demo import load_demo_data
    from consult.plans.models import Plan

    with live_server.app.app_context():
        if db.session.scalar(select(Plan.id).where(Plan.slug == PLAN)) is None:
            load_demo_data(only_if_empty=False)
            db.session.commit()
        db.session.remove()
    return read_demo(f"{PLAN}.yaml")


@pytest.fixture(scope="session")
def institution_names() -> dict[str, str]:
    return {row["slug"]: row["name"] for row in read_demo("institutions.yaml")}


@dataclass
class Organiser:
    email: str
    password: str
    display_name: str


@pytest.fixture
def make_organiser(live_server, demo_plans):
    """An organiser acting for the institution `slug`, in the live server's database."""
    from sqlalchemy import select

    from consult.accounts.models import Institution
    from consult.core.db import db
    from tests.factories import DEFAULT_PASSWORD, make_user

    def create(slug: str, locale: str = "fr") -> Organiser:
        email = f"organisation-{time.monotonic_ns()}@exemple.fr"
        with live_server.app.app_context():
            institution = db.session.scalar(select(Institution).where(Institution.slug == slug))
            user = make_user(
                email=email, role="organiser", institutions=[institution], locale=locale
            )
            organiser = Organiser(user.email, DEFAULT_PASSWORD, user.display_name)
            db.session.commit()
            db.session.remove()
        return organiser

    return create


# --- helpers -----------------------------------------------------------------------------------


def path_of(page) -> str:
    return urlsplit(page.url).path


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def log_in(browse, page, account, then: str) -> None:
    """Log in from the login page a protected link leads to; land back on `then`."""
    browse.visit(page, f"/connexion?next={quote(then)}")
    page.fill("#email", account.email)
    page.fill("#password", account.password)
    browse.click(page, "main form button[type=submit]")
    assert page.locator(f"{TOOLS} form[action='/deconnexion']").count() == 1, "not logged in"
    assert path_of(page) == then


def shown_numbers(page) -> list[int]:
    return [int(text) for text in page.locator(f"{TABLE_ROWS} > td:first-child").all_inner_texts()]


def expected_numbers(plan: dict, institution: str, progress: str) -> list[int]:
    return [
        row["number"]
        for row in plan["commitments"]
        if institution in (row.get("institutions") or []) and row.get("status") == progress
    ]


def commitment_row(plan: dict, number: int) -> dict:
    return next(row for row in plan["commitments"] if row["number"] == number)


def commitment_path(number: int) -> str:
    return f"{PLAN_PATH}engagements/{number}"


def filter_the_table(browse, page, plan: dict) -> None:
    """Choose an institution and a progress in the summary table's form and submit it."""
    page.select_option("#filter-institution", FILTER_INSTITUTION)
    page.select_option("#filter-status", FILTER_PROGRESS)
    browse.click(page, FILTER_BUTTON)
    assert_filtered(page, plan)


def assert_filtered(page, plan: dict) -> None:
    assert path_of(page) == PLAN_PATH
    query = parse_qs(urlsplit(page.url).query)
    assert query.get("institution") == [FILTER_INSTITUTION], page.url
    assert query.get("avancement") == [FILTER_PROGRESS], page.url
    assert urlsplit(page.url).fragment == "engagements"
    expected = expected_numbers(plan, FILTER_INSTITUTION, FILTER_PROGRESS)
    assert len(expected) >= 2, "the demo data no longer fits this journey"
    assert shown_numbers(page) == expected
    total = len(plan["commitments"])
    assert f"{len(expected)}" in page.locator("main p[role=status]").inner_text()
    assert f"{total}" in page.locator("main p[role=status]").inner_text()
    # The form says what is filtered: the choices stay selected.
    assert page.input_value("#filter-institution") == FILTER_INSTITUTION
    assert page.input_value("#filter-status") == FILTER_PROGRESS


# --- a citizen reads the plan ------------------------------------------------------------------


def test_a_citizen_filters_the_summary_table_and_opens_a_commitment(
    browse, live_server, demo_plans, institution_names
):
    page = browse.open(locale="fr-FR")
    browse.visit(page, "/")
    assert html_lang(page) == "fr"
    nav_link = page.locator("#main-navigation a[href='/plans/']")
    assert nav_link.inner_text().strip() == live_server.translate("The plan", "fr")
    browse.click(page, "#main-navigation a[href='/plans/']")
    assert path_of(page) == "/plans/"
    assert page.locator("#main-navigation a[aria-current=page]").get_attribute("href") == "/plans/"

    browse.click(page, f"main a[href='{PLAN_PATH}']")
    assert path_of(page) == PLAN_PATH
    assert page.locator(TABLE_ROWS).count() == len(demo_plans["commitments"])

    filter_the_table(browse, page, demo_plans)
    shared_url = page.url

    # The address is enough to share the filtered table: a fresh visitor sees the same rows.
    other = browse.open(locale="fr-FR")
    browse.visit(other, shared_url)
    assert_filtered(other, demo_plans)

    number = shown_numbers(page)[0]
    row = commitment_row(demo_plans, number)
    browse.click(page, f"{TABLE_ROWS}:first-child th a")
    assert path_of(page) == commitment_path(number)
    assert row["title"].strip() in page.locator("h1").inner_text()

    tags = page.locator("dl.consult-facts .fr-tags-group a").all_inner_texts()
    assert tags == [institution_names[slug] for slug in row["institutions"]]
    assert page.get_by_role("heading", name=live_server.translate("Issues", "fr")).count() == 1
    first_words = " ".join(row["issues"].split()[:6])
    assert first_words in " ".join(page.locator("main").inner_text().split())
    assert page.locator("ol.consult-actions > li").count() == len(row["actions"])
    history = page.locator("#historique")
    assert history.inner_text() == live_server.translate("History of the follow-up", "fr")
    recorded = sum(
        1 for item in [row, *row["actions"]] for field in ("status", "schedule") if item.get(field)
    )
    assert page.locator(HISTORY).count() == recorded
    assert demo_plans["source_title"] in page.locator(HISTORY).first.inner_text()


def test_the_summary_table_filters_without_javascript(browse, demo_plans):
    page = browse.open(javascript=False, locale="fr-FR")
    browse.visit(page, PLAN_PATH)
    assert page.locator(TABLE_ROWS).count() == len(demo_plans["commitments"])
    filter_the_table(browse, page, demo_plans)


def test_the_filters_work_with_the_keyboard_only(browse, demo_plans):
    page = browse.open(locale="fr-FR")
    browse.visit(page, PLAN_PATH)

    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "filter-status":
            break
    else:
        pytest.fail("Tab never reached the progress filter")
    assert page.evaluate("document.activeElement.matches(':focus-visible')")
    # Options: All, Not started, Partial…: two steps down is "partial", without opening a list.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.input_value("#filter-status") == FILTER_PROGRESS

    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    else:
        pytest.fail("Tab never reached the filter button")
    assert page.evaluate("document.activeElement.matches(':focus-visible')")
    browse.press(page, "Enter")

    assert parse_qs(urlsplit(page.url).query).get("avancement") == [FILTER_PROGRESS]
    expected = [
        row["number"] for row in demo_plans["commitments"] if row.get("status") == FILTER_PROGRESS
    ]
    assert expected and shown_numbers(page) == expected
    assert page.input_value("#filter-status") == FILTER_PROGRESS


# --- organisers update the plan ----------------------------------------------------------------


def choose_change(page, value: str) -> None:
    option = page.locator(f"#change option[value='{value}']")
    assert option.count() == 1 and not option.is_disabled(), f"{value} cannot be chosen"
    page.select_option("#change", value)


def test_an_organiser_updates_an_action_and_the_history_shows_it(
    browse, live_server, demo_plans, institution_names, make_organiser
):
    organiser = make_organiser(STATUS_INSTITUTION)
    row = commitment_row(demo_plans, STATUS_COMMITMENT)
    position = 2
    assert row["actions"][position - 1]["status"] == "substantial"
    action_path = f"{commitment_path(STATUS_COMMITMENT)}/actions/{position}"
    status_path = f"/manage{action_path}/avancement"
    note = "Les données des contrôles de 2016 sont publiées sur data.gouv.fr."

    page = browse.open(locale="fr-FR")
    log_in(browse, page, organiser, then=commitment_path(STATUS_COMMITMENT))
    browse.click(page, f"#action-{position} h3 a")
    assert path_of(page) == action_path
    update = page.locator(f"main a[href='{status_path}']")
    assert update.inner_text() == live_server.translate("Update the progress or calendar", "fr")
    browse.click(page, f"main a[href='{status_path}']")
    assert path_of(page) == status_path
    crumbs = page.locator("nav.fr-breadcrumb a[href]")
    assert crumbs.evaluate_all("(links) => links.map((link) => link.getAttribute('href'))") == [
        "/",
        "/plans/",
        PLAN_PATH,
        commitment_path(STATUS_COMMITMENT),
        action_path,
    ]

    # The current progress is there but cannot be chosen again.
    assert page.locator("#change option[value='status:substantial']").is_disabled()
    choose_change(page, "status:complete")
    page.fill("#note", note)
    browse.click(page, SUBMIT)

    assert path_of(page) == action_path
    assert urlsplit(page.url).fragment == "historique"
    assert page.locator(".fr-alert--success").count() == 1
    latest = page.locator(HISTORY).first
    text = latest.inner_text()
    assert note in text
    assert live_server.translate("Complete", "fr") in text
    assert live_server.translate("Substantial", "fr") in text
    assert institution_names[STATUS_INSTITUTION] in text
    assert organiser.display_name in text
    facts = page.locator("dl.consult-facts").text_content()
    assert live_server.translate("Complete", "fr") in facts

    # The commitment's history shows it too, with a link to the action.
    browse.visit(page, commitment_path(STATUS_COMMITMENT))
    latest = page.locator(HISTORY).first
    assert note in latest.inner_text()
    assert latest.locator(f"a[href='{action_path}']").count() == 1

    # Another institution's organiser is refused, with the 403 page.
    stranger = make_organiser(OTHER_INSTITUTION)
    other = browse.open(locale="fr-FR")
    log_in(browse, other, stranger, then=commitment_path(STATUS_COMMITMENT))
    assert other.locator(f"main a[href='{status_path}']").count() == 0
    browse.visit(other, status_path, status=403)
    assert other.locator("h1").inner_text() == live_server.translate("Access denied", "fr")
    assert other.locator("#note").count() == 0


def test_an_organiser_updates_a_calendar_in_english(
    browse, live_server, demo_plans, make_organiser
):
    organiser = make_organiser(STATUS_INSTITUTION)
    row = commitment_row(demo_plans, STATUS_COMMITMENT)
    position = 1
    assert row["actions"][position - 1].get("schedule") is None
    action_path = f"{commitment_path(STATUS_COMMITMENT)}/actions/{position}"
    status_path = f"/manage{action_path}/avancement"
    note = "The publication of the 2017 data waits for the new portal."

    page = browse.open(locale="fr-FR")
    log_in(browse, page, organiser, then=action_path)
    assert html_lang(page) == "fr"
    browse.click(page, f"{TOOLS} a[hreflang='en']")
    assert path_of(page) == action_path, "the switcher must keep the page"
    assert html_lang(page) == "en"
    assert page.locator("#historique").inner_text() == "History of the follow-up"
    assert page.locator("#main-navigation a[href='/plans/']").inner_text().strip() == "The plan"

    browse.click(page, "main a:text-is('Update the progress or calendar')")
    assert path_of(page) == status_path
    assert html_lang(page) == "en"
    assert page.locator("h1").inner_text() == "Update the progress or calendar"
    assert page.locator("label[for=change]").inner_text().startswith("New value")
    assert page.locator("label[for=note]").inner_text().startswith("Explanation")
    assert page.locator("#change optgroup[label='Calendar'] option").all_inner_texts() == [
        "On time",
        "Delayed",
    ]
    choose_change(page, "schedule:delayed")
    page.fill("#note", note)
    assert page.locator(SUBMIT).inner_text().strip() == "Publish the change"
    browse.click(page, SUBMIT)

    assert path_of(page) == action_path
    assert html_lang(page) == "en"
    latest = page.locator(HISTORY).first.inner_text()
    assert note in latest
    assert "Calendar: set to Delayed" in " ".join(latest.split())


# --- concurrent edits of the texts -------------------------------------------------------------


VISIBLE_TEXTS = """(page) => [...document.querySelectorAll(page)].map((element) => {
  const copy = element.cloneNode(true);
  copy.querySelectorAll(".fr-sr-only").forEach((hidden) => hidden.remove());
  return copy.textContent.replace(/\\s+/g, " ").trim();
})"""


def marked(page, selector: str) -> list[str]:
    """The visible words of each `selector` element (ins, del), without their spoken labels."""
    return page.evaluate(VISIBLE_TEXTS, selector)


def test_a_second_editor_gets_the_conflict_and_keeps_their_text(
    browse, live_server, demo_plans, make_organiser
):
    first, second = make_organiser(TEXTS_INSTITUTION), make_organiser(TEXTS_INSTITUTION)
    texts_path = f"/manage{commitment_path(TEXTS_COMMITMENT)}/textes"
    versions_path = f"{commitment_path(TEXTS_COMMITMENT)}/versions"
    replaced, replacement = "la création de conseils", "la mise en place de conseils"
    theirs = "Les conseils de juridiction sont installés dans tous les tribunaux."
    mine = "Un guide de la médiation est publié pour les justiciables."

    late = browse.open(locale="fr-FR")
    log_in(browse, late, second, then=texts_path)  # opened first, submitted last
    original = late.input_value("#description")
    assert replaced in original, "the demo data no longer fits this journey"

    early = browse.open(locale="fr-FR")
    log_in(browse, early, first, then=commitment_path(TEXTS_COMMITMENT))
    browse.click(early, f"main a[href='{texts_path}']")
    assert early.input_value("#description") == original
    saved_first = f"{original.replace(replaced, replacement, 1)}\n\n{theirs}"
    early.fill("#description", saved_first)
    browse.click(early, SUBMIT)
    assert path_of(early) == commitment_path(TEXTS_COMMITMENT)
    assert early.locator(".fr-alert--success").count() == 1
    assert theirs in early.locator("main").inner_text()

    typed = f"{original}\n\n{mine}"
    late.fill("#description", typed)
    browse.click(late, SUBMIT, status=422)
    assert path_of(late) == texts_path
    conflict = live_server.translate(
        "Someone else changed these texts while you were editing. Their version is shown "
        "below; your text is kept in the form: compare, then save again.",
        "fr",
    )
    assert conflict in late.locator("#error-summary").inner_text()
    assert late.input_value("#description") == typed, "the typed text must be kept"
    saved = late.locator("main .fr-callout").inner_text()
    assert theirs in saved and replacement in saved, "the version saved meanwhile must be shown"
    assert mine not in saved

    # Having compared, they keep the other version and add their own line: it goes through.
    late.fill("#description", f"{saved_first}\n\n{mine}")
    browse.click(late, SUBMIT)
    assert path_of(late) == commitment_path(TEXTS_COMMITMENT)
    text = late.locator("main").inner_text()
    assert mine in text and theirs in text

    browse.click(late, f"main a[href='{versions_path}']")
    assert path_of(late) == versions_path
    sections = late.locator("main section")
    assert sections.count() == 2, "two edits, each compared with the version before"
    newest, oldest = sections.nth(0), sections.nth(1)
    assert second.display_name in newest.inner_text()
    assert first.display_name in oldest.inner_text()
    section = "main section:nth-of-type({})"
    assert marked(late, f"{section.format(1)} ins") == [mine]
    assert marked(late, f"{section.format(1)} del") == []
    assert any("mise en place" in added for added in marked(late, f"{section.format(2)} ins"))
    assert any(theirs in added for added in marked(late, f"{section.format(2)} ins"))
    assert any("création" in removed for removed in marked(late, f"{section.format(2)} del"))


# --- layout ------------------------------------------------------------------------------------

OVERFLOW = """() => ({
  page: document.documentElement.scrollWidth,
  viewport: document.documentElement.clientWidth,
})"""

TABLE_SCROLL = """() => {
  const table = document.querySelector("#summary-table table");
  let box = table.parentElement;
  while (box && !["auto", "scroll"].includes(getComputedStyle(box).overflowX)) {
    box = box.parentElement;
  }
  return {
    scrolls: Boolean(box) && box.scrollWidth > box.clientWidth,
    box: box ? box.getBoundingClientRect().width : null,
    viewport: document.documentElement.clientWidth,
  };
}"""


def test_the_plan_pages_fit_a_wide_and_a_narrow_screen(browse, demo_plans, make_organiser):
    organiser = make_organiser(STATUS_INSTITUTION)
    page = browse.open(locale="fr-FR")
    log_in(browse, page, organiser, then=PLAN_PATH)
    for path in (
        PLAN_PATH,
        commitment_path(STATUS_COMMITMENT),
        f"/manage{commitment_path(STATUS_COMMITMENT)}/actions/1/avancement",
    ):
        if path_of(page) != path:
            browse.visit(page, path)  # checked at 1280px
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            if width != 1280:
                browse.check(page)  # axe again: what scrolls and what fits depends on the width
            sizes = page.evaluate(OVERFLOW)
            assert sizes["page"] <= sizes["viewport"], f"{path} overflows at {width}px: {sizes}"
            if path == PLAN_PATH:
                table = page.evaluate(TABLE_SCROLL)
                assert table["box"] is not None and table["box"] <= table["viewport"], table
                # Wide: the titles wrap and the table fits; narrow: it scrolls inside its box.
                assert table["scrolls"] == (width == 320), f"{width}px: {table}"
        page.set_viewport_size({"width": 1280, "height": 900})
