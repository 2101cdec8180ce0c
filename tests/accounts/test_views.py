import json
import re

from sqlalchemy import func, select

from consult.accounts.models import AuthSession, User
from tests.factories import DEFAULT_PASSWORD

GOOD_PASSWORD = "plume verte sous la pluie"


def link_in(message, marker):
    return re.search(rf"http://localhost({marker}\S+)", message.body).group(1)


def test_sign_up_verify_and_log_in(client, outbox, db):
    response = client.post(
        "/inscription",
        data={
            "email": "nouvelle@exemple.fr",
            "display_name": "Nouvelle",
            "password": GOOD_PASSWORD,
            "accept_terms": "y",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/inscription/verifiez-vos-courriels"
    verify = client.get(link_in(outbox[-1], "/verifier/"))
    assert verify.status_code == 302
    user = db.session.scalars(select(User).where(User.email == "nouvelle@exemple.fr")).one()
    assert user.is_verified
    logged = client.post(
        "/connexion", data={"email": "nouvelle@exemple.fr", "password": GOOD_PASSWORD}
    )
    assert logged.status_code == 302
    assert client.get("/mon-compte").status_code == 200


def test_sign_up_errors_keep_what_was_typed_except_the_password(client, db):
    before = db.session.scalar(select(func.count(User.id)))
    response = client.post(
        "/inscription",
        data={"email": "pas-une-adresse", "display_name": "Zoé <b>", "password": "court"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="pas-une-adresse"' in page
    assert "Zoé &lt;b&gt;" in page
    assert "court" not in re.findall(r'name="password"[^>]*', page)[0]
    assert "<title>Erreur" in page
    assert 'id="error-summary"' in page
    assert db.session.scalar(select(func.count(User.id))) == before


def test_sign_up_answers_alike_for_known_and_unknown_addresses(client, make_user, outbox):
    make_user(email="deja@exemple.fr")
    answers = []
    for email in ("deja@exemple.fr", "inconnue@exemple.fr"):
        response = client.post(
            "/inscription",
            data={
                "email": email,
                "display_name": "X Y",
                "password": GOOD_PASSWORD,
                "accept_terms": "y",
            },
        )
        answers.append((response.status_code, response.headers.get("Location")))
    assert answers[0] == answers[1]
    assert [m.template for m in outbox] == ["accounts/already_registered", "accounts/verify_email"]


def test_log_in_failure_is_the_same_for_unknown_email_and_keeps_the_email(client, make_user):
    make_user(email="connue@exemple.fr")
    wrong = client.post(
        "/connexion", data={"email": "connue@exemple.fr", "password": "mauvais mot de passe"}
    )
    unknown = client.post(
        "/connexion", data={"email": "inconnue@exemple.fr", "password": "mauvais mot de passe"}
    )
    assert wrong.status_code == unknown.status_code == 422
    strip = lambda r: r.get_data(as_text=True).replace("connue@", "").replace("inconnue@", "")  # noqa: E731
    assert re.sub(r'value="[^"]*"', "", strip(wrong)) == re.sub(
        r'value="[^"]*"', "", strip(unknown)
    )
    assert 'value="connue@exemple.fr"' in wrong.get_data(as_text=True)


def test_log_out_invalidates_the_session_cookie(app, client, make_user, login_as, db):
    user = make_user()
    login_as(user)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert client.post("/deconnexion").status_code == 302
    assert (
        db.session.scalar(select(func.count(AuthSession.id)).where(AuthSession.user_id == user.id))
        == 0
    )
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    response = replay.get("/mon-compte")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


def test_next_parameter_never_leaves_the_site(client, make_user):
    user = make_user()
    response = client.post(
        "/connexion?next=//evil.example/x", data={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_forgot_password_answers_alike_and_resets(client, make_user, outbox):
    user = make_user(email="oubli@exemple.fr")
    known = client.post("/mot-de-passe-oublie", data={"email": "oubli@exemple.fr"})
    unknown = client.post("/mot-de-passe-oublie", data={"email": "personne@exemple.fr"})
    assert known.status_code == unknown.status_code == 200
    assert known.data == unknown.data
    assert len(outbox) == 1
    link = link_in(outbox[0], "/mot-de-passe/")
    assert client.post(link, data={"password": "123"}).status_code == 422
    assert client.post(link, data={"password": GOOD_PASSWORD}).status_code == 302
    assert client.get(link).status_code == 400  # used once
    assert (
        client.post("/connexion", data={"email": user.email, "password": GOOD_PASSWORD}).status_code
        == 302
    )


def test_profile_update_changes_name_and_language(client, make_user, login_as, db):
    user = make_user(display_name="Ancien nom")
    login_as(user)
    response = client.post(
        "/mon-compte",
        data={"display_name": "Nouveau nom", "locale": "en", "notify_replies": "y"},
    )
    assert response.status_code == 302
    page = client.get("/mon-compte").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert 'value="Nouveau nom"' in page
    db.session.refresh(user)
    assert user.notify_events is False


def test_profile_refuses_an_unknown_language_and_keeps_the_name(client, make_user, login_as):
    login_as(make_user())
    response = client.post("/mon-compte", data={"display_name": "Gardé", "locale": "de"})
    assert response.status_code == 422
    assert 'value="Gardé"' in response.get_data(as_text=True)


def test_download_my_data_is_a_json_attachment_with_my_account(client, make_user, login_as):
    user = make_user(email="moi@exemple.fr", display_name="Moi")
    login_as(user)
    response = client.get("/mon-compte/mes-donnees.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.data)
    assert document["account"]["email"] == "moi@exemple.fr"
    assert document["account"]["display_name"] == "Moi"
    assert document["sessions"]


def test_delete_account_needs_the_password_then_logs_out(client, make_user, login_as, db):
    user = make_user()
    login_as(user)
    refused = client.post(
        "/mon-compte/supprimer", data={"password": "mauvais mot de passe", "confirm": "y"}
    )
    assert refused.status_code == 422
    assert user.email is not None
    done = client.post("/mon-compte/supprimer", data={"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert done.status_code == 302
    db.session.refresh(user)
    assert user.is_deleted and user.email is None
    assert client.get("/mon-compte").status_code == 302


def test_language_switcher_keeps_the_page_and_its_query(client):
    response = client.get("/plans/?axe=2&lang=en")
    assert response.status_code == 302
    assert response.headers["Location"] == "/plans/?axe=2"
    assert '<html lang="en"' in client.get("/plans/").get_data(as_text=True)


def test_locale_falls_back_to_accept_language_then_french(client):
    assert '<html lang="en"' in client.get(
        "/", headers={"Accept-Language": "en-GB,en;q=0.9"}
    ).get_data(as_text=True)
    assert '<html lang="fr"' in client.get("/", headers={"Accept-Language": "de"}).get_data(
        as_text=True
    )
