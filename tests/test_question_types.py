"""Every question type has one complete spec (survey/questionnaire/types.py), and what used to
repeat it reads it: a type added without some part of its spec fails here, not in production."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_migrate import downgrade, upgrade
from sqlalchemy import CheckConstraint, text
from sqlalchemy.exc import IntegrityError
from wtforms import Field

from exports.sheets import TYPE_NAMES
from exports.xlsform.layout import OUR_TYPES, XLS_TYPES
from forms.editor import TYPE_LABELS
from forms.participant import page_form
from survey.extensions import db as database
from survey.models import Answer, Question
from survey.participate.structure import build_structure
from survey.questionnaire.storage import COLUMNS, VALUE_COLUMNS
from survey.questionnaire.types import (
    BOUNDED_TYPES,
    CHOICE_TYPES,
    COMPUTED_TYPES,
    NUMBER_TYPES,
    SPECS,
    TEXT_TYPES,
    QuestionType,
    spec_of,
)
from tests.test_app import first_release_with_data, schema_names

ROOT = Path(__file__).resolve().parent.parent
FRENCH = ROOT / "survey" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"

# One answer of each type, written out here: a new type must say what its answers look like.
SAMPLES: dict[QuestionType, object] = {
    QuestionType.SINGLE_CHOICE: "a",
    QuestionType.MULTIPLE_CHOICE: ["a", "b"],
    QuestionType.YES_NO: "yes",
    QuestionType.LIKERT: "4",
    QuestionType.RATING: 7.0,
    QuestionType.INTEGER: -12.0,
    QuestionType.DECIMAL: 3.25,
    QuestionType.DATE: date(2026, 3, 14),
    QuestionType.TIME: time(6, 45),
    QuestionType.DATETIME: datetime(2026, 3, 14, 6, 45),
    QuestionType.SHORT_TEXT: "Short",
    QuestionType.LONG_TEXT: "Long\ntext",
    QuestionType.CALCULATE: 20.0,
}
NO_ANSWER = {QuestionType.NOTE}

EVERY_TYPE = list(QuestionType)


def test_every_type_has_a_spec_and_every_spec_a_type() -> None:
    assert set(SPECS) == set(QuestionType)
    assert all(spec.type is kind for kind, spec in SPECS.items())
    assert set(SAMPLES) | NO_ANSWER == set(QuestionType)


@pytest.mark.parametrize("kind", EVERY_TYPE)
def test_the_spec_is_complete(kind: QuestionType) -> None:
    spec = SPECS[kind]
    assert spec.label and spec.codebook and spec.field and spec.xlsform[0]
    assert spec.show_if in ("number", "integer", "decimal", "text")
    assert spec.statistics in ("multiple", "likert", "choice", "number", "date", "text", "none")
    assert spec.display.cell in ("ticks", "choice", "whole", "number", "value")
    assert callable(spec.display.text)
    assert callable(spec.make_field())
    assert spec.answered is (kind not in NO_ANSWER)
    assert (spec.statistics == "none") is (kind in NO_ANSWER)
    if spec.answered:
        assert spec.storage is not None and spec.storage.column in COLUMNS
        assert spec.display.widest or spec.display.cell in ("choice", "whole")


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_an_answer_round_trips_through_its_column_and_the_session(kind: QuestionType) -> None:
    spec, answer = SPECS[kind], SAMPLES[kind]
    columns = spec.encode(answer)
    assert len(columns) == len(VALUE_COLUMNS)
    assert sum(value is not None for value in columns) == 1  # the one_value check
    assert spec.decode(columns) == answer
    # The session cookie holds JSON: what goes in comes back the same and typed.
    assert spec.from_json(json.loads(json.dumps(spec.to_json(answer)))) == answer
    assert isinstance(spec.display.text(answer), str) and spec.display.text(answer)


def test_an_answer_of_the_wrong_kind_is_refused_not_stored() -> None:
    with pytest.raises(TypeError):
        spec_of("date").encode(datetime(2026, 3, 14, 6, 45))  # a datetime is a date too
    with pytest.raises(TypeError):
        spec_of("integer").encode(date(2026, 3, 14))
    with pytest.raises(TypeError):
        spec_of("short_text").encode(["a"])
    with pytest.raises(TypeError):
        spec_of("note").encode("anything")
    with pytest.raises(ValueError, match="value_date"):
        spec_of("date").decode(("2026-03-14", None, None, None, None))


def test_an_unknown_type_is_an_error_not_a_default() -> None:
    with pytest.raises(KeyError, match="geopoint"):
        spec_of("geopoint")


def test_the_xlsform_pairs_are_unique_and_read_back_as_their_type() -> None:
    pairs = [spec.xlsform for spec in SPECS.values()]
    assert len(set(pairs)) == len(pairs)
    for kind in QuestionType:
        assert OUR_TYPES[XLS_TYPES[kind]] == kind
    # Reading takes a type's plain XLSForm name without an appearance: one of ours has it.
    assert {(name, "") for name, _appearance in pairs} <= set(OUR_TYPES)
    assert XLS_TYPES["time"] == ("time", "") and XLS_TYPES["datetime"] == ("datetime", "")


def test_the_tables_that_used_to_repeat_types_are_read_from_the_specs() -> None:
    assert set(TYPE_LABELS) == set(TYPE_NAMES) == set(QuestionType)
    assert {"single_choice", "multiple_choice", "yes_no", "likert"} == CHOICE_TYPES
    assert {"rating", "integer", "decimal", "calculate"} == NUMBER_TYPES
    assert {"rating", "integer", "decimal"} == BOUNDED_TYPES  # a smallest and largest answer
    assert {"calculate"} == COMPUTED_TYPES
    assert {"short_text", "long_text"} == TEXT_TYPES


def test_the_database_checks_know_every_type_and_column() -> None:
    checks = {
        str(c.name): str(c.sqltext)
        for c in Question.__table__.constraints
        if isinstance(c, CheckConstraint)
    }
    type_check = next(text for name, text in checks.items() if name.endswith("type"))
    assert all(f"'{kind}'" in type_check for kind in QuestionType)
    answer = {c.name for c in Answer.__table__.columns}
    assert set(VALUE_COLUMNS) <= answer


def test_every_label_is_translated_into_french() -> None:
    with FRENCH.open("rb") as catalogue:
        french = {m.id: m.string for m in read_po(catalogue) if m.id}
    missing = [spec.label for spec in SPECS.values() if not french.get(spec.label)]
    assert not missing


@pytest.mark.parametrize("kind", EVERY_TYPE)
def test_the_participant_field_is_made_from_the_spec(app, db, version, kind: QuestionType) -> None:
    page = version.pages[2]
    question = page.questions[0]
    question.type = kind
    question.min_value = question.max_value = question.max_length = None
    if kind not in CHOICE_TYPES:
        question.choice_list = None
    structure = build_structure(version)
    with app.test_request_context("/survey/page/3"):
        form = page_form(structure.pages[2], "en")
    db.session.rollback()
    if kind in NO_ANSWER or kind in COMPUTED_TYPES:  # a note's text, a calculation: no field
        assert question.name not in form
    else:
        assert isinstance(form[question.name], Field)


BEFORE_TIMES = "b7e2f9c31d84"  # the last revision without time and datetime questions


def test_the_time_migration_keeps_answers_and_its_checks_hold(app, capfd):
    """Upgraded with an answer in it, the database takes a time answer, still refuses an answer
    with two values, and goes back (once no time question is left) to the schema it had."""
    with app.app_context():
        from_models = schema_names(database.engine)
        first_release_with_data()
        upgrade(revision=BEFORE_TIMES)
        before = schema_names(database.engine)
        upgrade()
        at = {"t": "2026-11-01 00:00:00+00:00"}
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO question (page_id, position, name, type, label_en, required, "
                    "identifier) VALUES (1, 2, 'woke_at', 'time', 'Woke at', false, false)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO answer (response_id, question_id, value_time, answered_at) "
                    "VALUES ('r1', 2, '06:45:00', :t)"
                ),
                at,
            )
            kept = connection.execute(text("SELECT value_number FROM answer")).scalars().all()
        assert sorted(v for v in kept if v is not None) == [34]
        with pytest.raises(IntegrityError), database.engine.begin() as connection:
            connection.execute(text("UPDATE answer SET value_text = 'x' WHERE question_id = 2"))
        with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
            downgrade(revision=BEFORE_TIMES)
        assert "1 time or datetime questions exist: remove them" in capfd.readouterr().err
        with database.engine.begin() as connection:
            connection.execute(text("DELETE FROM answer WHERE question_id = 2"))
            connection.execute(text("DELETE FROM question WHERE id = 2"))
        downgrade(revision=BEFORE_TIMES)
        assert schema_names(database.engine) == before
        upgrade()
        assert schema_names(database.engine) == from_models
