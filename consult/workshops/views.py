"""Public pages of the workshops: agenda, event, registration, cancellation, calendars."""

from datetime import date
from itertools import groupby
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from consult.core.db import unit_of_work, utcnow
from consult.core.errors import Conflict, DomainError, InvalidTransition, ValidationFailed
from consult.core.templating import external_url
from consult.core.views import attach_error, current_actor, form_status
from consult.workshops import calendar, queries, restitutions, rules, services
from consult.workshops.forms import ConfirmForm, RegistrationForm, paris_day
from consult.workshops.models import (
    AFFILIATION_LABELS,
    EVENT_STATUS_LABELS,
    ITEM_KIND_LABELS,
    REGISTRATION_STATUS_LABELS,
    Event,
    EventStatus,
)

bp = Blueprint("workshops", __name__)


# Presentation helpers, for this blueprint's templates ----------------------------------------


def event_when(event: Event) -> str:
    """The event's date and times in Paris, as one sentence."""
    start, end = event.starts_at, event.ends_at
    if paris_day(start) == paris_day(end):
        return _(
            "%(day)s, from %(start)s to %(end)s",
            day=format_date(start, "full"),
            start=format_time(start, "short"),
            end=format_time(end, "short"),
        )
    return _(
        "From %(start_day)s at %(start)s to %(end_day)s at %(end)s",
        start_day=format_date(start, "full"),
        start=format_time(start, "short"),
        end_day=format_date(end, "full"),
        end=format_time(end, "short"),
    )


def item_when(item) -> str:
    """A session's times in Paris ("14:00 – 15:30"), or an empty string."""
    if item.starts_at and item.ends_at:
        return _(
            "%(start)s to %(end)s",
            start=format_time(item.starts_at, "short"),
            end=format_time(item.ends_at, "short"),
        )
    if item.starts_at:
        return _("From %(start)s", start=format_time(item.starts_at, "short"))
    return ""


def moment(value) -> str:
    """A date and a time in Paris, as in "21 juin 2026 à 17:00"."""
    return _(
        "%(day)s at %(time)s", day=format_date(value, "long"), time=format_time(value, "short")
    )


