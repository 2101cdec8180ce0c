"""The shell's public pages: languages, titles, headings, navigation, footer, their content."""

import re

import pytest

from tests.pages.html import read_page

PUBLIC_PAGES = [
    "/",
    "/plan-du-site",
    "/accessibilite",
    "/mentions-legales",
    "/donnees-personnelles",
    "/plans/",
    "/ateliers/",
    "/petitions/",
    "/archive/",
    "/connexion",
    "/inscription",
    "/mot-de-passe-oublie",
]
LANGUAGES = {"fr": {}, "en": {"Accept-Language": "en"}}


@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.parametrize("locale", LANGUAGES)
def test_page_answers_in_the_language_asked_with_one_h1(client, path, locale):
    response = client.get(path, headers=LANGUAGES[locale])

    assert response.status_code == 200
    page = read_page(response)
    assert page.lang == locale
    assert len(page.h1s) == 1, page.h1s
    assert page.title.endswith(" – consult") and len(page.title) > len(" – consult")


def test_french_is_the_default_even_for_an_unknown_language(client):
    page = read_page(client.get("/", headers={"Accept-Language": "de-DE, de;q=0.9"}))
    assert page.lang == "fr"


@pytest.mark.parametrize("locale", LANGUAGES)
def test_every_page_has_its_own_title(client, locale):
    titles = {
        path: read_page(client.get(path, headers=LANGUAGES[locale])).title for path in PUBLIC_PAGES
    }
    duplicates = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    assert not duplicates, {path: t for path, t in titles.items() if t in duplicates}


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_headings_start_with_the_h1_and_skip_no_level(client, path):
    headings = read_page(client.get(path)).headings
    assert headings[0][0] == 1
    for (previous, _), (level, text) in zip(headings, headings[1:], strict=False):
        assert level <= previous + 1, f"h{level} “{text}” follows an h{previous} on {path}"


@pytest.mark.parametrize("path", ["/", "/accessibilite", "/ateliers/", "/connexion"])
def test_language_switcher_comes_back_to_the_same_page_in_english(client, path):
    switched = client.get(f"{path}?lang=en")
    assert switched.status_code == 302
    assert switched.headers["Location"] == path

    page = read_page(client.get(switched.headers["Location"]))
    assert page.lang == "en"
    # The choice is remembered for the next pages, whatever the browser prefers.
    assert read_page(client.get("/plan-du-site", headers={"Accept-Language": "fr"})).lang == "en"
    back = client.get(f"{path}?lang=fr", follow_redirects=True)
    assert read_page(back).lang == "fr"


def test_language_switcher_keeps_the_other_query_parameters(client):
    switched = client.get("/plan-du-site?section=ateliers&lang=en")
    assert switched.headers["Location"] == "/plan-du-site?section=ateliers"


def test_switcher_link_points_at_the_same_page_in_the_other_language(client):
    page = read_page(client.get("/mentions-legales"))
    assert "/mentions-legales?lang=en" in [link.href for link in page.links]


def test_main_navigation_leads_to_pages_that_answer(client):
    page = read_page(client.get("/", headers={"Accept-Language": "en"}))
    navigation = page.links_with_class("fr-nav__link")

    assert [(link.text, link.href) for link in navigation] == [
        ("The plan", "/plans/"),
        ("Workshops", "/ateliers/"),
        ("Petitions", "/petitions/"),
        ("Archive", "/archive/"),
    ]
    for link in navigation:
        target = client.get(link.href)
        assert target.status_code == 200, link.href
        current = [
            a for a in read_page(target).links_with_class("fr-nav__link") if a.href == link.href
        ]
        assert current, link.href


def test_footer_links_the_mandatory_pages(client):
    page = read_page(client.get("/", headers={"Accept-Language": "en"}))
    footer = {link.text: link.href for link in page.links_with_class("fr-footer__bottom-link")}

    assert footer == {
        "Site map": "/plan-du-site",
        "Accessibility: not compliant": "/accessibilite",
        "Legal notice": "/mentions-legales",
        "Personal data": "/donnees-personnelles",
    }
    for href in footer.values():
        assert client.get(href).status_code == 200, href


