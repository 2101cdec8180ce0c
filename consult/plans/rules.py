"""Who may change which commitment, and what a valid change is."""

from consult.core.permissions import Capability, Role, can, role_of
from consult.plans.models import Commitment

#: Texts an organiser may edit, per kind of object, in display order.
COMMITMENT_TEXTS = ("title", "issues", "description")
ACTION_TEXTS = ("title", "description", "results", "next_steps")


def is_admin(actor) -> bool:
    return role_of(actor) == Role.ADMIN


def can_create_plans(actor) -> bool:
    """Admins create plans, axes and commitments and assign institutions."""
    return is_admin(actor)


def carrying_institutions_of(actor, commitment: Commitment) -> list:
    """The institutions carrying `commitment` that `actor` acts for."""
    mine = {i.id for i in getattr(actor, "institutions", [])}
    return [i for i in commitment.institutions if i.id in mine]


def can_update_commitment(actor, commitment: Commitment) -> bool:
    """Capability plans:manage, narrowed: admins everywhere, organisers on the commitments one
    of their institutions carries, and only those."""
    if not can(actor, Capability.PLANS_MANAGE):
        return False
    return is_admin(actor) or bool(carrying_institutions_of(actor, commitment))
