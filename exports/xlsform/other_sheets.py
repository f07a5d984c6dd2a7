"""Reading the choices, settings and scores sheets."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from exports.xlsform.messages import Invalid
from exports.xlsform.sheets import Row, Sheet
from exports.xlsform.values import bilingual, parse_number, unique_name
from survey.messages import N_, Message
from survey.questionnaire.rules import NAME

CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")  # choice codes may start with a digit or a minus
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def read_choices(sheet: Sheet) -> dict[str, list[dict[str, Any]]]:
    lists: dict[str, list[dict[str, Any]]] = {}
    code_rows: dict[tuple[str, str], int] = {}
    for row in sheet.rows:
        list_name, code = row["list_name"], row["name"]
        missing = Message(N_("the choice needs an English label"))
        label = bilingual(sheet, row, "label", missing, 500)
        if not list_name:
            sheet.error(row, "list_name", Message(N_("the choice needs a list_name")))
            continue
        if not NAME.fullmatch(list_name):
            message = Message(N_("%(name)r is not a valid list name"), name=list_name)
            sheet.error(row, "list_name", message)
        if not CODE.fullmatch(code):
            message = Message(
                N_(
                    "%(code)r is not a valid choice code: letters, digits, _ . and - only, no "
                    "spaces (64 at most)"
                ),
                code=code,
            )
            sheet.error(row, "name", message)
        elif (list_name, code) in code_rows:
            message = Message(
                N_("%(list)s already has the code %(code)s (row %(row)d)"),
                list=list_name,
                code=code,
                row=code_rows[list_name, code],
            )
            sheet.error(row, "name", message)
        code_rows.setdefault((list_name, code), row.number)
        lists.setdefault(list_name, []).append({"code": code, "label": label})
    return lists


def read_settings(sheet: Sheet) -> dict[str, Any]:
    row = sheet.rows[0] if sheet.rows else Row(2, {})
    for extra in sheet.rows[1:]:
        sheet.error(extra, None, Message(N_("settings are read from row 2 only")))
    if row.number != 2:
        sheet.error(row, None, Message(N_("settings are read from row 2, which is empty")))
    slug = row["form_id"]
    if not SLUG.fullmatch(slug):
        message = Message(
            N_(
                "the form needs a form_id of letters, digits, _ and - (64 at most), as in "
                "milk_survey"
            )
        )
        sheet.error(row, "form_id", message)
    missing = Message(N_("the form needs an English form_title"))
    title = bilingual(sheet, row, "form_title", missing, 200)
    version = row["version"]
    if not version:
        version = "1"
        message = Message(N_("no version (the consent version) given: it is set to 1"))
        sheet.notice(row, "version", message)
    elif len(version) > 64:
        message = Message(N_("the version is longer than 64 characters"))
        sheet.error(row, "version", message)
    return {"slug": slug, "title": title, "consent_version": version}


def read_scores(sheet: Sheet, questions: list[str]) -> list[dict[str, Any]]:
    scores = []
    score_rows: dict[str, int] = {}
    for row in sheet.rows:
        name = unique_name(sheet, row, score_rows, "score")
        if name in questions:
            message = Message(N_("%(name)s is already the name of a question"), name=name)
            sheet.error(row, "name", message)
        items = sheet.parse(row, "items", partial(_score_items, known=questions))
        reversed_items = sheet.parse(row, "reversed_items", partial(_score_items, known=items))
        score = {
            "name": name,
            "label": bilingual(
                sheet, row, "label", Message(N_("the score needs an English label")), 200
            ),
            "items": items or [],
            "reversed_items": reversed_items or [],
            "scale_min": sheet.parse(row, "scale_min", _whole_number),
            "scale_max": sheet.parse(row, "scale_max", _whole_number),
            "offset": sheet.parse(row, "offset", _optional_number) or 0,
            "aggregate": row["aggregate"] or "sum",
            "multiplier": sheet.parse(row, "multiplier", _optional_number),
            "rule": bilingual(
                sheet, row, "rule", Message(N_("the score needs its rule in English")), 5000
            ),
        }
        if score["multiplier"] is None:
            score["multiplier"] = 1
        if score["aggregate"] not in ("sum", "mean"):
            sheet.error(row, "aggregate", Message(N_("write sum or mean")))
        low, high = score["scale_min"], score["scale_max"]
        if low is not None and high is not None and low >= high:
            sheet.error(row, "scale_max", Message(N_("scale_max must be above scale_min")))
        scores.append(score)
    return scores


def _score_items(text: str, known: list[str] | None) -> list[str]:
    items = [item for item in re.split(r"[\s,]+", text) if item]
    if unknown := [item for item in items if item not in (known or [])]:
        message = Message(
            N_("not among the questions or items: %(names)s"), names=", ".join(unknown)
        )
        raise Invalid(message)
    return items


def _whole_number(text: str) -> int:
    number = parse_number(text)
    if number is None or not float(number).is_integer():
        raise Invalid(Message(N_("write a whole number")))
    return int(number)


def _optional_number(text: str) -> int | float | None:
    number = parse_number(text)
    if text and number is None:
        raise Invalid(Message(N_("write a number")))
    return number