def card_links(response) -> list[str]:
    return re.findall(
        r'<h3 class="fr-card__title"><a href="([^"]+)"', response.get_data(as_text=True)
    )


def test_home_cards_lead_to_each_section_and_to_sign_up(client):
    cards = card_links(client.get("/"))

    assert cards == ["/plans/", "/ateliers/", "/petitions/", "/archive/", "/inscription"]
    for href in cards:
        assert client.get(href).status_code == 200, href


def test_home_card_leads_to_the_account_once_logged_in(client, make_user, login_as):
    login_as(make_user())
    cards = card_links(client.get("/"))
    assert cards[-1] == "/mon-compte"
    assert "/inscription" not in cards


def test_home_states_the_facts_of_the_open_government_partnership(client):
    text = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for fact in (
        "in 2014",
        "2015-2017, had 26 commitments",
        "2024-2026 plan has 17",
        "21 June 2016",
    ):
        assert fact in text, fact


def test_accessibility_statement_follows_the_official_structure(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "CONTACT_EMAIL", "a11y@ministere.example")
    response = client.get("/accessibilite", headers={"Accept-Language": "en"})
    page = read_page(response)
    text = response.get_data(as_text=True)

    assert page.h1s == ["Accessibility statement"]
    assert [text for level, text in page.headings if level == 2] == [
        "Conformity status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
        "Feedback and contact",
        "Remedies",
    ]
    assert "<strong>not compliant</strong>" in text
    assert "RGAA), version 4.1" in text
    assert "An audit against RGAA 4.1 is planned" in text
    assert 'href="mailto:a11y@ministere.example"' in text
    hrefs = [link.href for link in page.links]
    assert "https://formulaire.defenseurdesdroits.fr/" in hrefs


def test_legal_notice_names_the_publisher_from_the_configuration(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLISHER_NAME", "Ministère de l'exemple")
    monkeypatch.setitem(app.config, "PUBLISHER_ADDRESS", "1 rue de l'Exemple, 75000 Paris")
    monkeypatch.setitem(app.config, "HOSTING_PROVIDER", "")
    response = client.get("/mentions-legales", headers={"Accept-Language": "en"})
    text = response.get_data(as_text=True)

    assert "Ministère de l&#39;exemple" in text
    assert "1 rue de l&#39;Exemple, 75000 Paris" in text
    assert "Not provided yet by the publisher of this instance." in text  # the host
    hrefs = [link.href for link in read_page(response).links]
    assert "https://www.etalab.gouv.fr/licence-ouverte-open-licence/" in hrefs
    assert "https://opensource.org/license/mit" in hrefs


def test_privacy_page_links_to_download_and_delete_when_logged_in(client, make_user, login_as):
    anonymous = [link.href for link in read_page(client.get("/donnees-personnelles")).links]
    assert "/mon-compte/mes-donnees.json" not in anonymous
    assert "/connexion" in anonymous

    login_as(make_user())
    hrefs = [link.href for link in read_page(client.get("/donnees-personnelles")).links]
    assert "/mon-compte/mes-donnees.json" in hrefs
    assert "/mon-compte/supprimer" in hrefs


def test_privacy_page_says_retention_and_cookies(client, app):
    text = client.get("/donnees-personnelles", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    days = app.config["AUTH_SESSION_LIFETIME"].days
    assert f"after {days} days at most" in text
    assert "never shown to other users" in text
    assert "no tracking or audience-measurement cookie" in text
    assert "https://www.cnil.fr/fr/adresser-une-plainte" in text


def test_site_map_lists_every_public_page_in_nested_lists(client):
    response = client.get("/plan-du-site", headers={"Accept-Language": "en"})
    page = read_page(response)
    main = response.get_data(as_text=True).split('id="content"', 1)[1]
    hrefs = {link.href for link in page.links}

    for path in [*PUBLIC_PAGES, "/mon-compte"]:
        assert path in hrefs, path
    assert main.count("<ul>") >= 3  # the sections, and the pages inside two of them
    for path in sorted(hrefs & {*PUBLIC_PAGES, "/mon-compte"}):
        assert client.get(path).status_code in (200, 302), path
