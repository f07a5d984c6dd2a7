"""static/show-if.js decides like the server: the same conditions, evaluated in Chromium against
a form's inputs and in Python (survey/questionnaire/expressions.py) against the answers those
inputs are saved as, agree on every question, for answers of every kind."""

from __future__ import annotations

import html
import json
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from survey.questionnaire.expressions import evaluate, parse, to_json
from survey.questionnaire.types import SPECS
from tests.browser.flow import fill_page, press_next, stored, walk_to
from tests.function_cases import ANSWERS, CASES, TYPED, literal
from tests.survey_steps import PAGES
from tests.test_dates_and_times import add_question

pytestmark = pytest.mark.browser

SCRIPT = Path(__file__).resolve().parents[2] / "survey" / "static" / "show-if.js"

# One question of each kind the conditions can read, marked up as participate/_questions.html
# does (data-answer, from the type's spec, tells the script how the server types the answer).
FORM = """<!doctype html><html lang="en"><body><form>
<fieldset class="question" data-answer="{single_choice}"><legend>r</legend>
  <input type="radio" name="r" value="a"><input type="radio" name="r" value="b"></fieldset>
<fieldset class="question" data-answer="{multiple_choice}"><legend>m</legend>
  <input type="checkbox" name="m" value="x"><input type="checkbox" name="m" value="y">
  <input type="checkbox" name="m" value="z"></fieldset>
<div class="question" data-answer="{integer}"><input type="number" name="n"></div>
<div class="question" data-answer="{decimal}"><input type="text" name="d" inputmode="decimal"></div>
<div class="question" data-answer="{short_text}"><input type="text" name="t"></div>
<fieldset class="question" data-answer="{rating}"><legend>s</legend>
  {scale}</fieldset>
<div class="question" data-answer="{date}"><input type="date" name="w"></div>
<div class="question" data-answer="{time}"><input type="time" name="h"></div>
<div class="question" data-answer="{datetime}"><input type="datetime-local" name="k"></div>
{conditional}
</form></body></html>"""

CONDITIONS = [
    "${r} = 'a'",
    "${r} != 'a'",
    "not(${r} = 'b')",
    "${r}",
    "selected(${r}, 'a')",
    "selected(${m}, 'y')",
    "${m} = 'x y'",
    "${m} != ''",
    "${n} > 3",
    "${n} <= 3",
    "${n} != 3",
    "${n} = ''",
    "${n} >= '4'",
    "${d} >= 2.5",
    "${d} < 1",
    "${t} = 'hello'",
    "${t}",
    "${t} < 'm'",
    "${t} > 3",
    "${t} = 0",
    "${s} >= 5",
    "${s} = '7'",
    "selected(${s}, '7')",
    "${s}",
    "${n} > ${s}",
    "${w} > '2024-01-01'",
    "${w} = ''",
    "${h} < '12:00'",
    "${h} = '14:30'",
    "${h} >= '09:05'",
    "${h} = ''",
    "${k} > '2024-03-01T12:00'",
    "${k} = '2024-03-01T08:15'",
    "${k} < '2024-03-01'",
    "${k} != ''",
    # Arithmetic (a calculation's, usable in a show-if too): no value without two numbers.
    "${n} + ${s} > 8",
    "${n} * 2 = ${s}",
    "(${n} + 1) * 2 >= 10",
    "${d} div ${n} >= 1",
    "${n} div 0 = ''",
    "${n} mod 3 = 1",
    "-${n} < -2",
    "${n} - ${d} != 0",
    "${t} + 1 > 0",
    "${m} * 1 = ''",
    # ODK's functions (their values by hand: tests/function_cases.py).
    "if(${n} > 3, ${s}, 0) >= 5",
    "round(${d}) = 2",
    "round(${d} * 3, 1) > 1",
    "int(${d}) = 0",
    "number(${t}) = 0",
    "coalesce(${n}, ${s}) > 4",
    "string-length(${t}) > 3",
    "count-selected(${m}) >= 2",
    "concat(${r}, ${n}) = 'a5'",
    "(${n} > 3) = 1",
    "boolean(${t}) and not(false())",
    "${r} = 'a' and ${n} > 1",
    "${r} = 'b' or selected(${m}, 'z')",
    "not(${r} = 'a' and (${n} > 4 or ${t} = 'zebra'))",
]

