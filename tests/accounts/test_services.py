import pytest
from sqlalchemy import func, select

from consult.accounts import rules, services
from consult.accounts.models import AuthSession, User
from consult.core.audit import AuditEntry
from consult.core.errors import InvalidTransition, ValidationFailed
from tests.factories import DEFAULT_PASSWORD

GOOD_PASSWORD = "plume verte sous la pluie"


def count_users(db):
    return db.session.scalar(select(func.count(User.id)))


def test_sign_up_creates_an_unverified_participant_and_mails_a_link(db, app, outbox):
    with app.test_request_context():
        user = services.sign_up("Alice@Exemple.FR ", "Alice", GOOD_PASSWORD, "fr")
        from consult.core import mail

        mail.flush_outbox()
    assert user.email == "alice@exemple.fr"
    assert user.role == "participant"
    assert not user.is_verified
    assert user.password_hash.startswith("$argon2id$")
    assert [m.template for m in outbox] == ["accounts/verify_email"]
    assert "/verifier/" in outbox[0].body


@pytest.mark.parametrize(
    "password",
    [
        "short",
        "azertyuiop123",
        "password1234",
        "Motdepasse2024!",
        "soleilsoleilsoleil",
        "aaaaaaaaaaaaaa",
    ],
)
def test_sign_up_refuses_short_and_common_passwords(db, app, password):
    before = count_users(db)
    with app.test_request_context(), pytest.raises(ValidationFailed) as caught:
        services.sign_up("bob@exemple.fr", "Bob", password, "fr")
    assert caught.value.field == "password"
    assert count_users(db) == before


def test_password_may_not_contain_the_email_local_part():
    problem = rules.password_problem(
        "jean.dupont-secret-garden", min_length=12, max_length=100, email="jean.dupont@x.fr"
    )
    assert problem is not None


def test_long_passphrase_without_composition_rules_is_accepted():
    assert rules.password_problem(GOOD_PASSWORD, min_length=12, max_length=100) is None


def test_sign_up_with_a_known_email_creates_nothing_and_warns_the_owner(db, app, make_user, outbox):
    owner = make_user(email="claire@exemple.fr")
    before = count_users(db)
    with app.test_request_context():
        assert services.sign_up("CLAIRE@exemple.fr", "Intrus", GOOD_PASSWORD, "en") is None
        from consult.core import mail

        mail.flush_outbox()
    assert count_users(db) == before
    assert [m.template for m in outbox] == ["accounts/already_registered"]
    assert outbox[0].recipient == owner.email


def test_verification_link_verifies_once_and_refuses_tampering(db, app, make_user):
    user = make_user(verified=False)
    with app.test_request_context():
        token = services.tokens.make_token(
            services.VERIFY_PURPOSE, {"user": user.id, "email": user.email}
        )
        assert services.verify_email(token) is user
        assert user.is_verified
        with pytest.raises(InvalidTransition):
            services.verify_email(token + "x")


def test_verification_link_expires(db, app, make_user):
    user = make_user(verified=False)
    app.config["EMAIL_VERIFICATION_MAX_AGE"] = __import__("datetime").timedelta(seconds=-1)
    try:
        with app.test_request_context():
            token = services.tokens.make_token(
                services.VERIFY_PURPOSE, {"user": user.id, "email": user.email}
            )
            with pytest.raises(InvalidTransition) as caught:
                services.verify_email(token)
        assert str(caught.value) == str(services.LINK_EXPIRED)
    finally:
        from consult.config import Defaults

        app.config["EMAIL_VERIFICATION_MAX_AGE"] = Defaults.EMAIL_VERIFICATION_MAX_AGE


def test_authenticate_gives_the_same_error_for_unknown_email_and_wrong_password(db, make_user):
    make_user(email="dora@exemple.fr")
    with pytest.raises(ValidationFailed) as unknown:
        services.authenticate("personne@exemple.fr", DEFAULT_PASSWORD)
    with pytest.raises(ValidationFailed) as wrong:
        services.authenticate("dora@exemple.fr", "not the password at all")
    assert str(unknown.value) == str(wrong.value)
    assert services.authenticate("DORA@exemple.fr", DEFAULT_PASSWORD).email == "dora@exemple.fr"


def test_reset_link_works_once_and_ends_every_session(db, app, make_user, outbox):
    user = make_user()
    db.session.add(AuthSession(token_hash="x" * 64, user=user, expires_at=services.utcnow()))
    with app.test_request_context():
        services.request_password_reset(user.email)
        from consult.core import mail

        mail.flush_outbox()
        token = outbox[0].body.split("/mot-de-passe/")[1].split()[0]
        services.reset_password(token, GOOD_PASSWORD)
        with pytest.raises(InvalidTransition):
            services.reset_password(token, "another good passphrase here")
    assert services.authenticate(user.email, GOOD_PASSWORD) is user
    assert (
        db.session.scalar(select(func.count(AuthSession.id)).where(AuthSession.user_id == user.id))
        == 0
    )


def test_reset_request_for_an_unknown_email_sends_nothing(db, app, outbox):
    with app.test_request_context():
        services.request_password_reset("inconnu@exemple.fr")
        from consult.core import mail

        mail.flush_outbox()
    assert outbox == []


def test_update_profile_records_before_and_after(db, make_user):
    user = make_user(display_name="Avant")
    services.update_profile(
        user,
        display_name="Après",
        locale="en",
        notify_replies=False,
        notify_events=True,
        notify_petitions=True,
    )
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "accounts.update_profile")
    ).one()
    assert entry.before["display_name"] == "Avant"
    assert entry.after == {
        **entry.before,
        "display_name": "Après",
        "locale": "en",
        "notify_events": True,
        "notify_petitions": True,
    }


def test_delete_account_erases_personal_data_and_keeps_the_row(db, app, make_user, outbox):
    user = make_user(email="efface@exemple.fr", display_name="Eve")
    with app.test_request_context():
        with pytest.raises(ValidationFailed):
            services.delete_account(user, "wrong password!!")
        assert user.email == "efface@exemple.fr"
        services.delete_account(user, DEFAULT_PASSWORD)
        from consult.core import mail

        mail.flush_outbox()
    assert user.email is None and user.password_hash is None and user.display_name == ""
    assert str(user.public_name) in {"Contributeur supprimé", "Deleted contributor"}
    assert [m.recipient for m in outbox] == ["efface@exemple.fr"]
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.target_id == user.id)).all()
    assert all("efface@" not in str(e.before) + str(e.after) for e in entries)
