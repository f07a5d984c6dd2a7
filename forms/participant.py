"""The participant's page form, built at runtime from the page's questions (one field each,
named by the question's variable), so validation lives in WTForms, not in views."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, SupportsFloat
from weakref import WeakKeyDictionary

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    Field,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    widgets,
)
from wtforms.fields.core import Flags
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from forms.choices import SelectChoice
from forms.fields import PlainText
from survey.participate.structure import Page, Question
from survey.questionnaire.storage import AnswerValue
from survey.questionnaire.types import QuestionType

# Dates a participant can mean (a birth, a last period, today), and that Excel can show: it has
# no dates before 1900.
FIRST_YEAR, LAST_YEAR = 1900, 2100


@dataclass(frozen=True)
class ChoiceOption:
    """One radio button or checkbox of a choice question, ready to render."""

    id: str
    label: str
    input: Markup


def _attribute(value: object) -> Markup:
    """An attribute value escaped as WTForms' html_params escapes it."""
    return escape(value).replace(Markup('"'), Markup("&quot;"))


class ChoiceInputs:
    """Renders a choice field's options without a WTForms field object per option: a page of
    rating scales has a hundred of them. The markup is WTForms' own, attribute for attribute
    (tests/test_participant_queries.py compares the two)."""

    input_type: str
    # What the choice field it is mixed into has (WTForms' Field and SelectField). Its choices are
    # the SelectChoice objects it was given, which types-WTForms (for WTForms 3.2) types as tuples.
    id: str
    name: str
    flags: Flags
    choices: Any

    def chosen(self, value: str) -> bool:
        raise NotImplementedError

    def options(self, describedby: str = "") -> list[ChoiceOption]:
        described = f' aria-describedby="{_attribute(describedby)}"' if describedby else ""
        parts = _option_parts(
            self.id,
            self.name,
            self.input_type,
            bool(self.flags.required),
            tuple((c.value, c.label) for c in self.choices),
        )
        # Every value in the markup is escaped (by _option_parts and above).
        return [
            ChoiceOption(
                option_id,
                label,
                Markup(f"<input{described}{' checked' if self.chosen(value) else ''}{rest}"),  # noqa: S704  # nosec B704
            )
            for option_id, label, value, rest in parts
        ]


@lru_cache(maxsize=4096)
def _option_parts(
    field_id: str, name: str, input_type: str, required: bool, choices: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str, str, str], ...]:
    """Per option: its id, label, value and the input's markup after `checked`, escaped once
    per field (the same for every participant)."""
    after_id = (
        f'" name="{_attribute(name)}"{" required" if required else ""} type="{input_type}" value="'
    )
    return tuple(
        (
            f"{field_id}-{i}",
            label or value,
            value,
            f' id="{_attribute(f"{field_id}-{i}")}{after_id}{_attribute(value)}">',
        )
        for i, (value, label) in enumerate(choices)
    )


class ChoiceRadioField(ChoiceInputs, RadioField):
    input_type = "radio"

    def chosen(self, value: str) -> bool:
        return str(value) == self.data

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data is not None and self.data not in {c.value for c in self.choices}:
            raise ValidationError(_("Please choose one of the options shown."))


