"""Forms of the kit pages (admins): a new version, its texts, a document to add."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from consult.core.forms import BaseForm
from consult.workshops.kits import DESCRIPTION_MAX, TITLE_MAX
from consult.workshops.models import KIT_DOCUMENT_KIND_LABELS

#: What the file input suggests to the browser; the server checks the content whatever this says.
ACCEPTED_EXTENSIONS = ".pdf,.odt,.odp,.docx,.pptx,.png,.jpg,.jpeg,.svg"


class KitVersionForm(BaseForm):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Give a title.")),
            Length(max=TITLE_MAX, message=_l("The title has at most %(max)d characters.")),
        ],
    )
    description = TextAreaField(
        _l("Presentation"),
        validators=[
            Length(max=DESCRIPTION_MAX, message=_l("This text has at most %(max)d characters."))
        ],
    )


class KitDocumentForm(BaseForm):
    kind = SelectField(
        _l("Kind of resource"),
        choices=[
            SelectChoice(kind.value, label) for kind, label in KIT_DOCUMENT_KIND_LABELS.items()
        ],
        validators=[InputRequired(_l("Choose one of the proposed kinds."))],
    )
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Give a title.")),
            Length(max=TITLE_MAX, message=_l("The title has at most %(max)d characters.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[
            Length(max=DESCRIPTION_MAX, message=_l("This text has at most %(max)d characters."))
        ],
    )
    #: Checked by the service (core.storage): present, not empty, small enough, allowed type.
    file = FileField(_l("File"))
