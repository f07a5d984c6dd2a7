"""Forms for managing staff accounts and for filtering the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from forms.choices import SelectChoice
from forms.fields import PlainText, email_format
from survey.audit import AuditFilters
from survey.auth.services import MIN_PASSWORD_LENGTH
from survey.models import Role

ROLE_NAMES: dict[str, Any] = {Role.INVESTIGATOR: _l("investigator"), Role.ADMIN: _l("admin")}
ROLE_CHOICES = [
    SelectChoice(Role.INVESTIGATOR.value, _l("Investigator (responses, dashboard, exports)")),
    SelectChoice(Role.ADMIN.value, _l("Admin (also questionnaire, invitations, users, audit log)")),
]
PASSWORD_LENGTH = Length(
    min=MIN_PASSWORD_LENGTH,
    max=500,
    message=_l("Use between %(min)d and %(max)d characters."),  # WTForms fills in the numbers
)


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


class NewUserForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        filters=[_strip],
        validators=[
            InputRequired(message=_l("Please enter an email address.")),
            Length(max=254, message=_l("An email address has at most 254 characters.")),
            email_format(),
        ],
    )
    role = RadioField(
        _l("Role"),
        choices=ROLE_CHOICES,
        default=Role.INVESTIGATOR.value,
        validators=[InputRequired(message=_l("Choose a role."))],
    )
    password = PasswordField(
        _l("Initial password"),
        description=_l(
            "At least %(n)d characters. Give it to the person in a safe way.",
            n=MIN_PASSWORD_LENGTH,
        ),
        validators=[InputRequired(message=_l("Please enter a password.")), PASSWORD_LENGTH],
    )
    submit = SubmitField(_l("Create the account"))


class RoleForm(FlaskForm):
    role = RadioField(
        _l("Role"), choices=ROLE_CHOICES, validators=[InputRequired(message=_l("Choose a role."))]
    )
    save_role = SubmitField(_l("Change the role"))


class ActiveForm(FlaskForm):
    """Deactivate or reactivate: a button alone (the account's state says which)."""

    submit = SubmitField(_l("Confirm"))


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        description=_l(
            "At least %(n)d characters, or leave it empty to have one made for you (shown once)."
            " Every session of the account ends.",
            n=MIN_PASSWORD_LENGTH,
        ),
        validators=[Optional(strip_whitespace=False), PASSWORD_LENGTH],
    )
    reset = SubmitField(_l("Reset the password"))


class AuditFilterForm(FlaskForm):
    action = SelectField(_l("Action"), choices=[], default="")
    user = StringField(_l("User's email contains"), validators=[Length(max=254), PlainText()])
    since = DateField(_l("From (UTC date)"), validators=[Optional()])
    until = DateField(_l("To (UTC date, included)"), validators=[Optional()])
    target = StringField(_l("Target contains"), validators=[Length(max=200), PlainText()])

    def __init__(self, *args, actions: Iterable[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.action.choices = [SelectChoice("", _l("All actions"))] + [
            SelectChoice(action, action) for action in actions
        ]

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))

    def query_args(self) -> dict[str, str]:
        """The filters that are on, as the page's query string has them."""
        fields = (self.action, self.user, self.since, self.until, self.target)
        return {
            field.name: field.raw_data[0]
            for field in fields
            if field.raw_data and field.raw_data[0]
        }

    def filters(self) -> AuditFilters:
        return AuditFilters(
            action=self.action.data or None,
            user_email=(self.user.data or "").strip() or None,
            since=self.since.data,
            until=self.until.data,
            target=(self.target.data or "").strip() or None,
        )


class AuditDownloadForm(AuditFilterForm):
    """The same filters, posted with a CSRF token: the download is recorded in the log."""

    download = SubmitField(_l("Download as CSV"))
