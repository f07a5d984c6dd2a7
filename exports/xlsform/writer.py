"""Writing a questionnaire definition as an XLSForm-style workbook."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from exports.cells import GuardCounts, clean_text, looks_like_formula
from exports.xlsform.layout import (
    CHOICE_COLUMNS,
    LANGUAGES,
    SCORE_COLUMNS,
    SETTINGS_COLUMNS,
    SURVEY_COLUMNS,
    XLS_TYPES,
    Source,
)
from survey.questionnaire.types import spec_of


def write_xlsform(definition: Mapping[str, Any], out: Source) -> None:
    """Write the definition as a workbook to a path or binary file."""
    book = Workbook()
    if (first := book.active) is not None:  # a new workbook has one empty sheet
        book.remove(first)
    _add_sheet(book, "survey", SURVEY_COLUMNS, _survey_rows(definition))
    _add_sheet(book, "choices", CHOICE_COLUMNS, _choice_rows(definition))
    _add_sheet(book, "settings", SETTINGS_COLUMNS, [_settings_row(definition)])
    _add_sheet(book, "scores", SCORE_COLUMNS, map(_score_row, definition.get("scores", [])))
    book.save(out)


def _add_sheet(book: Workbook, title: str, columns: dict[str, str], rows: Iterable[dict]) -> None:
    sheet = book.create_sheet(title)
    sheet.append(list(columns.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(12, len(cell.value) + 2)
    sheet.freeze_panes = "A2"
    for number, row in enumerate(rows, start=2):
        for column, key in enumerate(columns, start=1):
            _set_cell(sheet.cell(number, column), row.get(key))


def _set_cell(cell: Any, value: Any) -> None:
    """Text is always a text cell: one starting with = + - @ never becomes a formula."""
    if isinstance(value, str):
        value = clean_text(value, GuardCounts())
        cell.value = value
        if looks_like_formula(value):
            cell.data_type = "s"
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    else:
        cell.value = value


def _texts(base: str, texts: Mapping[str, str] | None) -> dict[str, str]:
    return {f"{base}::{code}": text for code, text in (texts or {}).items()}


def _survey_rows(definition: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for page in definition["pages"]:
        yield {
            "type": "begin_group",
            "name": page["name"],
            **_texts("label", page["title"]),
            **_texts("hint", page.get("intro")),
            "appearance": "field-list",  # ODK shows the group as one screen, as we do
            "relevant": page.get("show_if"),
            "kind": page["kind"],
            "screen_out_if": page.get("screen_out_if"),
        }
        yield from map(_question_row, page["questions"])
        yield {"type": "end_group"}


def _question_row(question: Mapping[str, Any]) -> dict[str, Any]:
    xls_type, appearance = XLS_TYPES[question["type"]]
    if "list" in question:
        xls_type = f"{xls_type} {question['list']}"
    return {
        "type": xls_type,
        "name": question["name"],
        **_texts("label", question["label"]),
        **_texts("hint", question.get("hint")),
        "required": "yes" if question.get("required") else None,
        "relevant": question.get("show_if"),
        "constraint": question.get("accept_if") or _constraint(question),
        **_texts("constraint_message", question.get("constraint_message")),
        "appearance": appearance or None,
        "parameters": _range_parameters(question) if xls_type == "range" else None,
        "calculation": question.get("calculation"),
        "default": question.get("default"),
        "identifier": "yes" if question.get("identifier") else None,
    }


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _constraint(question: Mapping[str, Any]) -> str | None:
    """A number's limits (a range's are its parameters) or a text's longest answer."""
    if spec_of(question["type"]).numeric and XLS_TYPES[question["type"]][0] != "range":
        bounds = [(">=", question.get("min")), ("<=", question.get("max"))]
        return (
            " and ".join(f". {op} {_number_text(n)}" for op, n in bounds if n is not None) or None
        )
    if "max_length" in question:
        return f"string-length(.) <= {question['max_length']}"
    return None


def _range_parameters(question: Mapping[str, Any]) -> str:
    start, end = question.get("min", 0), question.get("max", 10)
    return f"start={_number_text(start)} end={_number_text(end)} step=1"


def _choice_rows(definition: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for list_name, choices in definition["choice_lists"].items():
        for choice in choices:
            yield {
                "list_name": list_name,
                "name": choice["code"],
                **_texts("label", choice["label"]),
            }


def _settings_row(definition: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **_texts("form_title", definition["title"]),
        "form_id": definition["slug"],
        "version": definition["consent_version"],
        "default_language": LANGUAGES["en"],
    }


def _score_row(score: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **{key: score.get(key) for key in ("name", "scale_min", "scale_max", "aggregate")},
        **_texts("label", score["label"]),
        "items": " ".join(score["items"]),
        "reversed_items": " ".join(score.get("reversed_items", [])),
        "offset": score.get("offset", 0),
        "multiplier": score.get("multiplier", 1),
        **_texts("rule", score["rule"]),
    }
