"""The show-if parser and evaluator, table-driven."""

from __future__ import annotations

import random
from datetime import date

import pytest

from survey.questionnaire.expressions import (
    Condition,
    ExpressionError,
    check_references,
    evaluate,
    parse,
)

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


# --- constraints (XLSForm's constraint column) --------------------------------------------
def accepts(expression: str, answer, **others) -> bool:
    node = check_references(expression, others, itself="q", constraint=True)
    return evaluate(node, {**others, "q": answer, ".": answer})


@pytest.mark.parametrize(
    "expression, answer, expected",
    [
        (". > 0", 3.0, True),
        (". > 0", 0.0, False),
        (". < 999", 999.0, False),
        ("${q} > 0", 1.0, True),  # its own name reads the answer too
        (". >= 1 and . <= 42 or . = 99", 99.0, True),
        (". >= 1 and . <= 42 or . = 99", 50.0, False),
        ("regex(., '^[0-9]{5}$')", "75012", True),
        ("regex(., '^[0-9]{5}$')", "7501", False),
        ("regex(., '^[0-9]{5}$')", "75012a", False),
        ("regex(., '[a-z]')", "12b4", True),  # XPath's regex matches anywhere
        ("regex(., '^[0-9]+$')", 12.0, True),  # a whole number reads without .0
        ("string-length(.) <= 3", "abc", True),
        ("string-length(.) <= 3", "abcd", False),
        ("count-selected(.) <= 2", ["a", "b"], True),
        ("count-selected(.) <= 2", ["a", "b", "c"], False),
        ("not(selected(., 'none') and count-selected(.) > 1)", ["none", "a"], False),
        ("not(selected(., 'none') and count-selected(.) > 1)", ["none"], True),
        (". != ${other}", "x", False),
    ],
)
def test_a_constraint_checks_the_answer(expression, answer, expected):
    assert accepts(expression, answer, other="x") is expected


@pytest.mark.parametrize(
    "expression, message",
    [
        (". > 0", "'.' is the answer a constraint checks"),
        ("regex(${pregnant}, 'y')", "regex() is only read in a constraint"),
    ],
)
def test_a_show_if_reads_no_answer_of_its_own_and_calls_no_regex(expression, message):
    with pytest.raises(ExpressionError) as raised:
        check_references(expression, ANSWERS)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "pattern",
    ["(a+)+$", "(a|aa)*b", "(x*){2,}", "((ab)+)+", "(?:[0-9]+)*"],
)
def test_a_pattern_that_backtracks_for_ages_is_refused(pattern):
    with pytest.raises(ExpressionError) as raised:
        parse(f"regex(., '{pattern}')")
    assert "too slow" in str(raised.value)


@pytest.mark.parametrize(
    "expression, message",
    [
        ("regex(.)", "regex() takes 2 argument(s)"),
        ("string-length(., 2)", "string-length() takes 1 argument(s)"),
        ("round(1, 2, 3)", "round() takes 1 to 2 arguments"),
        ("concat()", "concat() takes at least 1 argument(s)"),
        ("true(1)", "true() takes 0 argument(s)"),
        ("regex(., ${pattern})", "a regex's pattern is a quoted text"),
        ("regex(., '" + "a" * 201 + "')", "longer than 200 characters"),
    ],
)
def test_a_function_call_is_checked_when_parsed(expression, message):
    with pytest.raises(ExpressionError) as raised:
        parse(expression)
    assert message in str(raised.value)


# Each with how many combinations of the answers it reads the test below can give (3 x 5 for
# pregnant and weeks, 4 for formats, 5 x 3 x 2, 2 x 3), and so how many are kept (at most 10).
CONDITIONS = [
    ("${pregnant} = 'yes' and ${weeks} > 12", 10),
    ("selected(${formats}, 'other') or count-selected(${formats}) > 2", 4),
    ("if(${weeks} > 20, ${name} = 'Ana', ${due} != '')", 10),
    ("not(${empty} = '') or string-length(${name}) >= 3", 6),
]


@pytest.mark.parametrize("expression, kept", CONDITIONS)
def test_a_condition_kept_per_combination_of_answers_agrees_with_evaluating_it(expression, kept):
    """An export evaluates each show-if once per combination of the answers it reads: over
    varied answers, asked twice each (the second time from what was kept), and past the limit
    of what is kept, every outcome is evaluate()'s."""
    node = parse(expression)
    condition = Condition(node, limit=10)
    chooser = random.Random(7)
    outcomes = set()
    for _ in range(400):
        answers = {
            "pregnant": chooser.choice(["yes", "no", None]),
            "weeks": chooser.choice([None, 12.0, 20.0, 21.0, 30]),
            "formats": chooser.choice([None, [], ["other"], ["online", "other", "video"]]),
            "empty": chooser.choice([None, "x"]),
            "due": chooser.choice([None, date(2027, 1, 5)]),
            "name": chooser.choice([None, "Al", "Ana"]),
        }
        expected = evaluate(node, answers)
        outcomes.add(expected)
        assert condition(answers) is expected, answers
        assert condition(dict(answers)) is expected, answers
    assert outcomes == {True, False}  # the answers drive both outcomes
    assert len(condition.outcomes) == kept
