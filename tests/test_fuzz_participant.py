"""Random form posts, with a valid CSRF token, to every participant page: never a server error,
and whatever ends up stored is still a valid answer (known codes, numbers within range, text
within its length and without control characters, dates, times of day and dates and times of
their own type within Excel's years and to the minute, and a calculation equal to what its
inputs give)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from forms.participant import FIRST_YEAR, LAST_YEAR
from survey.models import Answer, Question, Response, ResponseStatus
from survey.toolkit.content import SECTIONS
from tests.conftest import Browser
from tests.survey_steps import answer_page, complete_survey
from tests.test_dates_and_times import add_question

ALLOWED = {302, 400, 404, 413}
# Where a code is typed, wrong codes from one address are limited (code_attempts.py): after ten,
# "too many codes tried" is the right answer.
CODE_PAGES = {"/survey/resume", "/survey/invitation"}
TEXT_LIMITS = {"short_text": 200, "long_text": 5000}
FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Every example posts to one target of each group, in this order (pages 7-9 last: page 9's Next
# completes the survey), so each target gets about 60 / 3 = 20 posts.
TOOLKIT_KEYS = [section.key for section in SECTIONS] + ["nope"]
TARGET_GROUPS = [
    ["/survey/resume", "/survey/invitation", "/survey/toolkit/<key>"],
    *([f"/survey/page/{p}" for p in range(first, first + 3)] for first in (1, 4, 7)),
]
JUNK_NAMES = [
    "next",
    "back",
    "switch_language",
    "submit",
    "resume_code",
    "code",
    "question_1",
    "question_9999",
    "response_id",
    "status",
    "current_position",
    "",
]
ODD_NUMBERS = ["NaN", "sNaN", "inf", "-inf", "1e309", "-0", " 12 ", "0x10", "1_2", "9" * 400, "٣"]
# Near and past the edges of what each input sends: hours and minutes out of range, seconds and
# fractions, years Excel cannot show, days that do not exist, the other type's format.
ODD_TIMES = [
    "00:00", "23:59", "24:00", "12:60", "6:45", "06:45:30", "06:45:30.5", "06h45", "T06:45",
    "06:45+02:00", " 06:45 ", "٠٦:٤٥", "2026-03-14T06:45",
]  # fmt: skip
ODD_DATETIMES = [
    "2026-03-14T06:45", "2026-03-14 06:45", "2026-03-14T06:45:59", "1899-12-31T23:59",
    "1900-01-01T00:00", "2100-12-31T23:59", "2101-01-01T00:00", "2026-02-30T10:00",
    "2026-03-14T24:00", "2026-03-14", "06:45", "2026-03-14T06:45Z", "+2026-03-14T06:45",
    "9999-12-31T23:59", "0001-01-01T00:00",
]  # fmt: skip
ODD_DATES = ["2026-03-14", "1899-12-31", "1900-01-01", "2100-12-31", "2101-01-01", "2026-02-30"]


def _any_char():
    return st.characters(exclude_categories=())  # every code point: controls, surrogates too


def _junk():
    return st.one_of(
        st.text(_any_char(), max_size=30),
        st.integers().map(str),
        st.floats().map(str),
        st.sampled_from(ODD_NUMBERS),
        # Very long: past the 200 and 5000 character limits, sometimes past the 1 MB body limit.
        st.builds(lambda ch, n: ch * n, _any_char(), st.integers(150, 6000)),
    )


def _plausible(question: Question):
    """Values of the question's own kind, near and past its edges."""
    if question.choices:
        one = st.sampled_from([c.code for c in question.choices])
        return st.lists(one, min_size=1, max_size=4) if question.type == "multiple_choice" else one
    # Around the years a participant can mean (1900 to 2100), and past them.
    first, last = date(FIRST_YEAR - 10, 1, 1), date(LAST_YEAR + 10, 12, 31)
    if question.type == "time":
        return st.one_of(
            st.sampled_from(ODD_TIMES),
            st.times().map(lambda moment: moment.isoformat(timespec="minutes")),
            st.times().map(str),  # with seconds, sometimes microseconds
        )
    if question.type == "datetime":
        moments = st.datetimes(datetime.combine(first, time()), datetime.combine(last, time()))
        return st.one_of(
            st.sampled_from(ODD_DATETIMES),
            moments.map(lambda moment: moment.isoformat(timespec="minutes")),
            moments.map(lambda moment: moment.isoformat(sep=" ")),
        )
    if question.type == "date":
        return st.one_of(st.sampled_from(ODD_DATES), st.dates(first, last).map(str))
    if question.type in ("rating", "integer", "decimal"):
        low, high = int(question.min_value or 0), int(question.max_value or 10)
        edges = [str(n) for n in (low - 1, low, high, high + 1)]
        return st.one_of(
            st.sampled_from(edges + ODD_NUMBERS),
            st.integers().map(str),
            st.floats().map(str),
        )
    return st.one_of(
        st.text(_any_char(), max_size=30),
        st.builds(lambda ch, n: ch * n, _any_char(), st.integers(150, 6000)),
    )


