"""Security headers on every response, cookie flags, and the refusal of placeholder secrets."""

import pytest

from consult.config import check_secret_key

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
REAL_KEY = "k3y-" + "0123456789abcdef" * 4


def responses(client):
    """One response of each kind: page, redirect, form error, 404, 405, static file."""
    return {
        "page": client.get("/"),
        "redirect": client.get("/plan-du-site?lang=en"),
        "form error": client.post("/connexion", data={"email": "x"}),
        "not found": client.get("/nulle-part"),
        "method not allowed": client.delete("/"),
        "static file": client.get("/static/css/consult.css"),
    }


def test_every_response_carries_the_security_headers(client):
    answers = responses(client)
    assert {kind: r.status_code for kind, r in answers.items()} == {
        "page": 200,
        "redirect": 302,
        "form error": 422,
        "not found": 404,
        "method not allowed": 405,
        "static file": 200,
    }
    for kind, response in answers.items():
        headers = response.headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, kind
        assert headers["X-Content-Type-Options"] == "nosniff", kind
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", kind
        assert headers["X-Frame-Options"] == "DENY", kind


def test_the_policy_allows_no_inline_code():
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in CONTENT_SECURITY_POLICY.split("; ")
    )
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY


def cookie_flags(response, name: str) -> set[str]:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return {part.strip().lower() for part in header.split(";")[1:]}
    raise AssertionError(f"no {name} cookie in {response.headers.getlist('Set-Cookie')}")


def test_session_cookie_is_http_only_and_same_site_lax(app, client):
    response = client.get("/?lang=en")  # the switcher stores the choice in the session
    flags = cookie_flags(response, app.config["SESSION_COOKIE_NAME"])
    assert "httponly" in flags
    assert "samesite=lax" in flags


def test_remember_me_cookie_is_http_only_and_same_site_lax(client, make_user):
    from tests.factories import DEFAULT_PASSWORD

    user = make_user()
    response = client.post(
        "/connexion", data={"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    flags = cookie_flags(response, "remember_token")
    assert "httponly" in flags
    assert "samesite=lax" in flags


def test_cookies_are_secure_and_hsts_sent_behind_https(make_app):
    fresh = make_app(
        TESTING=False,
        DEBUG=False,
        SECRET_KEY=REAL_KEY,
        RATELIMIT_ENABLED=False,
        SERVER_BASE_URL="https://consult.example",
    )
    assert fresh.config["SESSION_COOKIE_SECURE"] is True
    assert fresh.config["REMEMBER_COOKIE_SECURE"] is True
    response = fresh.test_client().get("/?lang=en", base_url="https://consult.example")
    assert "secure" in cookie_flags(response, fresh.config["SESSION_COOKIE_NAME"])
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize(
    "key",
    ["", "   ", "change-me", "CHANGE-ME", "changeme", "secret", "dev", "placeholder", "x" * 31],
)
def test_check_secret_key_refuses_missing_placeholder_and_short_keys(key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        check_secret_key(key)


def test_check_secret_key_accepts_a_long_random_key():
    check_secret_key(REAL_KEY)


@pytest.mark.parametrize("key", ["change-me", ""])
def test_the_app_refuses_to_start_in_production_without_a_real_key(make_app, instance_dir, key):
    assert not (instance_dir / "secret_key").exists()  # else the empty key would be read from it
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        make_app(TESTING=False, DEBUG=False, SECRET_KEY=key)


def test_the_app_starts_in_production_with_a_real_key(make_app):
    fresh = make_app(TESTING=False, DEBUG=False, SECRET_KEY=REAL_KEY, RATELIMIT_ENABLED=False)
    assert fresh.test_client().get("/").status_code == 200
