"""The questionnaire spreadsheet (XLSForm style): round trip, injection guard, and every
mistake in an upload named by sheet, row and column."""

from __future__ import annotations

import copy
import json
from io import BytesIO
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from exports.xlsform import (
    ImportResult,
    SheetError,
    XLSFormError,
    read_xlsform,
    write_xlsform,
)
from survey.questionnaire.loader import DEFAULT_QUESTIONNAIRE, build_version

Grid = list[list[Any]]


def default_definition() -> dict[str, Any]:
    return json.loads(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))


def written(definition: dict[str, Any]) -> BytesIO:
    out = BytesIO()
    write_xlsform(definition, out)
    out.seek(0)
    return out


def workbook(**sheets: Grid) -> BytesIO:
    """A workbook with one sheet per keyword, each a grid of rows (the first is the header)."""
    book = Workbook()
    book.remove(book.active)
    for title, grid in sheets.items():
        sheet = book.create_sheet(title)
        for row in grid:
            sheet.append(row)
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out


def refused(source: BytesIO) -> list[SheetError]:
    with pytest.raises(XLSFormError) as refusal:
        read_xlsform(source)
    return refusal.value.errors


def where(errors: list[SheetError]) -> list[tuple[str, int | None, str | None]]:
    return [(str(e.sheet), e.row, e.column) for e in errors]


# --- round trip ----------------------------------------------------------------------------
def test_default_questionnaire_round_trips_to_the_same_definition() -> None:
    definition = default_definition()

    result = read_xlsform(written(definition))

    assert result.definition == definition
    assert result.notices == []


def test_workbook_to_definition_to_workbook_is_the_same_cell_by_cell() -> None:
    first = written(default_definition())
    second = written(read_xlsform(first).definition)
    first.seek(0)

    before, after = load_workbook(first), load_workbook(second)

    assert before.sheetnames == after.sheetnames == ["survey", "choices", "settings", "scores"]
    for name in before.sheetnames:
        cells = [[(c.value, c.data_type) for c in row] for row in before[name].iter_rows()]
        again = [[(c.value, c.data_type) for c in row] for row in after[name].iter_rows()]
        assert cells == again, name


def test_the_written_workbook_reads_like_an_xlsform() -> None:
    book = load_workbook(written(default_definition()))
    survey = list(book["survey"].iter_rows(values_only=True))
    header = survey[0]
    rows = [dict(zip(header, row, strict=True)) for row in survey[1:]]
    pages = {row["name"]: row for row in rows if row["type"] == "begin_group"}
    questions = {row["name"]: row for row in rows if "group" not in row["type"]}

    assert header[:11] == (
        "type",
        "name",
        "label::English (en)",
        "label::French (fr)",
        "hint::English (en)",
        "hint::French (fr)",
        "required",
        "relevant",
        "constraint",
        "appearance",
        "parameters",
    )
    assert pages["eligibility"]["kind"] == "eligibility"
    assert pages["eligibility"]["screen_out_if"] == "${eligibility} = 'none'"
    assert pages["toolkit"]["label::English (en)"] == "The hand expression toolkit"
    assert [row["type"] for row in rows].count("end_group") == len(pages) == 9
    assert questions["pregnant"]["type"] == "select_one yes_no"
    assert questions["pregnant"]["appearance"] == "horizontal"
    assert questions["pregnant"]["required"] == "yes"
    assert questions["pregnancy_weeks"]["constraint"] == ". >= 1 and . <= 42"
    assert questions["pregnancy_weeks"]["relevant"] == "${pregnant} = 'yes'"
    assert questions["sus_01"]["appearance"] == "likert"
    assert questions["info_formats"]["type"] == "select_multiple info_formats"
    assert questions["info_formats_other"]["constraint"] == "string-length(.) <= 200"
    assert questions["pain_during"]["type"] == "range"
    assert questions["pain_during"]["parameters"] == "start=0 end=10 step=1"
    assert questions["comment_liked"]["appearance"] == "multiline"
    settings = list(book["settings"].iter_rows(values_only=True))
    assert dict(zip(*settings, strict=True)) == {
        "form_title::English (en)": "Hand expression toolkit survey",
        "form_title::French (fr)": "Sondage sur la trousse d’expression manuelle du lait",
        "form_id": "milk",
        "version": "consent-2026-11-v1",
        "default_language": "English (en)",
    }


