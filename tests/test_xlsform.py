"""The questionnaire spreadsheet (XLSForm style): round trip, injection guard, and every
mistake in an upload named by sheet, row and column."""

from __future__ import annotations

import copy
import json
from datetime import date
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

    assert header[:13] == (
        "type",
        "name",
        "label::English (en)",
        "label::French (fr)",
        "hint::English (en)",
        "hint::French (fr)",
        "required",
        "relevant",
        "constraint",
        "constraint_message::English (en)",
        "constraint_message::French (fr)",
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
    ("survey", 4, "constraint", ". >= 50 and . <= 42", "minimum is larger than the maximum"),
    ("survey", 3, "required", "maybe", "write yes or no"),
    ("survey", 3, "parameters", "randomize=true", "only read on range rows"),
    ("survey", 2, "relevant", "${pregnant} = 'yes'", "${pregnant} is asked later"),
    ("survey", 5, "constraint", ". > 1", "a range's limits are its start and end"),
    ("survey", 6, "constraint", ". > 1", "constraint does not apply to a end_group row"),
    ("survey", 2, "kind", "intro", "'intro' is not one of"),
    ("survey", 2, "screen_out_if", "${nobody} = 1", "unknown variable ${nobody}"),
    ("survey", 4, "type", "geotrace", "type geotrace is not supported"),
    ("survey", 4, "type", "geopoint", "type geopoint is not supported"),
    ("survey", 4, "type", "begin_repeat", "repeats are not supported"),
    ("survey", 3, "choice_filter", "${x} = 1", "column choice_filter is not supported"),
    ("survey", 3, "label::Spanish (es)", "¿Está embarazada?", "only English (en) and French"),
    ("survey", 3, "identifier", "perhaps", "write yes or no"),
    ("survey", 6, "kind", "consent", "kind does not apply to a end_group row"),
    ("survey", 4, LABEL, "=SUM(A1:A3)", "a formula"),
    ("choices", 3, "name", "yes", "yes_no already has the code yes (row 2)"),
    ("choices", 3, "name", "no way", "not a valid choice code"),
    ("choices", 2, LABEL, None, "the choice needs an English label"),
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
            (2, "kind"): "intro",  # a page of no kind we know
            (3, "type"): "select_one colour",  # an unknown list
            (4, "constraint"): ". <= ten",  # a constraint that does not read
            (5, "type"): "geoshape",  # an unsupported type
            (6, "name"): "pregnant",  # end_group: its name is ignored...
            (7, "type"): "text",  # ...but a question's is not
            (7, "name"): "no name!",
            (7, LABEL): "Again?",
            (7, "relevant"): "${missing} = 1",
        },
        choices={(3, "name"): "yes"},
        settings={(2, "version"): "v" * 65},
    )

    errors = refused(source)

    assert where(errors) == [
        ("survey", 2, "kind"),
        ("survey", 3, "type"),
        ("survey", 4, "constraint"),
        ("survey", 5, "type"),
        ("survey", 7, "name"),
        ("survey", 7, "relevant"),
        ("choices", 3, "name"),
        ("settings", 2, "version"),
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
        (["geoshape", "area", None], "type geoshape is not supported"),
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


# --- real ODK and KoboToolbox forms (issue 18) ---------------------------------------------
def read(survey: Grid, choices: Grid = CHOICES, **sheets: Grid) -> ImportResult:
    return read_xlsform(workbook(survey=survey, choices=choices, **sheets))


def notices_at(
    result: ImportResult | XLSFormError,
) -> dict[tuple[str, int | None, str | None], Any]:
    return {(str(n.sheet), n.row, n.column): str(n.message) for n in result.notices}


def questions_of(result: ImportResult) -> dict[str, dict[str, Any]]:
    return {q["name"]: q for p in result.definition["pages"] for q in p["questions"]}


def test_pyxform_setting_names_id_string_and_title_are_read() -> None:
    settings = [["title", "id_string", "version"], ["Feeding check", "feeding_check", "7"]]

    result = read(SURVEY, settings=settings)

    assert result.definition["slug"] == "feeding_check"
    assert result.definition["title"] == {"en": "Feeding check"}
    assert result.definition["consent_version"] == "7"
    assert [n for n in result.notices if str(n.sheet) == "settings"] == []


def test_a_form_without_settings_is_named_after_its_file(tmp_path) -> None:
    path = tmp_path / "Baby feeding (v2).xlsx"
    path.write_bytes(workbook(survey=SURVEY, choices=CHOICES).getvalue())

    result = read_xlsform(path)

    assert result.definition["slug"] == "Baby_feeding_v2"
    assert result.definition["title"] == {"en": "Baby_feeding_v2"}
    assert result.definition["consent_version"] == "1"
    notices = notices_at(result)
    assert "from the file's name" in notices["settings", None, "form_id"]
    assert "no English form_title" in notices["settings", None, "form_title"]
    assert ("settings", None, "version") in notices


def test_an_uploaded_file_without_form_id_is_named_after_the_name_given() -> None:
    settings = [["form_title", "version"], ["Small survey", "2"]]
    source = workbook(survey=SURVEY, choices=CHOICES, settings=settings)

    result = read_xlsform(source, file_name="kobo export.xlsx")

    assert result.definition["slug"] == "kobo_export"
    assert result.definition["title"] == {"en": "Small survey"}
    assert list(notices_at(result)) == [("settings", 2, "form_id")]


def with_cached_result(source: BytesIO, sheet_title: str, formula: str, result: str) -> BytesIO:
    """The workbook with one formula cell given the result Excel would have saved with it
    (openpyxl writes formulas without results)."""
    import re
    import zipfile

    parts = {}
    with zipfile.ZipFile(source) as archive:
        names = archive.namelist()
        for name in names:
            parts[name] = archive.read(name)
    book = load_workbook(BytesIO(source.getvalue()))
    index = book.sheetnames.index(sheet_title) + 1
    part = f"xl/worksheets/sheet{index}.xml"
    xml = parts[part].decode()
    cell = re.compile(r'<c r="(\w+)"([^>]*)><f>' + re.escape(formula) + r"</f><v\s*/?>(?:</v>)?")
    xml, count = cell.subn(rf'<c r="\1" t="str"><f>{formula}</f><v>{result}</v>', xml)
    assert count == 1, xml
    parts[part] = xml.encode()
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, parts[name])
    out.seek(0)
    return out


