"""Reading the survey sheet: each begin_group/end_group is a page, each other row a question."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exports.xlsform.layout import OUR_TYPES
from exports.xlsform.sheets import Row, Sheet
from exports.xlsform.values import (
    bilingual,
    max_length,
    number_bounds,
    range_bounds,
    truth,
    unique_name,
)
from survey.messages import N_, Message
from survey.questionnaire.expressions import ExpressionError, check_references
from survey.questionnaire.types import XLSFORM_TYPES, spec_of

_SELECTS = ("select_one", "select_multiple")
# All relevant and screen_out_if cells together. Each is at most 2,000 characters, but
# thousands of rows can share one long text for almost nothing packed; the default
# questionnaire's add up to 182 characters.
MAX_CONDITIONS_LENGTH = 50_000
_PAGE_KINDS = ("eligibility", "consent", "questions", "toolkit")
# Recorded by ODK/KoboToolbox on the device, never asked; skipped with a notice.
METADATA_TYPES = frozenset({
    "start", "end", "today", "deviceid", "username", "phonenumber", "simserial", "subscriberid",
    "email", "audit",
})  # fmt: skip
_QUESTION_FIELDS = {
    "type", "name", "label::en", "label::fr", "hint::en", "hint::fr", "required", "relevant",
    "constraint", "appearance", "parameters", "identifier",
}  # fmt: skip
_GROUP_FIELDS = {
    "type", "name", "label::en", "label::fr", "hint::en", "hint::fr", "appearance", "kind",
    "screen_out_if",
}  # fmt: skip


def _xls_type(text: str) -> str:
    """Lower-case, single-spaced, with pyxform's spelled-out forms ("begin group") joined."""
    text = " ".join(text.lower().split())
    return re.sub(r"^(begin|end|select) (group|repeat|one|multiple)\b", r"\1_\2", text)


@dataclass
class _Condition:
    """A relevant or screen_out_if cell, checked once every question name is known."""

    row: Row
    key: str
    asked: int  # how many questions come before it
    itself: str | None = None  # the question a relevant cell is on


