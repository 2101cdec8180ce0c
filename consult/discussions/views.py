"""Discussion pages: the thread on its host's page, contributing, permalinks, unsubscribing.

Posting, replying, editing and withdrawing have pages of their own, so that every journey
works without JavaScript and every refused form comes back with what was typed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required

from consult.core import ratelimits
from consult.core.db import get_or_404, unit_of_work, utcnow
from consult.core.errors import DomainError, InvalidTransition, PermissionDenied
from consult.core.permissions import Capability, can
from consult.core.sanitize import rich_text
from consult.core.views import attach_error, current_actor
from consult.discussions import forms, queries, rules, services
from consult.discussions.models import Contribution
from consult.discussions.rules import BODY_MAX_LENGTH, MAX_REPLY_DEPTH
from consult.discussions.targets import Host, load_host
from consult.extensions import csrf

bp = Blueprint("discussions", __name__)

CONTRIBUTE_LIMIT = "RATELIMIT_CONTRIBUTE"


# The thread as its host's page shows it ------------------------------------------------------


@dataclass
class DiscussionControls:
    """What the viewer may do in a thread: shows or hides controls, the services decide."""

    viewer: object
    #: The carrying institution the viewer may answer for officially, if any.
    official_institution: object | None
    is_closed: bool
    now: datetime
    edit_window: timedelta

    @property
    def is_signed_in(self) -> bool:
        return bool(getattr(self.viewer, "is_authenticated", False))

    @property
    def refusal(self) -> str | None:
        """Why the viewer cannot contribute: "closed", "anonymous", "unverified", "blocked",
        "not_allowed"; None when they can."""
        if self.is_closed:
            return "closed"
        if not self.is_signed_in:
            return "anonymous"
        if self.viewer.is_blocked:
            return "blocked"
        if not self.viewer.is_verified:
            return "unverified"
        if not rules.can_contribute(self.viewer):
            return "not_allowed"
        return None

    def can_reply(self, contribution: Contribution) -> bool:
        return (
            self.refusal is None
            and contribution.is_visible
            and not contribution.is_withdrawn
            and rules.can_reply_to(contribution.depth)
        )

    def can_edit(self, contribution: Contribution) -> bool:
        return rules.can_edit(self.viewer, contribution, self.now, self.edit_window)

    def can_withdraw(self, contribution: Contribution) -> bool:
        return rules.can_withdraw(self.viewer, contribution)

    def can_report(self, contribution: Contribution) -> bool:
        return (
            self.is_signed_in
            and can(self.viewer, Capability.MODERATION_REPORT)
            and contribution.is_visible
            and not contribution.is_withdrawn
            and not rules.is_author(self.viewer, contribution)
        )


def official_institution_of(actor, official_institution_ids) -> object | None:
    """The first of the actor's institutions that carries the host (the one the service
    answers for), or None."""
    for institution in getattr(actor, "institutions", None) or ():
        if institution.id in official_institution_ids:
            return institution
    return None


def _controls(actor, official_institution_ids, *, is_closed: bool) -> DiscussionControls:
    return DiscussionControls(
        viewer=actor,
        official_institution=official_institution_of(actor, official_institution_ids),
        is_closed=is_closed,
        now=utcnow(),
        edit_window=current_app.config["DISCUSSION_EDIT_WINDOW"],
    )


def thread_context(kind: str, target_id: int, *, official_institution_ids=frozenset()) -> dict:
    """What templates/discussions/_thread.html needs, for the host page showing the thread.

    Reads the `page` and `tri` parameters of the current request.
    """
    actor = current_actor()
    thread_page = queries.get_thread_page(
        kind,
        target_id,
        page=request.args.get("page"),
        sort=request.args.get("tri"),
        viewer=actor,
    )
    controls = _controls(actor, official_institution_ids, is_closed=thread_page.is_closed)
    form = forms.ContributionForm(formdata=None)
    _name_official_box(form, controls.official_institution)
    return {
        "thread_page": thread_page,
        "discussion": controls,
        "discussion_form": form,
        "discussion_form_url": url_for("discussions.contribute", kind=kind, target_id=target_id),
        "sort_labels": queries.SORT_LABELS,
        "body_max_length": BODY_MAX_LENGTH,
    }


def _name_official_box(form, institution) -> None:
    if institution is not None:
        form.official.label.text = _(
            "Answer on behalf of %(institution)s (official answer)", institution=institution.name
        )


# Posting ----------------------------------------------------------------------------------


def _host_or_404(kind: str, target_id: int) -> Host:
    host = load_host(kind, target_id)
    if host is None:
        abort(404)
    return host


def _host_of(contribution: Contribution) -> Host:
    return _host_or_404(contribution.thread.target_kind, contribution.thread.target_id)


def _shown_or_404(contribution_id: int) -> Contribution:
    contribution = get_or_404(Contribution, contribution_id)
    if not queries.is_shown_to(contribution, current_actor()):
        abort(404)
    return contribution


def _error_status(error: DomainError) -> int:
    """403 when the person may not do it, 422 for everything the form can say."""
    return 403 if isinstance(error, PermissionDenied) else 422


def _too_fast(form) -> bool:
    if not ratelimits.is_over_limit(CONTRIBUTE_LIMIT, "contribute"):
        return False
    form.form_errors.append(
        _(
            "You are sending contributions too quickly. Please wait a moment, then send it "
            "again: your text is kept below."
        )
    )
    return True


def _post(form, host: Host, parent: Contribution | None):
    """Send a valid form to the service: (response, None) on success, (None, status) else."""
    if _too_fast(form):
        return None, 429
    try:
        contribution = services.post_contribution(
            current_actor(), host, form.body.data, parent=parent, official=form.official.data
        )
    except DomainError as error:
        attach_error(form, error)
        return None, _error_status(error)
    if contribution.is_visible:
        flash(_("Your contribution is published."), "success")
    else:
        flash(_("Your contribution is awaiting moderation."), "info")
    return redirect(url_for("discussions.permalink", contribution_id=contribution.id)), None


def _form_page(template: str, form, status: int, **context):
    preview = rich_text(form.body.data) if form.wants_preview and form.body.data else None
    page = render_template(
        template, form=form, preview=preview, body_max_length=BODY_MAX_LENGTH, **context
    )
    response = current_app.make_response((page, status))
    if status == 429:
        response.headers["Retry-After"] = str(
            ratelimits.retry_after(CONTRIBUTE_LIMIT, "contribute")
        )
    return response


@bp.route("/discussions/<kind>/<int:target_id>/contribuer", methods=["GET", "POST"])
@login_required
@unit_of_work
def contribute(kind: str, target_id: int):
    """The form to contribute on its own page: where the thread's form posts, and comes back
    with what was typed on any error."""
    host = _host_or_404(kind, target_id)
    actor = current_actor()
    thread = queries.get_thread(kind, target_id)
    controls = _controls(
        actor, host.official_institution_ids, is_closed=bool(thread and thread.is_closed)
    )
    form = forms.ContributionForm()
    _name_official_box(form, controls.official_institution)
    status = 200
    if form.validate_on_submit() and not form.wants_preview:
        response, status = _post(form, host, None)
        if response is not None:
            return response
    elif form.errors:
        status = 422
    return _form_page("discussions/contribute.html", form, status, host=host, discussion=controls)


@bp.route("/contributions/<int:contribution_id>/repondre", methods=["GET", "POST"])
@login_required
@unit_of_work
def reply(contribution_id: int):
    """The reply form under the contribution it answers (the thread links here)."""
    parent = _shown_or_404(contribution_id)
    host = _host_of(parent)
    actor = current_actor()
    controls = _controls(actor, host.official_institution_ids, is_closed=parent.thread.is_closed)
    form = forms.ContributionForm()
    _name_official_box(form, controls.official_institution)
    status = 200
    if form.validate_on_submit() and not form.wants_preview:
        response, status = _post(form, host, parent)
        if response is not None:
            return response
    elif form.errors:
        status = 422
    return _form_page(
        "discussions/reply.html", form, status, host=host, parent=parent, discussion=controls,
        max_depth=MAX_REPLY_DEPTH,
    )  # fmt: skip


@bp.route("/contributions/<int:contribution_id>/modifier", methods=["GET", "POST"])
@login_required
@unit_of_work
def edit_contribution(contribution_id: int):
    """The author corrects their text within the edit window."""
    contribution = _shown_or_404(contribution_id)
    actor = current_actor()
    if not rules.is_author(actor, contribution):
        raise PermissionDenied(_("Only its author can edit a contribution."))
    host = _host_of(contribution)
    controls = _controls(actor, (), is_closed=contribution.thread.is_closed)
    if request.method == "GET" and not controls.can_edit(contribution):
        raise InvalidTransition(_("This contribution can no longer be edited."))
    form = forms.ContributionForm(data={"body": contribution.body})
    status = 200
    if form.validate_on_submit() and not form.wants_preview:
        try:
            services.edit_contribution(actor, contribution, form.body.data, host)
        except DomainError as error:
            attach_error(form, error)
            status = _error_status(error)
        else:
            if contribution.is_pending:
                flash(_("Your contribution is saved and awaiting moderation."), "info")
            else:
                flash(_("Your contribution is updated."), "success")
            return redirect(url_for("discussions.permalink", contribution_id=contribution.id))
    elif form.errors:
        status = 422
    return _form_page(
        "discussions/edit.html", form, status, host=host, contribution=contribution,
        discussion=controls,
    )  # fmt: skip


@bp.route("/contributions/<int:contribution_id>/retirer", methods=["GET", "POST"])
@login_required
@unit_of_work
def withdraw_contribution(contribution_id: int):
    """The author takes back a contribution, after a confirmation page."""
    contribution = _shown_or_404(contribution_id)
    actor = current_actor()
    if not rules.is_author(actor, contribution):
        raise PermissionDenied(_("Only its author can withdraw a contribution."))
    if contribution.is_withdrawn:
        raise InvalidTransition(_("This contribution is already withdrawn."))
    host = _host_of(contribution)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        services.withdraw_contribution(actor, contribution)
        flash(_("Your contribution is withdrawn. A placeholder keeps its place."), "success")
        if contribution.is_visible:
            return redirect(url_for("discussions.permalink", contribution_id=contribution.id))
        return redirect(host.url)
    return render_template(
        "discussions/withdraw.html", form=form, host=host, contribution=contribution
    ), (422 if form.errors else 200)


@bp.route("/contributions/apercu", methods=["POST"])
@login_required
def preview():
    """The rendered text of a draft, for the live preview (an enhancement of the form)."""
    form = forms.ContributionForm()
    if not form.validate_on_submit():
        return current_app.response_class("", status=422, mimetype="text/html")
    return current_app.response_class(str(rich_text(form.body.data)), mimetype="text/html")


# Reading -----------------------------------------------------------------------------------


@bp.route("/contributions/<int:contribution_id>")
def permalink(contribution_id: int):
    """The contribution on its target's page, at the right page and place."""
    contribution = _shown_or_404(contribution_id)
    host = _host_of(contribution)
    page = queries.page_of(contribution)
    suffix = f"?page={page}" if page > 1 else ""
    return redirect(f"{host.url}{suffix}#contribution-{contribution.id}")


# Reply e-mails -----------------------------------------------------------------------------


@bp.route("/notifications/desabonnement/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token in the address is the proof; RFC 8058 mailers post no token
@unit_of_work
def unsubscribe(token: str):
    """One-click unsubscribe from reply e-mails (RFC 8058 POST, or a confirmation page)."""
    if request.method == "GET":
        return render_template("discussions/unsubscribe.html", token=token, done=False)
    try:
        services.unsubscribe_from_replies(token)
    except InvalidTransition as error:
        return render_template(
            "discussions/unsubscribe.html", token=token, done=False, problem=str(error)
        ), 400
    return render_template("discussions/unsubscribe.html", token=token, done=True)
