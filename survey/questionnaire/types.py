"""What a question type is, in one place: one `TypeSpec` per type, and everything that used to
repeat it (the editor's labels, the questionnaire spreadsheet's type names, the codebook's, how
an answer is stored, the participant's field, how show-if reads it, its statistics, how the
report shows it) is read from here. Adding a type is a spec here, a migration for the database's
type check (and a column in survey/questionnaire/storage.py and the answer table if its answers
need one), its translations and its tests.

Flask-free, like exports/ that uses it: the participant field is named as `module:function` and
imported where a form is built (forms/participant.py)."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from functools import cache
from importlib import import_module
from typing import Any

from survey.messages import N_, Message, excerpt
from survey.questionnaire.storage import (
    COLUMNS,
    DATE_COLUMN,
    DATETIME_COLUMN,
    NUMBER_COLUMN,
    TEXT_COLUMN,
    TIME_COLUMN,
    AnswerValue,
    Columns,
    Storage,
    iso,
    joined_codes,
    number,
    same,
    text_or_code,
    ticked_codes,
    typed,
)


class QuestionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    LIKERT = "likert"
    RATING = "rating"  # 0-10 numeric rating scale
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    TIME = "time"  # a time of day
    DATETIME = "datetime"  # a date and a time of day, as the participant's clock showed it
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NOTE = "note"
    CALCULATE = "calculate"  # computed on the server from earlier answers, never asked


@dataclass(frozen=True)
class Display:
    """How the report and the response browser show an answer.

    `cell` is what the Responses sheet writes: `ticks` (one 0/1 column per choice), `choice`
    (the code, a number when every code is one, or the label), `whole` (a number, without
    `.0` when whole), `number`, or `value` (the answer as it is: text, or a real Excel date,
    time or date and time). `widest` is how the widest answer looks in its cell, for the
    column's width ("" when its choices or limits say). `text` is how the response browser
    writes it."""

    cell: str
    widest: str
    text: Callable[[Any], str]


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _minutes(value: time | datetime) -> str:
    """A time of day to the minute (the inputs give minutes), with seconds when it has any."""
    if isinstance(value, datetime):
        shown = value.isoformat(sep=" ", timespec="seconds")
    else:
        shown = value.isoformat(timespec="seconds")
    return shown.removesuffix(":00")


class DefaultRefused(ValueError):
    """A default that is not an answer a question of its type (and choice list) can have."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class TypeSpec:
    """One question type. `label` is the editor's name for it (marked for translation, and
    translated where shown); `xlsform` its questionnaire-spreadsheet type and appearance;
    `codebook` its name in the report's Codebook; `storage` where its answers go (None: it
    takes no answer); `field` the factory of its participant field (`module:function`);
    `show_if` how the page's script reads its input's value (`number`, `integer`, `decimal` or
    `text`, as forms/participant.py's fields read the same text); `statistics` its Summary kind
    (`multiple`, `likert`, `choice`, `number`, `date`: n, earliest and latest, `text`: the
    Comments sheet, or `none`); `display` how exports and the response browser show it.

    The flags say what else it has: `choices` a choice list, `numeric` number answers with a
    smallest and largest, `text_limit` a longest answer (its default), `histogram` a chart of
    every point of its 0-10 scale."""

    type: QuestionType
    label: str
    xlsform: tuple[str, str]
    codebook: str
    storage: Storage | None
    field: str
    show_if: str
    statistics: str
    display: Display
    choices: bool = False
    numeric: bool = False
    text_limit: int | None = None
    histogram: bool = False
    computed: bool = False

    @property
    def asked(self) -> bool:
        """Whether the participant is shown it (a note is, without a field; a calculation is
        not at all)."""
        return not self.computed

    @property
    def answered(self) -> bool:
        return self.storage is not None

    @property
    def json_is_value(self) -> bool:
        """Whether its answer as JSON (a text) is already its value, so a reader of many
        answers gathered into JSON by the database may skip `from_json` (text and codes)."""
        return (
            self.storage is not None
            and self.storage.column is TEXT_COLUMN
            and self.storage.decode is same
        )

    @property
    def multiple(self) -> bool:
        """Its answer is a list of choice codes (one 0/1 column per choice in exports)."""
        return self.display.cell == "ticks"

    @property
    def whole(self) -> bool:
        """Its answers are whole numbers (shown without .0)."""
        return self.display.cell == "whole"

    def read_default(self, text: str, codes: Collection[str] = ()) -> AnswerValue:
        """A default answer as written (the editor's field, XLSForm's `default` column: a code,
        codes separated by spaces, a number, 2026-03-14, 14:30, 2026-03-14T14:30 or text) as
        the answer it prefills; `codes` are its choice list's. Raises DefaultRefused."""
        if self.storage is None or self.computed:
            raise DefaultRefused(
                Message(N_("this type of question (%(type)s) takes no default"), type=self.codebook)
            )
        written = text.strip()
        try:
            value = self.from_json(written)
        except (TypeError, ValueError):
            value = None
        wrong = Message(
            N_("%(value)r is not an answer to this type of question (%(type)s)"),
            value=excerpt(written),
            type=self.codebook,
        )
        if value is None or value == [] or value == "":
            raise DefaultRefused(wrong)
        if isinstance(value, float) and (
            not math.isfinite(value) or (self.whole and not value.is_integer())
        ):
            raise DefaultRefused(wrong)
        if self.choices:
            picked = value if isinstance(value, list) else [value]
            for code in picked:
                if code not in codes:
                    message = Message(N_("%(code)r is not a code of its choice list"), code=code)
                    raise DefaultRefused(message)
        return value

    def encode(self, value: AnswerValue) -> Columns:
        """An answer as the answer table's value columns (exactly one set)."""
        if self.storage is None:
            raise TypeError(f"a {self.type} question takes no answer")
        stored = self.storage.encode(value)
        return tuple(stored if c is self.storage.column else None for c in COLUMNS)

    def decode(self, columns: Columns) -> AnswerValue:
        """An answer from its value columns; None when none is set."""
        if self.storage is None:
            return None
        stored = columns[COLUMNS.index(self.storage.column)]
        if stored is None:
            if any(value is not None for value in columns):
                raise ValueError(f"a {self.type} answer is not in {self.storage.column.name}")
            return None
        return self.storage.decode(stored)

    def to_json(self, value: AnswerValue) -> Any:
        if self.storage is None or value is None:
            return None
        if isinstance(value, list):
            return list(value)
        return self.storage.column.to_json(self.storage.encode(value))

    def from_json(self, data: Any) -> AnswerValue:
        if self.storage is None or data is None:
            return None
        if isinstance(data, list):
            return [str(code) for code in data]
        return self.storage.decode(self.storage.column.from_json(data))

    def make_field(self) -> Callable[..., Any]:
        return _factory(self.field)