class SurveyReader:
    """Reads the survey rows into pages (begin_group ... end_group) with their questions."""

    def __init__(self, sheet: Sheet, lists: Mapping[str, list]) -> None:
        self.sheet = sheet
        self.lists = lists
        self.pages: list[dict[str, Any]] = []
        self.page: dict[str, Any] | None = None  # the page questions are added to
        self.group: Row | None = None  # the begin_group row of the open group
        self.nested: list[Row] = []  # begin_group rows inside the open group (errors)
        self.auto_pages: list[tuple[dict[str, Any], Row]] = []  # made for ungrouped questions
        self.asked: list[str] = []
        self.question_rows: dict[str, int] = {}
        self.page_rows: dict[str, int] = {}
        self.conditions: list[_Condition] = []

    def read(self) -> list[dict[str, Any]]:
        for row in self.sheet.rows:
            self.read_row(row)
        if self.group is not None:
            message = Message(N_("this group is never closed with an end_group"))
            self.sheet.error(self.group, "type", message)
            self.close_group()
        self.name_auto_pages()
        self.check_conditions()
        if not self.pages and not self.sheet.findings.errors:
            self.sheet.error(None, None, Message(N_("there are no questions")))
        return self.pages

    def read_row(self, row: Row) -> None:
        xls_type = _xls_type(row["type"])
        base = xls_type.split(" ")[0]
        if not base:
            self.sheet.error(row, "type", Message(N_("the type is missing")))
        elif base in METADATA_TYPES:
            message = Message(
                N_("%(type)s is metadata ODK/KoboToolbox records by itself: skipped"), type=base
            )
            self.sheet.notice(row, "type", message)
        elif base == "begin_group":
            self.begin_group(row)
        elif base == "end_group":
            self.end_group(row)
        elif base == "begin_repeat":
            message = Message(N_("repeats are not supported: ask each question once"))
            self.sheet.error(row, "type", message)
        elif base != "end_repeat":  # its begin_repeat was reported
            self.question(row, xls_type)

    def check_fields(self, row: Row, allowed: set[str], what: str) -> None:
        for key in row.cells:
            if key in allowed or (key in ("required", "identifier") and truth(row[key]) is False):
                continue
            if key == "relevant" and what == "begin_group":
                message = Message(
                    N_(
                        "relevant on a group is not supported: a page is always shown, so put "
                        "the condition on each of its questions"
                    )
                )
            else:
                message = Message(
                    N_("%(column)s does not apply to a %(type)s row"),
                    column=self.sheet.column(key),
                    type=what,
                )
            self.sheet.error(row, key, message)

    def flag(self, row: Row, key: str) -> bool:
        value = truth(row[key])
        if value is None:
            self.sheet.error(
                row, key, Message(N_("write yes or no, not %(value)r"), value=row[key])
            )
        return bool(value)

    # --- pages -----------------------------------------------------------------------------
    def begin_group(self, row: Row) -> None:
        if self.group is not None:
            message = Message(N_("a group inside a group is not supported: a group is a page"))
            self.sheet.error(row, "type", message)
            self.nested.append(row)
            return
        self.check_fields(row, _GROUP_FIELDS, "begin_group")
        if row["appearance"] not in ("", "field-list"):
            message = Message(N_("a group is always shown as one page: ignored"))
            self.sheet.notice(row, "appearance", message)
        kind = row["kind"] or "questions"
        if kind not in _PAGE_KINDS:
            message = Message(
                N_("%(kind)r is not one of %(kinds)s"), kind=kind, kinds=", ".join(_PAGE_KINDS)
            )
            self.sheet.error(row, "kind", message)
        page: dict[str, Any] = {
            "name": unique_name(self.sheet, row, self.page_rows, "page"),
            "kind": kind,
            "title": bilingual(
                self.sheet, row, "label", Message(N_("the page needs an English title")), 200
            ),
        }
        if intro := bilingual(self.sheet, row, "hint"):
            page["intro"] = intro
        if row["screen_out_if"]:
            page["screen_out_if"] = row["screen_out_if"]
        page["questions"] = []
        self.pages.append(page)
        self.page, self.group = page, row

    def end_group(self, row: Row) -> None:
        self.check_fields(row, {"type", "name"}, "end_group")
        if self.nested:
            self.nested.pop()
        elif self.group is None:
            message = Message(N_("this end_group has no begin_group before it"))
            self.sheet.error(row, "type", message)
        else:
            self.close_group()

    def close_group(self) -> None:
        """The screen-out condition is read after the page, so its questions may decide it."""
        if self.group is not None and self.group["screen_out_if"]:
            self.conditions.append(_Condition(self.group, "screen_out_if", len(self.asked)))
        self.page = self.group = None
        self.nested.clear()

    def current_page(self, row: Row) -> dict[str, Any]:
        if self.page is None:
            self.page = {"name": "", "kind": "questions", "title": {}, "questions": []}
            self.pages.append(self.page)
            self.auto_pages.append((self.page, row))
        return self.page

    def name_auto_pages(self) -> None:
        used = set(self.page_rows)
        for page, row in self.auto_pages:
            number = self.pages.index(page) + 1
            while f"page_{number}" in used:
                number += 1
            page["name"] = f"page_{number}"
            page["title"] = {"en": f"Page {number}", "fr": f"Page {number}"}
            used.add(page["name"])
            message = Message(
                N_(
                    "this question and the ones after it up to the next group are in no "
                    "group: they make a page named %(page)s"
                ),
                page=page["name"],
            )
            self.sheet.notice(row, None, message)

    # --- questions -------------------------------------------------------------------------
    def question(self, row: Row, xls_type: str) -> None:
        name = unique_name(self.sheet, row, self.question_rows, "question")
        self.asked.append(name)  # even when wrong, so conditions naming it are not errors too
        kind = self.question_type(row, xls_type)
        if kind is None:
            return
        our_type, list_name = kind
        self.check_fields(row, _QUESTION_FIELDS, our_type)
        question: dict[str, Any] = {"name": name, "type": our_type}
        if list_name:
            question["list"] = list_name
        if self.flag(row, "required"):
            if not spec_of(our_type).answered:
                message = Message(N_("a note shows text only: it cannot be required"))
                self.sheet.error(row, "required", message)
            question["required"] = True
        question |= self.limits(row, our_type)
        if row["relevant"]:
            question["show_if"] = row["relevant"]
            self.conditions.append(_Condition(row, "relevant", len(self.asked) - 1, name))
        if self.flag(row, "identifier"):
            question["identifier"] = True
        question["label"] = bilingual(
            self.sheet, row, "label", Message(N_("the question needs an English label")), 5000
        )
        if hint := bilingual(self.sheet, row, "hint", limit=5000):
            question["hint"] = hint
        self.current_page(row)["questions"].append(question)

    def question_type(self, row: Row, xls_type: str) -> tuple[str, str | None] | None:
        """(our type, choice list) from the type and appearance cells; None after an error."""
        base, *rest = xls_type.split(" ")
        if (base, "") not in OUR_TYPES:
            message = Message(
                N_("type %(type)s is not supported (use %(types)s)"),
                type=base,
                # Our own words, not the workbook's: a message, so never cut to an excerpt.
                types=Message(", ".join(XLSFORM_TYPES)),
            )
            self.sheet.error(row, "type", message)
            return None
        list_name = self.choice_list(row, base, rest) if base in _SELECTS else None
        if rest and base not in _SELECTS:
            message = Message(N_("only select_one and select_multiple name a list"))
            self.sheet.error(row, "type", message)
        appearance = row["appearance"].lower()
        our_type = OUR_TYPES.get((base, appearance))
        if our_type is None:
            our_type = OUR_TYPES[(base, "")]
            message = Message(
                N_("appearance %(appearance)s is not used: read as %(type)s"),
                appearance=appearance,
                type=our_type,
            )
            self.sheet.notice(row, "appearance", message)
        return our_type, list_name

    def choice_list(self, row: Row, base: str, rest: list[str]) -> str | None:
        if rest[1:] == ["or_other"]:
            message = Message(
                N_(
                    "or_other is not supported: add an 'other' choice to the list and a text "
                    "question shown when it is selected"
                )
            )
            self.sheet.error(row, "type", message)
        elif len(rest) != 1:
            message = Message(
                N_("write the choice list after %(type)s, as in '%(type)s yes_no'"), type=base
            )
            self.sheet.error(row, "type", message)
        elif rest[0] not in self.lists:
            message = Message(
                N_("there is no choice list %(list)s on the choices sheet"), list=rest[0]
            )
            self.sheet.error(row, "type", message)
        else:
            return rest[0]
        return None

    def limits(self, row: Row, our_type: str) -> dict[str, Any]:
        """min and max from a range's parameters or a number's constraint; a text's length."""
        spec = spec_of(our_type)
        ranged = spec.xlsform[0] == "range"
        if row["parameters"] and not ranged:
            message = Message(N_("parameters are only read on range rows"))
            self.sheet.error(row, "parameters", message)
        if ranged:
            if row["constraint"]:
                message = Message(N_("a range's limits are its start and end"))
                self.sheet.error(row, "constraint", message)
            return self.sheet.parse(row, "parameters", range_bounds) or {}
        if not row["constraint"]:
            return {}
        if spec.numeric:
            return self.sheet.parse(row, "constraint", number_bounds) or {}
        if spec.text_limit is not None:
            return self.sheet.parse(row, "constraint", max_length) or {}
        message = Message(N_("constraints are read on integer, decimal and text rows"))
        self.sheet.error(row, "constraint", message)
        return {}

    def check_conditions(self) -> None:
        total = sum(len(condition.row[condition.key]) for condition in self.conditions)
        if total > MAX_CONDITIONS_LENGTH:
            message = Message(
                N_(
                    "the conditions (relevant, screen_out_if) add up to more than %(limit)d "
                    "characters"
                ),
                limit=MAX_CONDITIONS_LENGTH,
            )
            self.sheet.error(None, None, message)
            return
        for condition in self.conditions:
            try:
                check_references(
                    condition.row[condition.key],
                    self.asked[: condition.asked],
                    self.asked,
                    itself=condition.itself,
                )
            except ExpressionError as problem:
                self.sheet.error(condition.row, condition.key, problem.text)
