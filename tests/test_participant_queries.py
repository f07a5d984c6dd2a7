"""What a participant's page costs the database, and the shortcuts that keep it cheap: a kept
structure for published versions (never for drafts), answers read and written as rows, and
choice inputs rendered without a WTForms field per option, with WTForms' own markup."""

from __future__ import annotations

import contextlib
import json
import re

import pytest
from sqlalchemy import event, select

from forms.participant import ChoiceInputs, page_form
from survey.models import Answer, QuestionnaireVersion
from survey.participate.structure import build_structure, version_structure
from survey.questionnaire.loader import DEFAULT_QUESTIONNAIRE, build_version
from tests.conftest import responses
from tests.survey_steps import PAGES, TOOLKIT_POSITION, answer_page, complete_survey

# Statements per request of the survey's question pages, BEGIN included (SQLite sends one; on
# PostgreSQL the driver's BEGIN is not counted). Opening a page reads the response and its
# answers; pressing Next reads them too, inserts the new answers in one statement and updates
# the response, however many answers the page has. A save that also changes and deletes
# answers adds one statement for each (MOST_TO_SAVE).
MOST_STATEMENTS = {"GET": 3, "POST": 5}
MOST_TO_SAVE = 7
STRUCTURE_TABLES = re.compile(r"\b(?:FROM|JOIN)\s+(?:page|question|choice_list|choice)\b")


