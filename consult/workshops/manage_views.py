"""Organiser pages of the workshops, under /manage/ateliers/: events, programme, registrants."""

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required
from wtforms import SelectChoice

from consult.accounts.queries import list_institutions
from consult.core.db import unit_of_work, utcnow
from consult.core.errors import DomainError, PermissionDenied
from consult.core.permissions import Capability, Role, can, role_of
from consult.core.views import attach_error, current_actor, form_status
from consult.workshops import queries, rules, services
from consult.workshops.forms import (
    CancelEventForm,
    CheckInForm,
    ConfirmForm,
    EventForm,
    ItemForm,
    MessageForm,
    at_paris_time,
    paris_day,
    paris_to_utc,
    utc_to_paris,
)
from consult.workshops.models import AFFILIATION_LABELS, ItemKind
from consult.workshops.views import bp

#: Spreadsheet software runs cells starting with these as formulas: such cells get a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _require_organiser() -> None:
    if not can(current_actor(), Capability.WORKSHOPS_MANAGE):
        raise PermissionDenied(_("Only the organisers of an institution can manage its events."))


def _managed_institution_ids() -> list[int] | None:
    """The institutions whose events the actor manages; None for all (administrators)."""
    actor = current_actor()
    if role_of(actor) == Role.ADMIN:
        return None
    return [institution.id for institution in actor.institutions]


def _load_managed_event(event_id: int):
    event = queries.get_event(event_id)
    if event is None:
        abort(404)
    if not rules.can_manage_event(current_actor(), event):
        raise PermissionDenied(_("Only the organisers of this institution can change this event."))
    return event


def _load_item(event, item_id: int):
    for item in event.items:
        if item.id == item_id:
            return item
    abort(404)


def _back_to(event, anchor: str = ""):
    return redirect(url_for("workshops.manage_event", event_id=event.id) + anchor)


# Events --------------------------------------------------------------------------------------


@bp.route("/manage/ateliers/", endpoint="manage_index")
@login_required
def manage_index():
    _require_organiser()
    events = queries.list_managed_events(_managed_institution_ids())
    return render_template("workshops/manage/index.html", events=events, now=utcnow())


def _commitment_choices(form: EventForm, chosen: list[int]) -> dict:
    """Offer the commitments of the actor's institutions (and those already chosen), grouped
    by plan; returns them by id."""
    commitments = queries.list_commitment_choices(_managed_institution_ids(), also=chosen)
    form.commitments.choices = [
        SelectChoice(
            c.id,
            _("Commitment %(number)d: %(title)s", number=c.number, title=_shorten(c.title)),
            optgroup=f"{c.plan.kind_label} {c.plan.period_label}",
        )
        for c in commitments
    ]
    return {c.id: c for c in commitments}


