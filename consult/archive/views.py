"""Public pages of the archive section."""

from flask import Blueprint, render_template

bp = Blueprint("archive", __name__)


@bp.route("/archive/")
def index():
    return render_template("archive/index.html")
