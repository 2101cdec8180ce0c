"""Moderation pages: the queue, decisions, blocking, and the public moderation log.

Every page but the public log needs moderation:decide: anonymous visitors go to the log-in
page, other roles get the 403 page. The pages hold no rules: they call
consult.moderation.services, which records each decision and its audit entry.
"""

import functools

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms import SelectChoice

from consult.accounts.models import User
from consult.core import ratelimits
from consult.core.db import get_or_404, unit_of_work
from consult.core.errors import (
    Conflict,
    DomainError,
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
)
from consult.core.moderation import (
    DECISION_ACTION_LABELS,
    DECISION_REASON_LABELS,
    MODERATION_STATUS_LABELS,
    REASONS_FOR,
    REPORT_REASON_LABELS,
    DecisionAction,
    DecisionReason,
    ModerationStatus,
)
from consult.core.permissions import Capability, require
from consult.core.views import attach_error, current_actor, form_status, safe_next
from consult.discussions.models import HeldReason
from consult.extensions import login_manager
from consult.moderation import forms, queries, services, targets

bp = Blueprint("moderation", __name__)

#: The decisions on one item, in the order the item page offers them.
ITEM_ACTIONS = (
    DecisionAction.APPROVE,
    DecisionAction.REJECT,
    DecisionAction.HIDE,
    DecisionAction.RESTORE,
)

DONE_MESSAGES = {
    DecisionAction.APPROVE: _l("Approved: the item is published and marked as reviewed."),
    DecisionAction.REJECT: _l("Rejected: the item will not be published."),
    DecisionAction.HIDE: _l("Hidden: the item no longer shows anywhere."),
    DecisionAction.RESTORE: _l("Restored: the item is published again."),
}


def moderator_required(view):
    """Anonymous visitors go to the log-in page; roles without moderation:decide get a 403."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        require(current_actor(), Capability.MODERATION_DECIDE)
        return view(*args, **kwargs)

    return wrapper


def kind_label(kind: str):
    adapter = targets.kind(kind)
    if adapter is not None:
        return adapter.label
    return _("Account") if kind == "user" else kind


@bp.context_processor
def moderation_helpers():
    return {
        "kind_label": kind_label,
        "action_label": lambda action: DECISION_ACTION_LABELS.get(action, action),
        "reason_label": lambda reason: DECISION_REASON_LABELS.get(reason, reason),
        "report_reason_label": lambda reason: REPORT_REASON_LABELS.get(reason, reason),
        "status_label": lambda status: MODERATION_STATUS_LABELS.get(status, status),
        "held_reason_label": lambda reason: queries.HELD_REASON_LABELS.get(reason, reason),
        "queue_state_labels": queries.QUEUE_STATE_LABELS,
    }


# The queue ----------------------------------------------------------------------------------


def _read_filters() -> forms.QueueFilterForm:
    """The queue's filters from the query string, unknown values dropped; no query made."""
    form = forms.QueueFilterForm(formdata=request.args)
    form.keep_known(targets.KINDS, queries.QUEUE_STATES, queries.QUEUE_REASONS)
    return form


def _queue_filters(form: forms.QueueFilterForm) -> queries.QueueFilters:
    return queries.QueueFilters(
        kind=form.kind.data or "",
        state=form.state.data or "",
        reason=form.reason.data or "",
        plan_id=int(form.plan.data) if form.plan.data else None,
        institution_id=int(form.institution.data) if form.institution.data else None,
    )


def _queue_arguments(form: forms.QueueFilterForm) -> dict:
    """The filters and the page, carried through item pages and back to the queue."""
    arguments = form.arguments
    page = request.args.get("page", 1, type=int)
    if page > 1:
        arguments["page"] = page
    return arguments


