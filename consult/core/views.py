"""Small helpers shared by views: safe redirects, service errors onto forms, the actor."""

from urllib.parse import urlsplit

from flask import request
from flask_login import current_user

from consult.core.errors import DomainError, ValidationFailed


def current_actor():
    """The user acting on this request (the anonymous user included), passed to services."""
    return current_user._get_current_object()


def safe_next(default: str) -> str:
    """The `next` address when it stays on this site, else `default` (no open redirect)."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if (
        target.startswith("/")
        and not target.startswith("//")
        and not parts.scheme
        and not parts.netloc
        and "\\" not in target
        # A line break would make the Location header invalid (a 500); no address has any.
        and target.isprintable()
    ):
        return target
    return default


def attach_error(form, error: DomainError) -> None:
    """Show a service's refusal next to its field, or at the top of the form."""
    field_name = getattr(error, "field", None) if isinstance(error, ValidationFailed) else None
    if field_name and field_name in form:
        form[field_name].errors = [*form[field_name].errors, str(error)]
    else:
        form.form_errors.append(str(error))


def form_status(form) -> int:
    """200 for a first display, 422 when the form is shown again with errors."""
    return 422 if form.errors else 200