def test_every_question_type_and_optional_key_round_trips() -> None:
    definition = {
        "slug": "every-type",
        "title": {"en": "Every type"},
        "consent_version": "v1",
        "choice_lists": {
            "yn": [{"code": "1", "label": {"en": "Yes"}}, {"code": "-99", "label": {"en": "No"}}]
        },
        "pages": [
            {
                "name": "only",
                "kind": "questions",
                "title": {"en": "Only page", "fr": "Seule page"},
                "intro": {"fr": "Une introduction"},
                "questions": [
                    {"name": "pick", "type": "single_choice", "list": "yn", "label": {"en": "A"}},
                    {"name": "yes_no", "type": "yes_no", "list": "yn", "label": {"en": "B"}},
                    {"name": "many", "type": "multiple_choice", "list": "yn", "label": {"en": "C"}},
                    {"name": "rate", "type": "rating", "min": 1, "max": 5, "label": {"en": "D"}},
                    {"name": "count", "type": "integer", "min": -3, "label": {"en": "E"}},
                    {"name": "weight", "type": "decimal", "max": 9.5, "label": {"en": "F"}},
                    {"name": "born", "type": "date", "identifier": True, "label": {"en": "G"}},
                    {"name": "nick", "type": "short_text", "label": {"en": "H"}},
                    {"name": "story", "type": "long_text", "label": {"en": "I"}},
                    {"name": "thanks", "type": "note", "label": {"en": "J"}, "hint": {"fr": "K"}},
                ],
            }
        ],
        "scores": [],
    }

    assert read_xlsform(written(definition)).definition == definition


def test_an_imported_definition_builds_a_version() -> None:
    definition = read_xlsform(written(default_definition())).definition

    version = build_version(definition)

    assert [p.name for p in version.pages][:2] == ["eligibility", "consent"]
    assert version.scores[0].multiplier == 2.5


# --- spreadsheet injection -----------------------------------------------------------------
@pytest.mark.parametrize("label", ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)"])
def test_a_formula_looking_label_stays_a_text_cell(label: str) -> None:
    definition = default_definition()
    definition["pages"][0]["questions"][0]["label"]["en"] = label

    out = written(definition)
    cell = load_workbook(out)["survey"]["C3"]

    assert (cell.value, cell.data_type) == (label, "s")
    out.seek(0)
    assert read_xlsform(out).definition == definition


# --- mistakes, one at a time ---------------------------------------------------------------
SURVEY: Grid = [
    ["type", "name", "label::English (en)", "label::French (fr)", "required", "relevant"]
    + ["constraint", "parameters"],
    ["begin_group", "about", "About you", "À propos de vous"],
    ["select_one yes_no", "pregnant", "Are you pregnant?", "Êtes-vous enceinte ?", "yes"],
    ["integer", "weeks", "How many weeks?", None, None, "${pregnant} = 'yes'", ". >= 1"],
    ["range", "pain", "How much pain?", None, None, None, None, "start=0 end=10 step=1"],
    ["end_group"],
]
CHOICES: Grid = [
    ["list_name", "name", "label::English (en)", "label::French (fr)"],
    ["yes_no", "yes", "Yes", "Oui"],
    ["yes_no", "no", "No", "Non"],
]
SETTINGS: Grid = [
    ["form_title", "form_id", "version", "default_language"],
    ["Small survey", "small", "consent-1", "English (en)"],
]


