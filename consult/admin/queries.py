"""Read-only queries of the administration pages: counts, the account list, the audit log."""

from collections.abc import Iterable
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from consult.accounts.models import Institution, User
from consult.core.audit import AuditEntry
from consult.core.db import db

#: Rows per page of the account list and of the audit log.
PER_PAGE = 50


def count_accounts_by_role() -> dict[str, int]:
    """Accounts still open, by role value; roles nobody holds are left out."""
    rows = db.session.execute(
        select(User.role, func.count(User.id)).where(User.deleted_at.is_(None)).group_by(User.role)
    )
    return {role: count for role, count in rows}


def count_deleted_accounts() -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.deleted_at.is_not(None)))


def count_institutions() -> int:
    return db.session.scalar(select(func.count(Institution.id)))


def count_audit_entries_since(since: datetime) -> int:
    return db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.created_at >= since)
    )


def list_users(*, page: int, name: str = "", role: str = "") -> Pagination:
    """One page of accounts, newest first; institutions come in one more statement (selectin).

    `name` keeps accounts whose display name contains it, ignoring case (ASCII letters only on
    SQLite); `role` keeps one role.
    """
    query = select(User).order_by(User.created_at.desc(), User.id.desc())
    if name:
        query = query.where(User.display_name.icontains(name, autoescape=True))
    if role:
        query = query.where(User.role == role)
    return db.paginate(query, page=page, per_page=PER_PAGE, max_per_page=PER_PAGE)


def list_audit_actions() -> list[str]:
    """Every action name found in the audit log, sorted."""
    return list(
        db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    )


def list_audit_entries(*, page: int, action: str = "", actor_name: str = "") -> Pagination:
    """One page of the audit log, newest first, optionally one action or actors whose display
    name contains `actor_name` (entries by the system then drop out)."""
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_name:
        query = query.join(User, User.id == AuditEntry.actor_id).where(
            User.display_name.icontains(actor_name, autoescape=True)
        )
    return db.paginate(query, page=page, per_page=PER_PAGE, max_per_page=PER_PAGE)


def list_audit_entries_about(target_kind: str, target_id: int, limit: int = 50) -> list[AuditEntry]:
    """The latest entries whose target is the given object, newest first."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_kind == target_kind, AuditEntry.target_id == target_id)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )


def get_audit_people(entries: Iterable[AuditEntry]) -> dict[int, User]:
    """The users the entries name as actor or as target, by id, in one statement."""
    entries = list(entries)
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    ids.update(e.target_id for e in entries if e.target_kind == "user" and e.target_id)
    if not ids:
        return {}
    users = db.session.scalars(
        select(User).where(User.id.in_(ids)).options(lazyload(User.institutions))
    )
    return {user.id: user for user in users}


def get_audit_institutions(entries: Iterable[AuditEntry]) -> dict[int, Institution]:
    """The institutions the entries target, by id, in one statement."""
    ids = {e.target_id for e in entries if e.target_kind == "institution" and e.target_id}
    if not ids:
        return {}
    return {i.id: i for i in db.session.scalars(select(Institution).where(Institution.id.in_(ids)))}
