"""Forms of the workshops: registration, events and their programme, organisers' messages.

Dates and times are typed in Paris time; `paris_to_utc` turns them into the UTC instants the
services store, `utc_to_paris` back into what the fields show.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from consult.core.forms import BaseForm
from consult.workshops.models import AFFILIATION_LABELS, ITEM_KIND_LABELS

PARIS = ZoneInfo("Europe/Paris")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S"]
TIME_FORMATS = ["%H:%M", "%Hh%M", "%H h %M", "%H:%M:%S"]
TEXT_MAX = 20000
NEEDS_MAX = 2000


def paris_to_utc(value: datetime | None) -> datetime | None:
    """A wall-clock time typed in Paris, as an aware UTC instant."""
    if value is None:
        return None
    return value.replace(tzinfo=PARIS).astimezone(UTC)


def utc_to_paris(value: datetime | None) -> datetime | None:
    """A stored instant as the Paris wall-clock time a field shows (naive)."""
    if value is None:
        return None
    return value.astimezone(PARIS).replace(tzinfo=None)


def paris_day(value: datetime) -> date:
    return value.astimezone(PARIS).date()


def at_paris_time(day: date, moment: time | None) -> datetime | None:
    """`moment` on `day`, Paris time, as a UTC instant."""
    if moment is None:
        return None
    return paris_to_utc(datetime.combine(day, moment))


def _datetime_field(label, *validators):
    return DateTimeLocalField(
        label,
        validators=list(validators),
        format=DATETIME_FORMATS,
        invalid_value_message=_l("Enter a date and a time, for example 21/06/2026 17:00."),
    )


def _time_field(label):
    return TimeField(
        label,
        validators=[Optional()],
        format=TIME_FORMATS,
        invalid_value_message=_l("Enter a time, for example 17:30."),
    )


# Registration (participants) -------------------------------------------------------------------


class RegistrationForm(BaseForm):
    #: Choices set by the view: the event's workshops.
    workshop = RadioField(
        _l("Workshop"),
        coerce=int,
        validators=[InputRequired(_l("Choose a workshop."))],
        invalid_choice_message=_l("Choose one of the workshops of this event."),
    )
    affiliation = RadioField(
        _l("You come from"),
        choices=[SelectChoice(value.value, label) for value, label in AFFILIATION_LABELS.items()],
        validators=[
            InputRequired(_l("Say whether you come from the administration or from civil society."))
        ],
        invalid_choice_message=_l(
            "Say whether you come from the administration or from civil society."
        ),
    )
    organisation = StringField(
        _l("Organisation (optional)"),
        validators=[
            Optional(),
            Length(max=200, message=_l("This field has at most %(max)d characters.")),
        ],
    )
    needs = TextAreaField(
        _l("Accessibility needs (optional)"),
        validators=[
            Optional(),
            Length(max=NEEDS_MAX, message=_l("Describe your needs in at most %(max)d characters.")),
        ],
    )


class ConfirmForm(BaseForm):
    """A button that changes something: only its CSRF token travels."""


class CheckInForm(BaseForm):
    present = HiddenField(validators=[InputRequired()])


# Events and programmes (organisers) -------------------------------------------------------------


class EventForm(BaseForm):
    institution = SelectField(
        _l("Organising institution"),
        coerce=int,
        validators=[InputRequired(_l("Choose the organising institution."))],
        invalid_choice_message=_l("Choose one of the institutions you organise events for."),
    )
    #: 0: not made from a kit.
    kit = SelectField(_l("Made from the kit"), coerce=int, validate_choice=False, default=0)
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Give the event a title.")),
            Length(max=200, message=_l("The title has at most %(max)d characters.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=TEXT_MAX, message=_l("This text has at most %(max)d characters."))],
    )
    starts_at = _datetime_field(_l("Start"), InputRequired(_l("Give the start of the event.")))
    ends_at = _datetime_field(_l("End"), InputRequired(_l("Give the end of the event.")))
    venue = TextAreaField(
        _l("Place (address)"),
        validators=[Length(max=1000, message=_l("This text has at most %(max)d characters."))],
    )
    accessibility_info = TextAreaField(
        _l("Accessibility of the place"),
        validators=[Length(max=2000, message=_l("This text has at most %(max)d characters."))],
    )
    online_url = StringField(
        _l("Online link"),
        validators=[Length(max=500, message=_l("The address has at most %(max)d characters."))],
    )
    registration_opens_at = _datetime_field(_l("Registration opens"), Optional())
    registration_closes_at = _datetime_field(_l("Registration closes"), Optional())
    has_waiting_list = BooleanField(_l("Keep a waiting list when a workshop is full"))
    has_parity_quota = BooleanField(
        _l("Parity: half of each workshop's seats for the administration, half for civil society")
    )
    #: Choices set by the view, grouped by plan.
    commitments = SelectMultipleField(
        _l("Commitments the event is about"), coerce=int, validate_choice=False
    )


class ItemForm(BaseForm):
    kind = SelectField(
        _l("Kind of session"),
        choices=[SelectChoice(kind.value, label) for kind, label in ITEM_KIND_LABELS.items()],
        invalid_choice_message=_l("Choose one of the proposed kinds."),
    )
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Give the session a title.")),
            Length(max=200, message=_l("The title has at most %(max)d characters.")),
        ],
    )
    starts_at = _time_field(_l("Start time"))
    ends_at = _time_field(_l("End time"))
    room = StringField(
        _l("Room"),
        validators=[Length(max=200, message=_l("This field has at most %(max)d characters."))],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=TEXT_MAX, message=_l("This text has at most %(max)d characters."))],
    )
    capacity = IntegerField(
        _l("Seats (workshops only)"),
        invalid_value_message=_l("Give a whole number of seats, for example 20."),
        validators=[
            Optional(),
            NumberRange(min=0, max=100000, message=_l("Give a number of seats from 1.")),
        ],
    )


class CancelEventForm(BaseForm):
    reason = TextAreaField(
        _l("Why is the event cancelled?"),
        validators=[
            DataRequired(_l("Say why the event is cancelled: registrants are told.")),
            Length(max=TEXT_MAX, message=_l("This text has at most %(max)d characters.")),
        ],
    )


class MessageForm(BaseForm):
    subject = StringField(
        _l("Subject"),
        validators=[
            DataRequired(_l("Give the message a subject.")),
            Length(max=200, message=_l("The subject has at most %(max)d characters.")),
        ],
    )
    body = TextAreaField(
        _l("Message"),
        validators=[
            DataRequired(_l("Write the message.")),
            Length(max=TEXT_MAX, message=_l("This text has at most %(max)d characters.")),
        ],
    )
