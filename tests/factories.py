"""make_* helpers: rows made through the services where invariants matter."""

import itertools

from consult.accounts import services as accounts
from consult.accounts.models import Institution, User
from consult.accounts.passwords import hash_password
from consult.core.db import db, utcnow

DEFAULT_PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
_password_hash = None


def _default_hash() -> str:
    global _password_hash
    if _password_hash is None:
        _password_hash = hash_password(DEFAULT_PASSWORD)
    return _password_hash


def make_institution(slug=None, name=None, kind="ministry", short_name=None) -> Institution:
    number = next(_counter)
    return accounts.ensure_institution(
        slug=slug or f"ministere-{number}",
        name=name or f"Ministère numéro {number}",
        short_name=short_name,
        kind=kind,
    )


def make_user(
    email=None,
    display_name=None,
    role="participant",
    verified=True,
    locale="fr",
    institutions=(),
    password=None,
) -> User:
    number = next(_counter)
    user = User(
        email=email or f"personne{number}@exemple.fr",
        display_name=display_name or f"Personne {number}",
        password_hash=hash_password(password) if password else _default_hash(),
        role=role,
        locale=locale,
        email_verified_at=utcnow() if verified else None,
    )
    user.institutions = list(institutions)
    db.session.add(user)
    db.session.flush()
    return user


def make_plan(slug=None, period_start=2024, axes=("Rendre des comptes",)):
    from consult.accounts.system import SystemActor
    from consult.plans import services as plans

    number = next(_counter)
    plan = plans.create_plan(
        SystemActor(),
        slug=slug or f"plan-{number}",
        title=f"Plan numéro {number}",
        period_start=period_start,
        period_end=period_start + 2,
    )
    for title in axes:
        plans.add_axis(SystemActor(), plan, title=title, themes=["Premier sous-thème"])
    return plan


def make_commitment(plan=None, institutions=(), actions=1, status="partial", schedule="on_time"):
    from consult.accounts.system import SystemActor
    from consult.plans import services as plans

    plan = plan or make_plan()
    commitment = plans.add_commitment(
        SystemActor(),
        plan,
        title=f"Engagement {next(_counter)}",
        axis=plan.axes[0] if plan.axes else None,
        institutions=list(institutions) or [make_institution()],
        issues="Des enjeux.",
        description="Une description.",
    )
    commitment.status, commitment.schedule = status, schedule
    for index in range(actions):
        action = plans.add_action(
            SystemActor(), commitment, title=f"Action {index + 1}", results="Résultats."
        )
        action.status = "partial"
    db.session.flush()
    return commitment


def make_host(commitment=None, mode=None):
    """The discussion host of a commitment (made on the fly when not given)."""
    from consult.plans.hosts import commitment_host

    commitment = commitment or make_commitment()
    if mode is not None:
        commitment.plan.moderation_mode = mode
        db.session.flush()
    return commitment_host(commitment.id)


def make_contribution(host, author=None, body="Une contribution.", parent=None, official=False):
    from consult.discussions import services as discussions

    return discussions.post_contribution(
        author or make_user(), host, body, parent=parent, official=official
    )


def make_event(
    institution=None,
    capacity=2,
    waiting_list=True,
    parity=False,
    starts_in_days=10,
    status="published",
    workshops=1,
):
    """A published event of `institution` with `workshops` workshops of `capacity` seats."""
    from datetime import timedelta

    from consult.accounts.system import SystemActor
    from consult.workshops import services as events

    institution = institution or make_institution()
    starts = utcnow() + timedelta(days=starts_in_days)
    event = events.create_event(
        SystemActor(), institution=institution, title=f"Ministère ouvert {next(_counter)}",
        starts_at=starts, ends_at=starts + timedelta(hours=3), venue="20 avenue de Ségur, Paris",
        has_waiting_list=waiting_list, has_parity_quota=parity,
    )  # fmt: skip
    for number in range(workshops):
        events.add_item(SystemActor(), event, title=f"Atelier {number + 1}", capacity=capacity)
    if status == "published":
        events.publish_event(SystemActor(), event)
    return event
