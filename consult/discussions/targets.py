"""What discussions know of the things they are about: a host adapter per target kind.

Discussions sit below the features that host them, so they never import those features.
Each host registers an adapter in app.py's explicit list; the adapter answers for one target.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app, has_request_context


@dataclass(frozen=True)
class Host:
    """One target as the discussion needs it."""

    kind: str
    id: int
    title: str
    #: Where the thread is shown: the target's page.
    url: str
    plan_id: int | None = None
    #: "post" or "pre" (core.moderation.ModerationMode).
    moderation_mode: str = "post"
    #: Institutions whose organisers answer officially here.
    official_institution_ids: frozenset[int] = field(default_factory=frozenset)
    #: A closed target takes no new contribution (a finished plan, a cancelled event…).
    is_open: bool = True


#: kind → function(target_id) returning the Host, or None when the target does not exist.
HostLoader = Callable[[int], Host | None]


def register_host(app: Flask, kind: str, loader: HostLoader) -> None:
    app.extensions.setdefault("consult_discussion_hosts", {})[kind] = loader


def load_host(kind: str, target_id: int) -> Host | None:
    loader = current_app.extensions.get("consult_discussion_hosts", {}).get(kind)
    if loader is None:
        return None
    if has_request_context():
        return loader(target_id)
    # Commands and jobs (reply digests) have no request: hosts build their links as on the
    # public site.
    with current_app.test_request_context(base_url=current_app.config["SERVER_BASE_URL"]):
        return loader(target_id)


def load_hosts(pairs) -> dict[tuple[str, int], Host]:
    """Hosts for several (kind, id) pairs; hosts may batch their queries later."""
    return {pair: host for pair in set(pairs) if (host := load_host(*pair)) is not None}
