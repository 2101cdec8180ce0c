"""Public pages of the plans section."""

from flask import Blueprint, render_template

bp = Blueprint("plans", __name__)


@bp.route("/plans/")
def index():
    return render_template("plans/index.html")
