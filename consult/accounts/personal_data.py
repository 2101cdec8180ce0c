"""Personal data: everything the platform holds about a user, as one JSON document.

Each feature that stores data about a person adds a section through `register_section`,
called from app.py's explicit list, so this module imports no feature above accounts.
"""

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import select

from consult.accounts.models import AuthSession, User
from consult.core.audit import AuditEntry
from consult.core.db import db, utcnow

Section = Callable[[User], object]


def register_section(app: Flask, name: str, section: Section) -> None:
    app.extensions.setdefault("consult_personal_data", {})[name] = section


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def account_section(user: User) -> dict:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "institutions": [i.name for i in user.institutions],
        "interface_language": user.locale,
        "email_verified_at": _iso(user.email_verified_at),
        "created_at": _iso(user.created_at),
        "last_login_at": _iso(user.last_login_at),
        "notifications": {
            "replies": user.notify_replies,
            "events": user.notify_events,
            "petitions": user.notify_petitions,
        },
    }


def sessions_section(user: User) -> list[dict]:
    rows = db.session.scalars(
        select(AuthSession).where(AuthSession.user_id == user.id).order_by(AuthSession.created_at)
    )
    return [
        {
            "created_at": _iso(r.created_at),
            "expires_at": _iso(r.expires_at),
            "browser": r.user_agent,
        }
        for r in rows
    ]


def activity_section(user: User) -> list[dict]:
    rows = db.session.scalars(
        select(AuditEntry).where(AuditEntry.actor_id == user.id).order_by(AuditEntry.created_at)
    )
    return [
        {
            "action": r.action,
            "target": f"{r.target_kind}:{r.target_id}" if r.target_id else r.target_kind,
            "before": r.before,
            "after": r.after,
            "at": _iso(r.created_at),
        }
        for r in rows
    ]


def export_personal_data(user: User) -> dict:
    """The whole document: the account, its sessions, its recorded actions, then each
    feature's section. Only the user themself may download it (the view checks)."""
    document = {
        "platform": current_app.config["PLATFORM_NAME"],
        "generated_at": _iso(utcnow()),
        "account": account_section(user),
        "sessions": sessions_section(user),
        "activity": activity_section(user),
    }
    for name, section in current_app.extensions.get("consult_personal_data", {}).items():
        document[name] = section(user)
    return document
