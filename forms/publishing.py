"""Publishing a draft and moving the questionnaire in and out of a spreadsheet."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired


class PublishForm(FlaskForm):
    confirm = BooleanField(
        _l("I have read these changes; publish the draft for new participants."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Publish"))


class SpreadsheetForm(FlaskForm):
    spreadsheet = FileField(
        _l("Questionnaire spreadsheet (.xlsx, XLSForm style)"),
        validators=[
            FileRequired(message=_l("Choose a file.")),
            FileAllowed(["xlsx"], message=_l("Choose an .xlsx workbook.")),
        ],
    )
    skip_unsupported = BooleanField(
        _l(
            "Skip what this platform cannot ask (other question types, repeats, other "
            "languages…) and import the rest, with a notice for each part skipped"
        )
    )
    submit = SubmitField(_l("Upload as the draft"))
