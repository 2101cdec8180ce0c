"""Account journeys as a person makes them, in Chromium: mouse, keyboard only, no JavaScript."""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

# The header's own tools; with JavaScript, DSFR copies them into the mobile menu too.
TOOLS = "header .fr-header__tools-links"
LOGOUT_BUTTON = f"{TOOLS} form[action='/deconnexion'] button[type=submit]"
LOGIN_LINK = f"{TOOLS} a[href='/connexion']"
ACCOUNT_LINK = f"{TOOLS} a[href='/mon-compte']"
NEW_PASSWORD = "un vélo rouge sous la pluie d'automne"


def path_of(page) -> str:
    return urlsplit(page.url).path


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def fill_login(page, account, password=None) -> None:
    page.fill("#email", account.email)
    page.fill("#password", password or account.password)


def tick(page, field_id: str) -> None:
    """Tick a DSFR checkbox as a person does: its label is what takes the click."""
    page.click(f"label[for='{field_id}']")
    assert page.is_checked(f"#{field_id}")


def assert_logged_in(page) -> None:
    assert page.locator(LOGOUT_BUTTON).count() == 1, "no log-out button: not logged in"
    assert page.locator(LOGIN_LINK).count() == 0


def assert_logged_out(page) -> None:
    assert page.locator(LOGOUT_BUTTON).count() == 0
    assert page.locator(LOGIN_LINK).count() == 1, "no log-in link: still logged in"


def test_sign_up_verify_log_in_switch_language_edit_profile_export_and_log_out(browse, live_server):
    email = "camille.journey@exemple.fr"
    page = browse.open(locale="fr-FR")

    browse.visit(page, "/inscription")
    assert html_lang(page) == "fr"
    page.fill("#email", email)
    page.fill("#display_name", "Camille")
    page.fill("#password", "une phrase de passe assez longue")
    tick(page, "accept_terms")
    browse.click(page, SIGN_UP_BUTTON)
    assert path_of(page) == "/inscription/verifiez-vos-courriels"

    message = live_server.wait_for_mail(email, "accounts/verify_email")
    assert message.locale == "fr"
    browse.visit(page, live_server.link_in(message, "/verifier/"))
    assert path_of(page) == "/connexion"

    page.fill("#email", email)
    page.fill("#password", "une phrase de passe assez longue")
    tick(page, "remember")
    browse.click(page, "main form button[type=submit]")
    assert path_of(page) == "/"
    assert_logged_in(page)

    browse.click(page, ACCOUNT_LINK)
    assert path_of(page) == "/mon-compte"
    assert html_lang(page) == "fr"
    browse.click(page, f"{TOOLS} a[hreflang='en']")
    assert path_of(page) == "/mon-compte", "the switcher must keep the page"
    assert urlsplit(page.url).query == ""
    assert html_lang(page) == "en"
    assert page.locator("input[name='locale'][value='en']").is_checked()

    page.fill("#display_name", "Camille D.")
    browse.click(page, "main form[action='/mon-compte'] button[type=submit]")
    assert path_of(page) == "/mon-compte"
    assert html_lang(page) == "en", "saving the profile must keep the chosen language"
    assert page.input_value("#display_name") == "Camille D."

    with page.expect_download() as download_info:
        page.click("a[href='/mon-compte/mes-donnees.json']")
    download = download_info.value
    assert download.suggested_filename.endswith(".json")
    exported = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    text = json.dumps(exported, ensure_ascii=False)
    assert "Camille D." in text and email in text
    assert "une phrase de passe" not in text

    cookies = page.context.cookies()
    assert any(cookie["name"] == "consult_session" for cookie in cookies)
    browse.click(page, LOGOUT_BUTTON)
    assert path_of(page) == "/"
    assert_logged_out(page)

    # The cookies of the closed session, replayed, open nothing: the server forgot them.
    page.context.clear_cookies()
    page.context.add_cookies(cookies)
    browse.visit(page, "/mon-compte")
    assert path_of(page) == "/connexion"
    assert_logged_out(page)


def test_log_in_with_the_keyboard_only(browse, make_account):
    account = make_account()
    page = browse.open()
    browse.visit(page, "/connexion")

    page.keyboard.press("Tab")
    first = focused(page)
    assert first["href"] == "#content", f"the first Tab must reach the skip link, not {first}"
    assert_focus_visible(first)
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'content'")  # the skip link's target

    for _ in range(15):
        page.keyboard.press("Tab")
        current = focused(page)
        assert_focus_visible(current)
        if current["id"] == "email":
            break
    else:
        pytest.fail("Tab never reached the e-mail field")
    page.keyboard.type(account.email)
    page.keyboard.press("Tab")
    current = focused(page)
    assert current["id"] == "password", f"Tab after the e-mail must reach the password: {current}"
    assert_focus_visible(current)
    page.keyboard.type(account.password)

    browse.press(page, "Enter")
    assert path_of(page) == "/"
    assert_logged_in(page)


FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    tag: element.tagName.toLowerCase(),
    id: element.id,
    href: element.getAttribute("href"),
    focusVisible: element.matches(":focus-visible"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
  };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def assert_focus_visible(element: dict) -> None:
    assert element["focusVisible"], f"focus is not :focus-visible on {element}"
    assert element["outline"] or element["shadow"], f"no focus ring drawn on {element}"


def test_sign_up_with_errors_shows_them_and_keeps_the_input(browse, live_server):
    page = browse.open(locale="fr-FR")
    browse.visit(page, "/inscription")
    page.fill("#email", "pas-une-adresse")
    page.fill("#display_name", "Dominique")
    page.fill("#password", "court")
    tick(page, "accept_terms")
    browse.click(page, SIGN_UP_BUTTON, status=422)

    assert_error_page(page, live_server, fields=["email", "password"])  # every error at once
    assert page.input_value("#email") == "pas-une-adresse"
    assert page.input_value("#display_name") == "Dominique"
    assert page.input_value("#password") == "", "a password is never sent back to the page"
    assert page.is_checked("#accept_terms")

    # The address corrected, the password is still too short: its own error, the rest kept.
    page.fill("#email", "dominique.erreurs@exemple.fr")
    page.fill("#password", "court")
    browse.click(page, SIGN_UP_BUTTON, status=422)

    assert_error_page(page, live_server, fields=["password"])
    assert page.input_value("#email") == "dominique.erreurs@exemple.fr"
    assert page.input_value("#display_name") == "Dominique"
    assert page.input_value("#password") == ""
    assert not live_server.messages("dominique.erreurs@exemple.fr", "accounts/verify_email")


SIGN_UP_BUTTON = "main form[action='/inscription'] button[type=submit]"


def assert_error_page(page, live_server, fields: list[str]) -> None:
    """The DSFR error pattern: title, focused summary linking each field, fields marked."""
    assert html_lang(page) == "fr"
    assert page.title().startswith(live_server.translate("Error", "fr"))
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert summary.get_attribute("role") == "alert"
    assert focused(page)["id"] == "error-summary", "focus must go to the error summary"
    links = summary.locator("a").evaluate_all("links => links.map(l => l.getAttribute('href'))")
    assert links == [f"#{name}" for name in fields]
    for name in fields:
        field = page.locator(f"#{name}")
        assert field.get_attribute("aria-invalid") == "true"
        assert f"{name}-error" in field.get_attribute("aria-describedby")
        assert page.locator(f"#{name}-error").is_visible()


def test_log_in_and_out_without_javascript(browse, make_account):
    account = make_account()
    page = browse.open(javascript=False)
    browse.visit(page, "/")
    assert html_lang(page) == "fr"
    assert_logged_out(page)

    browse.click(page, LOGIN_LINK)
    fill_login(page, account)
    browse.click(page, "main form button[type=submit]")
    assert path_of(page) == "/"
    assert_logged_in(page)

    browse.click(page, ACCOUNT_LINK)
    assert path_of(page) == "/mon-compte"
    assert page.input_value("#display_name") == account.display_name

    browse.click(page, LOGOUT_BUTTON)
    assert_logged_out(page)
    browse.visit(page, "/mon-compte")
    assert path_of(page) == "/connexion"


def test_reset_a_forgotten_password_then_log_in_with_it(browse, live_server, make_account):
    account = make_account()
    page = browse.open()
    browse.visit(page, "/connexion")
    browse.click(page, "main a[href='/mot-de-passe-oublie']")
    page.fill("#email", account.email)
    browse.click(page, "main form[action='/mot-de-passe-oublie'] button[type=submit]")

    message = live_server.wait_for_mail(account.email, "accounts/reset_password")
    browse.visit(page, live_server.link_in(message, "/mot-de-passe/"))
    page.fill("#password", NEW_PASSWORD)
    browse.click(page, "main form button[type=submit]")
    assert path_of(page) == "/connexion"

    fill_login(page, account)  # the old password no longer works
    browse.click(page, "main form button[type=submit]", status=422)
    assert page.locator("#error-summary").is_visible()
    assert page.input_value("#email") == account.email

    fill_login(page, account, password=NEW_PASSWORD)
    browse.click(page, "main form button[type=submit]")
    assert path_of(page) == "/"
    assert_logged_in(page)

    # The link works once.
    browse.visit(page, live_server.link_in(message, "/mot-de-passe/"), status=400)
