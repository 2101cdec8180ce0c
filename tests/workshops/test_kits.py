"""The kit: admins prepare versions, publish them read-only; everyone downloads the current one."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from consult.accounts.system import SystemActor
from consult.core import storage
from consult.core.audit import AuditEntry
from consult.core.db import utcnow
from consult.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from consult.demo import files
from consult.workshops import kits
from consult.workshops import services as events
from consult.workshops.models import KitDocument
from tests.factories import make_institution

PDF = files.make_pdf("Format type des ateliers", ["Un paragraphe."])


@pytest.fixture(autouse=True)
def english_interface(app, monkeypatch):
    """These tests read the messages in English, whatever the default language."""
    monkeypatch.setattr(app.extensions["babel"], "locale_selector", lambda: "en")


@pytest.fixture
def ctx(app, db):
    with app.test_request_context():
        yield


@pytest.fixture
def admin(make_user):
    return make_user(role="admin")


def pdf_upload(name="format.pdf", data=PDF):
    return FileStorage(io.BytesIO(data), filename=name)


def make_kit(admin, *, documents=1, publish=True, title="Kit Ministère ouvert"):
    kit = kits.create_kit_version(admin, title=title, description="Pour organiser.")
    for number in range(documents):
        kits.add_kit_document(
            admin, kit, kind="workshop_format", title=f"Format {number + 1}", file=pdf_upload()
        )
    if publish:
        kits.publish_kit(admin, kit)
    return kit


# Services ----------------------------------------------------------------------------------------


def test_an_admin_builds_and_publishes_the_first_version(ctx, db, admin):
    kit = kits.create_kit_version(admin, title="Kit Ministère ouvert", description="Intro")
    assert kit.version == 1 and kit.published_at is None
    assert kits.get_current_kit() is None

    document = kits.add_kit_document(
        admin,
        kit,
        kind="logo",
        title='Logo "Ministère ouvert"',
        file=FileStorage(io.BytesIO(files.make_png()), filename="image.jpeg"),
    )
    kits.publish_kit(admin, kit)

    assert kits.get_current_kit() is kit
    assert (document.mimetype, document.download_name) == ("image/png", "Logo-Ministere-ouvert.png")
    assert storage.path_of(kits.UPLOAD_AREA, document.stored_name).exists()
    actions = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.target_kind == "kit", AuditEntry.target_id == kit.id
        )
    ).all()
    assert actions == [
        "workshops.create_kit_version",
        "workshops.add_kit_document",
        "workshops.publish_kit",
    ]


def test_a_published_version_can_no_longer_change(ctx, db, admin):
    kit = make_kit(admin)

    with pytest.raises(InvalidTransition):
        kits.add_kit_document(admin, kit, kind="other", title="En plus", file=pdf_upload())
    with pytest.raises(InvalidTransition):
        kits.remove_kit_document(admin, kit.documents[0])
    with pytest.raises(InvalidTransition):
        kits.update_kit(admin, kit, title="Autre titre")
    with pytest.raises(InvalidTransition):
        kits.publish_kit(admin, kit)
    assert len(kit.documents) == 1 and kit.title == "Kit Ministère ouvert"


def test_a_new_version_copies_the_documents_and_events_keep_theirs(ctx, db, admin):
    first = make_kit(admin, documents=2)
    institution = make_institution()
    starts = utcnow() + timedelta(days=30)
    event = events.create_event(
        SystemActor(), institution=institution, title="Ministère ouvert", kit=first,
        starts_at=starts, ends_at=starts + timedelta(hours=3), venue="Paris",
    )  # fmt: skip

    second = kits.create_kit_version(admin, title="Kit, deuxième version")
    assert second.version == 2
    assert [d.title for d in second.documents] == ["Format 1", "Format 2"]
    originals = {d.stored_name for d in first.documents}
    assert not originals & {d.stored_name for d in second.documents}

    kits.remove_kit_document(admin, second.documents[0])
    assert all(storage.path_of(kits.UPLOAD_AREA, name).exists() for name in originals)
    assert kits.get_current_kit() is first  # a draft is not offered yet
    kits.publish_kit(admin, second)

    assert kits.get_current_kit() is second
    assert [k.version for k in kits.list_published_kits()] == [2, 1]
    db.session.refresh(event)
    assert event.kit.version == 1 and len(event.kit.documents) == 2


def test_only_one_draft_at_a_time(ctx, db, admin):
    kits.create_kit_version(admin, title="Brouillon")
    with pytest.raises(InvalidTransition, match="draft"):
        kits.create_kit_version(admin, title="Un autre")


def test_a_version_without_document_cannot_be_published(ctx, db, admin):
    kit = kits.create_kit_version(admin, title="Vide")
    with pytest.raises(InvalidTransition):
        kits.publish_kit(admin, kit)
    assert kit.published_at is None


@pytest.mark.parametrize("role", ["participant", "organiser", "moderator"])
def test_only_admins_prepare_the_kit(ctx, db, make_user, admin, role):
    someone = make_user(role=role)
    draft = kits.create_kit_version(admin, title="Brouillon")
    with pytest.raises(PermissionDenied):
        kits.create_kit_version(someone, title="Kit")
    with pytest.raises(PermissionDenied):
        kits.add_kit_document(someone, draft, kind="other", title="x", file=pdf_upload())
    with pytest.raises(PermissionDenied):
        kits.publish_kit(someone, draft)


def test_a_refused_file_adds_nothing_and_names_the_file_field(ctx, db, admin):
    kit = kits.create_kit_version(admin, title="Brouillon")
    with pytest.raises(ValidationFailed) as refused:
        kits.add_kit_document(
            admin, kit, kind="other", title="Programme", file=pdf_upload("x.pdf", b"MZ\x90\x00")
        )
    assert refused.value.field == "file"
    with pytest.raises(ValidationFailed) as wrong_kind:
        kits.add_kit_document(admin, kit, kind="video", title="Programme", file=pdf_upload())
    assert wrong_kind.value.field == "kind"
    assert db.session.scalar(select(func.count(KitDocument.id))) == 0


# Pages -------------------------------------------------------------------------------------------


def test_the_kit_page_lists_each_document_with_its_format_and_size(client, db, app, admin):
    with app.test_request_context():
        kit = make_kit(admin, documents=1, title="Kit Ministère ouvert")
        described = storage.describe("application/pdf", len(PDF))
    page = client.get("/ateliers/kit").get_data(as_text=True)

    assert described.startswith("PDF – ")
    assert "Kit Ministère ouvert" in page
    assert "Format 1" in page
    assert described in page
    assert f'href="/ateliers/kit/documents/{kit.documents[0].id}"' in page


def test_the_kit_page_says_when_nothing_is_published(client, db):
    response = client.get("/ateliers/kit")
    assert response.status_code == 200
    assert "No version of the kit is published yet." in response.get_data(as_text=True)


def test_a_document_downloads_with_its_type_and_safe_name(client, db, app, admin):
    with app.test_request_context():
        kit = make_kit(admin)
    response = client.get(f"/ateliers/kit/documents/{kit.documents[0].id}")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=Format-1.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.data == PDF


def test_drafts_documents_are_not_public(client, db, app, admin, login_as):
    with app.test_request_context():
        draft = make_kit(admin, publish=False)
    url = f"/ateliers/kit/documents/{draft.documents[0].id}"

    assert client.get(url).status_code == 404
    assert client.get("/ateliers/kit/documents/999999").status_code == 404
    login_as(admin)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]


@pytest.mark.parametrize("role", ["participant", "organiser", "moderator"])
def test_the_kit_management_pages_are_for_admins(client, db, app, make_user, login_as, admin, role):
    with app.test_request_context():
        kit = make_kit(admin, publish=False)
    assert client.get("/manage/ateliers/kits").status_code == 302  # to the log-in page
    login_as(make_user(role=role))
    assert client.get("/manage/ateliers/kits").status_code == 403
    assert client.get(f"/manage/ateliers/kits/{kit.id}").status_code == 403
    assert client.post(f"/manage/ateliers/kits/{kit.id}/publier").status_code == 403
    assert kit.published_at is None


def test_an_admin_creates_fills_and_publishes_a_version_through_the_pages(
    client, db, login_as, admin
):
    login_as(admin)
    assert client.get("/manage/ateliers/kits").status_code == 200

    response = client.post("/manage/ateliers/kits", data={"title": "Kit", "description": "Intro"})
    assert response.status_code == 302
    kit = kits.list_kits()[0]
    assert client.get(response.headers["Location"]).status_code == 200

    response = client.post(
        f"/manage/ateliers/kits/{kit.id}/documents",
        data={
            "document-kind": "programme_template",
            "document-title": "Modèle programme",
            "document-description": "Le modèle",
            "document-file": (io.BytesIO(files.make_odt("Programme", ["x"])), "prog.odt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(kit)
    assert [(d.title, d.download_name) for d in kit.documents] == [
        ("Modèle programme", "Modele-programme.odt")
    ]

    assert client.post(f"/manage/ateliers/kits/{kit.id}/publier").status_code == 302
    db.session.refresh(kit)
    assert kit.published_at is not None
    page = client.get(f"/manage/ateliers/kits/{kit.id}").get_data(as_text=True)
    assert "can no longer change" in page and "Add the document" not in page


def test_a_refused_upload_comes_back_with_what_was_typed(client, db, app, login_as, admin):
    with app.test_request_context():
        kit = make_kit(admin, documents=0, publish=False)
    login_as(admin)
    response = client.post(
        f"/manage/ateliers/kits/{kit.id}/documents",
        data={
            "document-kind": "workshop_materials",
            "document-title": "Supports des ateliers",
            "document-description": "Pour les animateurs",
            "document-file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "supports.pdf"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert "This type of file is not accepted" in page
    assert 'value="Supports des ateliers"' in page
    assert "Pour les animateurs" in page
    assert '<option selected value="workshop_materials">' in page
    assert "<title>Error" in page
    db.session.refresh(kit)
    assert kit.documents == []


def test_creating_a_second_draft_is_refused_on_the_form(client, db, app, login_as, admin):
    with app.test_request_context():
        make_kit(admin, publish=False)
    login_as(admin)
    response = client.post("/manage/ateliers/kits", data={"title": "Encore", "description": ""})
    assert response.status_code == 422
    assert "still a draft" in response.get_data(as_text=True)


def test_each_published_version_keeps_its_page(client, db, app, admin):
    with app.test_request_context():
        first = make_kit(admin, title="Première version")
        make_kit(admin, title="Deuxième version")
        draft = kits.create_kit_version(admin, title="Brouillon")

    old = client.get(f"/ateliers/kit/versions/{first.version}").get_data(as_text=True)
    assert "Première version" in old and 'href="/ateliers/kit"' in old
    current = client.get("/ateliers/kit").get_data(as_text=True)
    assert "Deuxième version" in current and "fr-notice" not in current
    assert client.get(f"/ateliers/kit/versions/{draft.version}").status_code == 404
