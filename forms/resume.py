"""Coming back to a response with its resume code."""

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

    submit = SubmitField(_l("Next part"))
