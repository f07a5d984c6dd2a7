"""The columns of the files for statistics packages (.sav, .dta, R): a name every package
accepts, a variable label (the question), value labels (the choices) and the codes that say a
question was not shown or not reached, worked out from the Responses table's columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from exports import follow_up
from exports.rows import FIXED_COLUMNS, ResponseTable
from exports.variables import Variable
from survey.models import QuestionnaireVersion

FORMATS = ("sav", "dta", "r")  # SPSS, Stata, R
LANGUAGES = ("en", "fr")
# Stata's limits (the strictest of the three packages): names of 32 characters, variable
# labels of 80 characters; SPSS keeps variable labels of 256 bytes and value labels of 120
# bytes, and readstat cuts longer ones silently, mid-character, so they are shortened here.
NAME_LIMIT = 32
STATA_LABEL_CHARACTERS = 80
SPSS_LABEL_BYTES = 256
SPSS_VALUE_LABEL_BYTES = 120
ELLIPSIS = "…"
# Words a name cannot be in Stata, SPSS or R (compared case-insensitively: SPSS ignores case).
RESERVED = frozenset(
    [
        "_all",
        "_b",
        "byte",
        "_coef",
        "_cons",
        "double",
        "float",
        "if",
        "in",
        "int",
        "long",
        "_n",
        "_pi",
        "_pred",
        "_rc",
        "_skip",
        "strl",
        "using",
        "with",
        "all",
        "and",
        "by",
        "eq",
        "ge",
        "gt",
        "le",
        "lt",
        "ne",
        "not",
        "or",
        "to",
        "else",
        "repeat",
        "while",
        "function",
        "for",
        "next",
        "break",
        "true",
        "false",
        "null",
        "inf",
        "nan",
        "na",
        "na_integer_",
        "na_real_",
        "na_character_",
    ]
)
_NOT_NAME = re.compile(r"[^A-Za-z0-9_]")
# Missing-value codes, in order of preference: the first pair outside a variable's possible
# answers (participants' numbers are within +-1e12, see forms/fields.py) is its pair.
_CODE_PAIRS = [(-(10**k - 1), -(10**k - 2)) for k in (2, 3, 4, 6, 9, 13)]
NUMBER_LIMIT = 1e12

TEXTS = {
    "en": {
        "not_shown": "Not shown",
        "not_reached": "Not reached",
        "selected": "Selected",
        "not_selected": "Not selected",
        "opened": "Times the toolkit section '{key}' was opened in the survey",
        "seconds": "Seconds spent on the toolkit section '{key}'",
        "sections_opened": "Number of toolkit sections opened",
        "toolkit_seconds": "Seconds spent in the toolkit, all sections",
        "prompt_shown": "Reminded once to open the toolkit (1 = yes)",
        "fu_version": "Follow-up: questionnaire version",
        "fu_status": "Follow-up: status (complete or partial)",
        "fu_submitted_at_utc": "Follow-up: submitted at (UTC)",
        "fu_days_after": "Follow-up: days after the survey",
        "follow_up": "Follow-up: {question}",
    },
    "fr": {
        "not_shown": "Question non affichée",
        "not_reached": "Page non atteinte",
        "selected": "Coché",
        "not_selected": "Non coché",
        "opened": "Nombre d’ouvertures de la section « {key} » de la trousse",
        "seconds": "Secondes passées sur la section « {key} » de la trousse",
        "sections_opened": "Nombre de sections de la trousse ouvertes",
        "toolkit_seconds": "Secondes passées dans la trousse, toutes sections",
        "prompt_shown": "Rappel unique d’ouvrir la trousse (1 = oui)",
        "fu_version": "Suivi : version du questionnaire",
        "fu_status": "Suivi : statut (complete ou partial)",
        "fu_submitted_at_utc": "Suivi : envoi (UTC)",
        "fu_days_after": "Suivi : jours après le sondage",
        "follow_up": "Suivi : {question}",
    },
}
FIXED_LABELS = {
    "en": {
        "response_id": "Response identifier",
        "version": "Questionnaire version",
        "language": "Language of the response",
        "status": "Status (complete or partial)",
        "started_at_utc": "Started at (UTC)",
        "submitted_at_utc": "Submitted at (UTC)",
        "minutes_taken": "Minutes taken",
        "consent_version": "Consent text version",
        "consented_at_utc": "Consented at (UTC)",
        "study_information": "Study information revision agreed to",
    },
    "fr": {
        "response_id": "Identifiant de la réponse",
        "version": "Version du questionnaire",
        "language": "Langue de la réponse",
        "status": "Statut (complete ou partial)",
        "started_at_utc": "Début (UTC)",
        "submitted_at_utc": "Envoi (UTC)",
        "minutes_taken": "Durée en minutes",
        "consent_version": "Version du texte de consentement",
        "consented_at_utc": "Consentement donné le (UTC)",
        "study_information": "Révision des renseignements sur l’étude acceptée",
    },
}
_FIXED_KINDS = {
    "fu_status": "text",
    "fu_submitted_at_utc": "datetime",
    "response_id": "text",
    "language": "text",
    "status": "text",
    "consent_version": "text",
    "started_at_utc": "datetime",
    "submitted_at_utc": "datetime",
    "consented_at_utc": "datetime",
}


@dataclass(frozen=True)
class MissingCodes:
    """A variable's codes for "not shown" (its show-if was false, or its version did not ask
    it) and "not reached" (a partial response stopped before its page)."""

    not_shown: int
    not_reached: int


@dataclass
class StatColumn:
    column: str  # its name on the Responses sheet
    name: str  # its name in the statistics files
    kind: str  # number, choice, text, date, time, datetime
    label: str
    variable: Variable | None = None
    codes: dict[object, int] = field(default_factory=dict)  # Responses cell -> number
    value_labels: dict[int, str] = field(default_factory=dict)
    missing: MissingCodes | None = None
    ordinal: bool = False

    @property
    def labelled(self) -> bool:
        return bool(self.value_labels)

    def missing_labels(self, language: str) -> dict[int, str]:
        if self.missing is None:
            return {}
        texts = TEXTS[language]
        return {
            self.missing.not_shown: texts["not_shown"],
            self.missing.not_reached: texts["not_reached"],
        }


def missing_codes(variable: Variable) -> MissingCodes:
    """The first pair of codes no answer to this variable can take."""
    low, high = float("inf"), float("-inf")
    if variable.is_multiple:
        taken = {0, 1}
    elif variable.is_choice:
        taken = set(_choice_numbers(variable).values())
    else:
        taken = set()
        if variable.is_numeric:
            low = variable.min_value if variable.min_value is not None else -NUMBER_LIMIT
            high = variable.max_value if variable.max_value is not None else NUMBER_LIMIT
    for pair in _CODE_PAIRS:
        if not any(code in taken or low <= code <= high for code in pair):
            return MissingCodes(*pair)
    raise AssertionError("the last pair is below every possible answer")


def _choice_numbers(variable: Variable) -> dict[str, int]:
    """Choice code -> its number: integer codes keep their value, others are numbered 1, 2, ...
    in choice order."""
    if variable.numeric_codes:
        return {c.code: int(c.code) for c in variable.choices}
    return {c.code: number for number, c in enumerate(variable.choices, start=1)}


def _question(variable: Variable, language: str) -> str:
    question = (variable.label_fr if language == "fr" else None) or variable.label_en
    if variable.follow_up:  # the same words may be asked in both waves
        return TEXTS[language]["follow_up"].format(question=question)
    return question


def _choice_label(variable: Variable, code: str, language: str) -> str:
    choice = next(c for c in variable.choices if c.code == code)
    return (choice.label_fr if language == "fr" else None) or choice.label_en


def _variable_columns(variable: Variable, language: str) -> list[StatColumn]:
    texts = TEXTS[language]
    question = _question(variable, language)
    missing = missing_codes(variable)
    if variable.is_multiple:
        return [
            StatColumn(
                column=f"{variable.name}__{choice.code}",
                name="",
                kind="choice",
                label=f"{question} – {_choice_label(variable, choice.code, language)}",
                variable=variable,
                codes={0: 0, 1: 1},
                value_labels={0: texts["not_selected"], 1: texts["selected"]},
                missing=missing,
            )
            for choice in variable.choices
        ]
    if variable.is_choice:
        numbers = _choice_numbers(variable)
        cells: dict[object, int] = {
            (int(code) if variable.numeric_codes else code): n for code, n in numbers.items()
        }
        return [
            StatColumn(
                column=variable.name,
                name="",
                kind="choice",
                label=question,
                variable=variable,
                codes=cells,
                value_labels={
                    n: _choice_label(variable, code, language) for code, n in numbers.items()
                },
                missing=missing,
                ordinal=variable.is_likert,
            )
        ]
    # A date, time or date and time is its own kind (its type's name); such columns have no
    # missing codes: both files keep them as typed values.
    spec = variable.spec
    moment = spec.statistics == "date"
    kind = "number" if spec.numeric else str(spec.type) if moment else "text"
    return [
        StatColumn(
            column=variable.name,
            name="",
            kind=kind,
            label=question,
            variable=variable,
            missing=None if moment else missing,
        )
    ]


def score_labels(versions: list[QuestionnaireVersion]) -> dict[str, tuple[str, str | None]]:
    return {s.name: (s.label_en, s.label_fr) for v in versions for s in v.scores}


def stat_columns(
    table: ResponseTable, language: str, score_labels: dict[str, tuple[str, str | None]]
) -> list[StatColumn]:
    """The Responses table's columns, in order, as the statistics files hold them."""
    texts, fixed = TEXTS[language], FIXED_LABELS[language]
    columns = [StatColumn(c, "", _FIXED_KINDS.get(c, "number"), fixed[c]) for c in FIXED_COLUMNS]
    for variable in table.variables:
        if not variable.follow_up:
            columns += _variable_columns(variable, language)
    for score in table.score_names:
        english, french = score_labels.get(score, (score, None))
        columns.append(
            StatColumn(score, "", "number", (french if language == "fr" else None) or english)
        )
    for key in table.toolkit_sections:
        columns.append(
            StatColumn(f"toolkit_{key}_opened", "", "number", texts["opened"].format(key=key))
        )
        columns.append(
            StatColumn(f"toolkit_{key}_seconds", "", "number", texts["seconds"].format(key=key))
        )
    columns.append(StatColumn("toolkit_sections_opened", "", "number", texts["sections_opened"]))
    columns.append(StatColumn("toolkit_seconds", "", "number", texts["toolkit_seconds"]))
    columns.append(StatColumn("toolkit_prompt_shown", "", "number", texts["prompt_shown"]))
    if table.follow_up:
        columns += [
            StatColumn(c, "", _FIXED_KINDS.get(c, "number"), texts[c])
            for c in follow_up.FIXED_COLUMNS
        ]
        for variable in table.variables:
            if variable.follow_up:
                columns += _variable_columns(variable, language)
    _name(columns)
    return columns