# Conditions that also read an answer from an earlier page, which this page does not hold: the
# script leaves the question shown unless the answers on the page settle it.
PARTLY_KNOWN = {
    "${earlier} = 'x'": lambda answers: True,
    "not(${earlier} = 'x')": lambda answers: True,
    "${earlier} = 'x' and ${r} = 'a'": lambda answers: answers["r"] == "a",
    "${earlier} = 'x' or ${r} = 'a'": lambda answers: True,
}

# What is typed or chosen: r, m, s by value; n, d, t, w, h, k as typed.
STATES = [
    {"r": None, "m": [], "n": "", "d": "", "t": "", "s": None, "w": "", "h": "", "k": ""},
    {
        "r": "a", "m": ["x", "y"], "n": "5", "d": "2,5", "t": "  hello ", "s": "7",
        "w": "2024-03-01", "h": "14:30", "k": "2024-03-01T08:15",
    },
    {
        "r": "b", "m": ["z"], "n": "3", "d": "0.5", "t": "zebra", "s": "0", "w": "2023-12-31",
        "h": "09:05", "k": "2024-03-01T12:30",
    },
    {
        "r": "a", "m": ["y"], "n": "", "d": "", "t": "0", "s": "10", "w": "", "h": "00:00",
        "k": "2023-12-31T23:59",
    },
    {
        "r": None, "m": ["x"], "n": "-2", "d": "abc", "t": "Zoo", "s": "5", "w": "2024-01-01",
        "h": "23:59", "k": "",
    },
]  # fmt: skip


def saved(state: dict) -> dict:
    """The answers the server would keep for these inputs (forms/participant.py field_value)."""

    def decimal(text: str) -> float | None:
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            return float(Decimal(text)) if text.strip() else None
        except InvalidOperation:
            return None

    return {
        "r": state["r"],
        "m": state["m"] or None,
        "n": float(int(state["n"])) if state["n"].strip() else None,
        "d": decimal(state["d"]),
        "t": state["t"].strip() or None,
        "s": float(state["s"]) if state["s"] is not None else None,
        "w": date.fromisoformat(state["w"]) if state["w"] else None,
        "h": time.fromisoformat(state["h"]) if state["h"] else None,
        "k": datetime.fromisoformat(state["k"]) if state["k"] else None,
    }


def condition_attribute(expression: str) -> str:
    """The data-show-if value, as services.condition_json makes it."""
    return html.escape(json.dumps(to_json(parse(expression))))


@pytest.fixture
def form_page(chromium: Browser):
    yield from page_with(chromium, CONDITIONS + list(PARTLY_KNOWN))


def page_with(chromium: Browser, expressions: list[str]):
    """The form, with a question shown only if each expression holds, and show-if.js."""
    context = chromium.new_context()
    page = context.new_page()
    conditional = "\n".join(
        f'<div class="question" id="c{i}" data-show-if="{condition_attribute(e)}">'
        f"<p>{html.escape(e)}</p></div>"
        for i, e in enumerate(expressions)
    )
    # No condition, and one the script cannot read: both stay shown, whatever the answers.
    conditional += '<div id="always" data-show-if=""></div>'
    conditional += '<div id="broken" data-show-if="{oops"></div>'
    scale = "".join(f'<input type="radio" name="s" value="{i}">' for i in range(11))
    answers = {str(kind): spec.show_if for kind, spec in SPECS.items()}
    page.set_content(FORM.format(scale=scale, conditional=conditional, **answers))
    page.add_script_tag(path=str(SCRIPT))
    yield page
    context.close()


def choose(page, state: dict) -> None:
    page.evaluate("() => document.querySelector('form').reset()")
    for name in ("r", "s"):
        if state[name] is not None:
            page.check(f'input[name="{name}"][value="{state[name]}"]')
    for code in state["m"]:
        page.check(f'input[name="m"][value="{code}"]')
    for name in ("n", "d", "t", "w", "h", "k"):
        page.fill(f'input[name="{name}"]', state[name])
    page.locator("form").dispatch_event("change")


