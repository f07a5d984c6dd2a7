"""The survey sheet's conditions (relevant, constraint, screen_out_if), checked once every name
is known.

A group's relevant is its page's show-if; a page made of a nested group has those of every
group around it, joined with `and`. A condition that reads a question that was dropped
(`--skip-unsupported`) or skipped (metadata) is dropped with a notice; it is no error of its
own, since the refusal of a question not imported already stops the upload."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from exports.xlsform.sheets import Row, Sheet
from survey.messages import N_, Message
from survey.questionnaire.expressions import ExpressionError, check_references, parse, variables

# All relevant and screen_out_if cells together. Each is at most 2,000 characters, but
# thousands of rows can share one long text for almost nothing packed; the default
# questionnaire's add up to 182 characters.
MAX_CONDITIONS_LENGTH = 50_000
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


@dataclass
class Condition:
    """One condition cell; `asked` is how many questions come before it."""

    row: Row
    key: str
    asked: int
    itself: str | None = None  # the question a relevant or constraint cell is on
    dropped: bool = False
    constraint: bool = False  # may read `.` and call functions
    rewritten: str | None = None  # with the names of renamed questions

    @property
    def text(self) -> str:
        return self.row[self.key] if self.rewritten is None else self.rewritten


@dataclass
class Conditions:
    sheet: Sheet
    all: list[Condition] = field(default_factory=list)
    # A page's show-if (its groups' conditions, outermost first) or a question's (its own).
    show_ifs: list[tuple[dict[str, Any], list[Condition]]] = field(default_factory=list)
    constraints: list[tuple[dict[str, Any], Condition]] = field(default_factory=list)
    calculations: list[tuple[dict[str, Any], Condition]] = field(default_factory=list)

    def add(self, condition: Condition) -> Condition:
        self.all.append(condition)
        return condition

    def show_if(self, question: dict[str, Any], parts: list[Condition]) -> None:
        if parts:
            self.show_ifs.append((question, parts))

    def constraint(self, question: dict[str, Any], condition: Condition) -> None:
        self.constraints.append((question, self.add(condition)))

    def calculation(self, question: dict[str, Any], condition: Condition) -> None:
        self.calculations.append((question, self.add(condition)))

    def check(
        self, asked: list[str], unavailable: Iterable[str], renamed: Mapping[str, str]
    ) -> None:
        """Check every condition, then write each question's show_if and accept_if from those
        kept. `renamed` gives the new name of each question renamed on reading."""
        if renamed:
            for condition in self.all:
                condition.rewritten = _VARIABLE.sub(
                    lambda m: f"${{{renamed.get(m.group(1), m.group(1))}}}", condition.text
                )
        total = sum(len(condition.text) for condition in self.all)
        if total > MAX_CONDITIONS_LENGTH:
            message = Message(
                N_(
                    "the conditions (relevant, constraint, screen_out_if) add up to more than "
                    "%(limit)d characters"
                ),
                limit=MAX_CONDITIONS_LENGTH,
            )
            self.sheet.error(None, None, message)
            return
        unavailable = set(unavailable)
        for condition in self.all:
            self._check(condition, asked, unavailable)
        for question, parts in self.show_ifs:
            kept = [part.text for part in parts if not part.dropped]
            if len(kept) == 1:
                question["show_if"] = kept[0]
            elif kept:
                question["show_if"] = " and ".join(f"({text})" for text in kept)
        for question, condition in self.constraints:
            if not condition.dropped:
                question["accept_if"] = condition.text
            else:
                question.pop("constraint_message", None)
        for question, condition in self.calculations:
            if not condition.dropped:
                question["calculation"] = condition.text
            else:  # nothing to compute it with: the reader takes the question out
                question["dropped"] = True

    def _check(self, condition: Condition, asked: list[str], unavailable: set[str]) -> None:
        self._check_one(condition, asked, unavailable)
        if condition.dropped and condition.key == "calculation" and condition.itself:
            unavailable.add(condition.itself)  # what reads it later is dropped in turn
            message = Message(
                N_("%(name)s has no calculation left: dropped"), name=condition.itself
            )
            self.sheet.notice(condition.row, "name", message)

    def _check_one(self, condition: Condition, asked: list[str], unavailable: set[str]) -> None:
        try:
            names = {var.name for var in variables(parse(condition.text))}
            if missing := sorted(names & unavailable):
                condition.dropped = True
                message = Message(
                    N_("this condition reads %(names)s, which is not imported: dropped"),
                    names=", ".join(f"${{{name}}}" for name in missing),
                )
                self.sheet.notice(condition.row, condition.key, message)
                return
            check_references(
                condition.text,
                asked[: condition.asked],
                asked,
                itself=condition.itself,
                constraint=condition.constraint,
                calculation=condition.key == "calculation",
            )
        except ExpressionError as problem:
            if problem.unsupported:  # dropped when skipping: the question is then always shown
                condition.dropped = True
                self.sheet.unsupported(condition.row, condition.key, problem.text)
            else:
                self.sheet.error(condition.row, condition.key, problem.text)
