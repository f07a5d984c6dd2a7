"""The staff's response browser and what they decide about one response."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from forms.choices import SelectChoice
from forms.fields import text
from forms.filters import FilterForm
from survey.models import ExclusionReason
from survey.staff.browse import BrowseFilters

BROWSE_STATUSES = [
    SelectChoice("all", _l("All")),
    SelectChoice("complete", _l("Complete")),
    SelectChoice("partial", _l("Partial")),
    SelectChoice("excluded", _l("Excluded")),
    SelectChoice("withdrawn", _l("Withdrawn")),
]
SORT_CHOICES = [
    SelectChoice("newest", _l("Newest first")),
    SelectChoice("oldest", _l("Oldest first")),
    SelectChoice("active", _l("Last active first")),
]
REASON_LABELS = {
    ExclusionReason.TEST: _l("A test or a demonstration, not a participant"),
    ExclusionReason.DUPLICATE: _l("A duplicate of another response"),
    ExclusionReason.NOT_ELIGIBLE: _l("The participant was not eligible"),
    ExclusionReason.IMPLAUSIBLE: _l("Implausible or careless answers"),
    ExclusionReason.OTHER: _l("Another reason (say which in the note)"),
}


class BrowseForm(FilterForm):
    """Read from the query string: the dates, version and language are the dashboard's."""

    status = SelectField(_l("Status"), choices=BROWSE_STATUSES, default="all")
    reached = SelectField(_l("Last page reached"), choices=[], default="")
    sort = SelectField(_l("Order"), choices=SORT_CHOICES, default="newest")
    q = StringField(
        _l("Response ID or resume code"),
        filters=[lambda value: value.strip() if value else value],
        validators=[
            Optional(),
            Length(max=40, message=_l("Use at most %(max)d characters.")),
            Regexp(
                r"^[A-Za-z0-9_ -]*$",
                message=_l("A response ID or a resume code has only letters, numbers and - or _."),
            ),
        ],
    )

    def __init__(
        self, *args, versions: Iterable[int] = (), pages: Iterable[tuple[int, str]] = (), **kw
    ) -> None:
        super().__init__(*args, versions=versions, **kw)
        del self.include_excluded  # the browser shows excluded ones, marked
        self.reached.choices = [SelectChoice("", _l("Any page"))] + [
            SelectChoice(str(position), title) for position, title in pages
        ]

    def browse_filters(self) -> BrowseFilters:
        return BrowseFilters(
            status=self.status.data,
            version=int(self.version.data) if self.version.data else None,
            language=self.language.data or None,
            since=self.since.data,
            until=self.until.data,
            reached=int(self.reached.data) if self.reached.data else None,
            sort=self.sort.data,
        )


class ExcludeForm(FlaskForm):
    reason = RadioField(
        _l("Why is this response left out?"),
        choices=[SelectChoice(reason.value, label) for reason, label in REASON_LABELS.items()],
        validators=[InputRequired(message=_l("Choose a reason."))],
    )
    note = text(_l("Note (optional, required for another reason)"), maximum=500, multiline=True)
    submit = SubmitField(_l("Exclude this response"))

    def validate(self, extra_validators=None) -> bool:
        # Not a validate_note: the note's Optional() ends its checks when it is empty.
        valid = super().validate(extra_validators)
        if self.reason.data == ExclusionReason.OTHER and not self.note.data:
            self.note.errors = [*self.note.errors, _l("Say why in the note.")]
            return False
        return valid


class IncludeForm(FlaskForm):
    submit = SubmitField(_l("Include it again"))


class WithdrawForm(FlaskForm):
    """An admin withdraws a response at the participant's request."""

    confirm = BooleanField(
        _l("The participant asked for this, and I understand their answers will be deleted."),
        validators=[InputRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Withdraw and delete the answers"))