def _fill_filter_choices(form: forms.QueueFilterForm) -> None:
    form.kind.choices = [SelectChoice("", _("Every kind"))] + [
        SelectChoice(name, adapter.label) for name, adapter in targets.KINDS.items()
    ]
    form.state.choices = [SelectChoice("", _("Everything awaiting a decision"))] + [
        SelectChoice(state, queries.QUEUE_STATE_LABELS[state]) for state in queries.QUEUE_STATES
    ]
    form.reason.choices = (
        [SelectChoice("", _("Every reason"))]
        + [
            SelectChoice(reason, label, optgroup=_("Reported as"))
            for reason, label in REPORT_REASON_LABELS.items()
        ]
        + [
            SelectChoice(reason.value, queries.HELD_REASON_LABELS[reason], optgroup=_("Held"))
            for reason in HeldReason
        ]
    )
    form.plan.choices = [SelectChoice("", _("Every plan"))] + [
        SelectChoice(str(plan.id), plan.title) for plan in queries.list_plans()
    ]
    form.institution.choices = [SelectChoice("", _("Every institution"))] + [
        SelectChoice(str(institution.id), institution.name)
        for institution in queries.list_institutions()
    ]


def _fill_bulk_choices(form: forms.BulkDecisionForm) -> None:
    form.action.choices = [SelectChoice("", _("Choose a decision"))] + [
        SelectChoice(action.value, DECISION_ACTION_LABELS[action]) for action in ITEM_ACTIONS
    ]
    form.reason.choices = [SelectChoice("", _("Choose a reason"))] + [
        SelectChoice(reason.value, DECISION_REASON_LABELS[reason])
        for reason in DecisionReason
        if any(reason in REASONS_FOR[action] for action in ITEM_ACTIONS)
    ]


def _render_queue(filters: forms.QueueFilterForm, bulk: forms.BulkDecisionForm, status: int):
    arguments = _queue_arguments(filters)
    criteria = _queue_filters(filters)
    counts = queries.count_by_state(criteria)
    listing = queries.list_queue(
        criteria, page=request.args.get("page", 1, type=int), total=counts[criteria.state]
    )
    _fill_filter_choices(filters)
    _fill_bulk_choices(bulk)
    return render_template(
        "moderation/queue.html",
        filters=filters,
        arguments=arguments,
        listing=listing,
        counts=counts,
        form=bulk,
        selected=set(bulk.items.data or []),
    ), status


@bp.route("/moderation/")
@moderator_required
def queue():
    """Every kind of content waiting for a moderator, oldest first, with filters and counts."""
    return _render_queue(_read_filters(), forms.BulkDecisionForm(prefix="bulk", formdata=None), 200)


@bp.route("/moderation/decisions-groupees", methods=["POST"])
@moderator_required
@unit_of_work
def decide_selection():
    """The same decision on every ticked item; those that cannot take it are listed."""
    filters = _read_filters()
    form = forms.BulkDecisionForm(prefix="bulk")
    if form.validate_on_submit():
        decided, skipped = 0, []
        try:
            for kind, ids in form.selection().items():
                done, left = services.decide_many(
                    current_actor(), kind, ids, form.action.data, form.reason.data, form.note.data
                )
                decided += len(done)
                skipped.extend((kind, content_id, why) for content_id, why in left)
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            if decided:
                flash(
                    ngettext("%(num)d item is decided.", "%(num)d items are decided.", decided),
                    "success",
                )
            else:
                flash(_("No item was decided."), "warning")
            for kind, content_id, why in skipped:
                flash(
                    _(
                        "Not decided: %(kind)s #%(id)d. %(why)s",
                        kind=kind_label(kind),
                        id=content_id,
                        why=why,
                    ),
                    "warning",
                )
            return redirect(url_for("moderation.queue", **_queue_arguments(filters)))
    return _render_queue(filters, form, 422)


# One item -----------------------------------------------------------------------------------


def _load_item(kind: str, content_id: int) -> queries.QueueItem:
    entry = queries.get_item(kind, content_id)
    if entry is None:
        abort(404)
    return entry


def _decision_forms(entry: queries.QueueItem, submitted: str | None) -> dict:
    """A form per decision that fits the item's state, with the reasons that fit it; the
    submitted one is bound to what was sent."""
    decision_forms = {}
    for action in ITEM_ACTIONS:
        allowed, _new_status = services.TRANSITIONS[action]
        if entry.status not in allowed:
            continue
        reasons = REASONS_FOR[action]
        if action == submitted:
            form = forms.DecisionForm(prefix=action.value)
        else:
            only = {"reason": reasons[0].value} if len(reasons) == 1 else None
            form = forms.DecisionForm(prefix=action.value, formdata=None, data=only)
        form.reason.choices = [SelectChoice(r.value, DECISION_REASON_LABELS[r]) for r in reasons]
        decision_forms[action.value] = form
    return decision_forms