def test_a_formula_in_version_is_read_as_its_saved_result() -> None:
    settings = [["form_title", "form_id", "version"], ["Small", "small", "=1+1"]]
    source = with_cached_result(
        workbook(survey=SURVEY, choices=CHOICES, settings=settings), "settings", "1+1", "2"
    )

    result = read_xlsform(source)

    assert result.definition["consent_version"] == "2"


def test_a_date_in_version_is_read_as_the_date() -> None:
    settings = [["form_title", "form_id", "version"], ["Small", "small", date(2024, 5, 1)]]

    result = read(SURVEY, settings=settings)

    assert result.definition["consent_version"] == "2024-05-01"


def test_a_formula_without_a_saved_result_is_one_error_at_its_cell() -> None:
    errors = refused(small_form(survey={(3, "hint"): "=A1"}))

    assert where(errors) == [("survey", 3, "hint")]
    assert "formula" in str(errors[0].message)


@pytest.mark.parametrize(
    "header",
    ["guidance_hint", "guidance_hint::English (en)", "media::image", "read_only"]
    + ["image", "required_message::English (en)"],
)
def test_a_column_that_only_changes_display_or_defaults_is_a_notice(header: str) -> None:
    result = read_xlsform(small_form(survey={(4, header): "3"}))

    assert "ignored" in notices_at(result)["survey", 4, header]
    assert (
        questions_of(result)["weeks"]
        == read_xlsform(small_form()).definition["pages"][0]["questions"][1]
    )


def test_a_group_relevant_becomes_its_pages_show_if() -> None:
    survey = [
        ["type", "name", "label", "relevant"],
        ["begin_group", "first", "First"],
        ["select_one yes_no", "pregnant", "Pregnant?"],
        ["end_group"],
        ["begin_group", "later", "Later", "${pregnant} = 'yes'"],
        ["integer", "weeks", "Weeks?"],
        ["integer", "kicks", "Kicks?", "${weeks} > 20"],
        ["end_group"],
    ]

    result = read(survey)

    questions = questions_of(result)
    pages = {p["name"]: p for p in result.definition["pages"]}
    assert pages["later"]["show_if"] == "${pregnant} = 'yes'"
    assert "show_if" not in pages["first"]
    assert "show_if" not in questions["weeks"]  # the page's, not copied onto each question
    assert questions["kicks"]["show_if"] == "${weeks} > 20"
    assert "show_if" not in questions["pregnant"]
    assert read_xlsform(written(result.definition)).definition == result.definition


