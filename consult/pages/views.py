"""The shell's public pages."""

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():
    return render_template("pages/home.html")


@bp.route("/plan-du-site")
def sitemap():
    return render_template("pages/sitemap.html")


@bp.route("/accessibilite")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/mentions-legales")
def legal():
    return render_template("pages/legal.html")


@bp.route("/donnees-personnelles")
def privacy():
    return render_template("pages/privacy.html")
