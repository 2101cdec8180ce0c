"""Public pages of the action plans: list, plan with its summary table, commitment, action."""

from datetime import UTC, date, datetime
from typing import NamedTuple

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from consult.core.db import get_or_404
from consult.discussions.models import TargetKind
from consult.discussions.views import thread_context
from consult.plans import queries, rules
from consult.plans.models import (
    PROGRESS_LABELS,
    SCHEDULE_LABELS,
    Action,
    Commitment,
    Progress,
    Schedule,
)

bp = Blueprint("plans", __name__)


class RelatedContent(NamedTuple):
    """An item of a commitment's "related contributions", from a feature above plans."""

    title: str
    url: str
    date: datetime | None
    kind_label: str


def register_related_content(app, provider) -> None:
    """Add provider(commitment) -> list[RelatedContent] to the commitment pages; app.py holds
    the one list of providers, as for discussion hosts."""
    app.extensions.setdefault("consult_related_content", []).append(provider)


def related_content(commitment) -> list[RelatedContent]:
    """What every provider relates to `commitment`, newest first."""
    items = [
        item
        for provider in current_app.extensions.get("consult_related_content", ())
        for item in provider(commitment)
    ]
    return sorted(items, key=lambda i: i.date or datetime.min.replace(tzinfo=UTC), reverse=True)


def load_plan(slug: str, *, with_axes: bool = True):
    plan = queries.get_plan(slug, with_axes=with_axes)
    if plan is None:
        abort(404)
    return plan


def load_commitment(slug: str, number: int):
    plan = load_plan(slug, with_axes=False)
    commitment = queries.get_commitment(plan, number)
    if commitment is None:
        abort(404)
    return plan, commitment


def load_action(commitment: Commitment, position: int) -> Action:
    for action in commitment.actions:
        if action.position == position:
            return action
    abort(404)


@bp.route("/plans/")
def index():
    return render_template("plans/index.html", plans=queries.list_plans())


@bp.route("/plans/<slug>/")
def show_plan(slug: str):
    plan = load_plan(slug)
    commitments = queries.list_commitments(plan)
    filters = queries.Filters.from_args(request.args)
    axis_numbers = {axis.id: axis.number for axis in plan.axes}
    shown = [c for c in commitments if filters.keep(c, axis_numbers)]
    institutions = sorted(
        {i.id: i for c in commitments for i in c.institutions}.values(), key=lambda i: i.name
    )
    return render_template(
        "plans/plan.html",
        plan=plan,
        commitments=commitments,
        shown=shown,
        filters=filters,
        axis_numbers=axis_numbers,
        institutions=institutions,
        progress=queries.distribution(commitments, "status", Progress),
        schedule=queries.distribution(commitments, "schedule", Schedule),
        shown_progress=queries.distribution(shown, "status", Progress),
        progress_labels=PROGRESS_LABELS,
        schedule_labels=SCHEDULE_LABELS,
    )


@bp.route("/plans/<slug>/engagements/<int:number>")
def show_commitment(slug: str, number: int):
    plan, commitment = load_commitment(slug, number)
    return render_template(
        "plans/commitment.html",
        plan=plan,
        commitment=commitment,
        history=queries.list_history(commitment),
        revisions=queries.list_revisions(commitment),
        can_update=rules.can_update_commitment(current_user, commitment),
        related=related_content(commitment),
        **thread_context(
            TargetKind.COMMITMENT.value,
            commitment.id,
            official_institution_ids={i.id for i in commitment.institutions},
        ),
    )


@bp.route("/plans/<slug>/engagements/<int:number>/actions/<int:position>")
def show_action(slug: str, number: int, position: int):
    plan, commitment = load_commitment(slug, number)
    action = load_action(commitment, position)
    return render_template(
        "plans/action.html",
        plan=plan,
        commitment=commitment,
        action=action,
        history=queries.list_history(commitment, action),
        revisions=queries.list_revisions(commitment, action),
        can_update=rules.can_update_commitment(current_user, commitment),
        **thread_context(
            TargetKind.ACTION.value,
            action.id,
            official_institution_ids={i.id for i in commitment.institutions},
        ),
    )


@bp.route("/engagements/<int:commitment_id>")
def commitment_permalink(commitment_id: int):
    """Permanent link by identifier: survives any renumbering or title change."""
    commitment = get_or_404(Commitment, commitment_id)
    return redirect(
        url_for("plans.show_commitment", slug=commitment.plan.slug, number=commitment.number), 301
    )


@bp.route("/actions/<int:action_id>")
def action_permalink(action_id: int):
    action = get_or_404(Action, action_id)
    commitment = action.commitment
    return redirect(
        url_for(
            "plans.show_action",
            slug=commitment.plan.slug,
            number=commitment.number,
            position=action.position,
        ),
        301,
    )


def home_summary() -> dict:
    """What the home page shows of the plans: the current one and the last one followed."""
    current = queries.get_current_plan(date.today().year)
    followed = queries.get_latest_followed_plan()
    commitments = queries.list_commitments(followed) if followed else []
    return {
        "current_plan": current,
        "followed_plan": followed,
        "followed_progress": queries.distribution(commitments, "status", Progress),
        "progress_labels": PROGRESS_LABELS,
    }