def test_a_group_relevant_naming_a_question_inside_it_is_refused_at_the_group() -> None:
    errors = refused(small_form(survey={(2, "relevant"): "${pregnant} = 'yes'"}))

    assert where(errors) == [("survey", 2, "relevant")]
    assert "${pregnant} is asked later" in str(errors[0].message)


def test_nested_groups_are_flattened_into_pages() -> None:
    survey = [
        ["type", "name", "label", "relevant"],
        ["begin_group", "mother", "About you", "${consent} = 'yes'"],
        ["begin_group", "health", "Your health"],
        ["integer", "age", "Age?"],
        ["end_group"],
        ["begin_group", "baby", "Your baby", "${age} > 15"],
        ["text", "baby_name", "Name?"],
        ["end_group"],
        ["text", "notes", "Anything else?"],
        ["end_group"],
    ]
    consent = [["begin_group", "start", "Start"], ["select_one yes_no", "consent", "OK?"]]

    result = read([survey[0], *consent, ["end_group"], *survey[1:]])

    pages = result.definition["pages"]
    assert [(p["name"], p["title"]["en"]) for p in pages] == [
        ("start", "Start"),
        ("health", "Your health"),
        ("baby", "Your baby"),
        ("mother", "About you"),
    ]
    assert [[q["name"] for q in p["questions"]] for p in pages] == [
        ["consent"],
        ["age"],
        ["baby_name"],
        ["notes"],
    ]
    questions = questions_of(result)
    assert not any("show_if" in q for q in questions.values())
    assert [p.get("show_if") for p in pages] == [
        None,
        "${consent} = 'yes'",
        "(${consent} = 'yes') and (${age} > 15)",  # the groups around it, and its own
        "${consent} = 'yes'",
    ]
    notices = notices_at(result)
    assert "a group inside a group" in notices["survey", 6, "type"]
    assert "a group inside a group" in notices["survey", 9, "type"]
    assert read_xlsform(written(result.definition)).definition == result.definition


def test_a_name_repeated_in_another_group_is_made_unique_by_its_group_path() -> None:
    survey = [
        ["type", "name", "label"],
        ["begin_group", "mother", "Mother"],
        ["integer", "age", "Your age?"],
        ["end_group"],
        ["begin_group", "baby", "Baby"],
        ["integer", "age", "Your baby's age?"],
        ["end_group"],
    ]

    result = read(survey)

    assert list(questions_of(result)) == ["age", "baby_age"]
    assert "renamed baby_age" in notices_at(result)["survey", 6, "name"]


def test_a_name_repeated_in_the_same_page_is_still_a_mistake() -> None:
    errors = refused(small_form(survey={(4, "name"): "pregnant"}))

    assert where(errors) == [("survey", 4, "name")]


@pytest.mark.parametrize(
    ("row", "constraint"),
    [
        (4, ". > 0"),
        (4, ". < 999"),
        (4, "${weeks} > 0"),
        (4, ". > 0 and . < 43 or . = 99"),
        (4, "${pregnant} = 'yes' or . > 20"),
        (4, "not(. = 13)"),
        (3, "selected(., 'yes')"),
        (3, "count-selected(.) = 1"),
    ],
)
def test_a_general_constraint_is_kept_as_an_expression(row: int, constraint: str) -> None:
    result = read_xlsform(small_form(survey={(row, "constraint"): constraint}))

    question = result.definition["pages"][0]["questions"][row - 3]
    assert question["accept_if"] == constraint
    assert "min" not in question and "max" not in question
    assert read_xlsform(written(result.definition)).definition == result.definition


def test_a_regex_constraint_on_a_text_question() -> None:
    survey = [
        ["type", "name", "label", "constraint"],
        ["text", "postcode", "Postcode?", "regex(., '^[0-9]{5}$')"],
    ]

    result = read(survey)

    assert questions_of(result)["postcode"]["accept_if"] == "regex(., '^[0-9]{5}$')"


