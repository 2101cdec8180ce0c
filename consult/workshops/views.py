"""Public pages of the workshops section."""

from flask import Blueprint, render_template

bp = Blueprint("workshops", __name__)


@bp.route("/ateliers/")
def index():
    return render_template("workshops/index.html")
