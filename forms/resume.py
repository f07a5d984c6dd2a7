"""Codes a participant types: a resume code to come back, an invitation code to begin."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length, Regexp


class ResumeForm(FlaskForm):
    resume_code = StringField(
        _l("Resume code"),
        validators=[
            InputRequired(message=_l("Please enter your resume code.")),
            Length(max=20, message=_l("A resume code has 8 letters and numbers, like ABCD-2345.")),
            Regexp(
                r"^[A-Za-z0-9 -]+$",
                message=_l("A resume code has 8 letters and numbers, like ABCD-2345."),
            ),
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
            Length(max=24, message=_l("An invitation code looks like ABCDE-23456.")),
            Regexp(r"^[A-Za-z0-9 -]+$", message=_l("An invitation code looks like ABCDE-23456.")),
        ],
    )
    submit = SubmitField(_l("Continue"))