@pytest.mark.parametrize(
    ("constraint", "says"),
    [
        (". > ten", "unknown word or function 'ten'"),
        ("${later} > 1", "unknown variable ${later}"),
        ("regex(., '(a+)+$')", "too slow"),
        ("regex(., '[0-9')", "not a regular expression"),
        ("string-length(.) <= 5 and", "expected a value"),
        (". >= 50 and . <= 42", "minimum is larger than the maximum"),
    ],
)
def test_a_constraint_that_cannot_be_checked_is_a_mistake_at_its_cell(
    constraint: str, says: str
) -> None:
    errors = refused(small_form(survey={(4, "constraint"): constraint}))

    assert where(errors) == [("survey", 4, "constraint")]
    assert says in str(errors[0].message)


def test_the_limits_a_constraint_states_stay_min_and_max() -> None:
    result = read_xlsform(small_form(survey={(4, "constraint"): ". >= 1 and . <= 42"}))

    weeks = questions_of(result)["weeks"]
    assert (weeks["min"], weeks["max"]) == (1, 42) and "accept_if" not in weeks


def test_a_constraint_message_in_both_languages_is_kept_with_its_constraint() -> None:
    result = read_xlsform(
        small_form(
            survey={
                (4, "constraint"): ". >= 1 and . <= 42",
                (4, "constraint_message::English (en)"): "A pregnancy lasts 42 weeks at most",
                (4, "constraint_message::French (fr)"): "Une grossesse dure 42 semaines au plus",
            }
        )
    )

    weeks = questions_of(result)["weeks"]
    assert weeks["accept_if"] == ". >= 1 and . <= 42"
    assert weeks["constraint_message"] == {
        "en": "A pregnancy lasts 42 weeks at most",
        "fr": "Une grossesse dure 42 semaines au plus",
    }
    assert read_xlsform(written(result.definition)).definition == result.definition


def test_a_constraint_message_without_a_constraint_is_a_notice() -> None:
    result = read_xlsform(small_form(survey={(3, "constraint_message"): "Say yes or no"}))

    assert "no constraint" in notices_at(result)["survey", 3, "constraint_message"]
    assert "constraint_message" not in questions_of(result)["pregnant"]


@pytest.mark.parametrize(
    ("label", "select_one", "select_multiple"),
    [
        ("label:English", "select one from yes_no", "select all that apply from yes_no"),
        ("label::English", "select one yes_no", "select all that apply yes_no"),
        ("label", "select_one yes_no", "select multiple yes_no"),
    ],
)
def test_old_pyxform_syntax_is_read(label: str, select_one: str, select_multiple: str) -> None:
    survey = [["type", "name", label], [select_one, "one", "One?"], [select_multiple, "many", "?"]]
    choices = [["list_name", "name", label], ["yes_no", "yes", "Yes"]]

    result = read(survey, choices)

    questions = questions_of(result)
    assert (questions["one"]["type"], questions["one"]["list"]) == ("single_choice", "yes_no")
    assert questions["many"]["type"] == "multiple_choice"
    assert questions["one"]["label"] == {"en": "One?"}


@pytest.mark.parametrize(
    ("metadata", "says"),
    [
        ("start", "each response records when it was started and submitted"),
        ("end", "each response records when it was started and submitted"),
        ("today", "each response records when it was started and submitted"),
        ("deviceid", "device metadata"),
        ("imei", "device metadata"),
        ("uri:deviceid", "device metadata"),
        ("subscriberid", "device metadata"),
        ("start-geopoint", "device metadata"),
    ],
)
def test_metadata_is_skipped_with_a_notice_by_one_rule(metadata: str, says: str) -> None:
    result = read_xlsform(small_form(survey={(7, "type"): metadata, (7, "name"): "meta"}))

    assert says in notices_at(result)["survey", 7, "type"]
    assert "meta" not in questions_of(result)


OUT_OF_SCOPE = [
    ("geopoint", "type geopoint is not supported"),
    ("image", "type image is not supported"),
    ("audio", "type audio is not supported"),
    ("video", "type video is not supported"),
    ("barcode", "type barcode is not supported"),
    ("select_one_from_file towns.csv", "type select_one_from_file is not supported"),
    ("begin_repeat", "repeats are not supported"),
]


