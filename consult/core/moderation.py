"""The moderation vocabulary shared by every kind of content: states, reasons, visibility."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class ModerationStatus(StrEnum):
    #: Held until a moderator approves it (pre-moderation, or a watched word).
    PENDING = "pending"
    PUBLISHED = "published"
    #: Taken down after publication; can be restored.
    HIDDEN = "hidden"
    #: Refused before publication.
    REJECTED = "rejected"


MODERATION_STATUS_LABELS = {
    ModerationStatus.PENDING: _l("Awaiting moderation"),
    ModerationStatus.PUBLISHED: _l("Published"),
    ModerationStatus.HIDDEN: _l("Hidden"),
    ModerationStatus.REJECTED: _l("Rejected"),
}


class ModerationMode(StrEnum):
    #: Published at once, reviewed after.
    POST = "post"
    #: Held until a moderator approves it.
    PRE = "pre"


MODERATION_MODE_LABELS = {
    ModerationMode.POST: _l("Post-moderation: published at once, reviewed after"),
    ModerationMode.PRE: _l("Pre-moderation: held until a moderator approves it"),
}


class ReportReason(StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


REPORT_REASON_LABELS = {
    ReportReason.SPAM: _l("Spam or advertising"),
    ReportReason.ABUSE: _l("Insulting or hateful"),
    ReportReason.OFF_TOPIC: _l("Off-topic"),
    ReportReason.PERSONAL_DATA: _l("Reveals personal data"),
    ReportReason.OTHER: _l("Other reason"),
}


class DecisionAction(StrEnum):
    APPROVE = "approve"
    HIDE = "hide"
    RESTORE = "restore"
    REJECT = "reject"
    BLOCK_AUTHOR = "block_author"
    UNBLOCK_AUTHOR = "unblock_author"


DECISION_ACTION_LABELS = {
    DecisionAction.APPROVE: _l("Approve"),
    DecisionAction.HIDE: _l("Hide"),
    DecisionAction.RESTORE: _l("Restore"),
    DecisionAction.REJECT: _l("Reject"),
    DecisionAction.BLOCK_AUTHOR: _l("Block the author"),
    DecisionAction.UNBLOCK_AUTHOR: _l("Unblock the author"),
}


class DecisionReason(StrEnum):
    """Why a moderator decided: published in the moderation log, so always a code."""

    COMPLIANT = "compliant"
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    ILLEGAL = "illegal"
    DUPLICATE = "duplicate"
    REPEATED_ABUSE = "repeated_abuse"
    ERROR = "error"


DECISION_REASON_LABELS = {
    DecisionReason.COMPLIANT: _l("Complies with the charter"),
    DecisionReason.SPAM: _l("Spam or advertising"),
    DecisionReason.ABUSE: _l("Insulting or hateful"),
    DecisionReason.OFF_TOPIC: _l("Off-topic"),
    DecisionReason.PERSONAL_DATA: _l("Reveals personal data"),
    DecisionReason.ILLEGAL: _l("Manifestly illegal"),
    DecisionReason.DUPLICATE: _l("Duplicate"),
    DecisionReason.REPEATED_ABUSE: _l("Repeated breaches of the charter"),
    DecisionReason.ERROR: _l("Moderation error corrected"),
}

#: Which reasons make sense for which decision.
REASONS_FOR = {
    DecisionAction.APPROVE: (DecisionReason.COMPLIANT,),
    DecisionAction.RESTORE: (DecisionReason.COMPLIANT, DecisionReason.ERROR),
    DecisionAction.HIDE: (
        DecisionReason.SPAM, DecisionReason.ABUSE, DecisionReason.OFF_TOPIC,
        DecisionReason.PERSONAL_DATA, DecisionReason.ILLEGAL, DecisionReason.DUPLICATE,
    ),
    DecisionAction.REJECT: (
        DecisionReason.SPAM, DecisionReason.ABUSE, DecisionReason.OFF_TOPIC,
        DecisionReason.PERSONAL_DATA, DecisionReason.ILLEGAL, DecisionReason.DUPLICATE,
    ),
    DecisionAction.BLOCK_AUTHOR: (DecisionReason.REPEATED_ABUSE, DecisionReason.SPAM),
    DecisionAction.UNBLOCK_AUTHOR: (DecisionReason.ERROR, DecisionReason.COMPLIANT),
}  # fmt: skip


def visible(column):
    """The condition for content everyone may see: published."""
    return column == ModerationStatus.PUBLISHED.value
