"""What every template can use: asset URLs with a content hash, permissions, the switcher."""

import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from consult.core import i18n
from consult.core.moderation import DECISION_REASON_LABELS
from consult.core.permissions import ROLE_LABELS, Capability, Role, can

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


@lru_cache(maxsize=512)
def _file_hash(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """The URL of a static file with a short content hash, so it can be cached for a year."""
    path = Path(current_app.static_folder) / filename
    try:
        version = _file_hash(str(path), path.stat().st_mtime)
    except OSError:
        version = "missing"
    return url_for("static", filename=filename, v=version)


def external_url(endpoint: str, **values) -> str:
    """An absolute URL on SERVER_BASE_URL, for e-mails: right in requests, CLI and jobs alike."""
    base = urlsplit(current_app.config["SERVER_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def role_label(role: str):
    return ROLE_LABELS.get(Role(role), role)


def register_templating(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.add_extension("jinja2.ext.do")
    from consult.core.sanitize import plain_excerpt, rich_text

    app.jinja_env.filters["rich_text"] = rich_text
    app.jinja_env.filters["excerpt"] = plain_excerpt
    app.jinja_env.globals.update(
        external_url=external_url,
        role_label=role_label,
        current_locale=lambda: str(get_locale() or "fr"),
        format_date=format_date,
        decision_reason_label=lambda reason: DECISION_REASON_LABELS.get(reason, reason),
        format_datetime=format_datetime,
    )
    app.config.setdefault("SEND_FILE_MAX_AGE_DEFAULT", 3600)

    @app.context_processor
    def shell_context():
        return {
            "asset_url": asset_url,
            "can": lambda capability: can(current_user, capability),
            "Capability": Capability,
            "language_names": LANGUAGE_NAMES,
            "switch_locale_url": i18n.switch_locale_url,
            "platform_name": app.config["PLATFORM_NAME"],
        }

    @app.after_request
    def cache_versioned_assets(response):
        from flask import request

        if request.endpoint == "static" and request.args.get("v"):
            response.cache_control.public = True
            response.cache_control.max_age = 31536000
            response.cache_control.immutable = True
        return response
