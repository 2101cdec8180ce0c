"""Discussion rules: who may write where, the depth limit, the edit window, watched words."""

import re
import unicodedata
from datetime import datetime, timedelta

from consult.core.moderation import ModerationStatus
from consult.core.permissions import Capability, can

BODY_MAX_LENGTH = 5000
#: Replies nest at most this deep below a top-level contribution.
MAX_REPLY_DEPTH = 3


def can_contribute(actor) -> bool:
    """Capability discussions:comment, for a verified account that is not blocked."""
    return (
        can(actor, Capability.DISCUSSIONS_COMMENT)
        and getattr(actor, "is_verified", False)
        and not getattr(actor, "is_blocked", False)
    )


def can_reply_to(depth: int) -> bool:
    return depth < MAX_REPLY_DEPTH


def is_within_edit_window(created_at: datetime, now: datetime, window: timedelta) -> bool:
    return now - created_at <= window


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def watched_words_in(body: str, watch_list) -> list[str]:
    """The watched words `body` contains, as whole words, ignoring case and accents."""
    folded = _fold(body)
    found = []
    for word in watch_list:
        word = word.strip()
        if word and re.search(rf"(?<!\w){re.escape(_fold(word))}(?!\w)", folded):
            found.append(word)
    return found


def is_author(actor, contribution) -> bool:
    return getattr(actor, "is_authenticated", False) and actor.id == contribution.author_id


def can_edit(actor, contribution, now: datetime, window: timedelta) -> bool:
    """The author, while the contribution is neither withdrawn nor taken down, within the
    edit window (services.edit_contribution decides; this only shows or hides the link)."""
    return (
        is_author(actor, contribution)
        and can_contribute(actor)
        and not contribution.is_withdrawn
        and contribution.status in (ModerationStatus.PUBLISHED, ModerationStatus.PENDING)
        and is_within_edit_window(contribution.created_at, now, window)
    )


def can_withdraw(actor, contribution) -> bool:
    """The author, once (services.withdraw_contribution decides)."""
    return is_author(actor, contribution) and not contribution.is_withdrawn
