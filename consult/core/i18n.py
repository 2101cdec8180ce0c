"""Locale and time zone selection, and the language switcher's links."""

from urllib.parse import urlencode

from flask import current_app, has_request_context, request, session
from flask_login import current_user

LOCALE_PARAMETER = "lang"


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """The user's preference, then the switcher's choice, then Accept-Language, then French."""
    locales = supported_locales()
    if not has_request_context():  # CLI and jobs: mail passes its locale explicitly
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    try:
        preferred = getattr(current_user, "locale", None) if current_user.is_authenticated else None
    except Exception:  # noqa: BLE001 - outside a request or before the user is loaded
        preferred = None
    if preferred in locales:
        return preferred
    chosen = session.get("locale")
    if chosen in locales:
        return chosen
    return (
        request.accept_languages.best_match(locales) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def requested_locale() -> str | None:
    """The locale the switcher asks for on this request (`?lang=en`), if valid."""
    wanted = request.args.get(LOCALE_PARAMETER)
    return wanted if wanted in supported_locales() else None


def url_without_locale_parameter() -> str:
    """The current page's address without `lang`: where the switcher sends the user back."""
    arguments = [(k, v) for k, v in request.args.items(multi=True) if k != LOCALE_PARAMETER]
    query = urlencode(arguments)
    return request.path + (f"?{query}" if query else "")


def switch_locale_url(locale: str) -> str:
    """The current page's address asking for `locale`: the switcher keeps the page."""
    arguments = [(k, v) for k, v in request.args.items(multi=True) if k != LOCALE_PARAMETER]
    arguments.append((LOCALE_PARAMETER, locale))
    return request.path + "?" + urlencode(arguments)
