"""The spreadsheet-injection guard: what a participant typed never becomes a formula, an error
value or a broken file, and nothing is shortened without saying so."""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

EXCEL_CELL_LIMIT = 32_767
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# XML 1.0 forbids these; lone surrogates cannot be encoded at all.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


@dataclass
class GuardCounts:
    """What the guard changed in one export, reported on the About sheet."""

    replaced_characters: int = 0
    truncated_cells: int = 0
    text_kept_as_text: int = 0

    def add(self, other: GuardCounts) -> None:
        """Count what was counted elsewhere (a part of the export made in another process)."""
        self.replaced_characters += other.replaced_characters
        self.truncated_cells += other.truncated_cells
        self.text_kept_as_text += other.text_kept_as_text


def clean_text(text: str, counts: GuardCounts) -> str:
    """Replace characters XML cannot hold with U+FFFD, counting them."""
    cleaned, replaced = _ILLEGAL.subn(REPLACEMENT, text)
    counts.replaced_characters += replaced
    return cleaned


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def fit_to_cell(text: str, counts: GuardCounts, where: str) -> str:
    """Text longer than a cell can hold is cut with a visible note saying where the whole is."""
    if len(text) <= EXCEL_CELL_LIMIT:
        return text
    counts.truncated_cells += 1
    note = f" […{len(text) - EXCEL_CELL_LIMIT + 200:,} more characters: full text {where}]"
    return text[: EXCEL_CELL_LIMIT - 200] + note


def guarded_text(text: str, counts: GuardCounts, where: str = "") -> tuple[str, bool]:
    """Text made safe for a spreadsheet's cell (characters XML cannot hold replaced, text past
    a cell's limit cut with a note saying `where` the whole is), and whether the guard counted
    anything: a replacement, a cut, or a text that looks like a formula or an error value
    (kept as text: the caller writes it as a string)."""
    if len(text) <= SHORT_TEXT:  # codes and short answers repeat: each is cleaned once
        text, replaced, risky = _cleaned_short_text(text)
        counts.replaced_characters += replaced
        counts.text_kept_as_text += risky
        return text, bool(replaced or risky)
    text = fit_to_cell(clean_text(text, counts), counts, where)
    risky = looks_like_formula(text) or text.startswith("#")
    counts.text_kept_as_text += risky
    return text, True


@functools.lru_cache(maxsize=4096)
def _cleaned_short_text(text: str) -> tuple[str, int, bool]:
    """A short text cleaned, how many characters that replaced, and whether it looks like a
    formula or an error value."""
    cleaned = clean_text(text, counts := GuardCounts())
    return cleaned, counts.replaced_characters, looks_like_formula(cleaned) or cleaned[:1] == "#"


# A spreadsheet that splits a CSV on another separator than the writer's (French Excel and
# LibreOffice often use `;`), or that ignores quotes around a line break, starts a new cell
# after any of these: a formula start right after one is a formula in that cell.
_SEPARATED_FORMULA_START = re.compile(r"(?<=[,;\t\r\n])(?=[=+\-@\t\r])")


def csv_text(text: str, counts: GuardCounts) -> str:
    """CSV has no cell types: an apostrophe before a formula start, at the beginning of the text
    or after a separator or line break inside it, keeps a spreadsheet from evaluating it."""
    if len(text) <= SHORT_TEXT:  # codes and short answers repeat: each is guarded once
        guarded, replaced, kept = _guarded_csv_text(text)
    else:
        guarded, replaced, kept = _guarded_csv_text.__wrapped__(text)
    counts.replaced_characters += replaced
    counts.text_kept_as_text += kept
    return guarded


SHORT_TEXT = 64


@functools.lru_cache(maxsize=4096)
def _guarded_csv_text(text: str) -> tuple[str, int, int]:
    """The guarded text, how many characters were replaced, and whether it was kept as text."""
    cleaned = clean_text(text, counts := GuardCounts())
    guarded = _SEPARATED_FORMULA_START.sub("'", cleaned)
    if looks_like_formula(guarded) or guarded.startswith(("#", "'")):
        guarded = "'" + guarded
    return guarded, counts.replaced_characters, int(guarded != cleaned)


def csv_cell(value: object, counts: GuardCounts) -> object:
    """One CSV field: numbers stay numbers (written unquoted), anything else is guarded text."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return csv_text(str(value), counts)


@contextmanager
def csv_writer(binary: IO[bytes]) -> Iterator[Any]:
    """A csv writer onto a binary stream, in UTF-8 with a byte-order mark (without it, Excel
    reads the file in the computer's legacy code page and mangles accents), that quotes every
    field but numbers: a spreadsheet splitting on another separator then still reads a quoted
    text as one cell, and a number as a number."""
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        yield csv.writer(text, quoting=csv.QUOTE_NONNUMERIC)
    finally:
        text.flush()
        text.detach()
