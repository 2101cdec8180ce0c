"""Demonstration data: the real action plans and their institutions, loaded through services."""

from pathlib import Path

import yaml
from sqlalchemy import func, select

from consult.accounts import services as accounts
from consult.accounts.models import Institution, User
from consult.core.db import db

DATA = Path(__file__).resolve().parent.parent / "plans" / "demo_data"


def read(name: str):
    with (DATA / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def is_empty() -> bool:
    return not (
        db.session.scalar(select(func.count(Institution.id)))
        or db.session.scalar(select(func.count(User.id)))
    )


def load_demo_data(*, only_if_empty: bool) -> str:
    """Load institutions (then the plans, once their feature exists). Returns a summary line."""
    if only_if_empty and not is_empty():
        return "The database already has data: nothing loaded."
    institutions = 0
    if (DATA / "institutions.yaml").exists():
        for row in read("institutions.yaml"):
            accounts.ensure_institution(
                slug=row["slug"],
                name=row["name"],
                short_name=row.get("short_name"),
                kind=row.get("kind", "ministry"),
            )
            institutions += 1
    return f"Loaded {institutions} institutions."
