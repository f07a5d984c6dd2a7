"""ODK's functions in expressions: one table of cases with their values worked out by hand,
run on the server (tests/test_expression_functions.py) and through static/show-if.js in
Chromium (tests/browser/test_show_if_script.py), so both must give these values.

The variables are those of the browser test's form: r (single choice), m (multiple choice), n
(integer), d (decimal), t (short text), s (0-10 rating), w (date), h (time), k (date and
time). Each state is what a participant types or picks (as the browser test sets it) and the
answers the server keeps for it, written out by hand."""

from __future__ import annotations

from datetime import date, time

# What is typed or chosen, as tests/browser/test_show_if_script.py's choose() sets it.
TYPED = {
    "empty": {"r": None, "m": [], "n": "", "d": "", "t": "", "s": None, "w": "", "h": "", "k": ""},
    "filled": {
        "r": "b", "m": ["x", "z"], "n": "7", "d": "-2,5", "t": " héllo wörld ", "s": "4",
        "w": "2024-03-01", "h": "14:30", "k": "",
    },
}  # fmt: skip

# The answers the server keeps for them (by hand: the integer and the rating are numbers, the
# decimal comma is read as a point, text is trimmed, nothing ticked is no answer).
ANSWERS = {
    "empty": {k: None for k in "rmndtswhk"},
    "filled": {
        "r": "b", "m": ["x", "z"], "n": 7.0, "d": -2.5, "t": "héllo wörld", "s": 4.0,
        "w": date(2024, 3, 1), "h": time(14, 30), "k": None,
    },
}  # fmt: skip

NONE = ""  # no value: an unanswered input, a text that is not a number, a division by zero

# (state, expression, value): a number is a float, a text a str, a truth a bool.
CASES: list[tuple[str, str, float | str | bool]] = [
    # if(): the condition's truth picks a branch; only that branch is computed.
    ("empty", "if(${n} > 3, 'big', 'small')", "small"),  # '' > 3 is false
    ("filled", "if(${n} > 3, 'big', 'small')", "big"),
    ("empty", "if(${n} = '', 0, ${n} div 2)", 0.0),
    ("filled", "if(${n} = '', 0, ${n} div 2)", 3.5),
    ("filled", "if(${n} div 0 > 1, 1, 2)", 2.0),  # 7 div 0 has no value: '' > 1 is false
    ("filled", "if(true(), 5, ${n} div 0)", 5.0),
    ("filled", "if(false(), 5, ${n} div 0)", NONE),
    ("filled", "if(${s} >= 4 and selected(${m}, 'z'), ${s} * 10, -1)", 40.0),
    ("empty", "if(${s} >= 4 and selected(${m}, 'z'), ${s} * 10, -1)", -1.0),
    ("filled", "if(${r} = 'a', 1, if(${r} = 'b', 2, 3))", 2.0),
    # round(): XPath 1.0 rounds a half towards positive infinity; ODK's second argument is the
    # number of decimals, read as a whole number (1.9 -> 1), negative for tens and hundreds.
    ("empty", "round(2.5)", 3.0),
    ("empty", "round(-2.5)", -2.0),
    ("empty", "round(-2.51)", -3.0),
    ("empty", "round(-0.5)", 0.0),
    ("empty", "round(0.5, 0)", 1.0),
    ("empty", "round(1.005, 2)", 1.01),  # on the decimals as written, not the nearest double
    ("empty", "round(-1.005, 2)", -1.0),  # the half goes up, towards zero here
    ("empty", "round(2.675, 2)", 2.68),
    ("empty", "round(1234.5678, -2)", 1200.0),
    ("empty", "round(12.345, 1.9)", 12.3),
    ("empty", "round(7, 3)", 7.0),
    ("empty", "round(9.995, 2)", 10.0),  # the carry runs through every digit
    ("empty", "round(-9.9951, 2)", -10.0),  # past the half: away from zero
    ("empty", "round(99.5)", 100.0),
    ("filled", "round(${d})", -2.0),  # -2.5
    ("filled", "round(${n} div 3, 2)", 2.33),  # 2.333...
    ("empty", "round(${d})", NONE),
    # int(): the fractional part discarded, towards zero.
    ("empty", "int(3.7)", 3.0),
    ("empty", "int(-3.7)", -3.0),
    ("empty", "int('4.9')", 4.0),
    ("filled", "int(${d})", -2.0),
    ("empty", "int(${n})", NONE),
    # number(): a text as a number, or no value.
    ("empty", "number('')", NONE),
    ("empty", "number('  12  ')", 12.0),
    ("empty", "number('1,5')", NONE),
    ("empty", "number(${t})", NONE),
    ("filled", "number(${n}) + 1", 8.0),
    ("filled", "number(${t})", NONE),
    ("empty", "number(true())", 1.0),
    # coalesce(): the first argument unless it is empty.
    ("empty", "coalesce(${n}, 5)", 5.0),
    ("filled", "coalesce(${n}, 5)", 7.0),
    ("empty", "coalesce(${t}, 'none')", "none"),
    ("empty", "coalesce(${t}, ${n})", NONE),
    ("filled", "coalesce(${d}, 0) < 0", True),
    # string-length(): characters (an accent or an emoji is one).
    ("empty", "string-length(${t})", 0.0),
    ("filled", "string-length(${t})", 11.0),
    ("empty", "string-length('a😀')", 2.0),
    ("filled", "string-length(${n})", 1.0),  # '7'
    ("filled", "string-length(${d})", 4.0),  # '-2.5'
    # count-selected(): the choices ticked, or the words of a text.
    ("empty", "count-selected(${m})", 0.0),
    ("filled", "count-selected(${m})", 2.0),
    ("filled", "count-selected(${r})", 1.0),
    ("empty", "count-selected('a b  c')", 3.0),
    # selected(), not(), true(), false(), boolean().
    ("filled", "selected(${m}, 'z') = true()", True),
    ("empty", "selected(${m}, 'x')", False),
    ("empty", "true()", True),
    ("empty", "not(false())", True),
    ("empty", "false() = ''", True),  # beside a truth, '' is false
    ("empty", "(3 > 2) = 2", True),  # beside a truth, 2 is true
    ("empty", "(3 > 2) > 0", True),  # but < and > compare numbers: 1 > 0
    ("empty", "true() + 1", 2.0),
    ("empty", "boolean(${t})", False),
    ("filled", "boolean(${t})", True),
    # concat(): numbers written as the browser writes them.
    ("empty", "concat(${t}, 'x', ${n})", "x"),
    ("filled", "concat(${r}, '-', ${n})", "b-7"),
    ("filled", "concat(${m})", "x z"),
    ("empty", "concat(1.5, '-', 2, '-', true())", "1.5-2-true"),
    ("empty", "concat(0.1 + 0.2)", "0.30000000000000004"),
    # floor(), ceiling(), abs(), sqrt().
    ("empty", "floor(-2.5)", -3.0),
    ("empty", "ceiling(-2.5)", -2.0),
    ("empty", "abs(-4)", 4.0),
    ("empty", "sqrt(16)", 4.0),
    ("empty", "sqrt(-1)", NONE),
]


def literal(expected: float | str | bool) -> str:
    """The expected value as an expression, to compare a case's value with in a show-if."""
    if isinstance(expected, bool):
        return "true()" if expected else "false()"
    if isinstance(expected, float):
        return repr(expected)
    return f"'{expected}'"