def small_form(**changes: dict[tuple[int, str], Any]) -> BytesIO:
    """The small valid form with cells changed: sheet=({(row, header): value}), adding any
    header that is not there yet."""
    grids = {"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS}
    grids = {name: copy.deepcopy(grid) for name, grid in grids.items()}
    for name, cells in changes.items():
        grid = grids[name]
        for (row, header), value in cells.items():
            if header not in grid[0]:
                grid[0].append(header)
            column = grid[0].index(header)
            while len(grid) < row:
                grid.append([])
            line = grid[row - 1]
            line.extend([None] * (column + 1 - len(line)))
            line[column] = value
    return workbook(**grids)


def test_the_small_form_is_valid() -> None:
    result = read_xlsform(small_form())

    page = result.definition["pages"][0]
    assert page["questions"][1] == {
        "name": "weeks",
        "type": "integer",
        "min": 1,
        "show_if": "${pregnant} = 'yes'",
        "label": {"en": "How many weeks?"},
    }
    assert page["questions"][2]["min"] == 0 and page["questions"][2]["max"] == 10


LABEL = "label::English (en)"
MISTAKES = [
    # (sheet, row, column, value written there, what the error says)
    ("survey", 4, "relevant", "${foo} = 'yes'", "unknown variable ${foo} (at character 1)"),
    ("survey", 3, "relevant", "${weeks} > 3", "${weeks} is asked later"),
    (
        "survey",
        4,
        "relevant",
        "${weeks} > 3",
        "${weeks} is this question itself: a condition "
        "cannot depend on its own answer (at character 1)",
    ),
    ("survey", 4, "relevant", "${pregnant} =", "expected a value"),
    ("survey", 3, "type", "select_one colours", "no choice list colours"),
    ("survey", 4, "name", "pregnant", "already the name of the question on row 3"),
    ("survey", 4, "name", "2weeks", "not a valid name"),
    ("survey", 3, LABEL, None, "needs an English label"),
    ("survey", 5, "parameters", "start=0 end=10 step=2", "only step=1"),
    ("survey", 5, "parameters", "start=10 end=0", "start must be below end"),
    ("survey", 5, "parameters", None, "needs parameters start and end"),
    ("survey", 4, "constraint", ". > 1", "cannot read '. > 1'"),
    ("survey", 4, "constraint", ". >= 50 and . <= 42", "minimum is larger than the maximum"),
    ("survey", 3, "constraint", ". >= 1", "constraints are read on integer, decimal and text"),
    ("survey", 3, "required", "maybe", "write yes or no"),
    ("survey", 3, "parameters", "randomize=true", "only read on range rows"),
    ("survey", 2, "relevant", "${pregnant} = 'yes'", "relevant on a group is not supported"),
    ("survey", 2, "kind", "intro", "'intro' is not one of"),
    ("survey", 2, "screen_out_if", "${nobody} = 1", "unknown variable ${nobody}"),
    ("survey", 3, "type", "select_one yes_no or_other", "or_other is not supported"),
    ("survey", 4, "type", "calculate", "type calculate is not supported"),
    ("survey", 4, "type", "geopoint", "type geopoint is not supported"),
    ("survey", 4, "type", "begin_repeat", "repeats are not supported"),
    ("survey", 3, "constraint_message", "Too big", "column constraint_message is not supported"),
    ("survey", 3, "choice_filter", "${x} = 1", "column choice_filter is not supported"),
    ("survey", 3, "media::image", "baby.png", "column media::image is not supported"),
    ("survey", 3, "label::Spanish (es)", "¿Está embarazada?", "only English (en) and French"),
    ("survey", 3, "identifier", "perhaps", "write yes or no"),
    ("survey", 6, "kind", "consent", "kind does not apply to a end_group row"),
    ("survey", 4, LABEL, "=SUM(A1:A3)", "a formula"),
    ("choices", 3, "name", "yes", "yes_no already has the code yes (row 2)"),
    ("choices", 3, "name", "no way", "not a valid choice code"),
    ("choices", 2, LABEL, None, "the choice needs an English label"),
    ("settings", 2, "form_id", None, "the form needs a form_id"),
    ("settings", 2, "form_title", None, "needs an English form_title"),
]


@pytest.mark.parametrize(("sheet", "row", "column", "value", "says"), MISTAKES)
def test_a_mistake_is_named_by_sheet_row_and_column(
    sheet: str, row: int, column: str, value: Any, says: str
) -> None:
    errors = refused(small_form(**{sheet: {(row, column): value}}))

    assert where(errors) == [(sheet, row, column)], errors
    assert says in str(errors[0].message)


def test_an_unclosed_group_is_named_at_its_begin_group() -> None:
    errors = refused(small_form(survey={(6, "type"): None}))

    assert [str(e) for e in errors] == [
        "survey, row 2, column type: this group is never closed with an end_group"
    ]


def test_an_end_group_without_a_group() -> None:
    errors = refused(small_form(survey={(7, "type"): "end_group"}))

    assert where(errors) == [("survey", 7, "type")]


def test_a_group_inside_a_group_is_refused() -> None:
    survey = [
        ["type", "name", "label"],
        ["begin_group", "outer", "Outer"],
        ["begin_group", "inner", "Inner"],
        ["text", "nick", "Nickname?"],
        ["end_group"],
        ["end_group"],
    ]

    errors = refused(workbook(survey=survey, choices=CHOICES, settings=SETTINGS))

    assert where(errors) == [("survey", 3, "type")]
    assert "a group inside a group is not supported" in str(errors[0].message)


def test_an_error_reads_as_sheet_row_column_and_message() -> None:
    errors = refused(small_form(survey={(4, "relevant"): "${foo} = 'yes'"}))

    assert (
        str(errors[0]) == "survey, row 4, column relevant: unknown variable ${foo} (at character 1)"
    )


def test_a_file_that_is_no_workbook_is_refused() -> None:
    errors = refused(BytesIO(b"type,name,label\ninteger,age,Age\n"))

    assert where(errors) == [("file", None, None)]


# --- many mistakes at once -----------------------------------------------------------------
def test_every_mistake_in_one_upload_is_reported() -> None:
    source = small_form(
        survey={
            (2, LABEL): None,  # a page without a title
            (3, "type"): "select_one colour",  # an unknown list
            (4, "constraint"): ". <= ten",  # a constraint that does not read
            (5, "type"): "calculate",  # an unsupported type
            (6, "name"): "pregnant",  # end_group: its name is ignored...
            (7, "type"): "text",  # ...but a question reusing a name is not
            (7, "name"): "pregnant",
            (7, LABEL): "Again?",
            (7, "relevant"): "${missing} = 1",
        },
        choices={(3, "name"): "yes"},
        settings={(2, "form_id"): "bad id!"},
    )

    errors = refused(source)

    assert where(errors) == [
        ("settings", 2, "form_id"),
        ("choices", 3, "name"),
        ("survey", 2, LABEL),
        ("survey", 3, "type"),
        ("survey", 4, "constraint"),
        ("survey", 5, "type"),
        ("survey", 7, "name"),
        ("survey", 7, "relevant"),
    ]


CELL_VALUES = st.one_of(
    st.none(),
    st.integers(-3, 50),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(
        ["yes", "TRUE()", "begin_group", "end_group", "select_one yes_no", "range", "text"]
        + ["calculate", "start", "${pregnant} = 'yes'", "${weeks} > 2", ". >= 1", "=A1"]
        + ["string-length(.) <= 5", "start=1 end=5", "likert", "multiline", "consent"]
    ),
)
HEADERS = st.sampled_from(SURVEY[0] + ["appearance", "kind", "identifier", "hint", "$kuid"])


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.tuples(st.integers(2, 8), HEADERS), CELL_VALUES, max_size=3))
def test_any_upload_is_imported_or_refused_and_what_imports_round_trips(
    cells: dict[tuple[int, str], Any],
) -> None:
    try:
        result = read_xlsform(small_form(survey=cells))
    except XLSFormError as refusal:
        assert refusal.errors
        return

    assert read_xlsform(written(result.definition)).definition == result.definition


