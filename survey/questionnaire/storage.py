"""How an answer is stored: the answer table's value columns (exactly one is set per answer),
how a column's values travel as JSON, and the encoders the question types' specs
(survey/questionnaire/types.py) store their answers with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

AnswerValue = str | float | date | time | datetime | list[str] | None


@dataclass(frozen=True)
class Column:
    """One of the answer table's value columns, and how its values travel as JSON (a
    participant's answers before consent wait in the session cookie, which holds JSON)."""

    name: str
    to_json: Callable[[Any], Any]
    from_json: Callable[[Any], Any]


def same(value: Any) -> Any:
    return value


def iso(value: date | time) -> str:
    return value.isoformat()


TEXT_COLUMN = Column("value_text", str, str)
NUMBER_COLUMN = Column("value_number", float, float)
DATE_COLUMN = Column("value_date", iso, date.fromisoformat)
TIME_COLUMN = Column("value_time", iso, time.fromisoformat)
DATETIME_COLUMN = Column("value_datetime", iso, datetime.fromisoformat)
COLUMNS = (TEXT_COLUMN, NUMBER_COLUMN, DATE_COLUMN, TIME_COLUMN, DATETIME_COLUMN)
VALUE_COLUMNS = tuple(column.name for column in COLUMNS)  # an answer has exactly one set
Columns = tuple[Any, ...]  # an answer's value columns, in VALUE_COLUMNS order


@dataclass(frozen=True)
class Storage:
    """Where a type's answers are stored: the column, and how an answer becomes the column's
    value (`encode`) and back (`decode`)."""

    column: Column
    encode: Callable[[Any], Any] = same
    decode: Callable[[Any], Any] = same


def joined_codes(ticked: list[str]) -> str:
    return " ".join(ticked)


def ticked_codes(text: str) -> list[str]:
    return text.split()


def text_or_code(value: Any) -> str:
    if isinstance(value, list | date | time):
        raise TypeError(f"{value!r} is not a text or a code")
    return str(value)


def number(value: Any) -> float:
    if isinstance(value, date | time):
        raise TypeError(f"{value!r} is not a number")
    return float(value)


def typed(kind: type) -> Callable[[Any], Any]:
    """An encoder that refuses a value of another type, rather than storing it wrongly."""

    def encode(value: Any) -> Any:
        # datetime is a date too: a date column must not take one silently.
        if not isinstance(value, kind) or (kind is date and isinstance(value, datetime)):
            raise TypeError(f"{value!r} is not a {kind.__name__}")
        return value

    return encode
