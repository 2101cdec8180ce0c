"""Hostile input on the sign-up and log-in forms: escaped, cleaned, refused clearly, never a 500,
and nothing half-saved. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (which refuses
NUL bytes in text)."""

import re

import pytest
from sqlalchemy import func, select

from consult.accounts.models import User
from tests.factories import DEFAULT_PASSWORD
from tests.pages.html import read_page

ENGLISH = {"Accept-Language": "en"}
GOOD_PASSWORD = "plume verte sous la pluie"
SCRIPT = "<script>alert('x')</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"


def count_users(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def sign_up(client, **fields):
    data = {
        "email": "nouvelle@exemple.fr",
        "display_name": "Nouvelle",
        "password": GOOD_PASSWORD,
        "accept_terms": "y",
        **fields,
    }
    return client.post("/inscription", data=data, headers=ENGLISH)


def error_text(response) -> str:
    """The messages of the error summary and the fields, as one string."""
    html = response.get_data(as_text=True)
    return " ".join(re.findall(r'<p class="fr-error-text"[^>]*>(.*?)</p>', html, re.DOTALL))


def test_markup_typed_as_display_name_is_shown_escaped(client, db):
    before = count_users(db)
    response = sign_up(client, email="pas-une-adresse", display_name=SCRIPT)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert SCRIPT not in html
    assert f'value="{ESCAPED_SCRIPT}"' in html
    assert count_users(db) == before


def test_markup_saved_as_display_name_is_stored_as_typed_and_never_rendered(client, db, login_as):
    assert sign_up(client, email="balise@exemple.fr", display_name=SCRIPT).status_code == 302
    user = db.session.scalars(select(User).where(User.email == "balise@exemple.fr")).one()
    assert user.display_name == SCRIPT  # escaping happens on output, not on input

    login_as(user, password=GOOD_PASSWORD)
    html = client.get("/mon-compte").get_data(as_text=True)
    assert SCRIPT not in html
    assert ESCAPED_SCRIPT in html


def test_markup_typed_as_e_mail_on_log_in_is_shown_escaped(client):
    response = client.post("/connexion", data={"email": SCRIPT, "password": "x"}, headers=ENGLISH)
    assert response.status_code == 422
    assert SCRIPT not in response.get_data(as_text=True)


def test_control_characters_and_nul_bytes_are_stripped_before_saving(client, db):
    before = count_users(db)
    response = sign_up(
        client,
        email="zo\x00e@exemple.fr\x07",
        display_name="\x00Zo\x1bé\u202e La\u200bPlume\x7f",
    )

    assert response.status_code == 302
    assert count_users(db) == before + 1
    user = db.session.scalars(select(User).order_by(User.id.desc())).first()
    assert user.email == "zoe@exemple.fr"
    assert user.display_name == "Zoé LaPlume"


def test_nul_bytes_in_a_password_are_no_error(client, db, make_user):
    response = sign_up(client, email="nul@exemple.fr", password="plume\x00 verte sous la pluie")
    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.email == "nul@exemple.fr")).one()

    wrong = client.post(
        "/connexion", data={"email": "nul@exemple.fr", "password": GOOD_PASSWORD}, headers=ENGLISH
    )
    right = client.post(
        "/connexion", data={"email": user.email, "password": "plume\x00 verte sous la pluie"}
    )
    assert (wrong.status_code, right.status_code) == (422, 302)


def test_nul_bytes_in_the_log_in_form_are_no_error(client, make_user):
    user = make_user(email="nul-connexion@exemple.fr")
    response = client.post(
        "/connexion", data={"email": "nul-connexion\x00@exemple.fr", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302  # the NUL byte is stripped, the address is found
    response = client.post(
        "/connexion", data={"email": user.email, "password": "\x00" + DEFAULT_PASSWORD}
    )
    assert response.status_code == 422


@pytest.mark.parametrize("path", ["/inscription", "/connexion"])
def test_invalid_utf8_in_the_body_is_no_error(client, db, path):
    before = count_users(db)
    body = (
        b"email=%FF%FEzoe@exemple.fr&display_name=Zo\xc3\x28\xff&password=\xfe\xff&accept_terms=y"
    )
    response = client.post(
        path, data=body, content_type="application/x-www-form-urlencoded", headers=ENGLISH
    )
    assert response.status_code == 422
    assert count_users(db) == before


def test_invalid_utf8_in_the_address_is_no_error(client):
    assert client.get("/connexion?next=%FF%FE%00").status_code == 200
    assert client.get("/plan-du-site?lang=%FF").status_code == 200


def test_a_line_break_in_the_next_address_is_ignored(client, make_user):
    user = make_user()
    response = client.post(
        "/connexion?next=/mon-compte%0D%0ASet-Cookie:%20pris=1",
        data={"email": user.email, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert not any("pris=1" in c for c in response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize(
    ("fields", "message", "kept"),
    [
        (
            {"display_name": "N" * 81},
            "Your display name has 2 to 80 characters.",
            {"email": "nouvelle@exemple.fr"},
        ),
        (
            {"display_name": "N" * 100_000},
            "Your display name has 2 to 80 characters.",
            {"email": "nouvelle@exemple.fr"},
        ),
        (
            {"email": "a" * 250 + "@exemple.fr"},
            "An e-mail address has at most 254 characters.",
            {"display_name": "Nouvelle"},
        ),
        (
            {"password": "mot de passe " * 100},
            "Choose a password of at most 1024 characters.",
            {"email": "nouvelle@exemple.fr", "display_name": "Nouvelle"},
        ),
    ],
    ids=["display name 81", "display name 100k", "e-mail 261", "password 1300"],
)
def test_over_long_sign_up_fields_get_a_clear_message_and_keep_the_rest(
    client, db, fields, message, kept
):
    before = count_users(db)
    response = sign_up(client, **fields)

    assert response.status_code == 422
    assert message in error_text(response)
    inputs = read_page(response).inputs
    for name, value in kept.items():
        assert inputs[name] == value
    assert inputs.get("password", "") == ""  # a password is never sent back
    assert count_users(db) == before


def test_over_long_e_mail_on_log_in_gets_a_clear_message(client):
    response = client.post(
        "/connexion", data={"email": "a" * 5000 + "@exemple.fr", "password": "x"}, headers=ENGLISH
    )
    assert response.status_code == 422
    assert "An e-mail address has at most 254 characters." in error_text(response)


@pytest.mark.parametrize("path", ["/inscription", "/connexion"])
def test_a_body_over_the_maximum_gets_413_and_saves_nothing(app, client, db, path):
    before = count_users(db)
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    body = b"email=a%40exemple.fr&display_name=" + b"N" * size
    response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert count_users(db) == before


def test_a_multipart_field_over_the_form_memory_limit_gets_413(app, client, db):
    before = count_users(db)
    size = app.config["MAX_FORM_MEMORY_SIZE"] + 1
    assert size < app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/inscription",
        data={"email": "nouvelle@exemple.fr", "display_name": "N" * size, "password": "x"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert count_users(db) == before
