"""Organiser and admin pages of the plans, under /manage/plans/: follow-up, texts, building."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import SelectChoice

from consult.accounts.queries import list_institutions
from consult.core.db import unit_of_work
from consult.core.errors import DomainError, PermissionDenied
from consult.core.views import attach_error, current_actor, form_status
from consult.plans import diffs, forms, queries, rules, services
from consult.plans.models import (
    PLAN_KIND_LABELS,
    PROGRESS_LABELS,
    SCHEDULE_LABELS,
    TrackedField,
)
from consult.plans.views import bp, load_action, load_commitment, load_plan

FIELD_LABELS = {
    TrackedField.STATUS: PROGRESS_LABELS,
    TrackedField.SCHEDULE: SCHEDULE_LABELS,
}


def _require_update(commitment) -> None:
    if not rules.can_update_commitment(current_actor(), commitment):
        raise PermissionDenied(_("Only the institutions carrying this commitment can update it."))


def _institution_choices(commitment) -> list[SelectChoice]:
    actor = current_actor()
    choices = (
        commitment.institutions
        if rules.is_admin(actor)
        else rules.carrying_institutions_of(actor, commitment)
    )
    return [SelectChoice(i.id, i.name) for i in choices]


@bp.route(
    "/manage/plans/<slug>/engagements/<int:number>/avancement",
    methods=["GET", "POST"],
    endpoint="manage_status",
)
@bp.route(
    "/manage/plans/<slug>/engagements/<int:number>/actions/<int:position>/avancement",
    methods=["GET", "POST"],
    endpoint="manage_action_status",
)
@login_required
@unit_of_work
def manage_status(slug: str, number: int, position: int | None = None):
    plan, commitment = load_commitment(slug, number)
    action = load_action(commitment, position) if position is not None else None
    _require_update(commitment)
    form = forms.StatusForm()
    target = action if action is not None else commitment
    form.change.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(
            f"{field.value}:{value.value}",
            str(label),
            optgroup=_("Progress") if field == TrackedField.STATUS else _("Calendar"),
            render_kw={"disabled": True} if getattr(target, field.value) == value.value else {},
        )
        for field in (TrackedField.STATUS, TrackedField.SCHEDULE)
        for value, label in FIELD_LABELS[field].items()
    ]
    form.institution.choices = _institution_choices(commitment)
    if form.validate_on_submit():
        try:
            field, _separator, value = form.change.data.partition(":")
            services.update_status(
                current_actor(),
                commitment,
                field=field,
                value=value,
                note=form.note.data,
                action=action,
                institution_id=form.institution.data or None,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("The change is saved and published in the history."), "success")
            if action is not None:
                return redirect(
                    url_for("plans.show_action", slug=slug, number=number, position=position)
                    + "#historique"
                )
            return redirect(
                url_for("plans.show_commitment", slug=slug, number=number) + "#historique"
            )
    return render_template(
        "plans/manage/status.html",
        plan=plan,
        commitment=commitment,
        action=action,
        form=form,
        progress_labels=PROGRESS_LABELS,
        schedule_labels=SCHEDULE_LABELS,
    ), form_status(form)


@bp.route(
    "/manage/plans/<slug>/engagements/<int:number>/textes",
    methods=["GET", "POST"],
    endpoint="manage_texts",
)
@bp.route(
    "/manage/plans/<slug>/engagements/<int:number>/actions/<int:position>/textes",
    methods=["GET", "POST"],
    endpoint="manage_action_texts",
)
@login_required
@unit_of_work
def manage_texts(slug: str, number: int, position: int | None = None):
    plan, commitment = load_commitment(slug, number)
    action = load_action(commitment, position) if position is not None else None
    _require_update(commitment)
    target = action if action is not None else commitment
    form_class = forms.ActionTextsForm if action is not None else forms.CommitmentTextsForm
    form = form_class(data=None if request.method == "POST" else services.texts_of(target))
    form.institution.choices = _institution_choices(commitment)
    if request.method == "GET":
        form.version.data = str(target.version)
    current = None
    if form.validate_on_submit():
        try:
            expected = int(form.version.data or 0)
        except ValueError:
            expected = 0
        fields = services.text_fields_of(target)
        try:
            revision = services.edit_texts(
                current_actor(),
                commitment,
                expected_version=expected,
                texts={name: form[name].data for name in fields},
                action=action,
                institution_id=form.institution.data or None,
            )
        except services.StaleVersion as error:
            attach_error(form, error)
            current = error.current
            form.version.data = str(target.version)  # saving again means "I have seen theirs"
        except DomainError as error:
            attach_error(form, error)
        else:
            if revision is None:
                flash(_("Nothing has changed: the texts are the same."), "info")
            else:
                flash(_("The texts are saved. The previous version can be compared."), "success")
            if action is not None:
                return redirect(
                    url_for("plans.show_action", slug=slug, number=number, position=position)
                )
            return redirect(url_for("plans.show_commitment", slug=slug, number=number))
    return render_template(
        "plans/manage/texts.html",
        plan=plan,
        commitment=commitment,
        action=action,
        form=form,
        current=current,
        fields=services.text_fields_of(target),
    ), form_status(form)


@bp.route("/plans/<slug>/engagements/<int:number>/versions", endpoint="versions")
@bp.route(
    "/plans/<slug>/engagements/<int:number>/actions/<int:position>/versions",
    endpoint="action_versions",
)
def versions(slug: str, number: int, position: int | None = None):
    """The public list of text versions, each compared with the one before."""
    plan, commitment = load_commitment(slug, number)
    action = load_action(commitment, position) if position is not None else None
    revisions = queries.list_revisions(commitment, action)
    target = action if action is not None else commitment
    fields = services.text_fields_of(target)
    compared = [
        (revision, diffs.compare_texts(older.texts, revision.texts, fields))
        for revision, older in zip(revisions, revisions[1:], strict=False)
    ]
    return render_template(
        "plans/versions.html",
        plan=plan,
        commitment=commitment,
        action=action,
        compared=compared,
        first=revisions[-1] if revisions else None,
    )


# Building plans (admins) ---------------------------------------------------------------------


def _require_admin() -> None:
    if not rules.can_create_plans(current_actor()):
        raise PermissionDenied(_("Only administrators can create plans and commitments."))


@bp.route("/manage/plans/", methods=["GET", "POST"], endpoint="manage_plans")
@login_required
@unit_of_work
def manage_plans():
    _require_admin()
    form = forms.PlanForm()
    form.kind.choices = [SelectChoice(k.value, str(label)) for k, label in PLAN_KIND_LABELS.items()]
    institutions = list_institutions()
    form.institution.choices = [SelectChoice(0, _("None"))] + [
        SelectChoice(i.id, i.name) for i in institutions
    ]
    if form.validate_on_submit():
        by_id = {i.id: i for i in institutions}
        try:
            plan = services.create_plan(
                current_actor(),
                slug=form.slug.data,
                title=form.title.data,
                kind=form.kind.data,
                period_start=form.period_start.data,
                period_end=form.period_end.data,
                summary=form.summary.data or "",
                institution=by_id.get(form.institution.data),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("The plan is created. Add its axes and commitments."), "success")
            return redirect(url_for("plans.manage_plan", slug=plan.slug))
    return render_template(
        "plans/manage/plans.html", plans=queries.list_plans(), form=form
    ), form_status(form)


@bp.route("/manage/plans/<slug>/", methods=["GET", "POST"], endpoint="manage_plan")
@login_required
@unit_of_work
def manage_plan(slug: str):
    _require_admin()
    plan = load_plan(slug)
    axis_form = forms.AxisForm(prefix="axis")
    commitment_form = forms.NewCommitmentForm(prefix="commitment")
    institutions = list_institutions()
    commitment_form.axis.choices = [SelectChoice(0, _("No axis"))] + [
        SelectChoice(a.id, f"{a.number}. {a.title}") for a in plan.axes
    ]
    commitment_form.institutions.choices = [SelectChoice(i.id, i.name) for i in institutions]
    submitted = request.form.get("form")
    moderation_form = forms.ModerationModeForm(
        prefix="moderation",
        formdata=request.form if submitted == "moderation" else None,
        data={"mode": plan.moderation_mode},
    )
    if submitted == "moderation" and moderation_form.validate_on_submit():
        try:
            services.set_moderation_mode(current_actor(), plan, moderation_form.mode.data)
        except DomainError as error:
            attach_error(moderation_form, error)
        else:
            flash(_("The moderation mode of the plan is saved."), "success")
            return redirect(url_for("plans.manage_plan", slug=slug))
    if submitted == "axis" and axis_form.validate_on_submit():
        themes = [
            line.strip() for line in (axis_form.themes.data or "").splitlines() if line.strip()
        ]
        try:
            services.add_axis(current_actor(), plan, title=axis_form.title.data, themes=themes)
        except DomainError as error:
            attach_error(axis_form, error)
        else:
            flash(_("The axis is added."), "success")
            return redirect(url_for("plans.manage_plan", slug=slug))
    if submitted == "commitment" and commitment_form.validate_on_submit():
        axes = {a.id: a for a in plan.axes}
        by_id = {i.id: i for i in institutions}
        try:
            commitment = services.add_commitment(
                current_actor(),
                plan,
                title=commitment_form.title.data,
                number=commitment_form.number.data,
                axis=axes.get(commitment_form.axis.data),
                institutions=[
                    by_id[i] for i in commitment_form.institutions.data or [] if i in by_id
                ],
            )
        except DomainError as error:
            attach_error(commitment_form, error)
        else:
            flash(_("The commitment is added."), "success")
            return redirect(url_for("plans.show_commitment", slug=slug, number=commitment.number))
    failed = axis_form.errors or commitment_form.errors or moderation_form.errors
    return render_template(
        "plans/manage/plan.html",
        plan=plan,
        commitments=queries.list_commitments(plan),
        axis_form=axis_form,
        commitment_form=commitment_form,
        moderation_form=moderation_form,
    ), (422 if failed else 200)


@bp.route(
    "/manage/plans/<slug>/engagements/<int:number>/institutions",
    methods=["GET", "POST"],
    endpoint="manage_institutions",
)
@login_required
@unit_of_work
def manage_institutions(slug: str, number: int):
    _require_admin()
    plan, commitment = load_commitment(slug, number)
    institutions = list_institutions()
    form = forms.InstitutionsForm(
        data=None
        if request.method == "POST"
        else {"institutions": [i.id for i in commitment.institutions]}
    )
    form.institutions.choices = [SelectChoice(i.id, i.name) for i in institutions]
    if form.validate_on_submit():
        by_id = {i.id: i for i in institutions}
        services.assign_institutions(
            current_actor(), commitment, [by_id[i] for i in form.institutions.data if i in by_id]
        )
        flash(_("The carrying institutions are saved."), "success")
        return redirect(url_for("plans.show_commitment", slug=slug, number=number))
    if request.method == "POST" and not form.errors:
        abort(400)
    return render_template(
        "plans/manage/institutions.html", plan=plan, commitment=commitment, form=form
    ), form_status(form)
