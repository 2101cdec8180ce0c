"""Read-only queries on accounts and institutions."""

from collections.abc import Iterable

from sqlalchemy import select

from consult.accounts.models import Institution
from consult.core.db import db


def list_institutions() -> list[Institution]:
    return list(db.session.scalars(select(Institution).order_by(Institution.name)))


def get_institutions_by_slug(slugs: Iterable[str]) -> list[Institution]:
    slugs = list(slugs)
    if not slugs:
        return []
    return list(db.session.scalars(select(Institution).where(Institution.slug.in_(slugs))))