@cache
def _factory(path: str) -> Callable[..., Any]:
    module, _colon, name = path.partition(":")
    factory: Callable[..., Any] = getattr(import_module(module), name)
    return factory


_FIELDS = "forms.participant"
_CHOICE_DISPLAY = Display("choice", "", _plain)
_TEXT = Storage(TEXT_COLUMN, text_or_code)
_NUMBER = Storage(NUMBER_COLUMN, number)

SPECS: dict[QuestionType, TypeSpec] = {
    spec.type: spec
    for spec in (
        TypeSpec(
            type=QuestionType.SINGLE_CHOICE,
            label=N_("Single choice"),
            xlsform=("select_one", ""),
            codebook="single choice",
            storage=_TEXT,
            field=f"{_FIELDS}:radio_field",
            show_if="text",
            statistics="choice",
            display=_CHOICE_DISPLAY,
            choices=True,
        ),
        TypeSpec(
            type=QuestionType.MULTIPLE_CHOICE,
            label=N_("Multiple choice"),
            xlsform=("select_multiple", ""),
            codebook="multiple choice (0/1 per choice)",
            storage=Storage(TEXT_COLUMN, joined_codes, ticked_codes),
            field=f"{_FIELDS}:checkbox_field",
            show_if="text",
            statistics="multiple",
            display=Display("ticks", "1", "; ".join),
            choices=True,
        ),
        TypeSpec(
            type=QuestionType.YES_NO,
            label=N_("Yes / no"),
            xlsform=("select_one", "horizontal"),
            codebook="yes/no",
            storage=_TEXT,
            field=f"{_FIELDS}:radio_field",
            show_if="text",
            statistics="choice",
            display=_CHOICE_DISPLAY,
            choices=True,
        ),
        TypeSpec(
            type=QuestionType.LIKERT,
            label=N_("Likert scale (shared choice list)"),
            xlsform=("select_one", "likert"),
            codebook="Likert",
            storage=_TEXT,
            field=f"{_FIELDS}:radio_field",
            show_if="text",
            statistics="likert",
            display=_CHOICE_DISPLAY,
            choices=True,
        ),
        TypeSpec(
            type=QuestionType.RATING,
            label=N_("Rating 0-10"),
            xlsform=("range", ""),
            codebook="0-10 rating",
            storage=_NUMBER,
            field=f"{_FIELDS}:rating_field",
            show_if="number",
            statistics="number",
            display=Display("whole", "", _plain),
            numeric=True,
            histogram=True,
        ),
        TypeSpec(
            type=QuestionType.INTEGER,
            label=N_("Whole number"),
            xlsform=("integer", ""),
            codebook="integer",
            storage=_NUMBER,
            field=f"{_FIELDS}:whole_number_field",
            show_if="integer",
            statistics="number",
            display=Display("whole", "", _plain),
            numeric=True,
        ),
        TypeSpec(
            type=QuestionType.DECIMAL,
            label=N_("Decimal number"),
            xlsform=("decimal", ""),
            codebook="decimal",
            storage=_NUMBER,
            field=f"{_FIELDS}:decimal_field",
            show_if="decimal",
            statistics="number",
            display=Display("number", "12345.67", _plain),
            numeric=True,
        ),
        TypeSpec(
            type=QuestionType.DATE,
            label=N_("Date"),
            xlsform=("date", ""),
            codebook="date",
            storage=Storage(DATE_COLUMN, typed(date)),
            field=f"{_FIELDS}:date_field",
            show_if="text",
            statistics="date",
            display=Display("value", "2026-12-31", iso),
        ),
        TypeSpec(
            type=QuestionType.TIME,
            label=N_("Time of day"),
            xlsform=("time", ""),
            codebook="time of day",
            storage=Storage(TIME_COLUMN, typed(time)),
            field=f"{_FIELDS}:time_field",
            show_if="text",
            statistics="date",
            display=Display("value", "23:59:59", _minutes),  # openpyxl's time format: h:mm:ss
        ),
        TypeSpec(
            type=QuestionType.DATETIME,
            label=N_("Date and time"),
            xlsform=("datetime", ""),
            codebook="date and time (participant's local time)",
            storage=Storage(DATETIME_COLUMN, typed(datetime)),
            field=f"{_FIELDS}:datetime_field",
            show_if="text",
            statistics="date",
            display=Display("value", "2026-12-31 23:59:59", _minutes),  # yyyy-mm-dd h:mm:ss
        ),
        TypeSpec(
            type=QuestionType.SHORT_TEXT,
            label=N_("Short text"),
            xlsform=("text", ""),
            codebook="short text",
            storage=_TEXT,
            field=f"{_FIELDS}:short_text_field",
            show_if="text",
            statistics="text",
            # Its start: the Comments sheet has it whole.
            display=Display("value", "x" * 40, str),
            text_limit=200,
        ),
        TypeSpec(
            type=QuestionType.LONG_TEXT,
            label=N_("Long text"),
            xlsform=("text", "multiline"),
            codebook="long text",
            storage=_TEXT,
            field=f"{_FIELDS}:long_text_field",
            show_if="text",
            statistics="text",
            display=Display("value", "x" * 40, str),
            text_limit=5000,
        ),
        TypeSpec(
            type=QuestionType.NOTE,
            label=N_("Note (text only, no answer)"),
            xlsform=("note", ""),
            codebook="note",
            storage=None,
            field=f"{_FIELDS}:no_field",
            show_if="text",
            statistics="none",
            display=Display("value", "", str),
        ),
        # Numeric: this parser's calculations are arithmetic, and a condition's truth is 1 or
        # 0, so every value is a number, summarised, charted and exported as one (a score).
        TypeSpec(
            type=QuestionType.CALCULATE,
            label=N_("Calculation (computed from earlier answers, not shown)"),
            xlsform=("calculate", ""),
            codebook="calculated",
            storage=_NUMBER,
            field=f"{_FIELDS}:no_field",
            show_if="number",
            statistics="number",
            display=Display("number", "12345.67", _plain),
            numeric=True,
            computed=True,
        ),
    )
}


