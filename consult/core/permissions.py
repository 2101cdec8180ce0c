"""Roles and capabilities: the one table that says who may do what."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from consult.core.errors import PermissionDenied


class Role(StrEnum):
    VISITOR = "visitor"
    PARTICIPANT = "participant"
    ORGANISER = "organiser"
    MODERATOR = "moderator"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.VISITOR: _l("Visitor"),
    Role.PARTICIPANT: _l("Participant"),
    Role.ORGANISER: _l("Organiser"),
    Role.MODERATOR: _l("Moderator"),
    Role.ADMIN: _l("Administrator"),
}

#: Roles an account can hold; "visitor" is only ever the anonymous user.
ACCOUNT_ROLES = (Role.PARTICIPANT, Role.ORGANISER, Role.MODERATOR, Role.ADMIN)


class Capability(StrEnum):
    ACCOUNTS_SET_ROLE = "accounts:set_role"
    DISCUSSIONS_COMMENT = "discussions:comment"
    MODERATION_DECIDE = "moderation:decide"
    MODERATION_REPORT = "moderation:report"
    PETITIONS_SIGN = "petitions:sign"
    PETITIONS_SUBMIT = "petitions:submit"
    PLANS_MANAGE = "plans:manage"
    WORKSHOPS_MANAGE = "workshops:manage"
    WORKSHOPS_REGISTER = "workshops:register"


CAPABILITY_LABELS = {
    Capability.ACCOUNTS_SET_ROLE: _l("Change roles and institutions"),
    Capability.DISCUSSIONS_COMMENT: _l("Write contributions"),
    Capability.MODERATION_DECIDE: _l("Moderate contributions"),
    Capability.MODERATION_REPORT: _l("Report a contribution"),
    Capability.PETITIONS_SIGN: _l("Sign a petition"),
    Capability.PETITIONS_SUBMIT: _l("Submit a petition"),
    Capability.PLANS_MANAGE: _l("Update commitments"),
    Capability.WORKSHOPS_MANAGE: _l("Organise workshops"),
    Capability.WORKSHOPS_REGISTER: _l("Register for a workshop"),
}

_C = Capability
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.VISITOR: frozenset({_C.PETITIONS_SIGN}),
    Role.PARTICIPANT: frozenset({
        _C.DISCUSSIONS_COMMENT, _C.MODERATION_REPORT, _C.PETITIONS_SIGN, _C.PETITIONS_SUBMIT,
        _C.WORKSHOPS_REGISTER,
    }),
    Role.ORGANISER: frozenset({
        _C.DISCUSSIONS_COMMENT, _C.MODERATION_REPORT, _C.PETITIONS_SIGN, _C.PETITIONS_SUBMIT,
        _C.PLANS_MANAGE, _C.WORKSHOPS_MANAGE, _C.WORKSHOPS_REGISTER,
    }),
    Role.MODERATOR: frozenset({
        _C.DISCUSSIONS_COMMENT, _C.MODERATION_DECIDE, _C.MODERATION_REPORT, _C.PETITIONS_SIGN,
        _C.PETITIONS_SUBMIT, _C.WORKSHOPS_REGISTER,
    }),
    Role.ADMIN: frozenset(Capability),
}  # fmt: skip


def role_of(actor) -> Role:
    """The role of a user, the anonymous user included; deleted or blocked accounts are visitors."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Role.VISITOR
    return Role(actor.role)


def can(actor, capability: Capability) -> bool:
    """Whether `actor` holds `capability` through its role."""
    return capability in ROLE_CAPABILITIES[role_of(actor)]


def require(actor, capability: Capability) -> None:
    """Raise PermissionDenied unless `actor` holds `capability`."""
    if not can(actor, capability):
        raise PermissionDenied()
