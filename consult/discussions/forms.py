"""Input shapes of discussions: a contribution (or reply), its edit, its withdrawal."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from consult.core.forms import BaseForm
from consult.discussions.rules import BODY_MAX_LENGTH


class ContributionForm(BaseForm):
    """A new contribution, a reply or an edit: the text, and for organisers the official box."""

    body = TextAreaField(
        _l("Your contribution"),
        validators=[
            DataRequired(message=_l("Write your contribution before sending it.")),
            Length(
                max=BODY_MAX_LENGTH,
                message=_l("A contribution has at most %(max)d characters.", max=BODY_MAX_LENGTH),
            ),
        ],
    )
    #: Shown only to organisers of a carrying institution; the view names the institution.
    official = BooleanField(_l("Answer on behalf of the institution (official answer)"))
    #: Shows the rendered text instead of sending it (works without JavaScript).
    preview = SubmitField(_l("Preview"))
    send = SubmitField(_l("Publish"))

    @property
    def wants_preview(self) -> bool:
        return bool(self.preview.data)


class ConfirmForm(BaseForm):
    """A confirmation with nothing to fill in but the CSRF token."""
