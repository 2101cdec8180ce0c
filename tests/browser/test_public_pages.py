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


@pytest.mark.parametrize(("browser_locale", "language"), [("fr-FR", "fr"), ("en-GB", "en")])
def test_public_pages_pass_axe_in_each_language(browse, browser_locale, language):
    page = browse.open(locale=browser_locale)
    titles = {}
    for path in PUBLIC_PAGES:
        browse.visit(page, path)
        assert page.locator("html").get_attribute("lang") == language, path
        assert page.locator("h1").count() == 1, f"{path} must have exactly one <h1>"
        titles[path] = page.title()

    browse.visit(page, MISSING_PAGE, status=404)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1

    repeated = {title for title in titles.values() if list(titles.values()).count(title) > 1}
    assert not repeated, f"titles must be unique: {repeated}"