def spec_of(kind: str) -> TypeSpec:
    """The spec of a type name; an unknown name is a KeyError, never a silent default."""
    try:
        return SPECS[QuestionType(kind)]
    except ValueError:
        raise KeyError(f"unknown question type {kind!r}") from None


def types_where(test: Callable[[TypeSpec], bool]) -> frozenset[QuestionType]:
    return frozenset(spec.type for spec in SPECS.values() if test(spec))


CHOICE_TYPES = types_where(lambda spec: spec.choices)
NUMBER_TYPES = types_where(lambda spec: spec.numeric)
BOUNDED_TYPES = types_where(lambda spec: spec.numeric and not spec.computed)  # min and max
COMPUTED_TYPES = types_where(lambda spec: spec.computed)
TEXT_TYPES = types_where(lambda spec: spec.text_limit is not None)

# The questionnaire spreadsheet's (type, appearance) -> our type; the plain (type, "") pair is
# the type read when an appearance is not ours.
BY_XLSFORM = {spec.xlsform: spec.type for spec in SPECS.values()}
XLSFORM_TYPES = tuple(dict.fromkeys(spec.xlsform[0] for spec in SPECS.values()))


def decode_answer(kind: str, *columns: Any) -> AnswerValue:
    """A stored answer's value from its value columns (in VALUE_COLUMNS order)."""
    return spec_of(kind).decode(columns)


def encode_answer(kind: str, value: AnswerValue) -> Columns:
    return spec_of(kind).encode(value)