def _name(columns: list[StatColumn]) -> None:
    """A name each package accepts, unique without regard to case (SPSS ignores case). A name
    that is already valid is kept; the others are made valid, then shortened with a number
    where two would be the same. pyreadstat names a Stata value-label set after its variable
    plus a number, which must fit in 32 characters too."""
    labelled = sum(c.labelled for c in columns)
    label_digits = len(str(max(labelled - 1, 0)))
    valid = [_valid(c.column) for c in columns]
    limits = [NAME_LIMIT - (label_digits if c.labelled else 0) for c in columns]
    taken = {
        v.lower()
        for c, v, limit in zip(columns, valid, limits, strict=True)
        if v == c.column and len(v) <= limit
    }
    for column, name, limit in zip(columns, valid, limits, strict=True):
        if name == column.column and len(name) <= limit:
            column.name = name
            continue
        candidate, number = name[:limit], 1
        while candidate.lower() in taken:
            number += 1
            suffix = f"_{number}"
            candidate = name[: limit - len(suffix)] + suffix
        taken.add(candidate.lower())
        column.name = candidate


def _valid(column: str) -> str:
    name = _NOT_NAME.sub("_", column)
    if not name[:1].isalpha():
        name = "v" + name
    if name.lower() in RESERVED or re.fullmatch(r"str\d+", name.lower()):  # Stata's str1...
        name += "_"
    return name