def _encode(value: str) -> bytes:
    """As bytes, so a lone surrogate goes out as the raw bytes %ED%A0%80."""
    return value.encode("utf-8", "surrogatepass")


def _body(token: str, fields: dict[str, object]) -> str:
    pairs = [(b"csrf_token", token.encode())]
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((_encode(name), _encode(item)))
    return urlencode(pairs)


def _only(answer: Answer, column: str, kind: type) -> object:
    """The answer's one value, which must be in `column` and of exactly that type."""
    columns = ("value_text", "value_number", "value_date", "value_time", "value_datetime")
    assert [c for c in columns if getattr(answer, c) is not None] == [column], answer.value
    value = getattr(answer, column)
    assert type(value) is kind, (column, value)
    return value


def assert_stored_answers_are_valid(db) -> set[str]:
    """Returns the types of the answers stored."""
    db.session.rollback()
    answers = list(db.session.scalars(select(Answer)))
    for answer in answers:
        question: Question = answer.question
        codes = {c.code for c in question.choices}
        kind = question.type
        where = (question.name, answer.value)
        if kind == "time":
            woke = _only(answer, "value_time", time)
            assert (woke.second, woke.microsecond, woke.tzinfo) == (0, 0, None), where
        elif kind == "datetime":
            moment = _only(answer, "value_datetime", datetime)
            assert FIRST_YEAR <= moment.year <= LAST_YEAR and moment.tzinfo is None, where
            assert (moment.second, moment.microsecond) == (0, 0), where
        elif kind == "date":
            day = _only(answer, "value_date", date)
            assert FIRST_YEAR <= day.year <= LAST_YEAR, where
        elif kind == "calculate":
            # cups_left = 40 - cups, worked out here from the stored input.
            cups = next(
                (
                    a.value_number
                    for a in answers
                    if a.response_id == answer.response_id and a.question.name == "cups"
                ),
                None,
            )
            assert cups is not None, where
            assert _only(answer, "value_number", float) == 40 - cups, where
        elif kind == "multiple_choice":
            assert answer.value_text and set(answer.value_text.split()) <= codes, where
        elif kind in ("single_choice", "yes_no", "likert"):
            assert answer.value_text in codes, where
        elif kind in ("rating", "integer", "decimal"):
            number = answer.value_number
            assert number is not None and math.isfinite(number), where
            low = question.min_value if question.min_value is not None else -math.inf
            high = question.max_value if question.max_value is not None else math.inf
            if kind == "rating":
                low, high = question.min_value or 0, question.max_value or 10
            assert low <= number <= high, where
            if kind != "decimal":
                assert number.is_integer(), where
        elif kind in TEXT_LIMITS:
            text = answer.value_text
            limit = question.max_length or TEXT_LIMITS[kind]
            assert text and text == text.strip() and len(text) <= limit, where
            assert not FORBIDDEN.search(text), where
    return {answer.question.type for answer in answers}


def _reopen(db, response_id: str) -> None:
    """Page 9's Next completes the survey; reopen it so later examples reach every page."""
    db.session.rollback()
    response = db.session.get(Response, response_id)
    if response.status == ResponseStatus.COMPLETE:
        response.status = ResponseStatus.IN_PROGRESS
        response.submitted_at = None
        response.current_position = 9
        db.session.commit()


def assert_calculated_when_its_input_is(db) -> None:
    """Every response with a number of cups has its calculation, and only those."""
    with_cups = set(
        db.session.scalars(select(Answer.response_id).join(Question).where(Question.name == "cups"))
    )
    calculated = set(
        db.session.scalars(
            select(Answer.response_id).join(Question).where(Question.name == "cups_left")
        )
    )
    assert calculated == with_cups


MOMENTS = ["baby_born", "woke_at", "last_expressed", "cups"]


