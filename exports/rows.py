"""One response -> one row of typed values, in the column order of the Responses sheet."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from exports.records import ResponseRecord
from exports.variables import Variable

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
    salt: bytes = field(default_factory=lambda: secrets.token_bytes(16), repr=False)


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
        self.variables = [v for v in variables if not (options.deidentified and v.identifier)]
        self.score_names = score_names
        self.toolkit_sections = toolkit_sections
        self.header = (
            FIXED_COLUMNS
            + [column for v in self.variables for column in v.columns]
            + score_names
            + [
                f"toolkit_{key}_{what}"
                for key in toolkit_sections
                for what in ("opened", "seconds")
            ]
            + ["toolkit_sections_opened", "toolkit_seconds", "toolkit_prompt_shown"]
        )
        self._converters = [
            (v.name, _converter(v, options.labels), [None] * len(v.columns)) for v in self.variables
        ]

    def response_id(self, record: ResponseRecord) -> str:
        if not self.options.deidentified:
            return record.id
        digest = hmac.new(self.options.salt, record.id.encode(), hashlib.sha256).hexdigest()
        return "r_" + digest[:20]

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
        return values

    def cells(self, variable: Variable, value: object) -> list[object]:
        """The typed cell(s) of one answer; missing answers are empty cells."""
        if value is None:
            return [None] * len(variable.columns)
        return _converter(variable, self.options.labels)(value)


def _converter(variable: Variable, labels: bool) -> Callable[[Any], list[object]]:
    """How one variable's stored answer (ticked codes, a code, a number or a text, as its type
    says) becomes its cells, decided once per export."""
    if variable.is_multiple:
        codes = [c.code for c in variable.choices]
        return lambda ticked: [int(code in ticked) for code in codes]
    if variable.is_choice:
        if labels:
            return lambda code: [variable.label(code)]
        if variable.numeric_codes:
            return lambda code: [int(code)]
        return lambda code: [code]
    if variable.type != "decimal" and variable.is_numeric:
        return lambda number: [int(number) if number.is_integer() else number]
    return lambda value: [value]