@pytest.mark.parametrize(("kind", "says"), OUT_OF_SCOPE)
def test_an_out_of_scope_question_is_refused_by_name_or_dropped(kind: str, says: str) -> None:
    cells = {(4, "type"): kind}
    if kind == "begin_repeat":
        cells |= {(5, "type"): "end_repeat"}

    errors = refused(small_form(survey=cells))
    result = read_xlsform(small_form(survey=cells), skip_unsupported=True)

    assert where(errors) == [("survey", 4, "type")] and says in str(errors[0].message)
    assert "weeks" not in questions_of(result)
    assert notices_at(result)["survey", 4, "type"] == f"dropped: {errors[0].message}"


@pytest.mark.parametrize(
    ("cell", "value", "says"),
    [
        ((3, "choice_filter"), "${x} = 1", "column choice_filter is not supported"),
        ((3, "label::Spanish (es)"), "¿Embarazada?", "only English (en) and French (fr)"),
        ((3, "duration"), "5", "column duration is not supported"),
        ((3, "parameters"), "randomize=true", "parameters are only read on range rows"),
    ],
)
def test_an_unsupported_column_is_refused_or_dropped(
    cell: tuple[int, str], value: str, says: str
) -> None:
    errors = refused(small_form(survey={cell: value}))
    result = read_xlsform(small_form(survey={cell: value}), skip_unsupported=True)

    assert where(errors) == [("survey", cell[0], cell[1])] and says in str(errors[0].message)
    assert notices_at(result)[("survey", cell[0], cell[1])].startswith("dropped: ")
    assert questions_of(result)["pregnant"]["list"] == "yes_no"
    assert questions_of(result)["pregnant"]["label"]["en"] == "Are you pregnant?"


def test_a_condition_reading_a_dropped_question_is_dropped_with_it() -> None:
    source = small_form(survey={(3, "type"): "geopoint", (5, "relevant"): "${weeks} > 3"})
    errors = refused(source)
    source.seek(0)

    result = read_xlsform(source, skip_unsupported=True)

    assert where(errors) == [("survey", 3, "type")]  # not the conditions that read it too
    questions = questions_of(result)
    assert list(questions) == ["weeks", "pain"]
    assert "show_if" not in questions["weeks"]
    assert "${pregnant}" in notices_at(result)["survey", 4, "relevant"]
    assert questions["pain"]["show_if"] == "${weeks} > 3"


def test_a_repeat_is_dropped_whole_with_a_notice_per_question() -> None:
    survey = [
        ["type", "name", "label"],
        ["begin_group", "page", "Page"],
        ["text", "mother", "Your name?"],
        ["begin_repeat", "babies", "Each baby"],
        ["text", "baby_name", "Name?"],
        ["begin_group", "inner", "Inner"],
        ["integer", "weight", "Weight?"],
        ["end_group"],
        ["end_repeat"],
        ["end_group"],
    ]

    result = read_xlsform(workbook(survey=survey, choices=CHOICES), skip_unsupported=True)

    assert [[q["name"] for q in p["questions"]] for p in result.definition["pages"]] == [["mother"]]
    notices = notices_at(result)
    assert notices["survey", 4, "type"].startswith("dropped: repeats are not supported")
    assert "in a repeat" in notices["survey", 5, "name"]
    assert "in a repeat" in notices["survey", 7, "name"]


def test_a_range_without_parameters_is_odks_1_to_10() -> None:
    result = read_xlsform(small_form(survey={(5, "parameters"): None}))

    assert (questions_of(result)["pain"]["min"], questions_of(result)["pain"]["max"]) == (1, 10)
    assert "1 to 10" in notices_at(result)["survey", 5, "parameters"]


def test_errors_are_sorted_by_sheet_and_row() -> None:
    source = small_form(
        survey={(5, "relevant"): "${nope} = 1", (3, "type"): "select_one nope"},
        choices={(3, "name"): "yes"},
        settings={(3, "form_id"): "again"},
    )

    errors = refused(source)

    assert where(errors) == [
        ("survey", 3, "type"),
        ("survey", 5, "relevant"),
        ("choices", 3, "name"),
        ("settings", 3, None),
    ]


