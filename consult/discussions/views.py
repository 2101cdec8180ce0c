"""Discussion pages: posting, replying, editing, withdrawing, reporting; permalinks."""

from flask import Blueprint, abort, redirect

from consult.core.db import get_or_404
from consult.discussions import queries
from consult.discussions.models import Contribution
from consult.discussions.targets import load_host

bp = Blueprint("discussions", __name__)


@bp.route("/contributions/<int:contribution_id>")
def permalink(contribution_id: int):
    """The contribution on its target's page, at the right page and place."""
    contribution = get_or_404(Contribution, contribution_id)
    if not contribution.is_visible:
        abort(404)
    host = load_host(contribution.thread.target_kind, contribution.thread.target_id)
    if host is None:
        abort(404)
    page = queries.page_of(contribution)
    suffix = f"?page={page}" if page > 1 else ""
    return redirect(f"{host.url}{suffix}#contribution-{contribution.id}")


@bp.route("/notifications/desabonnement/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """One-click unsubscribe from reply e-mails (RFC 8058 POST, or a confirmation page)."""
    abort(501)
