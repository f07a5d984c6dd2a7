"""Admin forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from forms.choices import SelectChoice
from survey.participate.invitations import MAX_BATCH


class InvitationBatchForm(FlaskForm):
    count = IntegerField(
        _l("How many codes"),
        validators=[
            InputRequired(message=_l("Please enter a number.")),
            NumberRange(
                1, MAX_BATCH, message=_l("Choose between 1 and %(max)d codes.", max=MAX_BATCH)
            ),
        ],
        default=50,
    )
    submit = SubmitField(_l("Make codes and download them (CSV)"))


class AccessModeForm(FlaskForm):
    mode = RadioField(
        _l("Who can take the survey"),
        choices=[
            SelectChoice("open", _l("Anyone with the link")),
            SelectChoice("invitation", _l("Only people with an invitation code")),
        ],
    )
    save = SubmitField(_l("Save"))
