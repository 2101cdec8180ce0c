"""The "Ministère ouvert" kit: versions prepared by admins, published read-only, with their files.

A new version starts as a draft holding copies of the previous version's documents; publishing
freezes it. Events keep the version they were made from (Event.kit_id), so a published version
is never changed or deleted. Files go through core.storage, under instance/uploads/kits/.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from consult.core import audit, storage
from consult.core.db import db, utcnow
from consult.core.errors import InvalidTransition, ValidationFailed
from consult.core.permissions import Capability, can, require
from consult.workshops.models import KIT_DOCUMENT_KIND_LABELS, Kit, KitDocument, KitDocumentKind

#: The folder of instance/uploads/ holding the kits' files.
UPLOAD_AREA = "kits"
TITLE_MAX = 200
DESCRIPTION_MAX = 5000


# Reading ----------------------------------------------------------------------------------------


def get_current_kit() -> Kit | None:
    """The latest published version with its documents, or None when none is published."""
    return db.session.scalar(
        select(Kit)
        .where(Kit.published_at.is_not(None))
        .options(selectinload(Kit.documents))
        .order_by(Kit.version.desc())
        .limit(1)
    )


def get_published_kit(version: int) -> Kit | None:
    """A published version with its documents (the one an event was made from)."""
    return db.session.scalar(
        select(Kit)
        .where(Kit.version == version, Kit.published_at.is_not(None))
        .options(selectinload(Kit.documents))
    )


def list_kits() -> list[Kit]:
    """Every version, newest first, with their documents (for the admins' page)."""
    return list(
        db.session.scalars(
            select(Kit).options(selectinload(Kit.documents)).order_by(Kit.version.desc())
        )
    )


def list_published_kits() -> list[Kit]:
    """The versions an organiser may start an event from, newest first."""
    return list(
        db.session.scalars(
            select(Kit).where(Kit.published_at.is_not(None)).order_by(Kit.version.desc())
        )
    )


def is_downloadable(document: KitDocument, actor) -> bool:
    """Documents of published versions are public; drafts' only for those who prepare them."""
    return document.kit.published_at is not None or can(actor, Capability.ACCOUNTS_SET_ROLE)


def kind_label(kind: str):
    return KIT_DOCUMENT_KIND_LABELS.get(kind, kind)


# Writing (admins: accounts:set_role) ------------------------------------------------------------


def _check_texts(title: str, description: str | None) -> tuple[str, str]:
    title = (title or "").strip()
    description = (description or "").strip()
    if not title:
        raise ValidationFailed(_l("Give a title."), field="title")
    if len(title) > TITLE_MAX:
        raise ValidationFailed(
            _l("The title has at most %(max)d characters.", max=TITLE_MAX), field="title"
        )
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(
            _l("The description has at most %(max)d characters.", max=DESCRIPTION_MAX),
            field="description",
        )
    return title, description


def _require_draft(kit: Kit) -> None:
    if kit.published_at is not None:
        raise InvalidTransition(
            _l("This version is published: it can no longer change. Create a new version.")
        )


def create_kit_version(actor, *, title: str, description: str = "") -> Kit:
    """A new draft version numbered after the last one, holding copies of the previous
    version's documents (files copied too, so the draft may drop them).

    Capability accounts:set_role (admins). Refused while a draft exists: finish or publish it
    first. Raises PermissionDenied, ValidationFailed, InvalidTransition.
    """
    require(actor, Capability.ACCOUNTS_SET_ROLE)
    title, description = _check_texts(title, description)
    previous = db.session.scalar(
        select(Kit).options(selectinload(Kit.documents)).order_by(Kit.version.desc()).limit(1)
    )
    if previous is not None and previous.published_at is None:
        raise InvalidTransition(
            _l(
                "Version %(version)d is still a draft: publish it before starting another one.",
                version=previous.version,
            )  # fmt: skip
        )
    version = (db.session.scalar(select(func.max(Kit.version))) or 0) + 1
    kit = Kit(version=version, title=title, description=description, created_at=utcnow())
    db.session.add(kit)
    for document in previous.documents if previous is not None else ():
        kit.documents.append(
            KitDocument(
                position=document.position,
                kind=document.kind,
                title=document.title,
                description=document.description,
                stored_name=storage.copy_stored(UPLOAD_AREA, document.stored_name),
                download_name=document.download_name,
                mimetype=document.mimetype,
                size=document.size,
            )
        )
    db.session.flush()
    audit.record(actor, "workshops.create_kit_version", "kit", kit.id, None,
                 {"version": version, "copied_from": previous.version if previous else None,
                  "documents": len(kit.documents)})  # fmt: skip
    return kit


def update_kit(actor, kit: Kit, *, title: str, description: str = "") -> None:
    """Change a draft's title and description. Raises PermissionDenied, ValidationFailed,
    InvalidTransition (published)."""
    require(actor, Capability.ACCOUNTS_SET_ROLE)
    _require_draft(kit)
    title, description = _check_texts(title, description)
    before = {"title": kit.title}
    kit.title, kit.description = title, description
    audit.record(actor, "workshops.update_kit", "kit", kit.id, before, {"title": title})
    db.session.flush()


def add_kit_document(
    actor, kit: Kit, *, kind: str, title: str, file, description: str = ""
) -> KitDocument:
    """Add a document to a draft: the file is checked by its content (see core.storage) and
    offered for download under a name made from its title.

    Capability accounts:set_role. Raises PermissionDenied, InvalidTransition (published),
    ValidationFailed (kind, title, file: absent, empty, too large, type not allowed), writing
    nothing.
    """
    require(actor, Capability.ACCOUNTS_SET_ROLE)
    _require_draft(kit)
    if kind not in {k.value for k in KitDocumentKind}:
        raise ValidationFailed(_l("Choose one of the proposed kinds."), field="kind")
    title, description = _check_texts(title, description)
    try:
        stored = storage.save_upload(file, UPLOAD_AREA, name=title)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field="file") from None
    document = KitDocument(
        position=max((d.position for d in kit.documents), default=0) + 1,
        kind=kind,
        title=title,
        description=description or None,
        stored_name=stored.stored_name,
        download_name=stored.download_name,
        mimetype=stored.mimetype,
        size=stored.size,
    )
    kit.documents.append(document)
    db.session.flush()
    audit.record(actor, "workshops.add_kit_document", "kit", kit.id, None,
                 {"document": document.id, "kind": kind, "title": title,
                  "mimetype": stored.mimetype, "size": stored.size})  # fmt: skip
    return document


def remove_kit_document(actor, document: KitDocument) -> None:
    """Remove a document from a draft and delete its file. Raises PermissionDenied,
    InvalidTransition (published)."""
    require(actor, Capability.ACCOUNTS_SET_ROLE)
    kit = document.kit
    _require_draft(kit)
    kit.documents.remove(document)
    db.session.flush()
    storage.delete_stored(UPLOAD_AREA, document.stored_name)
    audit.record(actor, "workshops.remove_kit_document", "kit", kit.id,
                 {"document": document.id, "title": document.title}, None)  # fmt: skip
    db.session.flush()


def publish_kit(actor, kit: Kit) -> None:
    """Publish a draft: it becomes the current kit and can no longer change. It needs at least
    one document. Raises PermissionDenied, InvalidTransition."""
    require(actor, Capability.ACCOUNTS_SET_ROLE)
    _require_draft(kit)
    if not kit.documents:
        raise InvalidTransition(_l("Add at least one document before publishing this version."))
    kit.published_at = utcnow()
    audit.record(actor, "workshops.publish_kit", "kit", kit.id, {"published": False},
                 {"published": True, "version": kit.version})  # fmt: skip
    db.session.flush()
