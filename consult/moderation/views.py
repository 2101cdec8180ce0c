"""Moderation pages: the queue, decisions, blocking, and the public moderation log."""

from flask import Blueprint, abort

bp = Blueprint("moderation", __name__)


@bp.route("/moderation/journal")
def public_log():
    abort(501)
