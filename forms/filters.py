"""Choosing which responses an export or the dashboard covers, and what the export holds."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, SubmitField
from wtforms.validators import Optional, ValidationError

from exports.filters import FIRST_DAY, LAST_DAY, ExportFilters, in_range
from forms.choices import SelectChoice

STATUS_CHOICES = [
    SelectChoice("all", _l("All")),
    SelectChoice("complete", _l("Complete")),
    SelectChoice("partial", _l("Partial")),
]
LANGUAGE_CHOICES = [
    SelectChoice("", _l("Any")),
    SelectChoice("en", "English"),
    SelectChoice("fr", "Français"),
]


class FilterForm(FlaskForm):
    since = DateField(_l("Started on or after"), validators=[Optional()])
    until = DateField(_l("Started on or before"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="all")
    version = SelectField(_l("Questionnaire version"), choices=[], default="")
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="")
    by = SelectField(_l("Outcomes also by subgroup of"), choices=[], default="")
    include_excluded = BooleanField(_l("Include excluded responses"))

    def __init__(
        self,
        *args,
        versions: Iterable[int] = (),
        groupings: Iterable[tuple[str, str]] = (),
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version.choices = [SelectChoice("", _l("All versions"))] + [
            SelectChoice(str(n), str(n)) for n in versions
        ]
        # A variable that cannot form groups is not offered, so choosing one is refused (400).
        self.by.choices = [SelectChoice("", _l("No subgroups"))] + [
            SelectChoice(name, f"{name}: {label}") for name, label in groupings
        ]

    def validate_since(self, field: DateField) -> None:
        _refuse_out_of_range(field)

    def validate_until(self, field: DateField) -> None:
        _refuse_out_of_range(field)
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))

    def filters(self) -> ExportFilters:
        return ExportFilters(
            since=self.since.data,
            until=self.until.data,
            status=self.status.data,
            versions=(int(self.version.data),) if self.version.data else (),
            language=self.language.data or None,
            include_excluded=self.include_excluded.data,
        )

    @property
    def group_by(self) -> str | None:
        return self.by.data or None


def _refuse_out_of_range(field: DateField) -> None:
    if field.data and not in_range(field.data):
        raise ValidationError(
            _l("Choose a date from %(first)s to %(last)s.", first=FIRST_DAY, last=LAST_DAY)
        )


class ExportForm(FilterForm):
    format = RadioField(
        _l("File"),
        choices=[
            SelectChoice("xlsx", _l("Evaluation report, an Excel workbook (.xlsx)")),
            SelectChoice("csv", _l("CSV, responses only")),
            SelectChoice("sav", _l("SPSS (.sav), responses with labels")),
            SelectChoice("dta", _l("Stata (.dta), responses with labels")),
            SelectChoice("r", _l("R: a CSV and a script that applies the labels (.zip)")),
        ],
        default="xlsx",
    )
    label_language = RadioField(
        _l("Labels in the SPSS, Stata and R files"),
        choices=[SelectChoice("en", "English"), SelectChoice("fr", "Français")],
        default="en",
    )
    deidentified = BooleanField(_l("De-identified (no identifiers; response ids hashed)"))
    labels = BooleanField(_l("Choice labels instead of codes"))
    submit = SubmitField(_l("Start the export"))

    def validate_by(self, field: SelectField) -> None:
        if field.data and self.format.data != "xlsx":
            raise ValidationError(
                _l("Subgroups are given on the report's Outcomes sheet: choose the report.")
            )