def test_empty_rows_are_skipped_and_later_rows_keep_their_numbers() -> None:
    grid = copy.deepcopy(SURVEY)
    grid.insert(3, [])
    grid[4][5] = "${nope} = 1"  # the weeks question, now on row 5

    errors = refused(workbook(survey=grid, choices=CHOICES, settings=SETTINGS))

    assert where(errors) == [("survey", 5, "relevant")]


# --- forms from ODK and KoboToolbox --------------------------------------------------------
KOBO_SURVEY: Grid = [
    ["type", "name", "label::English (en)", "label::French (fr)", "hint::English (en)"]
    + ["required", "relevant", "constraint", "appearance", "$kuid", "$autoname"],
    ["start", "start", None, None, None, None, None, None, None, "aB1", "start"],
    ["end", "end", None, None, None, None, None, None, None, "cD2", "end"],
    ["select_one yn", "breastfeeding", "Are you breastfeeding?", "Allaitez-vous ?", None, "true"]
    + [None, None, None, "eF3", "breastfeeding"],
    ["select_one method", "method", "How do you express milk?", "Comment exprimez-vous ?"]
    + [None, "false", "${breastfeeding} = 'yes'", None, "minimal", "gH4", "method"],
    ["integer", "baby_weeks", "How old is your baby?", "Quel âge a votre bébé ?", "In weeks"]
    + ["TRUE()", None, ". >= 0 and . <= 104", None, "iJ5", "baby_weeks"],
    ["text", "comments", "Anything else?", "Autre chose ?", None, "false", None, None]
    + ["multiline", "kL6", "comments"],
]
KOBO_CHOICES: Grid = [
    ["list_name", "name", "label::English (en)", "label::French (fr)", "$autovalue", "$kuid"],
    ["yn", "yes", "Yes", "Oui", "yes", "mN7"],
    ["yn", "no", "No", "Non", "no", "oP8"],
    ["method", "hand", "By hand", "À la main", "hand", "qR9"],
    ["method", "pump", "With a pump", "Avec un tire-lait", "pump", "sT0"],
]
KOBO_SETTINGS: Grid = [
    ["form_title", "form_id", "version", "style"],
    ["Feeding check", "feeding_check", "3 (2024-05-01 10:00:00)", "pages"],
]


