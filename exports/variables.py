"""An export's variables: every question of the exported versions, lined up by variable name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from survey.models import Question, QuestionnaireVersion
from survey.questionnaire.expressions import Node, parse
from survey.questionnaire.types import TypeSpec, spec_of

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class ChoiceInfo:
    code: str
    label_en: str
    label_fr: str | None


@dataclass
class Variable:
    """One variable as the newest version asks it, with the versions that hold it."""

    name: str
    type: str
    label_en: str
    label_fr: str | None
    required: bool
    show_if: str | None
    identifier: bool
    min_value: float | None = None
    max_value: float | None = None
    accept_if: str | None = None  # the constraint an answer met (XLSForm constraint)
    calculation: str | None = None  # how a calculated question's answer is computed
    default: str | None = None  # the answer its field was prefilled with
    page_en: str = ""  # the title of the page that asks it (the newest version's)
    page_fr: str | None = None
    choices: list[ChoiceInfo] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)
    wording: dict[int, str] = field(default_factory=dict)  # version -> English label
    conditions: dict[int, Node | None] = field(default_factory=dict)  # version -> show-if
    page_position: dict[int, int] = field(default_factory=dict)  # version -> page position

    numeric_codes: bool = False  # every code an integer: exported as numbers (set when collected)
    follow_up: bool = False  # asked by the follow-up questionnaire (exports/follow_up.py)

    @property
    def spec(self) -> TypeSpec:
        return spec_of(self.type)

    @property
    def is_multiple(self) -> bool:
        return self.spec.multiple

    @property
    def is_choice(self) -> bool:
        return bool(self.choices) and not self.is_multiple

    @property
    def is_numeric(self) -> bool:
        return self.spec.numeric

    @property
    def is_text(self) -> bool:
        """Open text: its answers go on the Comments sheet."""
        return self.spec.statistics == "text"

    @property
    def is_likert(self) -> bool:
        return self.spec.statistics == "likert"

    @property
    def columns(self) -> list[str]:
        """Its column names in the Responses sheet."""
        if self.is_multiple:
            return [f"{self.name}__{c.code}" for c in self.choices]
        return [self.name]

    def label(self, code: str) -> str:
        return next((c.label_en for c in self.choices if c.code == code), code)


def _merge_choices(variable: Variable, question: Question) -> None:
    known = {c.code for c in variable.choices}
    for choice in question.choices:
        if choice.code not in known:
            variable.choices.append(ChoiceInfo(choice.code, choice.label_en, choice.label_fr))


def shown_if(question: Question) -> str | None:
    """When the question is shown: its page's show-if and its own, both."""
    page, own = question.page.show_if, question.show_if
    if page and own:
        return f"({page}) and ({own})"
    return page or own


def prefixed(expression: str | None, prefix: str) -> str | None:
    """The expression with every `${name}` read as `${<prefix>name}`."""
    if not expression or not prefix:
        return expression
    return _REFERENCE.sub(lambda m: "${" + prefix + m.group(1) + "}", expression)


def collect_variables(versions: list[QuestionnaireVersion], prefix: str = "") -> list[Variable]:
    """Variables in questionnaire order. The newest version decides the wording and order; a
    variable that only older versions hold keeps its place after its older neighbour. A
    `prefix` names them, and every name their expressions read, as a second wave's (the
    follow-up's `fu_`)."""
    by_name: dict[str, Variable] = {}
    order: list[str] = []
    for version in sorted(versions, key=lambda v: v.number):
        previous: str | None = None
        for question in version.questions:
            if not spec_of(question.type).answered:
                continue
            name = prefix + question.name
            condition = prefixed(shown_if(question), prefix)
            variable = by_name.get(name)
            if variable is None:
                variable = by_name[name] = Variable(
                    name=name,
                    type=question.type,
                    label_en=question.label_en,
                    label_fr=question.label_fr,
                    required=question.required,
                    show_if=condition,
                    identifier=question.identifier,
                    min_value=question.min_value,
                    max_value=question.max_value,
                    follow_up=bool(prefix),
                )
                order.insert(order.index(previous) + 1 if previous else 0, name)
            else:
                variable.label_en, variable.label_fr = question.label_en, question.label_fr
                variable.required, variable.show_if = question.required, condition
                variable.identifier = variable.identifier or question.identifier
            variable.accept_if = prefixed(question.accept_if, prefix)
            variable.calculation = prefixed(question.calculation, prefix)
            variable.default = question.default_answer
            variable.page_en, variable.page_fr = question.page.title_en, question.page.title_fr
            _merge_choices(variable, question)
            variable.versions.append(version.number)
            variable.wording[version.number] = question.label_en
            variable.page_position[version.number] = question.page.position
            variable.conditions[version.number] = parse(condition) if condition else None
            previous = name
    for variable in by_name.values():
        variable.numeric_codes = bool(variable.choices) and all(
            c.code.lstrip("-").isdigit() for c in variable.choices
        )
    return [by_name[name] for name in order]
