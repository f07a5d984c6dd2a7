"""Reading the choices, settings and scores sheets."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
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
            # ODK allows it with a choice_filter, which is not supported either.
            sheet.unsupported(row, "name", message)
            if sheet.findings.skip_unsupported:
                continue
        code_rows.setdefault((list_name, code), row.number)
        lists.setdefault(list_name, []).append({"code": code, "label": label})
    return lists


def read_settings(sheet: Sheet, file_name: str | None = None) -> dict[str, Any]:
    """The settings row; ODK needs no settings sheet, so a missing form_id comes from the file's
    name and a missing form_title from the form_id, each with a notice."""
    row = sheet.rows[0] if sheet.rows else Row(2, {})
    where = row if sheet.rows else None  # no row to point at when the sheet has none
    for extra in sheet.rows[1:]:
        sheet.error(extra, None, Message(N_("settings are read from row 2 only")))
    if row.number != 2:
        sheet.error(row, None, Message(N_("settings are read from row 2, which is empty")))
    slug = _form_id(sheet, row, where, file_name)
    title = bilingual(sheet, row, "form_title", limit=200)
    if "en" not in title:
        title["en"] = slug
        message = Message(N_("no English form_title: the title is %(title)s"), title=slug)
        sheet.notice(where, "form_title", message)
    version = row["version"]
    if not version:
        version = "1"
        message = Message(N_("no version (the consent version) given: it is set to 1"))
        sheet.notice(where, "version", message)
    elif len(version) > 64:
        message = Message(N_("the version is longer than 64 characters"))
        sheet.error(row, "version", message)
    return {"slug": slug, "title": title, "consent_version": version}


def _form_id(sheet: Sheet, row: Row, where: Row | None, file_name: str | None) -> str:
    given = row["form_id"]
    if SLUG.fullmatch(given):
        return given
    source = given or Path(file_name or "form").stem
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", source).strip("_-")[:64] or "form"
    if given:
        message = Message(
            N_("the form_id %(given)r is not letters, digits, _ and - only: it is %(slug)s"),
            given=given,
            slug=slug,
        )
    else:
        message = Message(N_("no form_id: it is %(slug)s, from the file's name"), slug=slug)
    sheet.notice(where, "form_id", message)
    return slug


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