@bp.route("/moderation/<kind>/<int:content_id>", methods=["GET", "POST"])
@moderator_required
@unit_of_work
def show_item(kind: str, content_id: int):
    """An item in full, its context, reports and history, and the decisions that fit it."""
    entry = _load_item(kind, content_id)
    arguments = _queue_arguments(_read_filters())
    submitted = request.form.get("action") if request.method == "POST" else None
    decision_forms = _decision_forms(entry, submitted)
    status = 200
    if submitted is not None:
        form = decision_forms.get(submitted)
        if form is None:
            # Decided by someone else since the page was shown, or a made-up decision.
            flash(_("This decision does not apply to the item in its current state."), "error")
            return redirect(url_for("moderation.show_item", kind=kind, content_id=content_id))
        if form.validate_on_submit():
            try:
                services.decide(
                    current_actor(), kind, content_id, submitted, form.reason.data, form.note.data
                )
            except (Conflict, InvalidTransition) as error:
                attach_error(form, error)
                status = 409
            except ValidationFailed as error:
                attach_error(form, error)
            else:
                flash(DONE_MESSAGES[DecisionAction(submitted)], "success")
                return redirect(url_for("moderation.queue", **arguments))
        if status == 200:
            status = form_status(form)
    author = entry.author
    return render_template(
        "moderation/item.html",
        entry=entry,
        arguments=arguments,
        decision_forms=decision_forms,
        # The form sent back with errors, if any: the page title then starts with "Error".
        form=next((f for f in decision_forms.values() if f.errors), None),
        reports=queries.list_reports(kind, content_id),
        decisions=queries.list_decisions_about(kind, content_id, author.id if author else None),
        claim_form=forms.ConfirmForm(formdata=None),
    ), status


@bp.route("/moderation/<kind>/<int:content_id>/prendre", methods=["POST"])
@moderator_required
@unit_of_work
def claim_item(kind: str, content_id: int):
    """Take an item, so that no other moderator decides it meanwhile."""
    arguments = _queue_arguments(_read_filters())
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.claim(current_actor(), kind, content_id)
    except Conflict as error:
        flash(str(error), "error")
    else:
        flash(_("You are handling this item: other moderators cannot decide it meanwhile."), "info")
    return redirect(url_for("moderation.show_item", kind=kind, content_id=content_id, **arguments))


@bp.route("/moderation/<kind>/<int:content_id>/liberer", methods=["POST"])
@moderator_required
@unit_of_work
def release_item(kind: str, content_id: int):
    """Give an item back to the other moderators."""
    arguments = _queue_arguments(_read_filters())
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    services.release(current_actor(), kind, content_id)
    flash(_("You no longer handle this item."), "info")
    return redirect(url_for("moderation.show_item", kind=kind, content_id=content_id, **arguments))


# Blocking accounts --------------------------------------------------------------------------


def _block_page(user_id: int, action: DecisionAction):
    user = get_or_404(User, user_id)
    back = safe_next(url_for("moderation.list_blocked_users"))
    form = forms.BlockForm()
    reasons = REASONS_FOR[action]
    form.reason.choices = [SelectChoice(r.value, DECISION_REASON_LABELS[r]) for r in reasons]
    status = 200
    if form.validate_on_submit():
        change = (
            services.block_author
            if action == DecisionAction.BLOCK_AUTHOR
            else services.unblock_author
        )
        try:
            change(current_actor(), user, form.reason.data, form.note.data)
        except InvalidTransition as error:
            attach_error(form, error)
            status = 409
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            if action == DecisionAction.BLOCK_AUTHOR:
                message = _("%(name)s is blocked: their content is hidden.", name=user.public_name)
            else:
                message = _(
                    "%(name)s is unblocked: what the block hid is published again.",
                    name=user.public_name,
                )
            flash(message, "success")
            return redirect(back)
    if action == DecisionAction.BLOCK_AUTHOR:
        counts = queries.count_items_of_author(user.id, ModerationStatus.PUBLISHED.value)
    else:
        counts = queries.count_items_hidden_by_block(user.id)
    return render_template(
        "moderation/block.html",
        user=user,
        form=form,
        action=action,
        counts=counts,
        back=back,
    ), (status if status != 200 else form_status(form))


