"""Error pages: in the DSFR shell, in the user's language, with the right status, no stack trace."""

import pytest
from flask import abort
from flask_babel import force_locale, lazy_gettext
from markupsafe import escape

from consult.core.errors import ERROR_PAGES
from tests.pages.html import read_page

LANGUAGES = {"fr": {"Accept-Language": "fr"}, "en": {"Accept-Language": "en"}}
CSRF_MESSAGE = lazy_gettext(
    "The form expired or was sent from elsewhere. "
    "Please go back, reload the page and send it again."
)


def translated(app, locale: str, text) -> str:
    """`text` in `locale` as the catalogues give it, whatever their state."""
    with app.test_request_context(), force_locale(locale):
        return str(text)


def assert_error_page(app, response, status: int, locale: str, message=None) -> None:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    page = read_page(response)
    title, default_message = ERROR_PAGES[status]

    assert page.lang == locale
    assert 'class="fr-header"' in html and 'class="fr-footer"' in html  # the shell
    assert page.h1s == [translated(app, locale, title)]
    assert str(escape(translated(app, locale, message or default_message))) in html
    assert "Traceback" not in html and 'File "' not in html


@pytest.mark.parametrize("locale", LANGUAGES)
def test_404_for_an_unknown_address(app, client, locale):
    response = client.get("/cette-page-n-existe-pas", headers=LANGUAGES[locale])
    assert_error_page(app, response, 404, locale)


@pytest.mark.parametrize("locale", LANGUAGES)
def test_405_for_a_method_the_page_does_not_accept(app, client, locale):
    response = client.put("/plan-du-site", headers=LANGUAGES[locale])
    assert_error_page(app, response, 405, locale)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}


@pytest.mark.parametrize("locale", LANGUAGES)
def test_403_for_a_participant_on_the_administration(app, client, make_user, login_as, locale):
    login_as(make_user(locale=locale))
    response = client.get("/admin/", headers=LANGUAGES[locale])
    assert response.status_code == 403
    page = read_page(response)
    assert page.lang == locale
    assert page.h1s == [translated(app, locale, ERROR_PAGES[403][0])]
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("locale", LANGUAGES)
def test_413_for_a_body_over_the_maximum(app, client, db, locale):
    too_big = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post(
        "/connexion",
        data=b"email=" + b"a" * (too_big - len(b"email=")),
        content_type="application/x-www-form-urlencoded",
        headers=LANGUAGES[locale],
    )
    assert_error_page(app, response, 413, locale)


@pytest.fixture
def crashing_app(make_app):
    fresh = make_app(PROPAGATE_EXCEPTIONS=False)

    @fresh.route("/_test/crash")
    def crash():
        raise RuntimeError("secret internal detail in /srv/consult/app.py")

    @fresh.route("/_test/bad-request")
    def bad_request():
        abort(400)

    return fresh


@pytest.mark.parametrize("locale", LANGUAGES)
def test_500_shows_the_friendly_page_and_logs_the_error(crashing_app, locale, caplog):
    response = crashing_app.test_client().get("/_test/crash", headers=LANGUAGES[locale])

    assert_error_page(crashing_app, response, 500, locale)
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert "RuntimeError" not in response.get_data(as_text=True)
    assert any("/_test/crash" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("locale", LANGUAGES)
def test_400_for_a_bad_request(crashing_app, locale):
    response = crashing_app.test_client().get("/_test/bad-request", headers=LANGUAGES[locale])
    assert_error_page(crashing_app, response, 400, locale)


@pytest.mark.parametrize("locale", LANGUAGES)
def test_429_after_too_many_log_in_attempts_says_when_to_retry(make_app, locale):
    fresh = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute")
    client = fresh.test_client()
    attempt = {"email": "personne@exemple.fr", "password": "pas le bon mot de passe"}

    answers = [client.post("/connexion", data=attempt, headers=LANGUAGES[locale]) for _ in range(3)]

    assert [r.status_code for r in answers] == [422, 422, 429]
    assert_error_page(fresh, answers[-1], 429, locale)
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    # Reading the page is not limited, only sending the form.
    assert client.get("/connexion").status_code == 200


@pytest.mark.parametrize("locale", LANGUAGES)
def test_csrf_failure_is_a_400_with_a_friendly_message(make_app, locale):
    fresh = make_app(WTF_CSRF_ENABLED=True)
    client = fresh.test_client()

    response = client.post(
        "/connexion",
        data={"email": "personne@exemple.fr", "password": "un mot de passe"},
        headers=LANGUAGES[locale],
    )

    assert_error_page(fresh, response, 400, locale, message=CSRF_MESSAGE)


def test_csrf_token_from_the_form_is_accepted(make_app):
    fresh = make_app(WTF_CSRF_ENABLED=True)
    client = fresh.test_client()
    form = read_page(client.get("/connexion"))
    assert form.inputs.get("csrf_token")

    response = client.post(
        "/connexion",
        data={
            "csrf_token": form.inputs["csrf_token"],
            "email": "personne@exemple.fr",
            "password": "un mot de passe",
        },
    )
    assert response.status_code == 422  # the credentials are wrong, the token is fine
