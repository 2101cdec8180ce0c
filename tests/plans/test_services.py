import pytest
from sqlalchemy import func, select

from consult.core.audit import AuditEntry
from consult.core.errors import PermissionDenied, ValidationFailed
from consult.plans import rules, services
from consult.plans.models import StatusChange, TextRevision
from tests.factories import make_commitment, make_institution


@pytest.fixture
def ministry(db):
    return make_institution(slug="ministere-test", name="Ministère du test")


@pytest.fixture
def organiser(make_user, ministry):
    return make_user(role="organiser", institutions=[ministry])


@pytest.fixture
def commitment(ministry):
    return make_commitment(institutions=[ministry])


def test_organiser_changes_the_status_of_a_carried_commitment_with_history(
    db, organiser, commitment, ministry
):
    change = services.update_status(
        organiser, commitment, field="status", value="substantial", note="Le décret est publié."
    )
    assert commitment.status == "substantial"
    assert (change.old_value, change.new_value) == ("partial", "substantial")
    assert change.institution == ministry and change.changed_by_id == organiser.id
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "plans.update_status"))
    assert [(a.before, a.after) for a in audit] == [
        ({"status": "partial"}, {"status": "substantial"})
    ]


def test_action_calendar_change_is_recorded_on_the_action(db, organiser, commitment):
    action = commitment.actions[0]
    change = services.update_status(
        organiser, commitment, action=action, field="schedule", value="delayed", note="Retard."
    )
    assert action.schedule == "delayed" and commitment.schedule == "on_time"
    assert change.action_id == action.id


@pytest.mark.parametrize(
    ("field", "value", "note", "problem_field"),
    [
        ("status", "partial", "Même valeur", "change"),
        ("status", "finished", "Valeur inconnue", "change"),
        ("schedule", "on_time", "Même calendrier", "change"),
        ("colour", "blue", "Champ inconnu", "change"),
        ("status", "complete", "   ", "note"),
        ("status", "complete", "x" * 2001, "note"),
    ],
)
def test_invalid_changes_are_refused_and_write_nothing(
    db, organiser, commitment, field, value, note, problem_field
):
    with pytest.raises(ValidationFailed) as caught:
        services.update_status(organiser, commitment, field=field, value=value, note=note)
    assert caught.value.field == problem_field
    assert commitment.status == "partial"
    assert db.session.scalar(select(func.count(StatusChange.id))) == 0


def test_organiser_of_another_institution_is_refused(db, make_user, commitment):
    other = make_user(role="organiser", institutions=[make_institution()])
    assert not rules.can_update_commitment(other, commitment)
    with pytest.raises(PermissionDenied):
        services.update_status(other, commitment, field="status", value="complete", note="Non.")


@pytest.mark.parametrize("role", ["participant", "moderator"])
def test_other_roles_cannot_update(db, make_user, commitment, role):
    with pytest.raises(PermissionDenied):
        services.update_status(
            make_user(role=role), commitment, field="status", value="complete", note="Non."
        )


def test_admin_updates_any_commitment(db, make_user, commitment):
    admin = make_user(role="admin")
    services.update_status(admin, commitment, field="status", value="complete", note="Fait.")
    assert commitment.status == "complete"


def test_text_edit_keeps_versions_and_refuses_a_stale_one(db, organiser, commitment):
    first = services.edit_texts(
        organiser,
        commitment,
        expected_version=1,
        texts={"title": "Titre revu", "issues": "Des enjeux.", "description": "Nouvelle."},
    )
    assert commitment.title == "Titre revu" and commitment.version == 2
    assert first.version == 2
    with pytest.raises(services.StaleVersion) as caught:
        services.edit_texts(
            organiser,
            commitment,
            expected_version=1,
            texts={"title": "Autre titre", "issues": "", "description": ""},
        )
    assert caught.value.current["title"] == "Titre revu"
    assert commitment.title == "Titre revu"
    versions = db.session.scalars(select(TextRevision.version).order_by(TextRevision.version))
    assert list(versions) == [1, 2]


def test_text_edit_without_change_creates_no_version(db, organiser, commitment):
    same = services.texts_of(commitment)
    assert services.edit_texts(organiser, commitment, expected_version=1, texts=same) is None
    assert commitment.version == 1


def test_text_edit_needs_a_title(db, organiser, commitment):
    with pytest.raises(ValidationFailed) as caught:
        services.edit_texts(organiser, commitment, expected_version=1, texts={"title": " "})
    assert caught.value.field == "title"


def test_only_admins_build_plans(db, organiser, make_user):
    with pytest.raises(PermissionDenied):
        services.create_plan(organiser, slug="2026-2028", title="Plan", period_start=2026)
    admin = make_user(role="admin")
    plan = services.create_plan(admin, slug="2026-2028", title="Plan", period_start=2026)
    axis = services.add_axis(admin, plan, title="Rendre des comptes", themes=["Transparence"])
    commitment = services.add_commitment(admin, plan, title="Publier", axis=axis)
    assert (axis.number, commitment.number, axis.themes[0].title) == (1, 1, "Transparence")
    with pytest.raises(services.Conflict):
        services.add_commitment(admin, plan, title="Doublon", number=1)
    with pytest.raises(services.Conflict):
        services.create_plan(admin, slug="2026-2028", title="Encore", period_start=2026)


def test_assigning_institutions_keeps_their_order_and_audits(db, make_user, commitment):
    admin = make_user(role="admin")
    first, second = make_institution(), make_institution()
    services.assign_institutions(admin, commitment, [second, first])
    db.session.expire(commitment)
    assert [i.id for i in commitment.institutions] == [second.id, first.id]
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "plans.assign_institutions")
    ).one()
    assert entry.after == {"institutions": [second.slug, first.slug]}