def test_openpyxl_warnings_never_reach_stderr() -> None:
    """Excel's data validation extension makes openpyxl warn that it drops it."""
    import warnings
    import zipfile

    source = small_form()
    parts = {}
    with zipfile.ZipFile(source) as archive:
        names = archive.namelist()
        parts = {name: archive.read(name) for name in names}
    extension = (
        '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        '<x14:dataValidations count="0"/></ext></extLst>'
    )
    part = "xl/worksheets/sheet1.xml"
    parts[part] = parts[part].replace(b"</worksheet>", extension.encode() + b"</worksheet>")
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, parts[name])
    out.seek(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(load_workbook(BytesIO(out.getvalue()), read_only=True).worksheets[0].values)
        openpyxl_warns = bool(caught)
        caught.clear()
        read_xlsform(out)

    assert openpyxl_warns  # the file does make openpyxl warn...
    assert caught == []  # ...but reading it does not


@pytest.mark.parametrize("row", [5001, 5002, 9000])
def test_a_row_past_the_limit_is_never_dropped_silently(row: int) -> None:
    grid = copy.deepcopy(SURVEY)
    grid[-1:-1] = [[] for _ in range(row - len(grid))] + [["text", "late", "Late?"]]

    errors = refused(workbook(survey=grid, choices=CHOICES, settings=SETTINGS))

    assert [str(e.message) for e in errors if e.row is None] == [
        "the sheet is too large: at most 5000 rows and 100 columns"
    ]


@pytest.mark.parametrize(
    "kind", ["select_one yes_no or_other", "select one from yes_no or specify other"]
)
def test_or_other_adds_the_other_choice_and_its_text_question(kind: str) -> None:
    result = read_xlsform(small_form(survey={(3, "type"): kind}))

    questions = questions_of(result)
    assert questions["pregnant"]["list"] == "yes_no_or_other"
    assert [c["code"] for c in result.definition["choice_lists"]["yes_no_or_other"]] == [
        "yes",
        "no",
        "other",
    ]
    assert [c["code"] for c in result.definition["choice_lists"]["yes_no"]] == ["yes", "no"]
    assert questions["pregnant_other"] == {
        "name": "pregnant_other",
        "type": "short_text",
        "label": {"en": "Specify other.", "fr": "Précisez."},
        "show_if": "selected(${pregnant}, 'other')",
    }
    names = [q["name"] for q in result.definition["pages"][0]["questions"]]
    assert names == ["pregnant", "pregnant_other", "weeks", "pain"]
    assert "pregnant_other" in notices_at(result)["survey", 3, "type"]
    assert read_xlsform(written(result.definition)).definition == result.definition


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("bind:relevant", "show_if"),
        ("bind:constraint", "accept_if"),
        ("bind:jr:constraintMsg", "constraint_message"),
    ],
)
def test_pyxform_bind_column_names_are_read(header: str, key: str) -> None:
    survey = [
        ["type", "name", "label", "bind:relevant", "bind:constraint", "bind:jr:constraintMsg"],
        ["integer", "age", "Age?"],
        ["integer", "kids", "Kids?", "${age} > 15", ". < 20", "Fewer than 20"],
    ]

    kids = questions_of(read(survey))["kids"]

    expected = {"show_if": "${age} > 15", "accept_if": ". < 20"}
    assert kids[key] == expected.get(key, {"en": "Fewer than 20"})


def test_a_loop_is_refused_like_a_repeat() -> None:
    survey = [
        ["type", "name", "label"],
        ["select_multiple yes_no", "toilets", "Toilets?"],
        ["begin loop over yes_no", "each", None],
        ["integer", "number", "How many?"],
        ["end loop"],
    ]

    errors = refused(workbook(survey=survey, choices=CHOICES))
    result = read_xlsform(workbook(survey=survey, choices=CHOICES), skip_unsupported=True)

    assert where(errors) == [("survey", 3, "type")]
    assert "repeats are not supported" in str(errors[0].message)
    assert list(questions_of(result)) == ["toilets"]


def test_odk_names_with_dashes_and_dots_are_renamed_and_conditions_follow() -> None:
    survey = [
        ["type", "name", "label", "relevant"],
        ["begin group", "about-you", "About you"],
        ["integer", "mother.age", "Age?"],
        ["text", "baby-name", "Baby's name?", "${mother.age} > 15"],
        ["end group"],
    ]

    result = read(survey)

    assert result.definition["pages"][0]["name"] == "about_you"
    questions = questions_of(result)
    assert list(questions) == ["mother_age", "baby_name"]
    assert questions["baby_name"]["show_if"] == "${mother_age} > 15"
    assert "renamed mother_age" in notices_at(result)["survey", 3, "name"]
    assert read_xlsform(written(result.definition)).definition == result.definition


