"""How audit entries read on the administration pages: action labels and changed values."""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.accounts.models import INSTITUTION_KIND_LABELS, InstitutionKind
from consult.core.audit import AuditEntry
from consult.core.permissions import ROLE_LABELS, Role

ACTION_LABELS = {
    # TRANSLATORS: audit log, what happened.
    "accounts.sign_up": _l("Account created"),
    "accounts.verify_email": _l("E-mail address verified"),
    "accounts.set_role": _l("Role changed"),
    "accounts.update_profile": _l("Profile updated"),
    "accounts.reset_password": _l("Password reset from a link"),
    "accounts.change_password": _l("Password changed"),
    "accounts.delete_account": _l("Account deleted"),
    "accounts.create_admin": _l("Administrator named from the command line"),
    "accounts.create_institution": _l("Institution created"),
    "accounts.update_institution": _l("Institution updated"),
}

FIELD_LABELS = {
    # TRANSLATORS: audit log, the name of a value that changed.
    "role": _l("Role"),
    "institutions": _l("Institutions"),
    "display_name": _l("Display name"),
    "locale": _l("Language"),
    "notify_replies": _l("E-mails about replies"),
    "notify_events": _l("Workshop reminders"),
    "notify_petitions": _l("News of signed petitions"),
    "slug": _l("Identifier"),
    "name": _l("Name"),
    "short_name": _l("Short name"),
    "kind": _l("Kind"),
}

#: Keys never shown, should an entry ever hold one: the audit log must not leak them.
_SECRET_PARTS = ("email", "password", "token", "hash")


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    before: str
    after: str


def action_label(action: str) -> str:
    """The translated label of a known action, else the raw "feature.verb" name."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def changes(entry: AuditEntry) -> list[Change]:
    """The keys whose value differs between `before` and `after`, formatted for reading."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    result = []
    for key in sorted(set(before) | set(after), key=_key_order):
        if any(part in key.lower() for part in _SECRET_PARTS):
            continue
        old, new = before.get(key), after.get(key)
        if old == new and key in before and key in after:
            continue
        label = FIELD_LABELS.get(key)
        result.append(
            Change(
                key=key,
                label=str(label) if label is not None else key,
                before=format_value(key, old),
                after=format_value(key, new),
            )
        )
    return result


def format_value(key: str, value) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if key == "role" and value in {role.value for role in Role}:
        return str(ROLE_LABELS[Role(value)])
    if key == "kind" and value in {kind.value for kind in InstitutionKind}:
        return str(INSTITUTION_KIND_LABELS[InstitutionKind(value)])
    return str(value)


def _key_order(key: str) -> tuple[int, str]:
    order = list(FIELD_LABELS)
    return (order.index(key), key) if key in order else (len(order), key)