@bp.route("/moderation/comptes/<int:user_id>/bloquer", methods=["GET", "POST"])
@moderator_required
@unit_of_work
def block_user(user_id: int):
    """Confirm, then block an account: everything it published is hidden at once."""
    return _block_page(user_id, DecisionAction.BLOCK_AUTHOR)


@bp.route("/moderation/comptes/<int:user_id>/debloquer", methods=["GET", "POST"])
@moderator_required
@unit_of_work
def unblock_user(user_id: int):
    """Confirm, then lift a block: exactly what the block hid is published again."""
    return _block_page(user_id, DecisionAction.UNBLOCK_AUTHOR)


@bp.route("/moderation/comptes-bloques")
@moderator_required
def list_blocked_users():
    users = queries.list_blocked_users(page=request.args.get("page", 1, type=int))
    return render_template(
        "moderation/blocked.html",
        users=users,
        reasons=queries.get_block_reasons(user.id for user in users.items),
    )


# The public moderation log ------------------------------------------------------------------


@bp.route("/moderation/journal")
def public_log():
    """How moderation is done, for everyone: counts by reason and month, then each decision
    with its kind, date and reason; never an author, a text, a moderator or a note."""
    return render_template(
        "moderation/log.html",
        summary=queries.summarise_decisions(),
        decisions=queries.list_public_decisions(page=request.args.get("page", 1, type=int)),
    )


# Reporting a contribution (any signed-in reader) -----------------------------------------------

REPORT_LIMIT = "RATELIMIT_REPORT"


@bp.route("/contributions/<int:contribution_id>/signaler", methods=["GET", "POST"])
@login_required
@unit_of_work
def report_contribution(contribution_id: int):
    """A reader reports a contribution with a reason: one report per person, rate limited;
    on any refusal the form comes back with what was typed."""
    adapter = targets.kind("contribution")
    item = adapter.get(contribution_id)
    if item is None or not item.is_visible or item.is_withdrawn:
        abort(404)
    return _report_page(
        adapter,
        item,
        action=url_for("moderation.report_contribution", contribution_id=item.id),
        back=url_for("discussions.permalink", contribution_id=item.id),
        contribution=item,
    )


@bp.route("/ateliers/restitutions/<int:restitution_id>/signaler", methods=["GET", "POST"])
@login_required
@unit_of_work
def report_restitution(restitution_id: int):
    """A reader reports a published restitution, as a contribution."""
    adapter = targets.kind("restitution")
    item = adapter.get(restitution_id)
    if item is None or not adapter.is_visible(item):
        abort(404)
    return _report_page(
        adapter,
        item,
        action=url_for("moderation.report_restitution", restitution_id=item.id),
        back=url_for("workshops.show_restitution", restitution_id=item.id),
        restitution=item,
    )


def _report_page(adapter, item, *, action: str, back: str, **shown):
    """The report form for `item`; `shown` names what the page quotes."""
    form = forms.ReportForm()
    status = 200
    if form.validate_on_submit():
        if ratelimits.is_over_limit(REPORT_LIMIT, "report"):
            form.form_errors.append(
                _(
                    "You have sent many reports in a short time. Please wait a moment, then "
                    "send it again."
                )
            )
            status = 429
        else:
            try:
                services.report_content(
                    current_actor(), adapter.name, item.id, form.reason.data, form.detail.data
                )
            except DomainError as error:
                attach_error(form, error)
                status = 403 if isinstance(error, PermissionDenied) else 422
            else:
                flash(_("Thank you: your report is sent to the moderators."), "success")
                return redirect(back)
    elif form.errors:
        status = 422
    response = (
        render_template("moderation/report.html", form=form, action=action, back=back, **shown),
        status,
    )
    if status == 429:
        return (*response, {"Retry-After": str(ratelimits.retry_after(REPORT_LIMIT, "report"))})
    return response
