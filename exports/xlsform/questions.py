"""Reading one question row of the survey sheet: its name, type, list, flags, limits and texts.

Types are looked up in layout's tables only (`OUR_TYPES`), so a type added there is read here.
A row this platform cannot ask (another type, `or_other`, a constraint it cannot check) goes
through `Sheet.unsupported`: refused by name, or dropped with a notice when skipping."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from exports.xlsform.conditions import Condition, Conditions
from exports.xlsform.layout import OUR_TYPES, XLS_TYPES
from exports.xlsform.messages import Invalid
from exports.xlsform.sheets import Row, Sheet
from exports.xlsform.values import (
    NotLimits,
    bilingual,
    max_length,
    number_bounds,
    range_bounds,
    truth,
    unique_name,
)
from survey.messages import N_, Message
from survey.questionnaire.rules import NAME
from survey.questionnaire.types import XLSFORM_TYPES, DefaultRefused, TypeSpec, spec_of

# What pyxform's or_other adds, in both languages (questionnaire text, as a label would be).
OTHER_CHOICE = {"en": "Other", "fr": "Autre"}
OTHER_QUESTION = {"en": "Specify other.", "fr": "Précisez."}
ODK_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")  # an XML name, as ODK's are
_SELECTS = ("select_one", "select_multiple")
_QUESTION_FIELDS = {
    "type", "name", "label::en", "label::fr", "hint::en", "hint::fr", "required", "relevant",
    "constraint", "constraint_message::en", "constraint_message::fr", "appearance",
    "parameters", "identifier", "default",
}  # fmt: skip
# ODK's range without parameters.
_DEFAULT_RANGE = {"min": 1, "max": 10}


class QuestionReader:
    def __init__(self, sheet: Sheet, lists: dict[str, list]) -> None:
        self.sheet = sheet
        self.lists = lists
        self.asked: list[str] = []  # every question read, in order, even one with a mistake
        self.unavailable: set[str] = set()  # names not imported: dropped, refused, metadata
        self.question_rows: dict[str, int] = {}
        self.paths: dict[str, list[str]] = {}  # name -> the groups its question is in
        self.renamed: dict[str, str] = {}  # an ODK name with - or . -> the name it is given
        self.other_follows: Row | None = None  # an or_other row whose text question is due

    def read(
        self, row: Row, xls_type: str, groups: list[str], conditions: Conditions
    ) -> dict[str, Any] | None:
        """The question of a row, or None when it is not imported."""
        kind = self.question_type(row, xls_type)
        if (
            kind is not None
            and not spec_of(kind[0]).answered
            and not (row["label::en"] or row["hint::en"])
        ):
            # ODK shows a note's image or sound (media columns are not read): nothing is left.
            message = Message(N_("a note with no English text (only media) is not supported"))
            self.sheet.unsupported(row, "label::en", message)
            kind = None
        if kind is None:
            if row["name"]:
                self.unavailable.add(row["name"])
            return None
        name = self.name(row, groups)
        self.asked.append(name)  # even when wrong, so conditions naming it are not errors too
        our_type, list_name = kind
        spec = spec_of(our_type)
        self.check_fields(
            row, _QUESTION_FIELDS | ({"calculation"} if spec.computed else set()), our_type
        )
        question: dict[str, Any] = {"name": name, "type": our_type}
        if list_name:
            question["list"] = list_name
        if self.flag(row, "required"):
            if spec.computed:
                message = Message(N_("a calculation is never asked: it cannot be required"))
                self.sheet.unsupported(row, "required", message)
            elif not spec.answered:
                message = Message(N_("a note shows text only: it cannot be required"))
                self.sheet.unsupported(row, "required", message)
            else:
                question["required"] = True
        question |= self.limits(row, our_type, conditions, question)
        if self.flag(row, "identifier"):
            question["identifier"] = True
        if spec.computed:  # ODK's calculate rows have no label: the codebook shows its name
            question["label"] = bilingual(self.sheet, row, "label", limit=5000) or {"en": name}
            self.calculation(row, question, conditions)
        else:
            question["label"] = bilingual(
                self.sheet, row, "label", Message(N_("the question needs an English label")), 5000
            )
        if hint := bilingual(self.sheet, row, "hint", limit=5000):
            question["hint"] = hint
        if row["default"]:
            self.default(row, spec, question)
        if explained := bilingual(self.sheet, row, "constraint_message", limit=500):
            if row["constraint"] and _xls(our_type) != "range" and spec.asked:
                question["constraint_message"] = explained
            else:
                notice = Message(N_("there is no constraint to explain: ignored"))
                self.sheet.notice(row, "constraint_message::en", notice)
        return question

    def default(self, row: Row, spec: TypeSpec, question: dict[str, Any]) -> None:
        """A default that is an answer of the question's type is kept; one ODK computes from
        other answers or with a function is not supported here."""
        written = row["default"]
        if spec.computed or not spec.answered:
            message = Message(
                N_("this type of question (%(type)s) takes no default"), type=spec.codebook
            )
            self.sheet.unsupported(row, "default", message)
            return
        if "${" in written or "(" in written:
            message = Message(N_("a default computed by ODK is not supported: write the answer"))
            self.sheet.unsupported(row, "default", message)
            return
        codes = [c["code"] for c in self.lists.get(question.get("list", ""), [])]
        try:
            spec.read_default(written, codes)
        except DefaultRefused as refused:
            self.sheet.error(row, "default", refused.message)
            return
        question["default"] = written

    def calculation(self, row: Row, question: dict[str, Any], conditions: Conditions) -> None:
        """A calculate row's expression, checked with the conditions (it reads only earlier
        questions); the question is dropped with it when it cannot be computed here."""
        if not row["calculation"]:
            message = Message(N_("a calculate row needs a calculation"))
            self.sheet.error(row, "calculation", message)
            return
        itself = self.asked[-1]
        condition = Condition(row, "calculation", len(self.asked) - 1, itself)
        conditions.calculation(question, condition)

    def condition(self, row: Row) -> Condition | None:
        """The question's own relevant, for the question just read."""
        if not row["relevant"]:
            return None
        return Condition(row, "relevant", len(self.asked) - 1, self.asked[-1])

    def name(self, row: Row, groups: list[str]) -> str:
        """The row's name; one already taken in another group (ODK allows it) is prefixed with
        the group path, with a notice."""
        name = self.odk_name(row)
        if self.paths.get(name, groups) == groups or not NAME.fullmatch(name):
            self.paths.setdefault(name, groups)
            return unique_name(self.sheet, row, self.question_rows, "question")
        base = re.sub(r"\W", "_", "_".join([*groups, name]), flags=re.ASCII)[:60]
        if not NAME.fullmatch(base):  # a group name starting with a digit
            base = f"_{base[:59]}"
        unique, number = base, 2
        while unique in self.question_rows or not NAME.fullmatch(unique):
            unique, number = f"{base}_{number}", number + 1
        self.question_rows[unique] = row.number
        message = Message(
            N_("%(name)s is already the name of the question on row %(row)d: renamed %(new)s"),
            name=name,
            row=self.question_rows.get(name, 0),
            new=unique,
        )
        self.sheet.notice(row, "name", message)
        return unique

    def odk_name(self, row: Row) -> str:
        """ODK's names may hold - and . (XML names); ours are variable names for statistics
        packages, so those become _, with a notice, and conditions naming them follow."""
        name = row["name"]
        if NAME.fullmatch(name) or not ODK_NAME.fullmatch(name):
            return name
        new = re.sub(r"[.-]", "_", name)[:64]
        self.renamed[name] = new
        message = Message(
            N_("names here have no - or .: %(name)s is renamed %(new)s"), name=name, new=new
        )
        self.sheet.notice(row, "name", message)
        row.cells["name"] = new
        return new

    def check_fields(self, row: Row, allowed: set[str], what: str) -> None:
        for key in row.cells:
            if key in allowed or (key in ("required", "identifier") and truth(row[key]) is False):
                continue
            message = Message(
                N_("%(column)s does not apply to a %(type)s row"),
                column=self.sheet.column(key),
                type=what,
            )
            self.sheet.unsupported(row, key, message)

    def flag(self, row: Row, key: str) -> bool:
        value = truth(row[key])
        if value is None and key == "required" and "${" in row[key]:
            message = Message(N_("a condition for required is not supported: write yes or no"))
            self.sheet.unsupported(row, key, message)  # dropped: the question is optional
            return False
        if value is None:
            self.sheet.error(
                row, key, Message(N_("write yes or no, not %(value)r"), value=row[key])
            )
        return bool(value)

    def question_type(self, row: Row, xls_type: str) -> tuple[str, str | None] | None:
        """(our type, choice list) from the type and appearance cells; None when the row is
        not imported."""
        base, *rest = xls_type.split(" ")
        if (base, "") not in OUR_TYPES:
            message = Message(
                N_("type %(type)s is not supported (use %(types)s)"),
                type=base,
                # Our own words, not the workbook's: a message, so never cut to an excerpt.
                types=Message(", ".join(XLSFORM_TYPES)),
            )
            self.sheet.unsupported(row, "type", message)
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
        or_other = rest[1:] == ["or_other"]
        if or_other:
            rest = rest[:1]
        if len(rest) != 1:
            message = Message(
                N_("write the choice list after %(type)s, as in '%(type)s yes_no'"), type=base
            )
            self.sheet.error(row, "type", message)
        elif rest[0] not in self.lists:
            message = Message(
                N_("there is no choice list %(list)s on the choices sheet"), list=rest[0]
            )
            self.sheet.error(row, "type", message)
        elif or_other:
            return self.or_other_list(row, rest[0])
        else:
            return rest[0]
        return None

    def or_other_list(self, row: Row, list_name: str) -> str:
        """pyxform's or_other: the list with an 'other' choice added (a list of its own, as
        other questions may share the list) and, after the question, a text question for it."""
        other = f"{list_name[:55]}_or_other"
        if other not in self.lists:
            choices = [c for c in self.lists[list_name] if c["code"] != "other"]
            self.lists[other] = [*choices, {"code": "other", "label": dict(OTHER_CHOICE)}]
        self.other_follows = row
        return other

    def other_question(
        self, row: Row, asked_by: dict[str, Any]
    ) -> tuple[dict[str, Any], Condition]:
        """The text question an or_other choice asks, shown when 'other' is chosen."""
        self.other_follows = None
        name, number = f"{asked_by['name'][:58]}_other", 2
        while name in self.question_rows:
            name, number = f"{asked_by['name'][:56]}_other{number}", number + 1
        self.question_rows[name] = row.number
        self.asked.append(name)
        shown = Row(row.number, {"relevant": f"selected(${{{asked_by['name']}}}, 'other')"})
        message = Message(
            N_(
                "or_other: the choice 'other' and the text question %(name)s, asked when it "
                "is chosen, are added"
            ),
            name=name,
        )
        self.sheet.notice(row, "type", message)
        text = OUR_TYPES[("text", "")]
        question = {"name": name, "type": text, "label": dict(OTHER_QUESTION)}
        return question, Condition(shown, "relevant", len(self.asked) - 1, name)

    def limits(
        self, row: Row, our_type: str, conditions: Conditions, question: dict[str, Any]
    ) -> dict[str, Any]:
        """min and max from a range's parameters or a number's constraint; a text's length; any
        other constraint (or one with a message to show) is checked as an expression."""
        xls = _xls(our_type)
        if row["parameters"] and xls != "range":
            message = Message(N_("parameters are only read on range rows"))
            self.sheet.unsupported(row, "parameters", message)
        if xls == "range":
            if row["constraint"]:
                message = Message(N_("a range's limits are its start and end"))
                self.sheet.unsupported(row, "constraint", message)
            if not row["parameters"]:
                message = Message(N_("no parameters: the range is ODK's, from 1 to 10"))
                self.sheet.notice(row, "parameters", message)
                return dict(_DEFAULT_RANGE)
            return self.sheet.parse(row, "parameters", range_bounds) or {}
        if not row["constraint"]:
            return {}
        if spec_of(our_type).computed:
            message = Message(N_("a calculation is computed, never answered: nothing to constrain"))
            self.sheet.unsupported(row, "constraint", message)
            return {}
        if not spec_of(our_type).answered:
            message = Message(N_("a note shows text only: it has no answer to constrain"))
            self.sheet.unsupported(row, "constraint", message)
            return {}
        narrow = _NARROW.get(xls)
        if narrow is not None and not row["constraint_message::en"]:
            try:
                return narrow(row["constraint"])
            except NotLimits:
                pass  # any other constraint is an expression
            except Invalid as problem:
                self.sheet.error(row, "constraint", problem.message)
                return {}
        itself = self.asked[-1]
        condition = Condition(row, "constraint", len(self.asked) - 1, itself, constraint=True)
        conditions.constraint(question, condition)
        return {}


# The constraints kept as a question's limits, which the editor shows and sets, by XLSForm
# type: any other type's constraint is an expression.
_NARROW: dict[str, Callable[[str], dict[str, Any]]] = {
    "integer": number_bounds,
    "decimal": number_bounds,
    "text": max_length,
}


def _xls(our_type: str) -> str:
    """The XLSForm type of one of ours (layout's table: a type added there is known here)."""
    return XLS_TYPES[our_type][0]
