"""The spreadsheet-injection guard: what a participant typed never becomes a formula, an error
value or a broken file, and nothing is shortened without saying so."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


def csv_text(text: str, counts: GuardCounts) -> str:
    """CSV has no cell types: a leading apostrophe keeps a spreadsheet from evaluating it."""
    text = clean_text(text, counts)
    if looks_like_formula(text) or text.startswith(("#", "'")):
        counts.text_kept_as_text += 1
        return "'" + text
    return text


@contextmanager
def csv_writer(binary: IO[bytes]) -> Iterator[Any]:
    """A csv writer onto a binary stream, in UTF-8 with a byte-order mark: without it, Excel
    reads the file in the computer's legacy code page and mangles accents."""
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        yield csv.writer(text)
    finally:
        text.flush()
        text.detach()
