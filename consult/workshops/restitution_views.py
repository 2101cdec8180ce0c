"""Restitution pages on the workshops blueprint: the public page of a restitution with its
discussion, and the organisers' pages under /manage/ateliers/evenements/<id>/restitutions."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from wtforms import SelectChoice

from consult.core.db import get_or_404, unit_of_work, utcnow
from consult.core.errors import DomainError, PermissionDenied
from consult.core.moderation import MODERATION_STATUS_LABELS, ModerationStatus
from consult.core.views import attach_error, current_actor, form_status
from consult.discussions.views import thread_context
from consult.plans.views import RelatedContent
from consult.workshops import restitutions, rules
from consult.workshops.hosts import RESTITUTION
from consult.workshops.models import Event, ItemKind, ProgrammeItem
from consult.workshops.restitution_forms import RestitutionForm
from consult.workshops.views import bp

RESTITUTION_LABEL = _l("Workshop restitution")


# Public ------------------------------------------------------------------------------------------


@bp.route("/ateliers/restitutions/<int:restitution_id>")
def show_restitution(restitution_id: int):
    """A restitution with the commitments it concerns, and its discussion."""
    restitution = restitutions.get_restitution(restitution_id)
    if restitution is None or not restitutions.is_shown_to(restitution, current_actor()):
        abort(404)
    return render_template(
        "workshops/restitution.html",
        restitution=restitution,
        event=restitution.event,
        is_published=restitution.status == ModerationStatus.PUBLISHED,
        status_label=MODERATION_STATUS_LABELS.get(restitution.status, restitution.status),
        **thread_context(
            RESTITUTION,
            restitution.id,
            official_institution_ids={restitution.event.institution_id},
        ),
    )


def commitment_restitutions(commitment) -> list[RelatedContent]:
    """The published restitutions concerning `commitment`, for its page's related
    contributions (registered in app.py)."""
    return [
        RelatedContent(
            title=restitutions.title_of(restitution),
            url=url_for("workshops.show_restitution", restitution_id=restitution.id),
            date=restitution.published_at,
            kind_label=str(RESTITUTION_LABEL),
        )
        for restitution in restitutions.list_published_for_commitment(commitment.id)
    ]


# Organisers --------------------------------------------------------------------------------------


def _managed_event(event_id: int) -> Event:
    event = get_or_404(Event, event_id)
    if not rules.can_manage_event(current_actor(), event):
        raise PermissionDenied(_("Only the organisers of this event can publish its restitutions."))
    return event


@bp.route("/manage/ateliers/evenements/<int:event_id>/restitutions")
@login_required
def manage_restitutions(event_id: int):
    """Each workshop of the event with the state of its restitution."""
    event = _managed_event(event_id)
    return render_template(
        "workshops/manage/restitutions.html",
        event=event,
        workshops=restitutions.list_workshops(event),
        by_item=restitutions.list_restitutions_by_item(event),
        is_open=restitutions.takes_restitutions(event, utcnow()),
        status_labels=MODERATION_STATUS_LABELS,
    )


@bp.route(
    "/manage/ateliers/evenements/<int:event_id>/restitutions/<int:item_id>",
    methods=["GET", "POST"],
)
@login_required
@unit_of_work
def manage_restitution(event_id: int, item_id: int):
    """Write or rewrite a workshop's restitution; it then waits for moderation."""
    event = _managed_event(event_id)
    item = get_or_404(ProgrammeItem, item_id)
    if item.event_id != event.id or item.kind != ItemKind.WORKSHOP:
        abort(404)
    existing = restitutions.list_restitutions_by_item(event).get(item.id)
    form = RestitutionForm()
    form.commitments.choices = [
        SelectChoice(c.id, f"{c.plan.period_label} – {c.number}. {c.title}")
        for c in sorted(event.commitments, key=lambda c: (c.plan_id, c.number))
    ]
    if not form.is_submitted() and existing is not None:
        form.body.data = existing.body
        form.participant_count.data = existing.participant_count
        form.commitments.data = [c.id for c in existing.commitments]
    if form.validate_on_submit():
        try:
            restitution = restitutions.save_restitution(
                current_actor(),
                item,
                body=form.body.data,
                participant_count=form.participant_count.data,
                commitment_ids=form.commitments.data,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("The restitution is sent to the moderators: it will be published once "
                    "they approve it."), "success")  # fmt: skip
            return redirect(url_for("workshops.show_restitution", restitution_id=restitution.id))
    return render_template(
        "workshops/manage/restitution.html",
        event=event,
        item=item,
        form=form,
        existing=existing,
        is_open=restitutions.takes_restitutions(event, utcnow()),
        status_labels=MODERATION_STATUS_LABELS,
    ), form_status(form)
