"""Every public page of the shell, in French and in English, passes axe-core."""

import pytest

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/",
    "/plans/",
    "/ateliers/",
    "/petitions/",
    "/archive/",
    "/plan-du-site",
    "/accessibilite",
    "/mentions-legales",
    "/donnees-personnelles",
    "/connexion",
    "/inscription",
    "/mot-de-passe-oublie",
]
MISSING_PAGE = "/cette-page-n-existe-pas"


@pytest.mark.parametrize(
    ("browser_locale", "language", "width"),
    [("fr-FR", "fr", 1280), ("en-GB", "en", 1280), ("fr-FR", "fr", 320)],
    ids=["fr", "en", "fr-320px"],
)
def test_public_pages_pass_axe_in_each_language(browse, browser_locale, language, width):
    page = browse.open(locale=browser_locale, width=width)
    titles = {}
    for path in [*PUBLIC_PAGES, MISSING_PAGE]:
        browse.visit(page, path, status=404 if path == MISSING_PAGE else 200)
        assert page.locator("html").get_attribute("lang") == language, path
        assert page.locator("h1").count() == 1, f"{path} must have exactly one <h1>"
        overflow = page.evaluate(OVERFLOW)
        assert overflow["page"] <= overflow["viewport"], f"{path} is wider than the screen"
        titles[path] = page.title()

    repeated = {title for title in titles.values() if list(titles.values()).count(title) > 1}
    assert not repeated, f"titles must be unique: {repeated}"


OVERFLOW = """() => ({
  page: document.documentElement.scrollWidth,
  viewport: document.documentElement.clientWidth,
})"""
