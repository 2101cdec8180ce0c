"""`flask --app consult users create-admin | set-role`: accounts from the command line."""

from sqlalchemy import select

from consult.accounts import rules, services
from consult.accounts.passwords import verify_password
from consult.core.audit import AuditEntry
from tests.factories import make_institution

PASSWORD = "un long chemin de campagne"


def _entries(db, action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_create_admin_makes_a_verified_admin_and_an_audit_entry(runner, db):
    result = runner.invoke(
        args=["users", "create-admin", "--email", " Admin@Exemple.fr", "--name", "Admin",
              "--password", PASSWORD],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    user = services.get_user_by_email("admin@exemple.fr")
    assert f"Administrator ready (account #{user.id})." in result.output
    assert user.role == "admin"
    assert user.is_verified
    assert verify_password(user.password_hash, PASSWORD)
    [entry] = _entries(db, "accounts.create_admin")
    assert entry.actor_id is None
    assert entry.target_id == user.id
    assert entry.after == {"role": "admin", "institutions": []}
    assert "admin@exemple.fr" not in str(entry.before) + str(entry.after)


def test_create_admin_promotes_an_existing_account(runner, db, make_user):
    user = make_user(email="deja@exemple.fr", role="moderator")
    result = runner.invoke(
        args=["users", "create-admin", "--email", "deja@exemple.fr", "--name", "X",
              "--password", "ignored for an existing account"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.role == "admin"
    [entry] = _entries(db, "accounts.create_admin")
    assert entry.before == {"role": "moderator", "institutions": []}


def test_create_admin_refuses_a_common_password(runner, db):
    result = runner.invoke(
        args=["users", "create-admin", "--email", "admin@exemple.fr", "--name", "Admin",
              "--password", "azertyuiop123"],
    )  # fmt: skip

    assert result.exit_code != 0
    assert str(rules.PASSWORD_TOO_COMMON) in result.output
    assert services.get_user_by_email("admin@exemple.fr") is None
    assert _entries(db, "accounts.create_admin") == []


def test_set_role_makes_an_organiser_of_an_institution(runner, db, make_user):
    user = make_user(email="orga@exemple.fr")
    make_institution(slug="senat", name="Sénat", kind="senate")

    result = runner.invoke(
        args=["users", "set-role", "orga@exemple.fr", "organiser", "--institution", "senat"]
    )

    assert result.exit_code == 0, result.output
    assert f"Account #{user.id} is now organiser." in result.output
    db.session.refresh(user)
    assert user.role == "organiser"
    assert [i.slug for i in user.institutions] == ["senat"]
    [entry] = _entries(db, "accounts.set_role")
    assert entry.actor_id is None
    assert entry.after == {"role": "organiser", "institutions": ["senat"]}


def test_set_role_refuses_an_organiser_without_institution(runner, db, make_user):
    user = make_user(email="orga@exemple.fr")
    db.session.commit()  # as in real use: the account exists before the command rolls back
    result = runner.invoke(args=["users", "set-role", "orga@exemple.fr", "organiser"])
    assert result.exit_code != 0
    assert str(services.ORGANISER_NEEDS_INSTITUTION) in result.output
    db.session.refresh(user)
    assert user.role == "participant"


def test_set_role_names_unknown_institutions_and_accounts(runner, db, make_user):
    make_user(email="orga@exemple.fr")
    result = runner.invoke(
        args=["users", "set-role", "orga@exemple.fr", "organiser", "--institution", "nowhere"]
    )
    assert result.exit_code != 0
    assert "Unknown institution: nowhere" in result.output

    result = runner.invoke(args=["users", "set-role", "nobody@exemple.fr", "moderator"])
    assert result.exit_code != 0
    assert "No account has this e-mail address." in result.output
