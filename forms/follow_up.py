"""The follow-up's forms: a participant's sign-up at the end of the survey, and the admin's
settings for the wave."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Field, StringField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from forms.fields import strip, text, whole_number
from survey.follow_up.addresses import AddressRefused, normalised_address
from survey.i18n import translated


def _address(field: Field) -> None:
    """The one check an address passes (survey.follow_up.addresses), its data normalised."""
    try:
        field.data = normalised_address(field.data or "")
    except AddressRefused as refused:
        raise ValidationError(translated(refused.message)) from None


class SignUpForm(FlaskForm):
    email = EmailField(_l("Your email address"), filters=[strip])
    agree = BooleanField(
        validators=[InputRequired(message=_l("Please tick the box to agree, or leave this out."))]
    )
    submit = SubmitField(_l("Yes, email me once"))

    def validate_email(self, field: Field) -> None:
        _address(field)


class FollowUpSettingsForm(FlaskForm):
    invite_after_days = whole_number(
        _l("Days after the survey to send the invitation"), 1, 365, required=True
    )
    remind_after_days = whole_number(
        _l("Days after the invitation to send the reminder"), 1, 90, required=True
    )
    link_valid_days = whole_number(
        _l("Days the link works after the invitation"), 1, 365, required=True
    )
    sender = StringField(
        _l("Sender address"),
        filters=[strip],
        description=_l("Leave empty to use the server's MAIL_SENDER."),
    )
    subject_en = text(_l("Subject (English)"), description=_l("Leave empty for the default."))
    subject_fr = text(_l("Subject (French)"), description=_l("Leave empty for the default."))
    body_en = text(
        _l("Message (English)"),
        maximum=4000,
        multiline=True,
        description=_l(
            "Paragraphs separated by an empty line. The link, its expiry and the unsubscribe "
            "line are always added after it. Leave empty for the default."
        ),
    )
    body_fr = text(_l("Message (French)"), maximum=4000, multiline=True)
    save = SubmitField(_l("Save"))

    def validate_sender(self, field: Field) -> None:
        if field.data:
            _address(field)

    def validate_remind_after_days(self, field: Field) -> None:
        valid = self.link_valid_days.data
        if field.data is not None and valid is not None and field.data >= valid:
            raise ValidationError(
                _l("The reminder must go out while the link still works: fewer days than that.")
            )
