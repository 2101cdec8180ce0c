"""Server-side sessions behind Flask-Login: the cookie holds a random token, the database its hash.

Logging out deletes the row, so the session cannot be replayed from a copied cookie; resetting a
password or deleting an account deletes every row of the user.
"""

import hashlib
import secrets

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_user, logout_user
from sqlalchemy import delete, select

from consult.accounts.models import AuthSession, User
from consult.core.db import db, utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def init_login_manager(app: Flask, manager: LoginManager) -> None:
    manager.init_app(app)
    manager.login_view = "accounts.login"
    manager.login_message = _l("Please log in to see this page.")
    manager.login_message_category = "info"
    manager.refresh_view = "accounts.login"
    manager.needs_refresh_message = _l("Please log in again to confirm it is you.")
    manager.user_loader(load_user)


def load_user(token: str) -> User | None:
    if not token or len(token) > 200:
        return None
    row = db.session.execute(
        select(AuthSession).where(AuthSession.token_hash == _hash(token))
    ).scalar_one_or_none()
    if row is None or row.expires_at <= utcnow() or row.user.is_deleted:
        return None
    row.user.get_id = lambda: token  # Flask-Login stores this, never the user id
    return row.user


def open_session(user: User, *, remember: bool, user_agent: str | None) -> None:
    """Create the server-side session and log `user` in. The caller commits."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        AuthSession(
            token_hash=_hash(token),
            user=user,
            expires_at=utcnow() + current_app.config["AUTH_SESSION_LIFETIME"],
            user_agent=(user_agent or "")[:200] or None,
        )
    )
    db.session.flush()
    user.get_id = lambda: token
    login_user(user, remember=remember)


def close_session(user: User) -> None:
    """Delete the current server-side session and log out. The caller commits."""
    token = user.get_id() if user.is_authenticated else None
    if token:
        db.session.execute(delete(AuthSession).where(AuthSession.token_hash == _hash(token)))
    logout_user()


def close_all_sessions(user: User) -> None:
    """Delete every session of `user` (password reset, account deletion)."""
    db.session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
