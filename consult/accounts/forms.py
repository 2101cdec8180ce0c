"""Account forms: input shapes and their messages. Passwords are never sent back to the page."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from consult.core.forms import BaseForm

EMAIL_REQUIRED = _l("Enter your e-mail address.")
EMAIL_INVALID = _l("Enter a valid e-mail address, like nom@exemple.fr.")


def email_field(label=None):
    return EmailField(
        label or _l("E-mail address"),
        validators=[
            DataRequired(EMAIL_REQUIRED),
            Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
            Email(EMAIL_INVALID, check_deliverability=False),
        ],
    )


def display_name_field():
    return StringField(
        _l("Display name"),
        validators=[
            DataRequired(_l("Enter the name to show beside your contributions.")),
            Length(min=2, max=80, message=_l("Your display name has 2 to 80 characters.")),
        ],
    )


class SignUpForm(BaseForm):
    email = email_field()
    display_name = display_name_field()
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Choose a password."))])
    notify_replies = BooleanField(_l("E-mail me when someone replies to one of my contributions"))

    def validate_password(self, field):
        """The service checks again; checking here too shows every error in one round."""
        from flask import current_app

        from consult.accounts.rules import password_problem

        problem = password_problem(
            field.data or "",
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            max_length=current_app.config["PASSWORD_MAX_LENGTH"],
            email=self.email.data or "",
            name=self.display_name.data or "",
        )
        if problem:
            raise ValidationError(str(problem))
    accept_terms = BooleanField(
        _l("I have read how my personal data is used"),
        validators=[
            DataRequired(_l("Tick this box to confirm you have read how your data is used."))
        ],
    )


class LogInForm(BaseForm):
    email = email_field()
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Stay logged in on this device for 30 days"))


class EmailOnlyForm(BaseForm):
    email = email_field()


class ResetPasswordForm(BaseForm):
    password = PasswordField(
        _l("New password"), validators=[InputRequired(_l("Choose a new password."))]
    )


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(_l("Enter your current password."))]
    )
    password = PasswordField(
        _l("New password"), validators=[InputRequired(_l("Choose a new password."))]
    )


LANGUAGE_CHOICES = [SelectChoice("fr", "Français"), SelectChoice("en", "English")]


class ProfileForm(BaseForm):
    display_name = display_name_field()
    locale = RadioField(
        _l("Interface language"),
        choices=LANGUAGE_CHOICES,
        validators=[InputRequired(_l("Choose a language."))],
    )
    notify_replies = BooleanField(_l("When someone replies to one of my contributions"))
    notify_events = BooleanField(_l("Reminders for the workshops I registered for"))
    notify_petitions = BooleanField(_l("News of the petitions I signed"))


class DeleteAccountForm(BaseForm):
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Enter your password to confirm."))]
    )
    confirm = BooleanField(
        _l("I understand that my account and my personal data will be erased for good"),
        validators=[DataRequired(_l("Tick this box to confirm the deletion."))],
    )
