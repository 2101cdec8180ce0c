"""The base form: CSRF, translated messages, and input cleaned of what no field should hold."""

import re

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

# C0 and C1 control characters except tab, line feed and carriage return; NUL breaks PostgreSQL.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]"
)


def clean_text(value):
    """Strip control and invisible direction characters, surrounding spaces; keep line breaks."""
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value).replace("\r\n", "\n")
    return value.strip()


def clean_line(value):
    """As clean_text, and fold any line break into a space: for one-line fields."""
    value = clean_text(value)
    if isinstance(value, str):
        value = " ".join(value.split())
    return value


class BaseForm(FlaskForm):
    """Every form of consult: CSRF protected, and text fields cleaned before validation."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            filters = list(unbound_field.kwargs.get("filters", ()))
            if issubclass(field_class, TextAreaField):
                filters.insert(0, clean_text)
            elif issubclass(field_class, StringField) and not _is_password(field_class):
                filters.insert(0, clean_line)
            # The unbound field is shared by every instance of the form: never mutate it.
            return unbound_field.bind(form=form, filters=filters, **options)

    def add_form_error(self, message: str) -> None:
        self.form_errors.append(message)

    @property
    def error_list(self) -> list[tuple[str | None, str]]:
        """(field id, message) pairs for the summary at the top of the form."""
        items: list[tuple[str | None, str]] = [(None, str(m)) for m in self.form_errors]
        for name, messages in self.errors.items():
            if not name or name not in self:  # form-level errors are listed first
                continue
            field = self[name]
            items.extend((field.id, str(m)) for m in messages)
        return items


def _is_password(field_class) -> bool:
    return field_class.__name__ == "PasswordField"
