"""Administration pages: users, roles and organisations, the role matrix, the audit log.

Every page needs accounts:set_role, checked once for the whole blueprint. The pages hold no
rules: they call consult.accounts.services, which record each change in the audit log.
"""

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from consult.accounts import queries as account_queries
from consult.accounts import services as accounts
from consult.accounts.models import Institution, User
from consult.admin import forms, journal, queries
from consult.core.db import get_or_404, unit_of_work, utcnow
from consult.core.errors import Conflict, InvalidTransition, ValidationFailed
from consult.core.permissions import (
    ACCOUNT_ROLES,
    CAPABILITY_LABELS,
    ROLE_CAPABILITIES,
    Capability,
    Role,
    require,
)
from consult.core.views import attach_error, current_actor, form_status
from consult.extensions import login_manager

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: How far back the dashboard counts audit entries.
RECENT = timedelta(days=7)


@bp.before_request
def require_administrator():
    """Anonymous visitors go to the log-in page; every other role gets the 403 page."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    require(current_actor(), Capability.ACCOUNTS_SET_ROLE)
    return None


@bp.context_processor
def journal_helpers():
    return {"action_label": journal.action_label, "changes": journal.changes}


@bp.route("/")
def index():
    by_role = queries.count_accounts_by_role()
    return render_template(
        "admin/index.html",
        roles=ACCOUNT_ROLES,
        by_role=by_role,
        total_accounts=sum(by_role.values()),
        deleted_accounts=queries.count_deleted_accounts(),
        institution_count=queries.count_institutions(),
        recent_audit_count=queries.count_audit_entries_since(utcnow() - RECENT),
    )


# Accounts -----------------------------------------------------------------------------------


@bp.route("/utilisateurs")
def list_users():
    filters = forms.UserFilterForm(formdata=request.args)
    filters.drop_invalid()
    return _render_users(filters, forms.FindByEmailForm())


@bp.route("/utilisateurs/par-adresse", methods=["POST"])
def find_user():
    form = forms.FindByEmailForm()
    if form.validate_on_submit():
        user = accounts.get_user_by_email(form.email.data)
        if user is not None:
            return redirect(url_for("admin.edit_user", user_id=user.id))
        form.email.errors = [
            _("No account has this address. The search needs the whole address, exactly.")
        ]
    filters = forms.UserFilterForm(formdata=None)
    return _render_users(filters, form), 422


def _render_users(filters: forms.UserFilterForm, form: forms.FindByEmailForm):
    page = request.args.get("page", 1, type=int)
    users = queries.list_users(page=page, name=filters.name.data or "", role=filters.role.data)
    arguments = {k: v for k, v in (("name", filters.name.data), ("role", filters.role.data)) if v}
    return render_template(
        "admin/users.html", users=users, filters=filters, form=form, arguments=arguments
    )


@bp.route("/utilisateurs/<int:user_id>", methods=["GET", "POST"])
@unit_of_work
def edit_user(user_id: int):
    user = get_or_404(User, user_id)
    institutions = account_queries.list_institutions()
    if request.method == "POST":
        form = forms.RoleForm()
    else:
        form = forms.RoleForm(data={"role": user.role, "institutions": _ids(user.institutions)})
    form.institutions.choices = [SelectChoice(i.id, i.name) for i in institutions]
    if form.validate_on_submit():
        chosen = [i for i in institutions if i.id in set(form.institutions.data)]
        try:
            accounts.set_role(current_actor(), user, form.role.data, chosen)
        except (ValidationFailed, Conflict, InvalidTransition) as error:
            attach_error(form, error)
        else:
            flash(_("The role of %(name)s is saved.", name=user.public_name), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    history = queries.list_audit_entries_about("user", user.id)
    return render_template(
        "admin/user.html",
        user=user,
        form=form,
        institutions={i.id: i for i in institutions},
        history=history,
        people=queries.get_audit_people(history),
    ), form_status(form)


def _ids(institutions: list[Institution]) -> list[int]:
    return [i.id for i in institutions]


# Institutions -------------------------------------------------------------------------------


@bp.route("/institutions")
def list_institutions():
    return render_template(
        "admin/institutions.html", institutions=account_queries.list_institutions()
    )


@bp.route("/institutions/nouvelle", methods=["GET", "POST"])
@unit_of_work
def create_institution():
    form = forms.InstitutionForm()
    if form.validate_on_submit():
        try:
            institution = accounts.create_institution(current_actor(), **_institution_data(form))
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_("The institution %(name)s is created.", name=institution.name), "success")
            return redirect(url_for("admin.list_institutions"))
    page = render_template("admin/institution_form.html", form=form, institution=None)
    return page, form_status(form)


@bp.route("/institutions/<int:institution_id>", methods=["GET", "POST"])
@unit_of_work
def edit_institution(institution_id: int):
    institution = get_or_404(Institution, institution_id)
    form = forms.InstitutionForm(obj=institution if request.method != "POST" else None)
    if form.validate_on_submit():
        try:
            accounts.update_institution(current_actor(), institution, **_institution_data(form))
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_("The institution %(name)s is saved.", name=institution.name), "success")
            return redirect(url_for("admin.list_institutions"))
    history = queries.list_audit_entries_about("institution", institution.id)
    return render_template(
        "admin/institution_form.html",
        form=form,
        institution=institution,
        history=history,
        people=queries.get_audit_people(history),
    ), form_status(form)


def _institution_data(form: forms.InstitutionForm) -> dict:
    return {
        "slug": form.slug.data,
        "name": form.name.data,
        "short_name": form.short_name.data,
        "kind": form.kind.data,
    }


# Audit log and role matrix ------------------------------------------------------------------


@bp.route("/journal")
def list_audit_entries():
    filters = forms.AuditFilterForm(formdata=request.args)
    filters.action.choices = [SelectChoice("", _("All actions"))] + [
        SelectChoice(action, journal.action_label(action))
        for action in queries.list_audit_actions()
    ]
    filters.drop_invalid()
    page = request.args.get("page", 1, type=int)
    entries = queries.list_audit_entries(
        page=page, action=filters.action.data or "", actor_name=filters.actor.data or ""
    )
    arguments = {
        k: v for k, v in (("action", filters.action.data), ("actor", filters.actor.data)) if v
    }
    return render_template(
        "admin/journal.html",
        entries=entries,
        filters=filters,
        arguments=arguments,
        people=queries.get_audit_people(entries.items),
        institutions=queries.get_audit_institutions(entries.items),
    )


@bp.route("/roles")
def show_role_matrix():
    return render_template(
        "admin/roles.html",
        roles=list(Role),
        capabilities=list(Capability),
        capability_labels=CAPABILITY_LABELS,
        matrix=ROLE_CAPABILITIES,
    )
