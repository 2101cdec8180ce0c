"""Institutions from the administration: identifiers, names, kinds, and their audit entries."""

import pytest
from sqlalchemy import select

from consult.accounts import services
from consult.accounts.models import Institution
from consult.core.audit import AuditEntry
from consult.core.errors import PermissionDenied, ValidationFailed
from tests.factories import make_institution

VALID = {"slug": "ministere-culture", "name": "Ministère de la Culture", "short_name": "Culture",
         "kind": "ministry"}  # fmt: skip


def _entries(db, action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_create_institution_is_audited(db, make_user):
    admin = make_user(role="admin")
    institution = services.create_institution(admin, **VALID)
    assert institution.id is not None
    [entry] = _entries(db, "accounts.create_institution")
    assert entry.actor_id == admin.id
    assert (entry.target_kind, entry.target_id) == ("institution", institution.id)
    assert entry.before is None
    assert entry.after == VALID


def test_blank_short_name_is_stored_as_none_and_names_are_trimmed(db, make_user):
    institution = services.create_institution(
        make_user(role="admin"), **{**VALID, "name": "  Culture  ", "short_name": "  "}
    )
    assert (institution.name, institution.short_name) == ("Culture", None)


@pytest.mark.parametrize(
    "slug",
    ["", "Culture", "ministère", "ministere culture", "-culture", "culture-", "a--b", "a_b",
     "x" * 121],
)  # fmt: skip
def test_bad_identifiers_are_refused(db, make_user, slug):
    with pytest.raises(ValidationFailed) as error:
        services.create_institution(make_user(role="admin"), **{**VALID, "slug": slug})
    assert error.value.field == "slug"
    assert _entries(db, "accounts.create_institution") == []


def test_digits_and_single_hyphens_are_fine(db, make_user):
    services.create_institution(make_user(role="admin"), **{**VALID, "slug": "cour-des-comptes-2"})


def test_taken_identifier_is_refused_with_a_clear_message(db, make_user):
    make_institution(slug="ministere-culture")
    with pytest.raises(ValidationFailed) as error:
        services.create_institution(make_user(role="admin"), **VALID)
    assert error.value.field == "slug"
    assert str(error.value) == str(services.SLUG_TAKEN)


def test_taken_identifier_caught_by_the_database_too(db, make_user, monkeypatch):
    make_institution(slug="ministere-culture")
    monkeypatch.setattr(services, "_check_institution", lambda **kwargs: None)
    with pytest.raises(ValidationFailed) as error:
        services.create_institution(make_user(role="admin"), **VALID)
    assert error.value.field == "slug"
    existing = select(Institution.id).where(Institution.slug == "ministere-culture")
    assert len(db.session.scalars(existing).all()) == 1


@pytest.mark.parametrize(
    ("change", "field"), [({"name": " "}, "name"), ({"kind": "kingdom"}, "kind")]
)
def test_empty_name_and_unknown_kind_are_refused(db, make_user, change, field):
    with pytest.raises(ValidationFailed) as error:
        services.create_institution(make_user(role="admin"), **{**VALID, **change})
    assert error.value.field == field


@pytest.mark.parametrize("role", ["participant", "organiser", "moderator"])
def test_only_administrators_manage_institutions(db, make_user, role):
    actor = make_user(role=role)
    with pytest.raises(PermissionDenied):
        services.create_institution(actor, **VALID)
    institution = make_institution()
    with pytest.raises(PermissionDenied):
        services.update_institution(actor, institution, **VALID)


def test_update_institution_records_before_and_after(db, make_user):
    admin = make_user(role="admin")
    institution = make_institution(slug="culture", name="Culture")
    services.update_institution(admin, institution, **VALID)
    assert institution.slug == "ministere-culture"
    [entry] = _entries(db, "accounts.update_institution")
    assert entry.actor_id == admin.id
    assert entry.before == {"slug": "culture", "name": "Culture", "short_name": None,
                            "kind": "ministry"}  # fmt: skip
    assert entry.after == VALID


def test_update_without_change_writes_no_entry_and_keeps_its_own_identifier(db, make_user):
    admin = make_user(role="admin")
    institution = services.create_institution(admin, **VALID)
    services.update_institution(admin, institution, **VALID)
    assert _entries(db, "accounts.update_institution") == []


def test_update_to_a_taken_identifier_changes_nothing(db, make_user, monkeypatch):
    admin = make_user(role="admin")
    make_institution(slug="senat")
    institution = make_institution(slug="culture", name="Culture")
    with pytest.raises(ValidationFailed):
        services.update_institution(admin, institution, **{**VALID, "slug": "senat"})
    assert (institution.slug, institution.name) == ("culture", "Culture")

    monkeypatch.setattr(services, "_check_institution", lambda **kwargs: None)
    with pytest.raises(ValidationFailed):
        services.update_institution(admin, institution, **{**VALID, "slug": "senat"})
    assert (institution.slug, institution.name) == ("culture", "Culture")
    assert _entries(db, "accounts.update_institution") == []
