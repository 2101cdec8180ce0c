"""Public pages of the workshops: agenda, event, registration, cancellation, calendars."""

from flask import Blueprint, abort, render_template

from consult.core.db import get_or_404
from consult.workshops.models import Event, EventStatus

bp = Blueprint("workshops", __name__)


@bp.route("/ateliers/")
def index():
    return render_template("workshops/index.html")


@bp.route("/ateliers/evenements/<int:event_id>")
def show_event(event_id: int):
    event = get_or_404(Event, event_id)
    if event.status == EventStatus.DRAFT:
        abort(404)
    abort(501)


@bp.route("/ateliers/annuler/<token>", methods=["GET", "POST"])
def cancel_by_link(token: str):
    abort(501)
