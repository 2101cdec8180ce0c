"""set_role: who may change a role, what an organiser needs, the last administrator, the log."""

import pytest
from sqlalchemy import select

from consult.accounts import services
from consult.accounts.system import SystemActor
from consult.core.audit import AuditEntry
from consult.core.db import utcnow
from consult.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from tests.factories import make_institution


def _entries(db):
    return list(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "accounts.set_role"))
    )


@pytest.mark.parametrize("role", ["participant", "organiser", "moderator"])
def test_only_administrators_change_roles(db, make_user, role):
    actor = make_user(role=role, institutions=[make_institution()] if role == "organiser" else [])
    user = make_user()
    with pytest.raises(PermissionDenied):
        services.set_role(actor, user, "admin", [])
    assert user.role == "participant"
    assert _entries(db) == []


def test_organiser_gets_the_institutions_and_the_change_is_logged(db, make_user):
    admin, user = make_user(role="admin"), make_user()
    culture = make_institution(slug="culture", name="Culture")
    senat = make_institution(slug="senat", name="Sénat")

    services.set_role(admin, user, "organiser", [senat, culture])

    assert user.role == "organiser"
    assert {i.slug for i in user.institutions} == {"culture", "senat"}
    [entry] = _entries(db)
    assert entry.actor_id == admin.id
    assert (entry.target_kind, entry.target_id) == ("user", user.id)
    assert entry.before == {"role": "participant", "institutions": []}
    assert entry.after["role"] == "organiser"
    assert sorted(entry.after["institutions"]) == ["culture", "senat"]


def test_organiser_needs_an_institution(db, make_user):
    admin, user = make_user(role="admin"), make_user()
    with pytest.raises(ValidationFailed) as error:
        services.set_role(admin, user, "organiser", [])
    assert error.value.field == "institutions"
    assert user.role == "participant"
    assert _entries(db) == []


@pytest.mark.parametrize("role", ["visitor", "king", ""])
def test_unknown_roles_and_visitor_are_refused(db, make_user, role):
    admin, user = make_user(role="admin"), make_user()
    with pytest.raises(ValidationFailed) as error:
        services.set_role(admin, user, role, [])
    assert error.value.field == "role"


def test_other_roles_drop_their_institutions(db, make_user):
    admin = make_user(role="admin")
    user = make_user(role="organiser", institutions=[make_institution()])
    services.set_role(admin, user, "moderator", [make_institution()])
    assert user.role == "moderator"
    assert user.institutions == []
    [entry] = _entries(db)
    assert entry.after == {"role": "moderator", "institutions": []}


def test_no_change_writes_no_entry(db, make_user):
    admin = make_user(role="admin")
    institution = make_institution()
    user = make_user(role="organiser", institutions=[institution])
    services.set_role(admin, user, "organiser", [institution])
    assert _entries(db) == []


def test_the_last_administrator_cannot_be_demoted(db, make_user):
    admin = make_user(role="admin")
    with pytest.raises(Conflict):
        services.set_role(admin, admin, "participant", [])
    assert admin.role == "admin"

    other = make_user(role="admin")
    services.set_role(admin, admin, "participant", [])
    assert admin.role == "participant"
    with pytest.raises(PermissionDenied):  # no longer an administrator
        services.set_role(admin, other, "participant", [])


def test_deleted_administrators_do_not_count(db, make_user):
    admin = make_user(role="admin")
    gone = make_user(role="admin")
    gone.deleted_at = utcnow()
    db.session.flush()
    with pytest.raises(Conflict):
        services.set_role(admin, admin, "moderator", [])


def test_deleted_accounts_get_no_role(db, make_user):
    admin, user = make_user(role="admin"), make_user()
    user.deleted_at = utcnow()
    with pytest.raises(InvalidTransition):
        services.set_role(admin, user, "moderator", [])


def test_the_command_line_acts_as_the_system(db, make_user):
    user = make_user()
    services.set_role(SystemActor(), user, "moderator", [])
    [entry] = _entries(db)
    assert entry.actor_id is None
    assert entry.after["role"] == "moderator"
