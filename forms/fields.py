"""Fields and validators that forms share: trimmed text that a database and a spreadsheet can
keep, variable names (one, or a list typed with commas or spaces) and numbers with plain
messages."""

from __future__ import annotations

import math
import re
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, FloatField, IntegerField, StringField, TextAreaField, widgets
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from survey.questionnaire.rules import NAME

T = TypeVar("T")


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def filled(data: T | None) -> T:
    """A required field's data once its form has validated (WTForms types every field's data as
    optional: it is None until the form is filled in)."""
    if data is None:
        raise ValueError("a required field has no data: is its form validated?")
    return data


def add_error(field: Field, message: str) -> None:
    """A problem found after the form validated, e.g. a code that matches nothing."""
    field.errors = [*field.errors, message]


class PlainText:
    """Refuses characters a database or a spreadsheet cannot keep: NUL and other control
    characters (tabs and line breaks are allowed where `multiline`), and lone surrogates.
    PostgreSQL refuses a NUL in text even to look it up, and XML cannot hold the others."""

    def __init__(self, multiline: bool = False, message: str | None = None) -> None:
        allowed = "\t\n\r" if multiline else ""
        controls = "".join(chr(c) for c in [*range(32), 127] if chr(c) not in allowed)
        self.forbidden = re.compile(f"[{re.escape(controls)}\ud800-\udfff\ufffe\uffff]")
        self.message = message or _l("Remove the control characters from this text.")

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data and self.forbidden.search(field.data):
            raise ValidationError(self.message)


def text(
    label,
    required: bool = False,
    maximum: int = 200,
    multiline: bool = False,
    extra: tuple = (),
    **kw,
):
    """A text field with the checks every editor text needs (and `extra` ones, run only when
    it is filled in)."""
    checks = [
        InputRequired(message=_l("Please fill this in.")) if required else Optional(),
        Length(max=maximum, message=_l("Use at most %(max)d characters.")),
        PlainText(multiline),
        *extra,
    ]
    field = TextAreaField if multiline else StringField
    return field(label, validators=checks, filters=[strip], **kw)


def email_format() -> Regexp:
    """An email address's shape: something@domain.tld, no spaces or control characters."""
    return Regexp(
        r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$",
        message=_l("Please enter an email address like name@example.org."),
    )


def name_field(label, description=None):
    return StringField(
        label,
        description=description,
        filters=[strip],
        validators=[
            InputRequired(message=_l("Please fill this in.")),
            Length(max=64, message=_l("Use at most %(max)d characters.")),
            Regexp(
                f"^{NAME.pattern}$",
                message=_l("Use letters, digits and _ only, starting with a letter or _."),
            ),
        ],
    )


class NumberField(FloatField):
    """A float with a plain message, refusing infinity and NaN."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = float(valuelist[0].strip().replace(",", "."))
        except ValueError:
            self.data = None
            raise ValueError(_l("Please enter a number.")) from None
        if not math.isfinite(self.data) or abs(self.data) > 1e12:
            self.data = None
            raise ValueError(_l("Please enter a number.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return str(int(self.data)) if float(self.data).is_integer() else str(self.data)


def whole_number(label, low: int, high: int, required: bool = False, **kw) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(message=_l("Please enter a number.")) if required else Optional(),
            NumberRange(low, high, message=_l("Enter a number from %(min)d to %(max)d.")),
        ],
        **kw,
    )


def variable_names(text_value: str | None) -> list[str]:
    """Names separated by commas or spaces, in order."""
    return [name for name in re.split(r"[\s,;]+", text_value or "") if name]


class NamesField(Field):
    """Variable names typed separated by commas or spaces; `data` is the list."""

    widget = widgets.TextInput()
    data: list[str] | None  # None only before the form has data

    def _value(self) -> str:
        return ", ".join(self.data or [])

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = variable_names(valuelist[0]) if valuelist else []

    def pre_validate(self, form: FlaskForm) -> None:
        names = self.data or []
        text_value = ", ".join(names)
        if len(text_value) > 5000 or len(names) > 500:
            raise ValidationError(_l("That is too many items."))
        bad = [name for name in names if not NAME.fullmatch(name)]
        if bad:
            raise ValidationError(
                _l("These are not variable names: %(names)s", names=", ".join(bad)[:200])
            )
