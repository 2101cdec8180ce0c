"""Account services: sign-up, verification, log-in, reset, profile, personal data, roles.

Sign-up, log-in and reset answer alike whether or not the e-mail is known: each does the same
password hashing work and the e-mails go out after the response (core.mail).
"""

import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from consult.accounts import rules, sessions
from consult.accounts.models import Institution, InstitutionKind, User
from consult.accounts.passwords import hash_password, needs_rehash, verify_password
from consult.core import audit, mail, tokens
from consult.core.db import db, utcnow
from consult.core.errors import Conflict, InvalidTransition, ValidationFailed
from consult.core.permissions import ACCOUNT_ROLES, Capability, Role, require

VERIFY_PURPOSE = "verify-email"
RESET_PURPOSE = "reset-password"

INVALID_CREDENTIALS = _l("The e-mail address or the password is not right.")
LINK_INVALID = _l("This link is not valid. Ask for a new one.")
LINK_EXPIRED = _l("This link has expired. Ask for a new one.")
ORGANISER_NEEDS_INSTITUTION = _l("An organiser acts for at least one institution: choose one.")


def get_user_by_email(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == rules.normalise_email(email))
    ).scalar_one_or_none()


def check_password(password: str, *, email: str = "", name: str = "") -> None:
    """Raise ValidationFailed (field "password") when the password is refused."""
    config = current_app.config
    problem = rules.password_problem(
        password,
        min_length=config["PASSWORD_MIN_LENGTH"],
        max_length=config["PASSWORD_MAX_LENGTH"],
        email=email,
        name=name,
    )
    if problem:
        raise ValidationFailed(problem, field="password")


