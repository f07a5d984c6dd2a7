"""The show-if parser and evaluator, table-driven."""

from __future__ import annotations

from datetime import date

import pytest

from survey.questionnaire.expressions import ExpressionError, check_references, evaluate, parse

ANSWERS = {
    "pregnant": "yes",
    "weeks": 20.0,
    "formats": ["online", "other"],
    "empty": None,
    "due": date(2027, 1, 5),
    "name": "Ana",
}


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("${pregnant} = 'yes'", True),
        ('${pregnant} = "yes"', True),
        ("${pregnant} != 'yes'", False),
        ("${weeks} > 12", True),
        ("${weeks} >= 20 and ${weeks} <= 20", True),
        ("${weeks} < 12 or ${pregnant} = 'yes'", True),
        ("not(${weeks} < 12)", True),
        ("(${weeks} < 12 or ${weeks} > 30) and ${pregnant} = 'yes'", False),
        ("selected(${formats}, 'other')", True),
        ("selected(${formats}, 'video')", False),
        ("selected(${pregnant}, 'yes')", True),
        ("${empty} = ''", True),
        ("${empty} != 'a'", True),  # unanswered is the empty string, as in ODK
        ("${empty} > 3", False),  # and never compares as a number
        ("${empty} != 3", True),
        ("${missing} = 'x'", False),
        ("${weeks} = 20", True),
        ("${weeks} = '20'", True),
        ("${due} > '2026-12-31'", True),
        ("${name} > 3", False),
        ("-1 < 0", True),
        ("${pregnant} = 'yes' and not(selected(${formats}, 'video')) and ${weeks} > 19.5", True),
    ],
)
def test_evaluate(expression, expected):
    assert evaluate(parse(expression), ANSWERS) is expected


@pytest.mark.parametrize(
    "expression, message, position",
    [
        ("", "the expression is empty", 1),
        ("   ", "the expression is empty", 1),
        ("${a} =", "expected a value, the expression ended", 7),
        ("${a} == 'x'", "unexpected '='", 7),
        ("${a} = 'x' )", "unexpected ')'", 12),
        ("(${a} = 'x'", "expected ')', the expression ended", 12),
        ("foo(${a})", "unknown word or function 'foo'", 1),
        ("${a} = 'x' and", "expected a value, the expression ended", 15),
        ("${a} = 'x", "a quoted text is not closed", 8),
        ("$a = 'x'", "a variable must look like ${name}", 1),
        ("${a} = 'x' # comment", "unexpected character '#'", 12),
        ("selected(${a} 'x')", "expected ',', found 'x'", 15),
        ("selected('a', 'x')", "expected a variable such as ${name}, found 'a'", 10),
        ("selected(${a}, ${b})", "expected a quoted choice code, found 'b'", 16),
        ("not ${a} = 'x'", "expected '(' after not, found 'a'", 5),
        ("${a} = 'x' ${b} = 'y'", "unexpected 'b'", 12),
        ("eval('1')", "unknown word or function 'eval'", 1),
        ("__import__('os')", "unknown word or function '__import__'", 1),
    ],
)
def test_syntax_errors_name_the_position(expression, message, position):
    with pytest.raises(ExpressionError) as caught:
        parse(expression)
    assert str(caught.value.message) == message
    assert caught.value.position == position


@pytest.mark.parametrize(
    "expression, message, position",
    [
        ("${later} = 'x'", "${later} is asked later, so it cannot decide this", 1),
        ("${a} = 'x' and ${nope} = 'y'", "unknown variable ${nope}", 16),
    ],
)
def test_references_must_be_earlier_questions(expression, message, position):
    with pytest.raises(ExpressionError) as caught:
        check_references(expression, earlier=["a"], later=["later"])
    assert (str(caught.value.message), caught.value.position) == (message, position)
    assert check_references("${a} = 'x'", earlier=["a"]) is not None