def add_moments(db, version) -> None:
    """Before the first request, which builds the version's structure: a date, a time of day,
    a date and time, a number and a calculation from it, on page 5 (the toolkit's, which has
    no other question, so a post with some of them valid is saved)."""
    add_question(db, version, 5, name="baby_born", type="date")
    add_question(db, version, 5, name="woke_at", type="time")
    add_question(db, version, 5, name="last_expressed", type="datetime")
    add_question(db, version, 5, name="cups", type="integer")
    add_question(db, version, 5, name="cups_left", type="calculate", calculation="40 - ${cups}")


@pytest.mark.slow
def test_random_dates_and_times_are_stored_typed_or_refused(app, db, browser, version):
    add_moments(db, version)
    complete_survey(browser, upto=8)
    db.session.rollback()
    [participant] = list(db.session.scalars(select(Response.id)))
    questions = {q.name: q for q in version.questions}
    # One answer of each kind first, so the checks below read each kind at least once.
    valid = {"baby_born": "2026-03-14", "woke_at": "06:45", "last_expressed": "2026-03-14T05:30"}
    assert answer_page(browser, 5, {**valid, "cups": "3"}, button="back").status_code == 302
    stored_types = assert_stored_answers_are_valid(db)
    assert {"date", "time", "datetime", "calculate"} <= stored_types, stored_types
    assert_calculated_when_its_input_is(db)

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def post_moments(data: st.DataObject) -> None:
        fields: dict[str, object] = {}
        for name in MOMENTS:
            if data.draw(st.booleans()):
                plausible = _plausible(questions[name])
                fields[name] = data.draw(
                    st.one_of(plausible, plausible, plausible, _junk()), label=name
                )
        fields[data.draw(st.sampled_from(["next", "back", "switch_language"]))] = "x"
        browser.get("/survey/page/5")  # a valid token
        response = browser.request(
            "POST",
            "/survey/page/5",
            data=_body(browser.token, fields),
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code in ALLOWED, (fields, response.status_code)
        assert_stored_answers_are_valid(db)
        assert_calculated_when_its_input_is(db)
        _reopen(db, participant)

    post_moments()


@pytest.mark.slow
def test_random_posts_to_participant_pages(app, db, browser, version):
    add_moments(db, version)
    complete_survey(browser, upto=8)  # a participant who has reached page 9
    db.session.rollback()  # see what the requests committed
    [participant] = list(db.session.scalars(select(Response.id)))
    questions = {q.name: q for q in version.questions}
    on_page = {f"/survey/page/{p.position}": [q.name for q in p.questions] for p in version.pages}
    other_names = st.one_of(
        st.sampled_from(sorted(questions)),
        st.sampled_from(JUNK_NAMES),
        st.text(_any_char(), max_size=12),
    )

    @st.composite
    def fields_for(draw, url: str) -> dict[str, object]:
        fields = {}
        for name in on_page.get(url, []):  # the page's own questions, with values of their kind
            if draw(st.booleans()):
                fields[name] = draw(st.one_of(_plausible(questions[name]), _junk()))
        for name in draw(st.lists(other_names, max_size=4)):
            fields[name] = draw(st.one_of(_junk(), st.lists(_junk(), max_size=3)))
        button = draw(st.sampled_from([None, "next", "back", "switch_language"]))
        return {**fields, button: "x"} if button else fields

    statuses: set[int] = set()
    stored_types: set[str] = set()

    @settings(
        max_examples=60,
        deadline=None,
        database=None,  # nothing written into the work tree
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(stranger=st.booleans(), data=st.data())
    def post_randomly(stranger: bool, data: st.DataObject) -> None:
        # The participant with a session, or a browser without one (a fresh session).
        visitor = Browser(app.test_client()) if stranger else browser
        visitor.get("/survey/page/1")  # a valid token for this session
        for group in TARGET_GROUPS:
            url = data.draw(st.sampled_from(group))
            url = url.replace("<key>", data.draw(st.sampled_from(TOOLKIT_KEYS)))
            fields = data.draw(fields_for(url), label=url)
            response = visitor.request(
                "POST",
                url,
                data=_body(visitor.token, fields),
                content_type="application/x-www-form-urlencoded",
            )
            statuses.add(response.status_code)
            allowed = ALLOWED | {429} if url in CODE_PAGES else ALLOWED
            assert response.status_code in allowed, (url, fields, response.status_code)
            visitor._remember_token(response)
        stored_types.update(assert_stored_answers_are_valid(db))
        assert_calculated_when_its_input_is(db)
        _reopen(db, participant)

    post_randomly()
    assert {302, 400} <= statuses  # pages were both refused and accepted
