"""The form of a workshop's restitution (organisers)."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectMultipleField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from consult.core.forms import BaseForm
from consult.workshops.restitutions import BODY_MAX, PARTICIPANTS_MAX


def _count_in_range(form, field) -> None:
    # Only a number that was read: a word already has the field's own "not a number" error.
    if field.data is not None and not 0 <= field.data <= PARTICIPANTS_MAX:
        raise ValidationError(_l("Give the number of participants as a whole number."))


class RestitutionForm(BaseForm):
    body = TextAreaField(
        _l("What the workshop produced"),
        validators=[
            DataRequired(_l("Write what the workshop produced.")),
            Length(max=BODY_MAX, message=_l("The text has at most %(max)d characters.")),
        ],
    )
    participant_count = IntegerField(
        _l("Number of participants"),
        validators=[Optional(), _count_in_range],
        render_kw={"min": 0},
    )
    #: Choices: the commitments the event is about, set by the view.
    commitments = SelectMultipleField(_l("Commitments it concerns"), coerce=int)
