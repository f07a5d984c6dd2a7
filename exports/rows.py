"""One response -> one row of typed values, in the column order of the Responses sheet."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import String

from exports import follow_up
from exports.layout import DATETIME_TEXT, WIDEST, text_width
from exports.records import ResponseRecord
from exports.variables import Variable
from survey.models import AnswerValue, Response

FIXED_COLUMNS = [
    "response_id",
    "version",
    "language",
    "status",
    "started_at_utc",
    "submitted_at_utc",
    "minutes_taken",
    "consent_version",
    "consented_at_utc",
    "study_information",
]


@dataclass(frozen=True)
class ExportOptions:
    deidentified: bool = False
    labels: bool = False  # choice labels (English) instead of codes
    by: str | None = None  # the variable the outcomes are also given per group of (--by)
    salt: bytes = field(default_factory=lambda: secrets.token_bytes(16), repr=False)


HASH_DIGITS = 20  # a de-identified id is "r_" and this many hex digits
# Ids are 22 characters (demo data: 25); the column holds up to 32, and a column as wide shows any.
RESPONSE_ID_WIDTH = float(cast(String, Response.__table__.c.id.type).length or 32)
NUMBER_WIDTH = 8.0  # a number as Excel's General format shows most: 12345.67


def _excel_time(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: UTC, written without one (the header says UTC)."""
    return moment.replace(tzinfo=None) if moment else None