@contextlib.contextmanager
def statements(db):
    """Every SQL statement the application sends while the block runs."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_each_question_page_has_a_fixed_query_budget(browser, make_browser, db):
    complete_survey(make_browser())  # someone else's survey: the version's structure is kept
    complete_survey(browser, upto=2)
    for position, data in PAGES[2:]:
        url = f"/survey/page/{position}"
        with statements(db) as on_get:
            assert browser.get(url).status_code == 200
        with statements(db) as on_post:
            sent = browser.post(url, {**data, "next": "x"}, fetch=False)
            assert sent.status_code == 302
        if position == TOOLKIT_POSITION:  # no section opened: one reminder, then Next goes on
            assert sent.headers["Location"].endswith(url)
            with statements(db) as on_post:
                assert browser.post(url, {**data, "next": "x"}, fetch=False).status_code == 302
        # The toolkit page also reads which of its sections were read (one more statement).
        extra = 1 if position == TOOLKIT_POSITION else 0
        assert len(on_get) <= MOST_STATEMENTS["GET"] + extra, (position, on_get)
        assert len(on_post) <= MOST_STATEMENTS["POST"] + extra, (position, on_post)
        assert not [s for s in on_get + on_post if STRUCTURE_TABLES.search(s)], position


def test_the_session_cookie_is_sent_again_only_when_the_session_changes(browser, investigator):
    """Signing the cookie again on every page cost a participant's request about a twentieth of
    its time; staff sessions change on every request (the idle timeout), so theirs stay fresh."""
    complete_survey(browser, upto=4)
    browser.post("/survey/toolkit/what", {"submit": "x"})  # a section read: no reminder
    position = PAGES[4][0]
    opened = browser.get(f"/survey/page/{position}")
    assert opened.status_code == 200
    assert "Set-Cookie" not in opened.headers
    saved = browser.post(f"/survey/page/{position}", {**PAGES[4][1], "next": "x"}, fetch=False)
    assert saved.status_code == 302
    assert "Set-Cookie" not in saved.headers
    switched = browser.get(f"/survey/page/{PAGES[5][0]}?lang=fr")  # the language is kept
    assert "Set-Cookie" in switched.headers
    staff_page = investigator.get("/staff/")
    assert staff_page.status_code == 200
    assert "Set-Cookie" in staff_page.headers


def test_the_sus_page_saves_its_ten_answers_in_one_statement(browser, db):
    complete_survey(browser, upto=6)
    browser.get("/survey/page/7")
    with statements(db) as sent:
        browser.post("/survey/page/7", {**PAGES[6][1], "next": "x"}, fetch=False)
    inserts = [s for s in sent if s.lstrip().upper().startswith("INSERT INTO ANSWER")]
    assert len(inserts) == 1
    stored = by_name(db)
    assert {name: stored[name].value for name in PAGES[6][1]} == PAGES[6][1]


def stored_rows(db) -> list[Answer]:
    db.session.rollback()
    return list(db.session.scalars(select(Answer).order_by(Answer.id)))


def by_name(db) -> dict[str, Answer]:
    version = db.session.scalar(select(QuestionnaireVersion))
    names = {q.id: q.name for q in version.questions}
    return {names[a.question_id]: a for a in stored_rows(db)}


def test_saving_a_page_changes_only_the_rows_it_must(browser, db):
    complete_survey(browser, upto=4)
    before = {name: (a.id, a.value, a.answered_at) for name, a in by_name(db).items()}

    # The same answers again: not one row changes, not even its time.
    answer_page(browser, 4)
    assert {n: (a.id, a.value, a.answered_at) for n, a in by_name(db).items()} == before

    # A changed answer is updated in place; an emptied one and the one it hid are deleted.
    changed = {**PAGES[3][1], "confidence_before": "4", "info_formats": ["online"]}
    del changed["info_formats_other"]
    browser.get("/survey/page/4")
    with statements(db) as sent:
        browser.post("/survey/page/4", {**changed, "next": "x"}, fetch=False)
    assert len(sent) <= MOST_TO_SAVE, sent
    after = by_name(db)
    assert after["confidence_before"].id == before["confidence_before"][0]
    assert after["confidence_before"].value == "4"
    assert after["confidence_before"].answered_at > before["confidence_before"][2]
    assert after["info_formats"].value_text == "online"
    assert "info_formats_other" not in after
    assert after["age_group"].answered_at == before["age_group"][2]  # another page: untouched

    # Changing an answer that decides a follow-up drops the follow-up's answer.
    answer_page(browser, 4, {**changed, "feeding_status": "exclusive"})
    assert "exclusive_duration" not in by_name(db)
    assert responses(db)[0].current_position == 5


def test_a_published_structure_is_kept_and_a_draft_is_read_afresh(db, version):
    kept = version_structure(db.session, version.id)
    with statements(db) as sent:
        assert version_structure(db.session, version.id) is kept
    assert sent == []

    definition = json.loads(DEFAULT_QUESTIONNAIRE.read_text())
    draft = build_version(definition, number=2)
    version.questionnaire.versions.append(draft)
    db.session.commit()
    first = version_structure(db.session, draft.id)
    draft.pages[0].title_en = "Edited in the draft"
    db.session.commit()
    again = version_structure(db.session, draft.id)
    assert again is not first
    assert again.pages[0].title_en == "Edited in the draft"
    assert build_structure(draft).pages[0].title_en == "Edited in the draft"


def test_the_structure_holds_what_the_rows_say(db, version):
    structure = build_structure(version)
    assert [p.position for p in structure.pages] == [p.position for p in version.pages]
    for row, kept in zip(version.questions, structure.questions, strict=True):
        assert (kept.id, kept.name, kept.type, kept.required, kept.show_if) == (
            row.id,
            row.name,
            row.type,
            row.required,
            row.show_if,
        )
        assert [(c.code, c.text("label", "fr")) for c in kept.choices] == [
            (c.code, c.text("label", "fr")) for c in row.choices
        ]
        assert kept.text("hint", "fr") == row.text("hint", "fr")
    weeks = structure.page_at(3).questions[-1]
    assert weeks.name == "pregnancy_weeks" and weeks.reads == {"pregnant"}
    assert weeks.shown_with({"pregnant": "yes"}) and not weeks.shown_with({"pregnant": "no"})


def choice_fields(app, version, language: str, data: dict):
    structure = build_structure(version)
    with app.test_request_context(f"/survey/?lang={language}"):
        for page in structure.pages:
            form = page_form(page, language, data=data)
            for field in form:
                if isinstance(field, ChoiceInputs):
                    yield field


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("describedby", ["", "x-hint", 'odd "quoted" & <id>'])
def test_choice_inputs_are_the_markup_wtforms_renders(app, db, version, language, describedby):
    chosen = {"age_group": "30_34", "info_formats": ["online", "other"], "rating_clear": "7"}
    fields = list(choice_fields(app, version, language, chosen))
    assert len(fields) > 30
    with app.test_request_context(f"/survey/?lang={language}"):
        for field in fields:
            attrs = {"aria-describedby": describedby} if describedby else {}
            wtforms = [(o.id, o.label.text, str(o(**attrs))) for o in field]
            ours = [(o.id, o.label, str(o.input)) for o in field.options(describedby)]
            assert ours == wtforms, field.name
    assert any(" checked " in str(o.input) for f in fields for o in f.options())


@pytest.mark.parametrize("language", ["en", "fr"])
def test_written_out_token_and_buttons_are_the_markup_wtforms_renders(
    app, browser, version, language
):
    complete_survey(browser, upto=3)
    html = browser.get(f"/survey/page/4?lang={language}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    structure = build_structure(version)
    with app.test_request_context(f"/survey/page/4?lang={language}"):
        form = page_form(structure.page_at(4), language)
        assert str(form.next(class_="button primary")) in html
        assert str(form.back(class_="button secondary")) in html
        form.csrf_token.current_token = token
        assert str(form.csrf_token) in html
