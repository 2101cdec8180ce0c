"""Account pages: sign-up, verification, log-in and out, password reset, profile, my data."""

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, fresh_login_required, login_required

from consult.accounts import forms, personal_data, services
from consult.core.db import db, unit_of_work, will_write
from consult.core.errors import InvalidTransition, ValidationFailed
from consult.core.i18n import requested_locale, url_without_locale_parameter
from consult.core.views import attach_error, current_actor, form_status, safe_next
from consult.extensions import limiter

bp = Blueprint("accounts", __name__)


def _limit(key: str):
    return limiter.limit(lambda: current_app.config[key], methods=["POST"])


@bp.before_app_request
def apply_locale_switch():
    """`?lang=en` on any page: remember the choice and come back to the same page."""
    locale = requested_locale()
    if locale is None or request.method != "GET":
        return None
    will_write()
    session["locale"] = locale
    if current_user.is_authenticated:
        services.set_locale(current_user, locale)
        db.session.commit()
    return redirect(url_without_locale_parameter())


@bp.route("/inscription", methods=["GET", "POST"])
@_limit("RATELIMIT_SIGNUP")
@unit_of_work
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = forms.SignUpForm()
    if form.validate_on_submit():
        try:
            services.sign_up(
                form.email.data,
                form.display_name.data,
                form.password.data,
                locale=_interface_locale(),
                notify_replies=form.notify_replies.data,
            )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            return redirect(url_for("accounts.check_inbox"))
    return render_template("accounts/signup.html", form=form), form_status(form)


@bp.route("/inscription/verifiez-vos-courriels")
def check_inbox():
    return render_template("accounts/check_inbox.html", form=forms.EmailOnlyForm())


@bp.route("/inscription/renvoyer", methods=["POST"])
@_limit("RATELIMIT_SIGNUP")
@unit_of_work
def resend_verification():
    form = forms.EmailOnlyForm()
    if form.validate_on_submit():
        services.resend_verification(form.email.data)
        flash(
            _(
                "If this address belongs to an account waiting for verification, "
                "a new link is on its way."
            ),
            "info",
        )
        return redirect(url_for("accounts.check_inbox"))
    return render_template("accounts/check_inbox.html", form=form), 422


@bp.route("/verifier/<token>")
@unit_of_work
def verify_email(token: str):
    try:
        services.verify_email(token)
    except InvalidTransition as error:
        return render_template(
            "accounts/link_problem.html", message=str(error), form=forms.EmailOnlyForm()
        ), 400
    flash(_("Your e-mail address is verified. Welcome!"), "success")
    target = "accounts.profile" if current_user.is_authenticated else "accounts.login"
    return redirect(url_for(target))


@bp.route("/connexion", methods=["GET", "POST"])
@_limit("RATELIMIT_LOGIN")
@unit_of_work
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(url_for("pages.home")))
    form = forms.LogInForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            session.pop("locale", None)  # the account's language preference takes over
            services.log_in(user, remember=form.remember.data, user_agent=request.user_agent.string)
            flash(_("You are logged in."), "success")
            return redirect(safe_next(url_for("pages.home")))
    return render_template("accounts/login.html", form=form), form_status(form)


@bp.route("/deconnexion", methods=["POST"])
@unit_of_work
def logout():
    if current_user.is_authenticated:
        services.log_out(current_actor())
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("pages.home"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
@unit_of_work
def forgot_password():
    form = forms.EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("accounts/reset_sent.html")
    return render_template("accounts/forgot_password.html", form=form), form_status(form)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
@unit_of_work
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except InvalidTransition as error:
        return render_template(
            "accounts/link_problem.html",
            message=str(error),
            form=forms.EmailOnlyForm(),
            reset=True,
        ), 400
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            if current_user.is_authenticated:
                services.log_out(current_actor())
            flash(_("Your password is changed. Log in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), form_status(form)


@bp.route("/mon-compte", methods=["GET", "POST"])
@login_required
@unit_of_work
def profile():
    user = current_actor()
    form = forms.ProfileForm(obj=None if request.method == "POST" else user)
    if form.validate_on_submit():
        try:
            services.update_profile(
                user,
                display_name=form.display_name.data,
                locale=form.locale.data,
                notify_replies=form.notify_replies.data,
                notify_events=form.notify_events.data,
                notify_petitions=form.notify_petitions.data,
            )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            session["locale"] = user.locale
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, user=user), form_status(form)


@bp.route("/mon-compte/mot-de-passe", methods=["GET", "POST"])
@login_required
@unit_of_work
def change_password():
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_actor(), form.current_password.data, form.password.data
            )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_("Your password is changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form), form_status(form)


@bp.route("/mon-compte/mes-donnees.json")
@login_required
def download_data():
    document = personal_data.export_personal_data(current_actor())
    body = json.dumps(document, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="consult-mes-donnees.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/mon-compte/supprimer", methods=["GET", "POST"])
@fresh_login_required
@unit_of_work
def delete_account():
    form = forms.DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(current_actor(), form.password.data)
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            session.clear()
            flash(_("Your account is deleted. Your personal data has been erased."), "success")
            return redirect(url_for("pages.home"))
    return render_template("accounts/delete_account.html", form=form), form_status(form)


def _interface_locale() -> str:
    from flask_babel import get_locale

    return str(get_locale())
