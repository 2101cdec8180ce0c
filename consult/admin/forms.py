"""Administration forms: account filters and look-up, role and institutions, audit log filters."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult.accounts.models import INSTITUTION_KIND_LABELS, InstitutionKind
from consult.core.forms import BaseForm
from consult.core.permissions import ACCOUNT_ROLES, ROLE_LABELS


class FilterForm(BaseForm):
    """A GET form: read from the query string, no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    def drop_invalid(self) -> None:
        """Validate, then forget the values refused, so a tampered address only filters less."""
        if not self.validate():
            for name in self.errors:
                if name is not None:
                    self[name].data = self[name].default
                    self[name].raw_data = []


class UserFilterForm(FilterForm):
    name = StringField(
        _l("Display name contains"),
        validators=[Optional(), Length(max=80)],
    )
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("", _l("All roles"))]
        + [SelectChoice(r.value, ROLE_LABELS[r]) for r in ACCOUNT_ROLES],
        default="",
        validators=[Optional()],
    )


class FindByEmailForm(BaseForm):
    """Sent by POST so the address never lands in a URL, a server log or the browser history."""

    email = EmailField(
        _l("Exact e-mail address"),
        validators=[
            DataRequired(_l("Enter the e-mail address of the account you are looking for.")),
            Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
        ],
    )


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: keyboard-usable and without JavaScript, unlike a multiple select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RoleForm(BaseForm):
    role = RadioField(
        _l("Role"),
        choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in ACCOUNT_ROLES],
        validators=[InputRequired(_l("Choose a role."))],
    )
    # Choices are the institutions of the database, set by the view.
    institutions = MultiCheckboxField(
        _l("Institutions"),
        coerce=int,
        choices=[],
        invalid_choice_message=_l("Choose among the proposed institutions."),
        invalid_value_message=_l("Choose among the proposed institutions."),
    )


class InstitutionForm(BaseForm):
    slug = StringField(
        _l("Identifier"),
        validators=[
            DataRequired(_l("Enter an identifier.")),
            Length(max=120, message=_l("The identifier has at most 120 characters.")),
        ],
    )
    name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(_l("Enter the name of the institution.")),
            Length(max=300, message=_l("The name has at most 300 characters.")),
        ],
    )
    short_name = StringField(
        _l("Short name"),
        validators=[
            Optional(),
            Length(max=60, message=_l("The short name has at most 60 characters.")),
        ],
    )
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(k.value, INSTITUTION_KIND_LABELS[k]) for k in InstitutionKind],
        validators=[InputRequired(_l("Choose a kind."))],
    )


class AuditFilterForm(FilterForm):
    # Choices are the actions found in the log, set by the view.
    action = SelectField(_l("Action"), choices=[], default="", validators=[Optional()])
    actor = StringField(
        _l("Who: display name contains"),
        validators=[Optional(), Length(max=80)],
    )