def test_script_agrees_with_the_server_on_every_condition(form_page):
    expressions = CONDITIONS + list(PARTLY_KNOWN)
    disagreements = []
    for state in STATES:
        choose(form_page, state)
        answers = saved(state)
        hidden = form_page.evaluate(
            "() => [...document.querySelectorAll('[id^=c][data-show-if]')].map((q) => q.hidden)"
        )
        for i, expression in enumerate(expressions):
            if expression in PARTLY_KNOWN:
                shown = PARTLY_KNOWN[expression](answers)
            else:
                shown = evaluate(parse(expression), answers)
            if hidden[i] == shown:
                disagreements.append(f"{expression} with {state}: server shows it: {shown}")
    assert not disagreements, "\n".join(disagreements)


def test_questions_without_a_readable_condition_stay_shown(form_page):
    for state in STATES:
        choose(form_page, state)
        assert form_page.evaluate("() => document.getElementById('always').hidden") is False
        assert form_page.evaluate("() => document.getElementById('broken').hidden") is False


# --- ODK's functions: tests/function_cases.py's values, checked as `value = expected` --------


def function_conditions() -> list[tuple[str, str, str, float | str | bool]]:
    """(state, condition, expression, value): each case's `(expression) = value`; a number's
    also compared with its text with a zero more (`= '2.330'`), which holds for a number and
    not for a text, so the browser must give a number where the server does."""
    conditions = []
    for state, expression, expected in CASES:
        conditions.append((state, f"({expression}) = {literal(expected)}", expression, expected))
        if isinstance(expected, float):
            typed = f"({expression}) = '{expected!r}0'"
            conditions.append((state, typed, expression, expected))
    return conditions


@pytest.fixture
def function_page(chromium: Browser):
    yield from page_with(chromium, [condition for _, condition, _, _ in function_conditions()])


def test_script_computes_each_function_as_worked_out_by_hand(function_page):
    """Each case's show-if `expression = expected value` holds in the browser, and on the
    server for the answers those inputs are saved as (the table's, checked here too)."""
    wrong = []
    for state, typed in TYPED.items():
        assert saved(typed) == ANSWERS[state]
        choose(function_page, typed)
        hidden = function_page.evaluate(
            "() => [...document.querySelectorAll('[id^=c][data-show-if]')].map((q) => q.hidden)"
        )
        for i, (case_state, condition, expression, expected) in enumerate(function_conditions()):
            if case_state != state:
                continue
            if hidden[i]:
                wrong.append(f"browser: {expression} is not {expected!r} ({condition}), {typed}")
            if not evaluate(parse(condition), ANSWERS[state]):
                wrong.append(f"server: {expression} is not {expected!r} ({condition}), {typed}")
    assert not wrong, "\n".join(wrong)


@pytest.fixture
def rounded(db, version):
    """Page 3 also asks how many cups of water a day and, of those whose cups round to two
    litres or more (a cup is a quarter litre), a follow-up on the same page."""
    add_question(db, version, 3, name="cups", type="integer")
    add_question(
        db,
        version,
        3,
        name="cups_note",
        type="short_text",
        show_if="if(${cups} > 4, round(${cups} div 4) >= 2, false())",
    )


def test_a_show_if_calling_functions_works_live_on_the_participants_page(rounded, phone: Page, db):
    walk_to(phone, 3)
    cups, note = phone.locator("#cups"), phone.locator("#q-cups_note")
    expect(note).to_be_hidden()  # unanswered: if() takes false()
    for typed, shown in [("6", True), ("5", False), ("10", True), ("3", False), ("7", True)]:
        cups.fill(typed)  # 6/4 = 1.5 rounds up to 2; 5/4 = 1.25 to 1; 10/4 = 2.5 to 3
        (expect(note).to_be_visible if shown else expect(note).to_be_hidden)()
    phone.locator("#cups_note").fill("With meals")
    fill_page(phone, PAGES[2][1])
    press_next(phone)
    _, answers = stored(db)
    assert answers["cups"] == 7.0 and answers["cups_note"] == "With meals"