def month_label(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return format_date(date(year, number, 1), "LLLL y").capitalize()


def seats_text(item) -> str:
    return _(
        "Seats left: %(left)d out of %(capacity)d", left=item.seats_left, capacity=item.capacity
    )


def waiting_text(count: int) -> str:
    return ngettext(
        "%(num)d person on the waiting list", "%(num)d people on the waiting list", count
    )


@bp.context_processor
def workshop_helpers():
    return {
        "event_when": event_when,
        "item_when": item_when,
        "month_label": month_label,
        "moment": moment,
        "seats_text": seats_text,
        "waiting_text": waiting_text,
        "format_time": format_time,
        "event_status_labels": EVENT_STATUS_LABELS,
        "item_kind_labels": ITEM_KIND_LABELS,
        "affiliation_labels": AFFILIATION_LABELS,
        "registration_status_labels": REGISTRATION_STATUS_LABELS,
    }


def _domain(url: str) -> str:
    return urlsplit(url).hostname or "consult"


# The agenda ----------------------------------------------------------------------------------


@bp.route("/ateliers/")
def index():
    filters = queries.AgendaFilters.from_args(request.args)
    agenda = queries.list_agenda(filters, utcnow())
    institutions = queries.list_agenda_institutions()
    chosen_institution = next((i for i in institutions if i.slug == filters.institution), None)
    return render_template(
        "workshops/index.html",
        agenda=agenda,
        filters=filters,
        institutions=institutions,
        chosen_institution=chosen_institution,
        commitment_groups=[
            (f"{group[0].plan.kind_label} {group[0].plan.period_label}", group)
            for group in (
                list(g)
                for _plan, g in groupby(queries.list_agenda_commitments(), lambda c: c.plan_id)
            )
        ],
        months=queries.list_agenda_months(),
        seats={e.id: queries.seats_of(e) for e in agenda.upcoming + agenda.past},
        modes={
            queries.MODE_IN_PERSON: _("In person"),
            queries.MODE_ONLINE: _("Online"),
        },
    )


# One event -----------------------------------------------------------------------------------


def load_event(event_id: int) -> Event:
    """A public event, or a draft for its organisers (a preview); 404 otherwise."""
    event = queries.get_event(event_id)
    if event is None:
        abort(404)
    if event.status == EventStatus.DRAFT and not rules.can_manage_event(current_actor(), event):
        abort(404)
    return event


def _workshops(event: Event) -> list:
    return [item for item in event.items if item.takes_registrations]


def _set_workshop_choices(form: RegistrationForm, event: Event) -> None:
    form.workshop.choices = [
        SelectChoice(
            item.id,
            item.title,
            render_kw={"disabled": True}
            if item.seats_left == 0 and not event.has_waiting_list
            else {},
        )
        for item in _workshops(event)
    ]


def _registration_state(event: Event, now) -> str:
    """One word for the template: cancelled, past, draft, not_open, closed or open."""
    if event.status == EventStatus.CANCELLED:
        return "cancelled"
    if event.is_past(now):
        return "past"
    if event.status == EventStatus.DRAFT:
        return "draft"
    if rules.is_registration_open(event, now):
        return "open"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_open"
    return "closed"


def _render_event(event: Event, form: RegistrationForm, status: int = 200):
    now = utcnow()
    viewer = None
    if current_user.is_authenticated:
        viewer = queries.get_viewer_registration(event, current_user.id)
    _set_workshop_choices(form, event)
    return render_template(
        "workshops/event.html",
        event=event,
        form=form,
        viewer=viewer,
        workshops=_workshops(event),
        state=_registration_state(event, now),
        is_past=event.is_past(now),
        can_manage=rules.can_manage_event(current_actor(), event),
        restitutions=restitutions.list_published_restitutions(event),
    ), status


@bp.route("/ateliers/evenements/<int:event_id>")
def show_event(event_id: int):
    event = load_event(event_id)
    return _render_event(event, RegistrationForm(formdata=None))


@bp.route("/ateliers/evenements/<int:event_id>/inscription", methods=["POST"])
@login_required
@unit_of_work
def register(event_id: int):
    event = load_event(event_id)
    form = RegistrationForm()
    _set_workshop_choices(form, event)
    if form.validate_on_submit():
        item = next(i for i in _workshops(event) if i.id == form.workshop.data)
        try:
            registration = services.register_for_workshop(
                current_actor(),
                item,
                affiliation=form.affiliation.data,
                organisation=form.organisation.data or "",
                needs=form.needs.data or "",
            )
        except (InvalidTransition, Conflict, ValidationFailed) as error:
            attach_error(form, error)
        else:
            if registration.is_confirmed:
                flash(
                    _("Your seat is confirmed. An e-mail with the calendar file is on its way."),
                    "success",
                )
            else:
                flash(
                    _(
                        "The workshop is full: you are on its waiting list. We will write to "
                        "you as soon as a seat frees up for you."
                    ),
                    "info",
                )
            return redirect(url_for("workshops.show_event", event_id=event.id) + "#inscription")
    return _render_event(event, form, form_status(form))


@bp.route("/ateliers/evenements/<int:event_id>/desinscription", methods=["GET", "POST"])
@login_required
@unit_of_work
def cancel_registration(event_id: int):
    event = load_event(event_id)
    viewer = queries.get_viewer_registration(event, current_user.id)
    if viewer is None:
        flash(_("You have no registration for this event."), "info")
        return redirect(url_for("workshops.show_event", event_id=event.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.cancel_registration(current_actor(), viewer.registration)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Your registration is cancelled."), "success")
            return redirect(url_for("workshops.show_event", event_id=event.id))
    return render_template(
        "workshops/cancel_registration.html",
        event=event,
        registration=viewer.registration,
        position=viewer.position,
        form=form,
        is_past=event.is_past(utcnow()),
    ), form_status(form)


@bp.route("/ateliers/annuler/<token>", methods=["GET", "POST"])
@unit_of_work
def cancel_by_link(token: str):
    """The link of the e-mails: the token is the proof, no login needed."""
    try:
        registration = services.registration_for_token(token)
    except InvalidTransition as error:
        return render_template(
            "workshops/cancel_by_link.html", problem=str(error), registration=None, form=None
        ), 400
    form = ConfirmForm()
    event = registration.event
    if form.validate_on_submit():
        try:
            services.cancel_registration(current_actor(), registration, by_link=True)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Your registration is cancelled. Thank you for freeing your seat."), "success")
            return redirect(url_for("workshops.show_event", event_id=event.id))
    return render_template(
        "workshops/cancel_by_link.html",
        problem=None,
        token=token,
        registration=registration,
        event=event,
        form=form,
        is_past=event.is_past(utcnow()),
    ), form_status(form)


# Calendars -----------------------------------------------------------------------------------


def _calendar_response(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/ateliers/evenements/<int:event_id>.ics")
def event_calendar(event_id: int):
    event = load_event(event_id)
    url = external_url("workshops.show_event", event_id=event.id)
    return _calendar_response(
        calendar.event_ics(event, url, _domain(url)), f"evenement-{event.id}.ics"
    )


@bp.route("/ateliers/institutions/<slug>.ics")
def institution_calendar(slug: str):
    institution = queries.get_institution(slug)
    if institution is None:
        abort(404)
    events = queries.list_institution_events(institution)
    urls = [(e, external_url("workshops.show_event", event_id=e.id)) for e in events]
    domain = _domain(external_url("workshops.index"))
    name = _("Events of %(institution)s", institution=institution.name)
    return _calendar_response(calendar.feed_ics(name, urls, domain), f"{institution.slug}.ics")
