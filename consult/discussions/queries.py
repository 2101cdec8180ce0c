"""Read queries of discussions: one page of a thread in a fixed number of statements."""

import math

from flask import current_app
from sqlalchemy import func, select

from consult.core.db import db
from consult.discussions.models import Contribution


def page_of(contribution: Contribution) -> int:
    """The page (newest first, official answers first) that shows `contribution`'s branch."""
    root = (
        db.session.get(Contribution, contribution.root_id) if contribution.root_id else contribution
    )
    before = db.session.scalar(
        select(func.count(Contribution.id)).where(
            Contribution.thread_id == root.thread_id,
            Contribution.parent_id.is_(None),
            Contribution.is_visible.is_(True),
            (Contribution.is_official > root.is_official)
            | (
                (Contribution.is_official == root.is_official)
                & (
                    (Contribution.created_at > root.created_at)
                    | ((Contribution.created_at == root.created_at) & (Contribution.id > root.id))
                )
            ),
        )
    )
    return before // current_app.config["DISCUSSION_PAGE_SIZE"] + 1


def page_count(top_level_count: int) -> int:
    return max(1, math.ceil(top_level_count / current_app.config["DISCUSSION_PAGE_SIZE"]))