class ChoiceCheckboxField(ChoiceInputs, SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
    input_type = "checkbox"

    def chosen(self, value: str) -> bool:
        return str(value) in (self.data or ())

    def pre_validate(self, form: FlaskForm) -> None:
        known = {c.value for c in self.choices}
        if any(value not in known for value in self.data or ()):
            raise ValidationError(_("Please choose only from the options shown."))


def _storable(number: SupportsFloat) -> bool:
    """Whether a number fits the float column answers are stored in: NaN, infinities and
    numbers past 1e308 (e.g. 400 nines) are not answers."""
    try:
        return math.isfinite(float(number))
    except (OverflowError, ValueError):  # ValueError: a signaling NaN
        return False


class WholeNumberField(IntegerField):
    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
            if self.data is not None and not _storable(self.data):
                raise ValueError
        except ValueError as error:
            self.data = None
            raise ValueError(_("Please enter a whole number, such as 12.")) from error


class NumberField(DecimalField):
    def process_formdata(self, valuelist: list[str]) -> None:
        # A decimal comma (3,5) is how French speakers write numbers.
        valuelist = [
            v.replace(",", ".", 1) if v.count(",") == 1 and "." not in v else v for v in valuelist
        ]
        try:
            super().process_formdata(valuelist)
            if self.data is not None and not _storable(self.data):
                raise ValueError
        except ValueError as error:
            self.data = None
            raise ValueError(_("Please enter a number, such as 3.5.")) from error


class PageForm(FlaskForm):
    """Next comes first in the markup so that pressing Enter moves forward."""

    next = SubmitField(_l("Next"))
    back = SubmitField(_l("Back"))
    # The header's language buttons on survey pages. Its label is never shown; giving one spares
    # WTForms from loading its own translations on every request to make one up.
    switch_language = SubmitField("Switch Language")


def _range_message(question: Question) -> str:
    low, high = question.min_value, question.max_value
    if low is not None and high is not None:
        return _("Please enter a number from %(low)s to %(high)s.", low=_num(low), high=_num(high))
    if low is not None:
        return _("Please enter a number of at least %(low)s.", low=_num(low))
    if high is not None:
        return _("Please enter a number no larger than %(high)s.", high=_num(high))
    raise ValueError(f"question {question.name} has no range")


def _num(value: float) -> str:
    return f"{value:g}"


def _whole(bound: float | None) -> float | int | None:
    """An integer question's bound as an int when it is whole (the stored bounds are floats)."""
    return int(bound) if bound is not None and float(bound).is_integer() else bound


class DayField(DateField):
    """A date (the browser's date input sends 2026-03-14), with the page's own message."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_("Please enter a date, such as 2026-03-14.")) from error
        _check_year(self)


class TimeOfDayField(TimeField):
    """A time of day (the browser's time input sends 14:30, or 14:30:15 with seconds)."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, format=["%H:%M", "%H:%M:%S"], **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_("Please enter a time of day, such as 14:30.")) from error
        if self.data is not None:  # kept to the minute, as the input asks and show-if compares
            self.data = self.data.replace(second=0, microsecond=0)


class MomentField(DateTimeLocalField):
    """A date and a time of day, as the browser's datetime-local input sends it
    (2026-03-14T14:30); a space instead of the T is read too."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        super().__init__(label, format=formats, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(
                _("Please enter a date and a time of day, such as 2026-03-14 14:30.")
            ) from error
        _check_year(self)
        if self.data is not None:
            self.data = self.data.replace(second=0, microsecond=0)


def _check_year(field: DateField | DateTimeLocalField) -> None:
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        field.data = None
        raise ValueError(
            _("Please enter a date from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)
        )


# The participant field of each question type, named by its spec (survey/questionnaire/types.py):
# each takes the question, its label in the page's language and the checks every field gets.
def radio_field(question: Question, label: str, checks: list[Any], language: str) -> Field:
    choices = [SelectChoice(c.code, c.text("label", language)) for c in question.choices]
    return ChoiceRadioField(label, choices=choices, validators=checks)


def checkbox_field(question: Question, label: str, checks: list[Any], language: str) -> Field:
    choices = [SelectChoice(c.code, c.text("label", language)) for c in question.choices]
    return ChoiceCheckboxField(label, choices=choices, validators=checks)


def rating_field(question: Question, label: str, checks: list[Any], language: str) -> Field:
    low, high = int(question.min_value or 0), int(question.max_value or 10)
    scale = [SelectChoice(str(i)) for i in range(low, high + 1)]
    return ChoiceRadioField(label, choices=scale, validators=checks[:1])  # the scale is the range


def whole_number_field(question: Question, label: str, checks: list[Any], language: str) -> Field:
    return WholeNumberField(label, validators=checks, render_kw={"inputmode": "numeric"})


def decimal_field(question: Question, label: str, checks: list[Any], language: str) -> Field:
    return NumberField(label, validators=checks, render_kw={"inputmode": "decimal"})


def date_field(question: Question, label: str, checks: list[Any], language: str) -> Field:
    return DayField(label, validators=checks)


def time_field(question: Question, label: str, checks: list[Any], language: str) -> Field:
    return TimeOfDayField(label, validators=checks)


def datetime_field(question: Question, label: str, checks: list[Any], language: str) -> Field:
    return MomentField(label, validators=checks)


def short_text_field(question: Question, label: str, checks: list[Any], language: str) -> Field:
    return StringField(label, validators=checks)


def long_text_field(question: Question, label: str, checks: list[Any], language: str) -> Field:
    return TextAreaField(label, validators=checks)


def no_field(question: Question, label: str, checks: list[Any], language: str) -> None:
    """A note takes no answer; a calculation is computed, never asked."""
    return None


def _checks(question: Question) -> list[Any]:
    """What every field of the question checks: an answer if required, its range, its length."""
    spec = question.spec
    checks: list[Any] = (
        [InputRequired(message=_("Please answer this question."))]
        if question.required
        else [Optional()]
    )
    if spec.numeric and (question.min_value is not None or question.max_value is not None):
        low, high = question.min_value, question.max_value
        if spec.type == QuestionType.INTEGER:  # rendered as min="1" max="42", not 1.0 and 42.0
            low, high = _whole(low), _whole(high)
        checks.append(NumberRange(low, high, message=_range_message(question)))
    if spec.text_limit is not None:
        limit = question.max_length or spec.text_limit
        checks += [
            Length(
                max=limit,
                message=_("Please shorten this answer to %(max)d characters or fewer.", max=limit),
            ),
            PlainText(
                multiline=True,
                message=_(
                    "This answer contains hidden control characters that cannot be saved. "
                    "Please retype it."
                ),
            ),
        ]
    return checks


def _field(question: Question, language: str) -> Field | None:
    label = question.text("label", language)
    field: Field | None = question.spec.make_field()(question, label, _checks(question), language)
    return field


# A page's form class per language, made once per page structure; the forms are per request.
_form_classes: WeakKeyDictionary[Page, dict[str, type[PageForm]]] = WeakKeyDictionary()


def page_form_class(page: Page, language: str) -> type[PageForm]:
    classes = _form_classes.setdefault(page, {})
    form_class = classes.get(language)
    if form_class is None:
        fields = {q.name: f for q in page.questions if (f := _field(q, language)) is not None}
        form_class = classes[language] = type("QuestionPageForm", (PageForm,), fields)
    return form_class


def page_form(page: Page, language: str, **kwargs: Any) -> PageForm:
    """A bound form for one page (bound to the request's form data by Flask-WTF)."""
    return page_form_class(page, language)(**kwargs)


def field_value(question: Question, field: Field) -> AnswerValue:
    """The answer a field holds, typed as it is stored; None when left empty."""
    data = field.data
    if isinstance(data, list | tuple):
        return list(data) if data else None
    if isinstance(data, str):
        data = data.strip()
    if data is None or data == "":
        return None
    if question.spec.numeric:
        try:
            return float(data)
        except (TypeError, ValueError):
            return None  # not one of the scale's points: the field's validation says so
    return data