def test_a_function_a_show_if_cannot_run_is_refused_or_dropped() -> None:
    cells = {(4, "relevant"): "regex(${pregnant}, 'y')"}

    errors = refused(small_form(survey=cells))
    result = read_xlsform(small_form(survey=cells), skip_unsupported=True)

    assert where(errors) == [("survey", 4, "relevant")]
    assert "regex() is only read in a constraint" in str(errors[0].message)
    assert "show_if" not in questions_of(result)["weeks"]
    assert notices_at(result)["survey", 4, "relevant"].startswith("dropped: regex()")


def test_a_duplicate_choice_code_is_dropped_when_skipping() -> None:
    result = read_xlsform(small_form(choices={(3, "name"): "yes"}), skip_unsupported=True)

    assert result.definition["choice_lists"]["yes_no"] == [
        {"code": "yes", "label": {"en": "Yes", "fr": "Oui"}}
    ]
    assert "already has the code yes" in notices_at(result)["choices", 3, "name"]


def test_a_sheet_declaring_a_million_rows_is_read_quickly() -> None:
    """LibreOffice may write every row of the sheet; the reader still reads to the real end."""
    import time

    book = Workbook()
    book.remove(book.active)
    for title, grid in {"survey": SURVEY, "choices": CHOICES}.items():
        sheet = book.create_sheet(title)
        for line in grid:
            sheet.append(line)
    book["survey"].row_dimensions[1_048_576].height = 12.8  # an empty, styled last row
    source = BytesIO()
    book.save(source)
    source.seek(0)

    started = time.perf_counter()
    result = read_xlsform(source)

    assert time.perf_counter() - started < 5
    assert list(questions_of(result)) == ["pregnant", "weeks", "pain"]


@pytest.mark.parametrize(
    ("constraint", "says"),
    [
        ("(" * 25 + ". > 1" + ")" * 25, "brackets nest more than 20 levels deep"),
        ("regex(" * 25 + ". , 'a'" + ")" * 25, "brackets nest more than 20 levels deep"),
        (". > 1 and " * 250 + ". > 1", "longer than 2000 characters"),
    ],
)
def test_a_constraint_meets_the_upload_limits_of_any_expression(constraint: str, says: str) -> None:
    errors = refused(small_form(survey={(4, "constraint"): constraint}))

    assert where(errors) == [("survey", 4, "constraint")]
    assert says in str(errors[0].message)


def test_another_default_language_is_refused_or_its_plain_columns_dropped() -> None:
    survey = [
        ["type", "name", "label", "label::English (en)"],
        ["integer", "age", "Umri?", "Age?"],
    ]
    settings = [["form_title", "form_id", "default_language"], ["Watoto", "watoto", "Swahili"]]
    source = workbook(survey=survey, choices=CHOICES, settings=settings)

    errors = refused(source)
    source.seek(0)
    result = read_xlsform(source, skip_unsupported=True)

    assert where(errors) == [
        ("survey", 2, "label"),
        ("settings", 2, "default_language"),
        ("settings", 2, "form_title"),  # a plain column, so in Swahili too
    ]
    assert questions_of(result)["age"]["label"] == {"en": "Age?"}
    notices = notices_at(result)
    assert notices["settings", 2, "default_language"].startswith("dropped: Swahili")
    assert notices["survey", 2, "label"].startswith("dropped: only English (en) and French")


def test_a_condition_in_required_is_refused_or_the_question_made_optional() -> None:
    cells = {(4, "required"): "${pregnant} = 'yes'"}

    errors = refused(small_form(survey=cells))
    result = read_xlsform(small_form(survey=cells), skip_unsupported=True)

    assert where(errors) == [("survey", 4, "required")]
    assert "a condition for required is not supported" in str(errors[0].message)
    assert "required" not in questions_of(result)["weeks"]


def test_a_note_that_shows_only_media_is_refused_or_dropped() -> None:
    cells = {(7, "type"): "note", (7, "name"): "picture", (7, "media::image"): "clock.png"}

    errors = refused(small_form(survey=cells))
    result = read_xlsform(small_form(survey=cells), skip_unsupported=True)

    assert where(errors) == [("survey", 7, LABEL)]
    assert "only media" in str(errors[0].message)
    assert "picture" not in questions_of(result)