def _shorten(text: str, length: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"


def _event_fields(form: EventForm, commitments: dict) -> dict:
    """What the services take from the event form, times turned from Paris into UTC."""
    return {
        "title": form.title.data,
        "description": form.description.data or "",
        "starts_at": paris_to_utc(form.starts_at.data),
        "ends_at": paris_to_utc(form.ends_at.data),
        "venue": form.venue.data or "",
        "accessibility_info": form.accessibility_info.data or "",
        "online_url": form.online_url.data or "",
        "registration_opens_at": paris_to_utc(form.registration_opens_at.data),
        "registration_closes_at": paris_to_utc(form.registration_closes_at.data),
        "has_waiting_list": form.has_waiting_list.data,
        "has_parity_quota": form.has_parity_quota.data,
        "commitments": [commitments[i] for i in form.commitments.data or [] if i in commitments],
    }


@bp.route(
    "/manage/ateliers/evenements/nouveau", methods=["GET", "POST"], endpoint="manage_create_event"
)
@login_required
@unit_of_work
def manage_create_event():
    _require_organiser()
    actor = current_actor()
    form = EventForm(data=None if request.method == "POST" else {"has_waiting_list": True})
    institutions = list_institutions() if role_of(actor) == Role.ADMIN else actor.institutions
    form.institution.choices = [SelectChoice(i.id, i.name) for i in institutions]
    kits = queries.list_published_kits()
    form.kit.choices = [SelectChoice(0, _("No kit"))] + [
        SelectChoice(k.id, _("%(title)s, version %(version)d", title=k.title, version=k.version))
        for k in kits
    ]
    commitments = _commitment_choices(form, [])
    if form.validate_on_submit():
        by_id = {i.id: i for i in institutions}
        try:
            event = services.create_event(
                actor,
                institution=by_id[form.institution.data],
                kit=next((k for k in kits if k.id == form.kit.data), None),
                **_event_fields(form, commitments),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(
                _("The event is created as a draft. Add its programme, then publish it."), "success"
            )
            return _back_to(event)
    return render_template(
        "workshops/manage/event_form.html", form=form, event=None, kits=kits
    ), form_status(form)


@bp.route(
    "/manage/ateliers/evenements/<int:event_id>/modifier",
    methods=["GET", "POST"],
    endpoint="manage_edit_event",
)
@login_required
@unit_of_work
def manage_edit_event(event_id: int):
    event = _load_managed_event(event_id)
    form = EventForm(
        data=None
        if request.method == "POST"
        else {
            "title": event.title,
            "description": event.description,
            "starts_at": utc_to_paris(event.starts_at),
            "ends_at": utc_to_paris(event.ends_at),
            "venue": event.venue,
            "accessibility_info": event.accessibility_info,
            "online_url": event.online_url,
            "registration_opens_at": utc_to_paris(event.registration_opens_at),
            "registration_closes_at": utc_to_paris(event.registration_closes_at),
            "has_waiting_list": event.has_waiting_list,
            "has_parity_quota": event.has_parity_quota,
            "commitments": [c.id for c in event.commitments],
        }
    )
    # The institution and the kit an event was made from stay what they were.
    del form.institution
    del form.kit
    commitments = _commitment_choices(form, [c.id for c in event.commitments])
    if form.validate_on_submit():
        fields = _event_fields(form, commitments)
        try:
            services.update_event(current_actor(), event, **fields)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("The event is saved."), "success")
            return _back_to(event)
    return render_template(
        "workshops/manage/event_form.html", form=form, event=event, kits=[]
    ), form_status(form)


def _render_manage_event(event, item_form: ItemForm, status: int = 200):
    return render_template(
        "workshops/manage/event.html",
        event=event,
        form=item_form,
        now=utcnow(),
    ), status


def _item_fields(form: ItemForm, event) -> dict:
    day = paris_day(event.starts_at)
    fields = {
        "kind": form.kind.data,
        "title": form.title.data,
        "starts_at": at_paris_time(day, form.starts_at.data),
        "ends_at": at_paris_time(day, form.ends_at.data),
        "room": form.room.data or "",
        "description": form.description.data or "",
    }
    if form.kind.data == ItemKind.WORKSHOP:
        fields["capacity"] = form.capacity.data
    return fields


@bp.route(
    "/manage/ateliers/evenements/<int:event_id>/", methods=["GET", "POST"], endpoint="manage_event"
)
@login_required
@unit_of_work
def manage_event(event_id: int):
    """The event's dashboard: details, programme (with a form to add a session), actions."""
    event = _load_managed_event(event_id)
    form = ItemForm(data=None if request.method == "POST" else {"kind": ItemKind.WORKSHOP.value})
    if form.validate_on_submit():
        try:
            services.add_item(current_actor(), event, **_item_fields(form, event))
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("The session is added to the programme."), "success")
            return _back_to(event, "#programme")
    return _render_manage_event(event, form, form_status(form))


@bp.route(
    "/manage/ateliers/evenements/<int:event_id>/programme/<int:item_id>",
    methods=["GET", "POST"],
    endpoint="manage_edit_item",
)
@login_required
@unit_of_work
def manage_edit_item(event_id: int, item_id: int):
    event = _load_managed_event(event_id)
    item = _load_item(event, item_id)
    form = ItemForm(
        data=None
        if request.method == "POST"
        else {
            "kind": item.kind,
            "title": item.title,
            "starts_at": utc_to_paris(item.starts_at).time() if item.starts_at else None,
            "ends_at": utc_to_paris(item.ends_at).time() if item.ends_at else None,
            "room": item.room,
            "description": item.description,
            "capacity": item.capacity,
        }
    )
    if form.validate_on_submit():
        try:
            services.update_item(current_actor(), item, **_item_fields(form, event))
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("The session is saved."), "success")
            return _back_to(event, "#programme")
    return render_template(
        "workshops/manage/item_form.html", event=event, item=item, form=form
    ), form_status(form)


