"""Input shapes of moderation: a report, the queue's filters, decisions, blocking an account."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, Regexp

from consult.core.forms import BaseForm
from consult.core.moderation import REPORT_REASON_LABELS, ReportReason
from consult.moderation.services import DETAIL_MAX_LENGTH, NOTE_MAX_LENGTH


class ReportForm(BaseForm):
    """Why a reader reports content; the detail is required for "other reason" (the service
    says so, next to the field)."""

    reason = RadioField(
        _l("Why do you report this contribution?"),
        choices=[
            SelectChoice(reason.value, label) for reason, label in REPORT_REASON_LABELS.items()
        ],
        validate_choice=False,
        validators=[
            DataRequired(message=_l("Choose a reason.")),
            AnyOf([r.value for r in ReportReason], message=_l("Choose a reason.")),
        ],
    )
    detail = TextAreaField(
        _l("Details"),
        validators=[
            Length(
                max=DETAIL_MAX_LENGTH,
                message=_l("The detail has at most %(max)d characters.", max=DETAIL_MAX_LENGTH),
            )
        ],
    )


# The moderators' forms ------------------------------------------------------------------------


def _note_field():
    return TextAreaField(
        _l("Note for the moderators (optional)"),
        validators=[
            Length(
                max=NOTE_MAX_LENGTH,
                message=_l("The note has at most %(max)d characters.", max=NOTE_MAX_LENGTH),
            )
        ],
    )


class QueueFilterForm(BaseForm):
    """The queue's filters: a GET form read from the query string, without a CSRF token (it
    changes nothing). Choices of kind, plan and institution are set by the view."""

    class Meta:
        csrf = False

    #: "type" in the query string: "kind" is the path segment of the item pages, which carry
    #: the queue's filters back to it.
    kind = SelectField(
        _l("Kind of content"), choices=[], default="", validate_choice=False, name="type"
    )
    state = SelectField(_l("State"), choices=[], default="", validate_choice=False)
    reason = SelectField(_l("Reason"), choices=[], default="", validate_choice=False)
    plan = SelectField(
        _l("Plan"),
        choices=[],
        default="",
        validate_choice=False,
        validators=[Optional(), Regexp(r"^[0-9]{1,9}$")],
    )
    institution = SelectField(
        _l("Institution carrying the commitment"),
        choices=[],
        default="",
        validate_choice=False,
        validators=[Optional(), Regexp(r"^[0-9]{1,9}$")],
    )

    def keep_known(self, kinds, states, reasons) -> None:
        """Validate, then forget what is unknown, so a tampered address only filters less."""
        self.validate()
        known = {"kind": set(kinds), "state": set(states), "reason": set(reasons)}
        for name in ("kind", "state", "reason", "plan", "institution"):
            field = self[name]
            if field.errors or (name in known and field.data not in known[name]):
                field.data, field.raw_data, field.errors = "", [], []

    @property
    def arguments(self) -> dict[str, str]:
        """The filters in force, as query-string arguments for links and redirects."""
        names = ("kind", "state", "reason", "plan", "institution")
        return {self[name].name: self[name].data for name in names if self[name].data}


class DecisionForm(BaseForm):
    """One decision on one item; the view sets the reasons that fit the decision."""

    reason = RadioField(
        _l("Reason"),
        choices=[],
        validators=[InputRequired(_l("Choose a reason."))],
        validate_choice=False,
    )
    note = _note_field()


class BulkDecisionForm(BaseForm):
    """The same decision on the items ticked in the queue."""

    items = SelectMultipleField(
        _l("Items"),
        choices=[],
        validate_choice=False,
        validators=[DataRequired(_l("Tick at least one item in the list."))],
    )
    action = SelectField(
        _l("Decision"),
        choices=[],
        validate_choice=False,
        validators=[InputRequired(_l("Choose a decision."))],
    )
    reason = SelectField(
        _l("Reason"),
        choices=[],
        validate_choice=False,
        validators=[InputRequired(_l("Choose a reason."))],
    )
    note = _note_field()

    def selection(self) -> dict[str, list[int]]:
        """The ticked items as {kind: [ids]}; values that are not "kind:id" are left out."""
        chosen: dict[str, list[int]] = {}
        for value in self.items.data or []:
            kind, _sep, content_id = str(value).partition(":")
            if kind and content_id.isdigit() and len(content_id) < 10:
                chosen.setdefault(kind, []).append(int(content_id))
        return chosen


class BlockForm(BaseForm):
    """Blocking or unblocking an account: the view sets the reasons that fit."""

    reason = RadioField(
        _l("Reason"),
        choices=[],
        validators=[InputRequired(_l("Choose a reason."))],
        validate_choice=False,
    )
    note = _note_field()


class ConfirmForm(BaseForm):
    """A button that changes something: only the CSRF token (claiming, releasing)."""
