"""Codes a participant types: a resume code to come back, an invitation code to begin."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Regexp

RESUME_CODE_LOOKS = _l("A resume code has 15 letters and numbers, like ABCDE-23456-FGHJK.")
INVITATION_CODE_LOOKS = _l("An invitation code looks like ABCDE-23456-FGHJK.")


class ResumeForm(FlaskForm):
    resume_code = StringField(
        _l("Resume code"),
        validators=[
            InputRequired(message=_l("Please enter your resume code.")),
            Length(max=30, message=RESUME_CODE_LOOKS),
            Regexp(r"^[A-Za-z0-9 -]+$", message=RESUME_CODE_LOOKS),
        ],
    )
    submit = SubmitField(_l("Continue"))


class ToolkitNextForm(FlaskForm):
    """Moving on from a toolkit section, which also records the time spent on it."""

    submit = SubmitField(_l("Next section"))


class InvitationForm(FlaskForm):
    code = StringField(
        _l("Invitation code"),
        validators=[
            InputRequired(message=_l("Please enter the code from your invitation.")),
            Length(max=30, message=INVITATION_CODE_LOOKS),
            Regexp(r"^[A-Za-z0-9 -]+$", message=INVITATION_CODE_LOOKS),
        ],
    )
    submit = SubmitField(_l("Continue"))


class WithdrawForm(ResumeForm):
    """A participant asks to withdraw: their resume code shows whose answers these are."""

    submit = SubmitField(_l("Continue"))


class WithdrawConfirmForm(ResumeForm):
    """The confirmation: the code again (checked again), and the one button that deletes."""

    resume_code = HiddenField(validators=ResumeForm.resume_code.kwargs["validators"])
    submit = SubmitField(_l("Yes, delete my answers"))
