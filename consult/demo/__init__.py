"""Demonstration data: the real action plans and their institutions, loaded through services,
then the "Ministère ouvert" kit and events (consult.demo.workshops).

The files in consult/plans/demo_data/ were extracted from the public documents (see the README
there). Loading keeps what the documents say: a status the document words ambiguously is stored
as the closest official value, and its original wording stays visible.
"""

from datetime import UTC, date, datetime
from pathlib import Path

import yaml
from flask_babel import force_locale
from sqlalchemy import func, select

from consult.accounts import services as accounts
from consult.accounts.models import Institution, User
from consult.accounts.system import SystemActor
from consult.core.db import db
from consult.demo.workshops import load_workshops
from consult.plans import services as plans
from consult.plans.models import Plan

DATA = Path(__file__).resolve().parent.parent / "plans" / "demo_data"
PLAN_FILES = (
    "2015-2017.yaml",
    "2018-2020.yaml",
    "assemblee-nationale-2018-2020.yaml",
    "2021-2023.yaml",
    "2024-2026.yaml",
    "senat-2022.yaml",
)
KIT_FILE = "ministere_ouvert_kit.yaml"


def read(name: str):
    with (DATA / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def is_empty() -> bool:
    return not (
        db.session.scalar(select(func.count(Institution.id)))
        or db.session.scalar(select(func.count(User.id)))
        or db.session.scalar(select(func.count(Plan.id)))
    )


def load_demo_data(*, only_if_empty: bool) -> str:
    """Load institutions and plans. Returns a summary line. The caller commits."""
    if only_if_empty and not is_empty():
        return "The database already has data: nothing loaded."
    with force_locale("fr"):
        institutions = load_institutions(read("institutions.yaml"))
        counts = [load_plan(read(name), institutions) for name in PLAN_FILES]
        workshops = load_workshops(read(KIT_FILE), institutions)
    commitments = sum(c for c, _ in counts)
    actions = sum(a for _, a in counts)
    return (
        f"Loaded {len(institutions)} institutions, {len(counts)} plans, "
        f"{commitments} commitments and {actions} actions; {workshops}."
    )


def load_institutions(rows) -> dict[str, Institution]:
    return {
        row["slug"]: accounts.ensure_institution(
            slug=row["slug"],
            name=row["name"],
            short_name=row.get("short_name"),
            kind=row.get("kind", "ministry"),
        )
        for row in rows
    }


def _as_of(data) -> datetime:
    day = data.get("status_as_of") or data.get("published_on") or date(data["period_start"], 1, 1)
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def load_plan(data: dict, institutions: dict[str, Institution]) -> tuple[int, int]:
    system = SystemActor()
    plan = plans.create_plan(
        system,
        slug=str(data["slug"]),
        title=data["title"],
        kind=data.get("kind", "national"),
        period_start=data["period_start"],
        period_end=data.get("period_end"),
        summary=(data.get("summary") or "").strip(),
        institution=institutions.get(data.get("institution") or ""),
        published_on=data.get("published_on"),
        commitments_announced=data.get("commitments_announced"),
        source_title=data.get("source_title"),
        status_as_of=data.get("status_as_of"),
    )
    axes = {}
    for row in data.get("axes") or []:
        axis = plans.add_axis(
            system,
            plan,
            title=row["title"],
            description=(row.get("description") or None),
            themes=[theme["title"] for theme in row.get("themes") or []],
        )
        axes[row["number"]] = axis
    as_of = _as_of(data)
    source = data.get("source_title") or ""
    note = f"Statut publié dans : {source}" if source else "Statut publié dans le document source."
    actions_count = 0
    for row in data.get("commitments") or []:
        axis = axes.get(row.get("axis"))
        theme = None
        if axis is not None and row.get("theme"):
            theme = next((t for t in axis.themes if t.title == row["theme"]), None)
        commitment = plans.add_commitment(
            system,
            plan,
            number=row["number"],
            title=row["title"].strip(),
            axis=axis,
            theme=theme,
            institutions=[institutions[slug] for slug in row.get("institutions") or []],
            issues=_text(row.get("issues")),
            description=_text(row.get("description")),
        )
        commitment.status_note = _text(row.get("status_note"))
        for field in ("status", "schedule"):
            plans.record_initial_status(
                commitment,
                action=None,
                field=field,
                value=row.get(field),
                original=row.get(f"{field}_original"),
                note=note,
                as_of=as_of,
            )
        for action_row in row.get("actions") or []:
            action = plans.add_action(
                system,
                commitment,
                title=action_row["title"].strip(),
                description=_text(action_row.get("description")),
                results=_text(action_row.get("results")),
                next_steps=_text(action_row.get("next_steps")),
            )
            action.status_note = _text(action_row.get("status_note"))
            for field in ("status", "schedule"):
                plans.record_initial_status(
                    commitment,
                    action=action,
                    field=field,
                    value=action_row.get(field),
                    original=action_row.get(f"{field}_original"),
                    note=note,
                    as_of=as_of,
                )
            actions_count += 1
        commitment.updated_at = as_of
    plan.updated_at = as_of
    db.session.flush()
    return len(data.get("commitments") or []), actions_count


def _text(value) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None
