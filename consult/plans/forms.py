"""Forms of the plan follow-up: status and calendar updates, text edits, plan building."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from consult.core.forms import BaseForm
from consult.core.moderation import MODERATION_MODE_LABELS
from consult.plans.services import NOTE_MAX_LENGTH

TEXT_MAX = 20000


class StatusForm(BaseForm):
    #: "status:partial", "schedule:delayed"…: one choice says what changes and to what.
    change = SelectField(
        _l("New value"),
        validators=[InputRequired(_l("Choose the new progress or calendar."))],
    )
    institution = SelectField(_l("On behalf of"), coerce=int, validate_choice=False)
    note = TextAreaField(
        _l("Explanation"),
        validators=[
            DataRequired(_l("Explain the change: the explanation is published in the history.")),
            Length(
                max=NOTE_MAX_LENGTH, message=_l("The explanation has at most %(max)d characters.")
            ),
        ],
    )


class CommitmentTextsForm(BaseForm):
    version = HiddenField()
    institution = SelectField(_l("On behalf of"), coerce=int, validate_choice=False)
    title = TextAreaField(
        _l("Title"),
        validators=[
            DataRequired(_l("The title cannot be empty.")),
            Length(max=1000, message=_l("The title has at most %(max)d characters.")),
        ],
    )
    issues = TextAreaField(
        _l("Issues"),
        validators=[Length(max=TEXT_MAX, message=_l("This text has at most %(max)d characters."))],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=TEXT_MAX, message=_l("This text has at most %(max)d characters."))],
    )


class ActionTextsForm(BaseForm):
    version = HiddenField()
    institution = SelectField(_l("On behalf of"), coerce=int, validate_choice=False)
    title = TextAreaField(
        _l("Action"),
        validators=[
            DataRequired(_l("The title cannot be empty.")),
            Length(max=2000, message=_l("The title has at most %(max)d characters.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=TEXT_MAX, message=_l("This text has at most %(max)d characters."))],
    )
    results = TextAreaField(
        _l("Results"),
        validators=[Length(max=TEXT_MAX, message=_l("This text has at most %(max)d characters."))],
    )
    next_steps = TextAreaField(
        _l("Next steps"),
        validators=[Length(max=TEXT_MAX, message=_l("This text has at most %(max)d characters."))],
    )


class PlanForm(BaseForm):
    slug = StringField(
        _l("Address of the plan"),
        validators=[
            DataRequired(_l("Give the plan an address, for example 2026-2028.")),
            Length(max=60, message=_l("The address has at most %(max)d characters.")),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message=_l(
                    "Use lower-case letters, digits and hyphens only, for example 2026-2028."
                ),
            ),
        ],
    )
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Give the plan a title.")),
            Length(max=300, message=_l("The title has at most %(max)d characters.")),
        ],
    )
    kind = SelectField(_l("Kind of plan"))
    institution = SelectField(
        _l("Institution (Senate or Assembly plans)"), coerce=int, validate_choice=False
    )
    period_start = IntegerField(
        _l("First year"),
        validators=[
            InputRequired(_l("Give the first year, for example 2026.")),
            NumberRange(min=2000, max=2100, message=_l("Give a year between 2000 and 2100.")),
        ],
    )
    period_end = IntegerField(
        _l("Last year"),
        validators=[
            Optional(),
            NumberRange(min=2000, max=2100, message=_l("Give a year between 2000 and 2100.")),
        ],
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[Length(max=TEXT_MAX, message=_l("This text has at most %(max)d characters."))],
    )


class AxisForm(BaseForm):
    title = StringField(
        _l("Title of the axis"),
        validators=[
            DataRequired(_l("Give the axis a title.")),
            Length(max=300, message=_l("The title has at most %(max)d characters.")),
        ],
    )
    themes = TextAreaField(
        _l("Sub-themes, one a line"),
        validators=[Length(max=5000, message=_l("This text has at most %(max)d characters."))],
    )


class NewCommitmentForm(BaseForm):
    title = TextAreaField(
        _l("Title"),
        validators=[
            DataRequired(_l("Give the commitment a title.")),
            Length(max=1000, message=_l("The title has at most %(max)d characters.")),
        ],
    )
    number = IntegerField(
        _l("Number"),
        validators=[
            Optional(),
            NumberRange(min=1, max=9999, message=_l("Give a number between 1 and 9999.")),
        ],
    )
    axis = SelectField(_l("Axis"), coerce=int, validate_choice=False)
    institutions = SelectMultipleField(_l("Carrying institutions"), coerce=int)


class InstitutionsForm(BaseForm):
    institutions = SelectMultipleField(
        _l("Carrying institutions"),
        coerce=int,
        validators=[DataRequired(_l("Choose at least one carrying institution."))],
    )


class ModerationModeForm(BaseForm):
    mode = RadioField(
        _l("Moderation of contributions"),
        choices=[SelectChoice(mode.value, label) for mode, label in MODERATION_MODE_LABELS.items()],
        validators=[InputRequired(_l("Choose one of the proposed modes."))],
    )
