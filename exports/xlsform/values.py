"""Reading cell values: yes/no, numbers, limits, texts in both languages and names. A parser
raises Invalid for `Sheet.parse` to report at its cell; the others report the error
themselves."""

from __future__ import annotations

import math
import re

from exports.xlsform.layout import LANGUAGES
from exports.xlsform.messages import Invalid
from exports.xlsform.sheets import Row, Sheet
from survey.messages import N_, Message
from survey.questionnaire.rules import NAME

_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_BOUND = re.compile(rf"\.\s*(>=|<=)\s*({_NUMBER})")
_MAX_LENGTH = re.compile(r"string-length\(\s*\.\s*\)\s*<=\s*(\d+)")


class NotLimits(Invalid):
    """The constraint is not written as limits; it may still be a constraint expression."""


def truth(text: str) -> bool | None:
    """XLSForm's yes/no cells (yes, true, TRUE(), 1...); None when it is neither."""
    value = text.strip().lower()
    if value in ("yes", "true", "true()", "1", "y"):
        return True
    if value in ("", "no", "false", "false()", "0", "n"):
        return False
    return None


def parse_number(text: str) -> int | float | None:
    if not re.fullmatch(_NUMBER, text):
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    value = float(text)
    return value if math.isfinite(value) else None


def number_bounds(text: str) -> dict[str, int | float]:
    """`. >= 1 and . <= 42` (either side alone too) -> {"min": 1, "max": 42}."""
    bounds: dict[str, int | float] = {}
    for clause in re.split(r"\s+and\s+", text):
        match = _BOUND.fullmatch(clause.strip())
        number = parse_number(match.group(2)) if match else None
        if match is None or number is None:
            raise NotLimits(
                Message(
                    N_(
                        "cannot read %(clause)r: write limits as '. >= 1', '. <= 42' "
                        "or '. >= 1 and . <= 42'"
                    ),
                    clause=clause.strip(),
                )
            )
        key = "min" if match.group(1) == ">=" else "max"
        if key in bounds:
            raise Invalid(
                Message(N_("the minimum is given twice"))
                if key == "min"
                else Message(N_("the maximum is given twice"))
            )
        bounds[key] = number
    if bounds.keys() == {"min", "max"} and bounds["min"] > bounds["max"]:
        raise Invalid(Message(N_("the minimum is larger than the maximum")))
    return bounds


def max_length(text: str) -> dict[str, int]:
    match = _MAX_LENGTH.fullmatch(text)
    if not match or int(match.group(1)) < 1:
        raise NotLimits(
            Message(N_("a text's limit is written 'string-length(.) <= 200' (at least 1)"))
        )
    return {"max_length": int(match.group(1))}


def range_bounds(text: str) -> dict[str, int]:
    """`start=0 end=10 step=1` (spaces or ; between) -> {"min": 0, "max": 10}."""
    parameters = {}
    for part in filter(None, re.split(r"[\s;,]+", text)):
        key, _, value = part.partition("=")
        key = key.lower()
        if key not in ("start", "end", "step"):
            raise Invalid(
                Message(
                    N_(
                        "unknown parameter %(part)r: a range takes start, end and step, as in "
                        "'start=0 end=10 step=1'"
                    ),
                    part=part,
                )
            )
        number = parse_number(value)
        if number is None or not float(number).is_integer():
            raise Invalid(
                Message(N_("%(key)s must be a whole number, not %(value)r"), key=key, value=value)
            )
        parameters[key] = int(number)
    if "start" not in parameters or "end" not in parameters:
        raise Invalid(
            Message(N_("a range needs parameters start and end, as in 'start=0 end=10 step=1'"))
        )
    if parameters.get("step", 1) != 1:
        raise Invalid(Message(N_("only step=1 is supported")))
    if parameters["start"] >= parameters["end"]:
        raise Invalid(Message(N_("start must be below end")))
    return {"min": parameters["start"], "max": parameters["end"]}


def bilingual(
    sheet: Sheet, row: Row, base: str, missing: Message | None = None, limit: int | None = None
) -> dict[str, str]:
    """The English and French texts of a row; `missing` is the error when English is absent."""
    texts = {code: row.text(f"{base}::{code}") for code in LANGUAGES if row[f"{base}::{code}"]}
    if missing and "en" not in texts:
        sheet.error(row, f"{base}::en", missing)
    for code, text in texts.items():
        if limit and len(text) > limit:
            message = Message(N_("longer than %(limit)d characters"), limit=limit)
            sheet.error(row, f"{base}::{code}", message)
    return texts


# What a page, question or score row without a name, or with a name taken, is told.
_NAMING = {
    "page": (
        N_("the page needs a name"),
        N_("%(name)s is already the name of the page on row %(row)d"),
    ),
    "question": (
        N_("the question needs a name"),
        N_("%(name)s is already the name of the question on row %(row)d"),
    ),
    "score": (
        N_("the score needs a name"),
        N_("%(name)s is already the name of the score on row %(row)d"),
    ),
}


def unique_name(sheet: Sheet, row: Row, seen: dict[str, int], what: str) -> str:
    """The row's name, checked for form and uniqueness among `seen` (name -> row); `what` is
    page, question or score."""
    unnamed, taken = _NAMING[what]
    name = row["name"]
    if not name:
        sheet.error(row, "name", Message(unnamed))
    elif not NAME.fullmatch(name):
        message = Message(
            N_(
                "%(name)r is not a valid name: it starts with a letter or _ and has only "
                "letters, digits and _ (64 at most)"
            ),
            name=name,
        )
        sheet.error(row, "name", message)
    elif name in seen:
        sheet.error(row, "name", Message(taken, name=name, row=seen[name]))
    else:
        seen[name] = row.number
    return name
