"""The shell's pages: home, site map, accessibility statement, legal notice, personal data."""

from datetime import date

from flask import Blueprint, current_app, render_template

from consult.plans.views import home_summary

bp = Blueprint("pages", __name__)

#: The day the accessibility statement was written; change it whenever the statement changes.
ACCESSIBILITY_STATEMENT_DATE = date(2026, 11, 23)


@bp.route("/")
def home():
    return render_template("pages/home.html", **home_summary())


@bp.route("/plan-du-site")
def sitemap():
    return render_template("pages/sitemap.html")


@bp.route("/accessibilite")
def accessibility():
    return render_template(
        "pages/accessibility.html",
        statement_date=ACCESSIBILITY_STATEMENT_DATE,
        publisher_name=current_app.config["PUBLISHER_NAME"],
        contact_email=current_app.config["CONTACT_EMAIL"],
    )


@bp.route("/mentions-legales")
def legal():
    config = current_app.config
    return render_template(
        "pages/legal.html",
        publisher_name=config["PUBLISHER_NAME"],
        publisher_address=config["PUBLISHER_ADDRESS"],
        publication_director=config["PUBLICATION_DIRECTOR"],
        hosting_provider=config["HOSTING_PROVIDER"],
    )


@bp.route("/donnees-personnelles")
def privacy():
    config = current_app.config
    return render_template(
        "pages/privacy.html",
        publisher_name=config["PUBLISHER_NAME"],
        contact_email=config["CONTACT_EMAIL"],
        session_days=config["AUTH_SESSION_LIFETIME"].days,
        remember_days=config["REMEMBER_COOKIE_DURATION"].days,
        verification_days=config["EMAIL_VERIFICATION_MAX_AGE"].days,
    )
