"""Rate limits checked inside a view, so that a form over its limit comes back with its text.

Flask-Limiter's decorator answers a bare 429 page before the view runs, and what was typed is
lost. Here the view counts one attempt when the form is valid, and shows the form again with
a message when the limit is used up.
"""

import time

from flask import current_app
from flask_login import current_user
from limits import parse_many

from consult.core.network import client_address
from consult.extensions import limiter


def _key() -> str:
    """The account when signed in (one person, whatever their address), else the address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{client_address()}"


def is_over_limit(config_key: str, scope: str) -> bool:
    """Count one attempt against the limits named by `config_key` ("5 per minute;60 per hour").

    True, counting nothing, when one of them is already used up. Off when rate limiting is.
    """
    if not (current_app.config.get("RATELIMIT_ENABLED") and limiter.enabled):
        return False
    if not limiter.initialized:
        return False
    items = parse_many(current_app.config[config_key])
    strategy = limiter.limiter
    key = _key()
    if not all(strategy.test(item, scope, key) for item in items):
        return True
    for item in items:
        strategy.hit(item, scope, key)
    return False


def retry_after(config_key: str, scope: str) -> int:
    """Seconds until the next attempt is allowed (at least one)."""
    items = parse_many(current_app.config[config_key])
    strategy = limiter.limiter
    key = _key()
    waits = []
    for item in items:
        stats = strategy.get_window_stats(item, scope, key)
        if stats.remaining <= 0:
            waits.append(int(stats.reset_time - time.time()) + 1)
    return max([1, *waits])