class ResponseTable:
    """The Responses sheet's header and rows."""

    def __init__(
        self,
        variables: list[Variable],
        score_names: list[str],
        toolkit_sections: list[str],
        options: ExportOptions,
    ) -> None:
        self.options = options
        kept = [v for v in variables if not (options.deidentified and v.identifier)]
        # The survey's questions, then the follow-up's at the end of the row (their own block:
        # the wave's fixed columns, then its questions).
        self.variables = [v for v in kept if not v.follow_up] + [v for v in kept if v.follow_up]
        self.follow_up = any(v.follow_up for v in kept)
        self.score_names = score_names
        self.toolkit_sections = toolkit_sections
        self.header = (
            FIXED_COLUMNS
            + [column for v in self.variables if not v.follow_up for column in v.columns]
            + score_names
            + [
                f"toolkit_{key}_{what}"
                for key in toolkit_sections
                for what in ("opened", "seconds")
            ]
            + ["toolkit_sections_opened", "toolkit_seconds", "toolkit_prompt_shown"]
        )
        if self.follow_up:
            self.header += follow_up.FIXED_COLUMNS + [
                column for v in self.variables if v.follow_up for column in v.columns
            ]
        self._converters = [
            (v.name, _converter(v, options.labels), [None] * len(v.columns))
            for v in self.variables
            if not v.follow_up
        ]
        self._follow_up_converters = [
            (v.name, _converter(v, options.labels), [None] * len(v.columns))
            for v in self.variables
            if v.follow_up
        ]
        self._typed = {  # name -> (converter, how many cells)
            name: (convert, len(empty))
            for name, convert, empty in self._converters + self._follow_up_converters
        }

    def widths(self, consent_versions: list[str]) -> list[float]:
        """What each column's values need, from their types and choices, known before the first
        row (the sheet streams); the writer widens a column to its header where that is more."""
        fixed = {
            "response_id": text_width("r_" + "0" * HASH_DIGITS)
            if self.options.deidentified
            else RESPONSE_ID_WIDTH,
            "status": text_width("complete"),
            "started_at_utc": text_width(DATETIME_TEXT),
            "submitted_at_utc": text_width(DATETIME_TEXT),
            "minutes_taken": NUMBER_WIDTH,
            "consent_version": max(map(text_width, consent_versions), default=0.0),
            "consented_at_utc": text_width(DATETIME_TEXT),
        }
        widths = [fixed.get(name, 0.0) for name in FIXED_COLUMNS]
        widths += self._widths(v for v in self.variables if not v.follow_up)
        widths.extend(NUMBER_WIDTH for _name in self.score_names)
        widths += [0.0] * (3 + 2 * len(self.toolkit_sections))  # toolkit counts: the header
        if self.follow_up:
            widths += [NUMBER_WIDTH, text_width("complete"), text_width(DATETIME_TEXT)]
            widths += [NUMBER_WIDTH]
            widths += self._widths(v for v in self.variables if v.follow_up)
        return widths

    def _widths(self, variables: Iterable[Variable]) -> list[float]:
        return [
            width
            for v in variables
            for width in [_value_width(v, self.options.labels)] * len(v.columns)
        ]

    def response_id(self, record: ResponseRecord) -> str:
        if not self.options.deidentified:
            return record.id
        digest = hmac.new(self.options.salt, record.id.encode(), hashlib.sha256).hexdigest()
        return "r_" + digest[:HASH_DIGITS]

    def row(self, record: ResponseRecord) -> list[object]:
        values: list[object] = [
            self.response_id(record),
            record.version,
            record.language,
            "complete" if record.complete else "partial",
            _excel_time(record.started_at),
            _excel_time(record.submitted_at),
            record.minutes_taken,
            record.consent_version,
            _excel_time(record.consented_at),
            record.study_information,
        ]
        answers = record.answers
        for name, convert, empty in self._converters:
            value = answers.get(name)
            values.extend(empty if value is None else convert(value))
        values.extend(record.scores.get(name) for name in self.score_names)
        opened_total = seconds_total = 0
        for key in self.toolkit_sections:
            opened, seconds = record.toolkit.get(key, (0, 0))
            values += [opened, seconds]
            opened_total += opened > 0
            seconds_total += seconds
        values += [opened_total, seconds_total, int(record.toolkit_prompt_shown)]
        if self.follow_up:
            wave = record.follow_up
            values += wave.fixed(record.submitted_at) if wave else follow_up.NO_FOLLOW_UP
            for name, convert, empty in self._follow_up_converters:
                value = answers.get(name)
                values.extend(empty if value is None else convert(value))
        return values

    def cell(self, name: str, value: AnswerValue | None) -> object:
        """The first typed cell of an answer to `name` (the Waves sheet's measures); None for a
        missing answer or a variable not in the table."""
        typed = self.cells(name, value)
        return typed[0] if typed else None

    def cells(self, name: str, value: object) -> list[object]:
        """The typed cell(s) of an answer to the variable `name`, with the converters made once
        for the rows; empty cells for a missing answer, none for a variable not in the table."""
        found = self._typed.get(name)
        if found is None:
            return []
        convert, width = found
        return [None] * width if value is None else convert(value)


def _converter(variable: Variable, labels: bool) -> Callable[[Any], list[object]]:
    """How one variable's stored answer becomes its cells, as its type's display says
    (survey/questionnaire/types.py), decided once per export."""
    match variable.spec.display.cell:
        case "ticks":
            codes = [c.code for c in variable.choices]
            return lambda ticked: [int(code in ticked) for code in codes]
        case "choice":
            if labels:
                return lambda code: [variable.label(code)]
            if variable.numeric_codes:
                return lambda code: [int(code)]
            return lambda code: [code]
        case "whole":
            return lambda number: [int(number) if number.is_integer() else number]
        case "number" | "value":
            return lambda value: [value]
        case other:
            raise KeyError(f"no report cell for {other!r} ({variable.type})")


def _value_width(variable: Variable, labels: bool) -> float:
    display = variable.spec.display
    if display.cell == "choice":
        texts = [c.label_en if labels else c.code for c in variable.choices]
        return min(max(map(text_width, texts), default=0.0), WIDEST)
    if display.cell == "whole":
        bounds = [b for b in (variable.min_value, variable.max_value) if b is not None]
        return max(len(f"{b:g}") for b in bounds) if len(bounds) == 2 else NUMBER_WIDTH
    return text_width(display.widest)
