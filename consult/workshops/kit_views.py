"""Kit pages on the workshops blueprint: the public kit, its downloads, and the admins' pages
under /manage/ateliers/kits to prepare and publish versions."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from consult.core import storage
from consult.core.db import get_or_404, unit_of_work
from consult.core.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed
from consult.core.permissions import Capability, can
from consult.core.views import attach_error, current_actor, form_status
from consult.workshops import kits
from consult.workshops.kit_forms import ACCEPTED_EXTENSIONS, KitDocumentForm, KitVersionForm
from consult.workshops.models import Kit, KitDocument
from consult.workshops.views import bp


@bp.app_template_filter("file_description")
def file_description(document) -> str:
    """ "PDF – 245 KB" for anything with a mimetype and a size (kit documents, attachments)."""
    return storage.describe(document.mimetype, document.size)


# Public ------------------------------------------------------------------------------------------


@bp.route("/ateliers/kit")
def show_kit():
    """The current published version of the kit, each document with its format and size."""
    kit = kits.get_current_kit()
    return render_template("workshops/kit.html", kit=kit, current=kit, kind_label=kits.kind_label)


@bp.route("/ateliers/kit/versions/<int:version>")
def show_kit_version(version: int):
    """A published version, as the events made from it knew it."""
    kit = kits.get_published_kit(version)
    if kit is None:
        abort(404)
    current = kits.get_current_kit()
    return render_template(
        "workshops/kit.html", kit=kit, current=current, kind_label=kits.kind_label
    )


@bp.route("/ateliers/kit/documents/<int:document_id>")
def download_kit_document(document_id: int):
    """A document as a download: its detected type, a safe name, never shown inline."""
    document = get_or_404(KitDocument, document_id)
    if not kits.is_downloadable(document, current_actor()):
        abort(404)
    try:
        return storage.send_stored(
            kits.UPLOAD_AREA,
            document.stored_name,
            document.mimetype,
            document.download_name,
            private=document.kit.published_at is None,
        )
    except (FileNotFoundError, ValueError):
        abort(404)


# Admins ------------------------------------------------------------------------------------------


def _require_admin() -> None:
    if not can(current_actor(), Capability.ACCOUNTS_SET_ROLE):
        raise PermissionDenied()


@bp.route("/manage/ateliers/kits", methods=["GET", "POST"])
@login_required
@unit_of_work
def manage_kits():
    """Every version, and the form that starts a new one from the last."""
    _require_admin()
    form = KitVersionForm()
    if form.validate_on_submit():
        try:
            kit = kits.create_kit_version(
                current_actor(), title=form.title.data, description=form.description.data
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Version %(version)d is ready as a draft.", version=kit.version), "success")
            return redirect(url_for("workshops.manage_kit", kit_id=kit.id))
    elif not form.is_submitted():
        current = kits.get_current_kit()
        if current is not None:
            form.title.data, form.description.data = current.title, current.description
    return render_template(
        "workshops/manage/kits.html", kits=kits.list_kits(), form=form
    ), form_status(form)


def _kit_page(kit: Kit, *, version_form=None, document_form=None, status: int = 200):
    version_form = version_form or KitVersionForm(
        prefix="version", formdata=None, data={"title": kit.title, "description": kit.description}
    )
    document_form = document_form or KitDocumentForm(prefix="document", formdata=None)
    return render_template(
        "workshops/manage/kit.html",
        kit=kit,
        version_form=version_form,
        document_form=document_form,
        # The form sent back with errors, if any: the page title then starts with "Error".
        form=next((f for f in (version_form, document_form) if f.errors), None),
        kind_label=kits.kind_label,
        accepted_extensions=ACCEPTED_EXTENSIONS,
        max_size=storage.human_size(current_app.config["UPLOAD_MAX_BYTES"]),
    ), status


@bp.route("/manage/ateliers/kits/<int:kit_id>", methods=["GET", "POST"])
@login_required
@unit_of_work
def manage_kit(kit_id: int):
    """A version: its documents; while a draft, its texts and the form adding a document."""
    _require_admin()
    kit = get_or_404(Kit, kit_id)
    form = KitVersionForm(prefix="version")
    if form.validate_on_submit():
        try:
            kits.update_kit(
                current_actor(), kit, title=form.title.data, description=form.description.data
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("The version's texts are saved."), "success")
            return redirect(url_for("workshops.manage_kit", kit_id=kit.id))
    if not form.is_submitted():
        form = None
    return _kit_page(kit, version_form=form, status=form_status(form) if form else 200)


@bp.route("/manage/ateliers/kits/<int:kit_id>/documents", methods=["POST"])
@login_required
@unit_of_work
def add_kit_document(kit_id: int):
    _require_admin()
    kit = get_or_404(Kit, kit_id)
    form = KitDocumentForm(prefix="document")
    if form.validate_on_submit():
        try:
            document = kits.add_kit_document(
                current_actor(),
                kit,
                kind=form.kind.data,
                title=form.title.data,
                description=form.description.data,
                file=form.file.data,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("“%(title)s” is added to the kit.", title=document.title), "success")
            return redirect(url_for("workshops.manage_kit", kit_id=kit.id))
    return _kit_page(kit, document_form=form, status=422)


@bp.route(
    "/manage/ateliers/kits/<int:kit_id>/documents/<int:document_id>/supprimer", methods=["POST"]
)
@login_required
@unit_of_work
def remove_kit_document(kit_id: int, document_id: int):
    _require_admin()
    document = get_or_404(KitDocument, document_id)
    if document.kit_id != kit_id:
        abort(404)
    try:
        kits.remove_kit_document(current_actor(), document)
    except (InvalidTransition, ValidationFailed) as error:
        flash(str(error), "error")
    else:
        flash(_("“%(title)s” is removed from the kit.", title=document.title), "success")
    return redirect(url_for("workshops.manage_kit", kit_id=kit_id))


@bp.route("/manage/ateliers/kits/<int:kit_id>/publier", methods=["POST"])
@login_required
@unit_of_work
def publish_kit(kit_id: int):
    _require_admin()
    kit = get_or_404(Kit, kit_id)
    try:
        kits.publish_kit(current_actor(), kit)
    except InvalidTransition as error:
        flash(str(error), "error")
    else:
        flash(_("Version %(version)d is published: it is now the kit offered to organisers.",
                version=kit.version), "success")  # fmt: skip
    return redirect(url_for("workshops.manage_kit", kit_id=kit.id))