@bp.route(
    "/manage/ateliers/evenements/<int:event_id>/programme/<int:item_id>/supprimer",
    methods=["POST"],
    endpoint="manage_remove_item",
)
@login_required
@unit_of_work
def manage_remove_item(event_id: int, item_id: int):
    event = _load_managed_event(event_id)
    item = _load_item(event, item_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.remove_item(current_actor(), item)
    except DomainError as error:
        flash(str(error), "error")
    else:
        flash(_("The session is removed from the programme."), "success")
    return _back_to(event, "#programme")


@bp.route(
    "/manage/ateliers/evenements/<int:event_id>/publier",
    methods=["POST"],
    endpoint="manage_publish_event",
)
@login_required
@unit_of_work
def manage_publish_event(event_id: int):
    event = _load_managed_event(event_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.publish_event(current_actor(), event)
    except DomainError as error:
        flash(str(error), "error")
        return _back_to(event)
    flash(_("The event is published: it is in the agenda and open to registration."), "success")
    return redirect(url_for("workshops.show_event", event_id=event.id))


@bp.route(
    "/manage/ateliers/evenements/<int:event_id>/annuler",
    methods=["GET", "POST"],
    endpoint="manage_cancel_event",
)
@login_required
@unit_of_work
def manage_cancel_event(event_id: int):
    event = _load_managed_event(event_id)
    form = CancelEventForm()
    if form.validate_on_submit():
        try:
            told = services.cancel_event(current_actor(), event, form.reason.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(
                ngettext(
                    "The event is cancelled; %(num)d registrant is told why.",
                    "The event is cancelled; %(num)d registrants are told why.",
                    told,
                ),
                "success",
            )
            return _back_to(event)
    page = render_template("workshops/manage/cancel.html", event=event, form=form)
    return page, form_status(form)


# Registrants ---------------------------------------------------------------------------------


@bp.route("/manage/ateliers/evenements/<int:event_id>/inscrits", endpoint="manage_registrants")
@login_required
def manage_registrants(event_id: int):
    event = _load_managed_event(event_id)
    return render_template(
        "workshops/manage/registrants.html",
        event=event,
        registrants=queries.list_registrants(event),
    )


@bp.route(
    "/manage/ateliers/evenements/<int:event_id>/inscrits/<int:registration_id>/presence",
    methods=["POST"],
    endpoint="manage_check_in",
)
@login_required
@unit_of_work
def manage_check_in(event_id: int, registration_id: int):
    event = _load_managed_event(event_id)
    registration = queries.get_registration(event, registration_id)
    if registration is None:
        abort(404)
    form = CheckInForm()
    if not form.validate_on_submit() or form.present.data not in ("0", "1"):
        abort(400)
    try:
        services.check_in(current_actor(), registration, form.present.data == "1")
    except DomainError as error:
        flash(str(error), "error")
    else:
        name = registration.user.display_name
        if form.present.data == "1":
            flash(_("%(name)s is marked present.", name=name), "success")
        else:
            flash(_("%(name)s is no longer marked present.", name=name), "info")
    return redirect(
        url_for("workshops.manage_registrants", event_id=event.id)
        + f"#inscription-{registration.id}"
    )


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@bp.route(
    "/manage/ateliers/evenements/<int:event_id>/inscrits.csv", endpoint="manage_export_registrants"
)
@login_required
def manage_export_registrants(event_id: int):
    """The sheet for the day: confirmed registrants, no e-mail address, nothing more."""
    event = _load_managed_event(event_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Name"), _("Workshop"), _("Affiliation"), _("Organisation"), _("Present")])
    for registration, item in queries.list_attendance_rows(event):
        writer.writerow(
            [
                _cell(registration.user.public_name),
                _cell(item.title),
                str(AFFILIATION_LABELS.get(registration.affiliation, registration.affiliation)),
                _cell(registration.organisation),
                _("yes") if registration.checked_in_at else _("no"),
            ]
        )
    body = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="inscrits-evenement-{event.id}.csv"'
        },
    )


@bp.route(
    "/manage/ateliers/evenements/<int:event_id>/message",
    methods=["GET", "POST"],
    endpoint="manage_message",
)
@login_required
@unit_of_work
def manage_message(event_id: int):
    event = _load_managed_event(event_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            sent = services.message_registrants(
                current_actor(), event, form.subject.data, form.body.data
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(
                ngettext(
                    "The message is sent to %(num)d registrant.",
                    "The message is sent to %(num)d registrants.",
                    sent,
                ),
                "success",
            )
            return _back_to(event)
    page = render_template("workshops/manage/message.html", event=event, form=form)
    return page, form_status(form)
