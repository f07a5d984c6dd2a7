"""The workbook as we write it and read it back: sheets, columns, languages, question types."""

from __future__ import annotations

from os import PathLike
from typing import IO

from survey.questionnaire.types import BY_XLSFORM, SPECS

Source = str | PathLike[str] | IO[bytes]

LANGUAGES = {"en": "English (en)", "fr": "French (fr)"}
TRANSLATED = ("label", "hint", "form_title", "rule", "constraint_message")


def _columns(*names: str) -> dict[str, str]:
    """Field key -> header as we write it; `label` stands for one column per language."""
    headers: dict[str, str] = {}
    for name in names:
        if name in TRANSLATED:
            headers |= {f"{name}::{code}": f"{name}::{title}" for code, title in LANGUAGES.items()}
        else:
            headers[name] = name
    return headers


SURVEY_COLUMNS = _columns(
    "type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message",
    "appearance", "parameters", "calculation", "default", "kind", "screen_out_if", "identifier",
)  # fmt: skip
CHOICE_COLUMNS = _columns("list_name", "name", "label")
SETTINGS_COLUMNS = _columns("form_title", "form_id", "version", "default_language")
SCORE_COLUMNS = _columns(
    "name", "label", "items", "reversed_items", "scale_min", "scale_max", "offset", "aggregate",
    "multiplier", "rule",
)  # fmt: skip

HEADERS = SURVEY_COLUMNS | CHOICE_COLUMNS | SETTINGS_COLUMNS | SCORE_COLUMNS
# The sheets read: sheet -> (its columns, the columns it needs when it has rows).
SHEETS = {
    "survey": (SURVEY_COLUMNS, ("type", "name", "label::en")),
    "choices": (CHOICE_COLUMNS, ("list_name", "name", "label::en")),
    "settings": (SETTINGS_COLUMNS, ()),
    "scores": (SCORE_COLUMNS, ("name", "label::en", "items", "scale_min", "scale_max")),
}

# pyxform's own and older names for columns, read as ours (sheet -> lower-case name -> ours).
ALIASES = {
    "settings": {"id_string": "form_id", "title": "form_title"},
    "survey": {
        "bind:relevant": "relevant",
        "bind:constraint": "constraint",
        "bind:required": "required",
        "bind:jr:constraintmsg": "constraint_message",
        "jr:constraintmsg": "constraint_message",
        "control:appearance": "appearance",
        "bind:calculate": "calculation",
    },
}
# Columns that only change how ODK shows the form, never what is asked or recorded: ignored
# with a notice (by their name before any `::language`).
DISPLAY_COLUMNS = {
    "survey": frozenset({
        "guidance_hint", "media", "image", "audio", "video", "big-image", "required_message",
        "read_only", "autoplay", "note", "comments", "requiredmsg", "buttontext",
        "noapperrorstring", "rows", "kobo--locking-profile", "sms_field",
    }),
    "choices": frozenset({"media", "image", "audio", "video", "big-image"}),
}  # fmt: skip

# Our question type -> (XLSForm type, appearance), from each type's spec; reading looks the pair
# up the other way (survey/questionnaire/types.py).
XLS_TYPES = {str(spec.type): spec.xlsform for spec in SPECS.values()}
OUR_TYPES = {pair: str(ours) for pair, ours in BY_XLSFORM.items()}