def sign_up(
    email: str, display_name: str, password: str, locale: str, *, notify_replies: bool = False
) -> User | None:
    """Create an unverified participant and e-mail the verification link.

    Anyone may call it. For an address already registered, nothing is created: its owner is
    e-mailed instead, and the caller shows the same answer. Raises ValidationFailed.
    """
    email = rules.normalise_email(email)
    check_password(password, email=email, name=display_name)
    password_hash = hash_password(password)  # computed in both branches: same timing
    existing = get_user_by_email(email)
    if existing is not None:
        mail.queue(email, "accounts/already_registered", existing.locale, user=existing)
        return None
    user = User(
        email=email,
        display_name=display_name,
        password_hash=password_hash,
        role=Role.PARTICIPANT.value,
        locale=locale,
        notify_replies=notify_replies,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(None, "accounts.sign_up", "user", user.id, after={"role": user.role})
    queue_verification(user)
    return user


def queue_verification(user: User) -> None:
    token = tokens.make_token(VERIFY_PURPOSE, {"user": user.id, "email": user.email})
    max_age = current_app.config["EMAIL_VERIFICATION_MAX_AGE"]
    mail.queue(
        user.email,
        "accounts/verify_email",
        user.locale,
        user=user,
        token=token,
        hours=int(max_age.total_seconds() // 3600),
    )


def resend_verification(email: str) -> None:
    """Send a new verification link when the address belongs to an unverified account."""
    user = get_user_by_email(email)
    if user is not None and not user.is_verified and not user.is_deleted:
        queue_verification(user)


def verify_email(token: str) -> User:
    """Mark the address in `token` verified. Raises InvalidTransition for a bad or old link."""
    max_age = current_app.config["EMAIL_VERIFICATION_MAX_AGE"]
    try:
        payload = tokens.read_token(VERIFY_PURPOSE, token, max_age)
    except tokens.ExpiredToken:
        raise InvalidTransition(LINK_EXPIRED) from None
    except tokens.InvalidToken:
        raise InvalidTransition(LINK_INVALID) from None
    user = db.session.get(User, payload.get("user")) if isinstance(payload, dict) else None
    if user is None or user.is_deleted or user.email != payload.get("email"):
        raise InvalidTransition(LINK_INVALID)
    if not user.is_verified:
        user.email_verified_at = utcnow()
        audit.record(user, "accounts.verify_email", "user", user.id)
    return user


def authenticate(email: str, password: str) -> User:
    """The user with these credentials, or ValidationFailed. Same work for unknown e-mails."""
    user = get_user_by_email(email)
    password_hash = user.password_hash if user is not None and not user.is_deleted else None
    if not verify_password(password_hash, password):
        raise ValidationFailed(INVALID_CREDENTIALS)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def log_in(user: User, *, remember: bool, user_agent: str | None) -> None:
    user.last_login_at = utcnow()
    sessions.open_session(user, remember=remember, user_agent=user_agent)


def log_out(user: User) -> None:
    sessions.close_session(user)


def request_password_reset(email: str) -> None:
    """E-mail a reset link when the address is known; nothing otherwise. Same answer either way."""
    user = get_user_by_email(email)
    if user is None or user.is_deleted:
        return
    # The link dies once used: it is signed over the current hash, which the reset replaces.
    token = tokens.make_token(RESET_PURPOSE, {"user": user.id, "h": user.password_hash[-16:]})
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    mail.queue(
        user.email,
        "accounts/reset_password",
        user.locale,
        user=user,
        token=token,
        minutes=int(max_age.total_seconds() // 60),
    )


def user_for_reset_token(token: str) -> User:
    """The user a reset link is for. Raises InvalidTransition for a bad, used or old link."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        payload = tokens.read_token(RESET_PURPOSE, token, max_age)
    except tokens.ExpiredToken:
        raise InvalidTransition(LINK_EXPIRED) from None
    except tokens.InvalidToken:
        raise InvalidTransition(LINK_INVALID) from None
    user = db.session.get(User, payload.get("user")) if isinstance(payload, dict) else None
    if user is None or user.is_deleted or user.password_hash[-16:] != payload.get("h"):
        raise InvalidTransition(LINK_INVALID)
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link, end every session, and verify the address
    (the link proves the person reads it). Raises InvalidTransition or ValidationFailed."""
    user = user_for_reset_token(token)
    check_password(password, email=user.email, name=user.display_name)
    user.password_hash = hash_password(password)
    if not user.is_verified:
        user.email_verified_at = utcnow()
    sessions.close_all_sessions(user)
    audit.record(user, "accounts.reset_password", "user", user.id)
    mail.queue(user.email, "accounts/password_changed", user.locale, user=user)
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password of the signed-in `user`; other sessions end. Raises ValidationFailed."""
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed(_l("Your current password is not right."), field="current_password")
    check_password(new_password, email=user.email, name=user.display_name)
    user.password_hash = hash_password(new_password)
    audit.record(user, "accounts.change_password", "user", user.id)
    mail.queue(user.email, "accounts/password_changed", user.locale, user=user)


def update_profile(
    user: User,
    *,
    display_name: str,
    locale: str,
    notify_replies: bool,
    notify_events: bool,
    notify_petitions: bool,
) -> None:
    """Change the signed-in user's own profile. Raises ValidationFailed for an unknown locale."""
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationFailed(_l("Choose one of the proposed languages."), field="locale")
    before = profile_snapshot(user)
    user.display_name = display_name
    user.locale = locale
    user.notify_replies = notify_replies
    user.notify_events = notify_events
    user.notify_petitions = notify_petitions
    after = profile_snapshot(user)
    if after != before:
        audit.record(user, "accounts.update_profile", "user", user.id, before, after)


def set_locale(user: User, locale: str) -> None:
    """Remember the language chosen with the switcher as the user's preference."""
    if locale in current_app.config["LANGUAGES"] and user.locale != locale:
        user.locale = locale


def profile_snapshot(user: User) -> dict:
    return {
        "display_name": user.display_name,
        "locale": user.locale,
        "notify_replies": user.notify_replies,
        "notify_events": user.notify_events,
        "notify_petitions": user.notify_petitions,
    }


def delete_account(user: User, password: str) -> None:
    """Erase the personal data of the signed-in `user`; public contributions stay, signed
    "Deleted contributor". Raises ValidationFailed when the password is not right."""
    if not verify_password(user.password_hash, password):
        raise ValidationFailed(_l("Your password is not right."), field="password")
    email, locale = user.email, user.locale
    sessions.close_all_sessions(user)
    user.email = None
    user.password_hash = None
    user.display_name = ""
    user.deleted_at = utcnow()
    user.email_verified_at = None
    user.last_login_at = None
    user.institutions = []
    user.role = Role.PARTICIPANT.value
    audit.record(None, "accounts.delete_account", "user", user.id)
    mail.queue(email, "accounts/account_deleted", locale)


# Administration ---------------------------------------------------------------------------


def role_snapshot(user: User) -> dict:
    return {"role": user.role, "institutions": [i.slug for i in user.institutions]}


def set_role(actor, user: User, role: str, institutions: list[Institution]) -> None:
    """Give `user` a role and, for organisers, the institutions they act for.

    Capability: accounts:set_role. Records the change in the audit log. Raises PermissionDenied,
    ValidationFailed (unknown role, organiser without institution) or Conflict (an admin
    removing the last admin).
    """
    require(actor, Capability.ACCOUNTS_SET_ROLE)
    if user.is_deleted:
        raise InvalidTransition(_l("This account has been deleted."))
    if role not in {r.value for r in ACCOUNT_ROLES}:
        raise ValidationFailed(_l("Choose one of the proposed roles."), field="role")
    if role == Role.ORGANISER and not institutions:
        raise ValidationFailed(ORGANISER_NEEDS_INSTITUTION, field="institutions")
    if user.role == Role.ADMIN and role != Role.ADMIN and count_admins() <= 1:
        raise Conflict(_l("This is the last administrator: name another one first."))
    before = role_snapshot(user)
    user.role = role
    user.institutions = list(institutions) if role == Role.ORGANISER else []
    after = role_snapshot(user)
    if before != after:
        audit.record(actor, "accounts.set_role", "user", user.id, before, after)


def count_admins() -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.role == Role.ADMIN.value, User.deleted_at.is_(None))
    )


def create_admin(email: str, display_name: str, password: str, locale: str = "fr") -> User:
    """Create a verified administrator, or promote the account with this e-mail (CLI only).
    Raises ValidationFailed for a refused password."""
    email = rules.normalise_email(email)
    user = get_user_by_email(email)
    if user is None:
        check_password(password, email=email, name=display_name)
        user = User(
            email=email,
            display_name=display_name,
            password_hash=hash_password(password),
            locale=locale,
            email_verified_at=utcnow(),
        )
        db.session.add(user)
    before = role_snapshot(user) if user.id else None
    user.role = Role.ADMIN.value
    user.institutions = []
    db.session.flush()
    audit.record(None, "accounts.create_admin", "user", user.id, before, role_snapshot(user))
    return user


def ensure_institution(*, slug: str, name: str, short_name: str | None, kind: str) -> Institution:
    """Create the institution `slug`, or update its names (demo loading, admin). Idempotent."""
    institution = db.session.execute(
        select(Institution).where(Institution.slug == slug)
    ).scalar_one_or_none()
    if institution is None:
        institution = Institution(slug=slug)
        db.session.add(institution)
    institution.name = name
    institution.short_name = short_name
    institution.kind = kind
    db.session.flush()
    return institution


# Institutions, from the administration pages ----------------------------------------------

#: Lower-case ASCII letters and digits in words joined by single hyphens: "ministere-culture".
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX_LENGTH = 120
SLUG_INVALID = _l(
    "The identifier uses lower-case letters without accents, digits and single hyphens only, "
    "like ministere-de-la-culture."
)
SLUG_TAKEN = _l("Another institution already uses this identifier: choose another one.")


def institution_snapshot(institution: Institution) -> dict:
    return {
        "slug": institution.slug,
        "name": institution.name,
        "short_name": institution.short_name,
        "kind": institution.kind,
    }


def create_institution(
    actor, *, slug: str, name: str, short_name: str | None, kind: str
) -> Institution:
    """Add an institution organisers can act for.

    Capability: accounts:set_role. Writes one Institution and its audit entry. Raises
    PermissionDenied, or ValidationFailed (bad or taken identifier, empty name, unknown kind),
    writing nothing.
    """
    require(actor, Capability.ACCOUNTS_SET_ROLE)
    _check_institution(slug=slug, name=name, kind=kind)
    institution = Institution()
    _fill_institution(institution, slug=slug, name=name, short_name=short_name, kind=kind)
    try:
        with db.session.begin_nested():
            db.session.add(institution)
            db.session.flush()
    except IntegrityError:  # the identifier was taken between the check and the insert
        raise ValidationFailed(SLUG_TAKEN, field="slug") from None
    audit.record(
        actor, "accounts.create_institution", "institution", institution.id,
        None, institution_snapshot(institution),
    )  # fmt: skip
    return institution


def update_institution(
    actor, institution: Institution, *, slug: str, name: str, short_name: str | None, kind: str
) -> None:
    """Change an institution's identifier, names or kind.

    Capability: accounts:set_role. Records the values before and after when something changed.
    Raises PermissionDenied or ValidationFailed, leaving the institution as it was.
    """
    require(actor, Capability.ACCOUNTS_SET_ROLE)
    _check_institution(slug=slug, name=name, kind=kind, exclude_id=institution.id)
    before = institution_snapshot(institution)
    try:
        with db.session.begin_nested():  # on failure the savepoint expires the changed values
            _fill_institution(institution, slug=slug, name=name, short_name=short_name, kind=kind)
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed(SLUG_TAKEN, field="slug") from None
    after = institution_snapshot(institution)
    if after != before:
        audit.record(
            actor, "accounts.update_institution", "institution", institution.id, before, after
        )


def _check_institution(*, slug: str, name: str, kind: str, exclude_id: int | None = None) -> None:
    if not slug or len(slug) > SLUG_MAX_LENGTH or not SLUG_PATTERN.fullmatch(slug):
        raise ValidationFailed(SLUG_INVALID, field="slug")
    if not name or not name.strip():
        raise ValidationFailed(_l("Enter the name of the institution."), field="name")
    if kind not in {k.value for k in InstitutionKind}:
        raise ValidationFailed(_l("Choose one of the proposed kinds."), field="kind")
    taken = select(Institution.id).where(Institution.slug == slug)
    if exclude_id is not None:
        taken = taken.where(Institution.id != exclude_id)
    if db.session.execute(taken.limit(1)).first() is not None:
        raise ValidationFailed(SLUG_TAKEN, field="slug")


def _fill_institution(
    institution: Institution, *, slug: str, name: str, short_name: str | None, kind: str
) -> None:
    institution.slug = slug
    institution.name = name.strip()
    institution.short_name = (short_name or "").strip() or None
    institution.kind = kind