def shorten_characters(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


def shorten_bytes(text: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8, cut between characters."""
    if len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode("utf-8"))
    return text.encode("utf-8")[:room].decode("utf-8", "ignore") + ELLIPSIS


def shortened_notes(columns_by_language: dict[str, list[StatColumn]]) -> dict[str, str]:
    """Column -> what the statistics files change: its name, and which labels are shortened
    (for the Codebook sheet)."""
    notes: dict[str, list[str]] = {}
    for language, columns in columns_by_language.items():
        for column in columns:
            said = notes.setdefault(column.column, [])
            if column.name != column.column and not said:
                said.append(f"named {column.name}")
            if column.missing and language == "en":
                said.append(
                    f"missing codes {column.missing.not_shown} = not shown, "
                    f"{column.missing.not_reached} = not reached (.a and .b in Stata)"
                )
            if len(column.label) > STATA_LABEL_CHARACTERS:
                said.append(f"{language} label cut to {STATA_LABEL_CHARACTERS} characters in .dta")
            if len(column.label.encode("utf-8")) > SPSS_LABEL_BYTES:
                said.append(f"{language} label cut to {SPSS_LABEL_BYTES} bytes in .sav")
            long_values = [
                str(value)
                for value, label in column.value_labels.items()
                if len(label.encode("utf-8")) > SPSS_VALUE_LABEL_BYTES
            ]
            if long_values:
                said.append(
                    f"{language} value labels of {', '.join(long_values)} cut to "
                    f"{SPSS_VALUE_LABEL_BYTES} bytes in .sav"
                )
    return {column: "; ".join(said) for column, said in notes.items() if said}


def codebook_notes(table: ResponseTable, versions: list[QuestionnaireVersion]) -> dict[str, str]:
    """What the statistics files change, column by column, in either language."""
    labels = score_labels(versions)
    return shortened_notes({lang: stat_columns(table, lang, labels) for lang in LANGUAGES})