def test_a_kobo_form_imports_with_notices_for_what_it_skips() -> None:
    source = workbook(survey=KOBO_SURVEY, choices=KOBO_CHOICES, settings=KOBO_SETTINGS)

    result = read_xlsform(source)

    assert isinstance(result, ImportResult)
    assert result.definition == {
        "slug": "feeding_check",
        "title": {"en": "Feeding check"},
        "consent_version": "3 (2024-05-01 10:00:00)",
        "choice_lists": {
            "yn": [
                {"code": "yes", "label": {"en": "Yes", "fr": "Oui"}},
                {"code": "no", "label": {"en": "No", "fr": "Non"}},
            ],
            "method": [
                {"code": "hand", "label": {"en": "By hand", "fr": "À la main"}},
                {"code": "pump", "label": {"en": "With a pump", "fr": "Avec un tire-lait"}},
            ],
        },
        "pages": [
            {
                "name": "page_1",
                "kind": "questions",
                "title": {"en": "Page 1", "fr": "Page 1"},
                "questions": [
                    {
                        "name": "breastfeeding",
                        "type": "single_choice",
                        "list": "yn",
                        "required": True,
                        "label": {"en": "Are you breastfeeding?", "fr": "Allaitez-vous ?"},
                    },
                    {
                        "name": "method",
                        "type": "single_choice",
                        "list": "method",
                        "show_if": "${breastfeeding} = 'yes'",
                        "label": {
                            "en": "How do you express milk?",
                            "fr": "Comment exprimez-vous ?",
                        },
                    },
                    {
                        "name": "baby_weeks",
                        "type": "integer",
                        "required": True,
                        "min": 0,
                        "max": 104,
                        "label": {"en": "How old is your baby?", "fr": "Quel âge a votre bébé ?"},
                        "hint": {"en": "In weeks"},
                    },
                    {
                        "name": "comments",
                        "type": "long_text",
                        "label": {"en": "Anything else?", "fr": "Autre chose ?"},
                    },
                ],
            }
        ],
        "scores": [],
    }
    notices = {(n.sheet, n.row, n.column): str(n.message) for n in result.notices}
    assert "metadata" in notices["survey", 2, "type"]
    assert "metadata" in notices["survey", 3, "type"]
    assert "bookkeeping" in notices["survey", 1, "$kuid"]
    assert "bookkeeping" in notices["survey", 1, "$autoname"]
    assert "bookkeeping" in notices["choices", 1, "$autovalue"]
    assert "page_1" in notices["survey", 4, None]
    assert "minimal" in notices["survey", 5, "appearance"]
    assert "style" in notices["settings", 2, "style"]
    build_version(result.definition)


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("label", "label::French (fr)"),
        ("label::English", "label::French"),
        ("label::en", "label::fr"),
        ("label::English (en)", "label::Français (fr)"),
    ],
)
def test_label_columns_in_the_spellings_odk_and_kobo_use(english: str, french: str) -> None:
    survey = [
        ["type", "name", english, french],
        ["select_one yes_no", "pregnant", "Are you pregnant?", "Êtes-vous enceinte ?"],
    ]
    choices = [["list_name", "name", english, french], ["yes_no", "yes", "Yes", "Oui"]]

    result = read_xlsform(workbook(survey=survey, choices=choices, settings=SETTINGS))

    question = result.definition["pages"][0]["questions"][0]
    assert question["label"] == {"en": "Are you pregnant?", "fr": "Êtes-vous enceinte ?"}
    assert result.definition["choice_lists"]["yes_no"][0]["label"] == {"en": "Yes", "fr": "Oui"}


def test_a_missing_version_is_a_notice_and_becomes_1() -> None:
    settings = [["form_title", "form_id"], ["Small survey", "small"]]

    result = read_xlsform(workbook(survey=SURVEY, choices=CHOICES, settings=settings))

    assert result.definition["consent_version"] == "1"
    assert [(n.sheet, n.row, n.column) for n in result.notices] == [("settings", 2, "version")]


@pytest.mark.parametrize(
    ("row", "feature"),
    [
        (["begin_repeat", "babies", "Each baby"], "repeats are not supported"),
        (["calculate", "total", None], "type calculate is not supported"),
        (["select_one yes_no or_other", "q", "Q?"], "or_other is not supported"),
        (["image", "photo", "A photo"], "type image is not supported"),
        (["acknowledge", "ok", "OK?"], "type acknowledge is not supported"),
        (["select_one_from_file towns.csv", "town", "Town?"], "type select_one_from_file is"),
    ],
)
def test_an_unsupported_feature_is_named(row: list[Any], feature: str) -> None:
    survey = [["type", "name", "label"], row]

    errors = refused(workbook(survey=survey, choices=CHOICES, settings=SETTINGS))

    assert where(errors) == [("survey", 2, "type")]
    assert feature in str(errors[0].message)
