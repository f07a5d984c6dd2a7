"""Drafts, the rules that protect collected answers, the diff and publishing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.editor import versions
from survey.editor.diff import ChangeKind
from survey.models import (
    Choice,
    Question,
    QuestionnaireVersion,
    QuestionType,
    Response,
    User,
    VersionStatus,
)
from survey.questionnaire.rules import DraftRefused, check_draft, draft_problems
from tests.conftest import responses
from tests.factories import make_response
from tests.survey_steps import PAGES, answer_page

ANSWERS = {"eligibility": "breastfeeding", "consent": "yes", "age_group": "30_34", "pregnant": "no"}


@pytest.fixture
def editor(db) -> User:
    user = User(email="editor@example.org", password_hash="-", role="admin")
    db.session.add(user)
    db.session.commit()
    return user


def question(version: QuestionnaireVersion, name: str) -> Question:
    return next(q for q in version.questions if q.name == name)


def subjects(problems) -> list[str]:
    return [f"{p.subject}: {p.message}" for p in problems]


def test_a_draft_is_a_copy_and_the_published_version_is_untouched(db, version, editor):
    draft = versions.open_draft(db.session, version.questionnaire, editor)
    assert (draft.number, draft.status) == (2, VersionStatus.DRAFT)
    assert [q.name for q in draft.questions] == [q.name for q in version.questions]
    assert {q.id for q in draft.questions}.isdisjoint({q.id for q in version.questions})
    assert versions.open_draft(db.session, version.questionnaire, editor) is draft
    assert draft_problems(db.session, draft) == []
    question(draft, "age_group").label_en = "Your age group"
    assert question(version, "age_group").label_en == "How old are you?"


def test_type_change_of_an_answered_question_is_refused(db, version, editor):
    make_response(db, version, ANSWERS)
    draft = versions.open_draft(db.session, version.questionnaire, editor)
    question(draft, "age_group").type = QuestionType.LIKERT  # same list: still refused
    question(draft, "parity").type = QuestionType.SHORT_TEXT  # never answered: allowed
    question(draft, "parity").choice_list = None
    [problem] = draft_problems(db.session, draft)
    assert str(problem.subject) == "question age_group"
    assert "1 responses answered it as single_choice" in str(problem.message)
    assert "add a new question" in str(problem.message)


def test_changing_or_removing_an_answered_choice_code_is_refused(db, version, editor):
    make_response(db, version, {**ANSWERS, "info_formats": ["online", "video"]})
    draft = versions.open_draft(db.session, version.questionnaire, editor)
    formats = question(draft, "info_formats").choice_list
    by_code = {c.code: c for c in formats.choices}
    by_code["online"].code = "web"  # chosen: refused
    formats.choices.remove(by_code["video"])  # chosen: refused
    formats.choices.remove(by_code["social"])  # never chosen: fine
    by_code["print"].label_en = "Paper handouts"  # relabelling is always fine
    assert subjects(draft_problems(db.session, draft)) == [
        "question info_formats: choice code 'online' was chosen in 1 responses, so it cannot be "
        "changed or removed; change its label instead, or add a new choice",
        "question info_formats: choice code 'video' was chosen in 1 responses, so it cannot be "
        "changed or removed; change its label instead, or add a new choice",
    ]


def test_a_variable_name_is_never_reused(db, version, editor):
    questionnaire = version.questionnaire
    draft = versions.open_draft(db.session, questionnaire, editor)
    about = question(draft, "home_language").page
    about.questions.remove(question(draft, "home_language"))
    versions.publish(db.session, questionnaire, editor)
    draft = versions.open_draft(db.session, questionnaire, editor)
    reused = question(draft, "parity")
    reused.name = "home_language"
    [problem] = draft_problems(db.session, draft)
    assert str(problem.subject) == "question home_language"
    assert "version 1 used this variable name" in str(problem.message)


@pytest.mark.parametrize(
    ("name", "show_if", "expected"),
    [
        ("pregnancy_weeks", "${nope} = 'yes'", "unknown variable ${nope} (at character 1)"),
        ("pregnancy_weeks", "${pain_during} > 3", "is asked later"),
        ("pregnancy_weeks", "${pregnancy_weeks} > 3", "is this question itself"),
        ("pregnancy_weeks", "${pregnant} = ", "(at character 14)"),
        ("pregnancy_weeks", "${pregnant} == 'yes'", "unexpected '=' (at character 14)"),
    ],
)
def test_bad_show_if_is_refused_with_its_position(db, version, editor, name, show_if, expected):
    draft = versions.open_draft(db.session, version.questionnaire, editor)
    question(draft, name).show_if = show_if
    [problem] = draft_problems(db.session, draft)
    assert str(problem.subject) == f"question {name}"
    assert expected in str(problem.message)


def test_moving_a_question_before_the_one_it_depends_on_is_refused(db, version, editor):
    draft = versions.open_draft(db.session, version.questionnaire, editor)
    weeks, pregnant = question(draft, "pregnancy_weeks"), question(draft, "pregnant")
    weeks.position, pregnant.position = -1, -2
    db.session.flush()
    weeks.position, pregnant.position = pregnant.position + 100, weeks.position + 100
    db.session.flush()
    problems = subjects(draft_problems(db.session, draft))
    assert problems == [
        "question pregnancy_weeks: show-if: ${pregnant} is asked later, so it cannot decide "
        "this (at character 1)"
    ]
    with pytest.raises(DraftRefused):
        check_draft(db.session, draft)


def test_score_items_must_exist_and_be_numeric(db, version, editor):
    draft = versions.open_draft(db.session, version.questionnaire, editor)
    [sus] = draft.scores
    sus.items = [*sus.items[:9], "comment_liked", "missing_item"]
    assert subjects(draft_problems(db.session, draft)) == [
        "score sus_score: item comment_liked has no numeric answers to score",
        "score sus_score: item missing_item is not a question of this version",
        "score sus_score: reverse-keyed item sus_10 is not one of the items",
    ]


def test_diff_names_every_kind_of_change_with_the_responses_it_touches(db, version, editor):
    make_response(db, version, {**ANSWERS, "home_language": "fr", "parity": "1"})
    make_response(db, version, {**ANSWERS, "parity": "2"})
    questionnaire = version.questionnaire
    draft = versions.open_draft(db.session, questionnaire, editor)
    about = question(draft, "age_group").page
    about.questions.remove(question(draft, "home_language"))  # removed
    question(draft, "age_group").label_en = "Your age group?"  # reworded
    parity = question(draft, "parity").choice_list
    parity.choices.append(Choice(position=5, code="4", label_en="Four or more"))  # recoded
    question(draft, "parity").required = False  # changed
    db.session.flush()
    pregnant, parity_q = question(draft, "pregnant"), question(draft, "parity")
    pregnant.position, parity_q.position = -1, -2
    db.session.flush()
    pregnant.position, parity_q.position = 3, 4  # reordered: pregnant now before parity
    db.session.flush()
    about.questions.append(
        Question(position=9, name="postal_area", type="short_text", label_en="Postal area")
    )  # added
    changes = {(c.kind, c.subject): c for c in versions.pending_changes(db.session, questionnaire)}
    assert changes[(ChangeKind.REMOVED, "question home_language")].responses == 1
    assert changes[(ChangeKind.REWORDED, "question age_group")].responses == 2
    assert changes[(ChangeKind.RECODED, "question parity")].detail == "added 4"
    assert changes[(ChangeKind.RECODED, "question parity")].responses == 2
    assert changes[(ChangeKind.CHANGED, "question parity")].detail == "required"
    assert changes[(ChangeKind.REORDERED, "question pregnant")].responses == 2
    assert changes[(ChangeKind.ADDED, "question postal_area")].responses == 0


def test_publishing_retires_the_old_version_and_keeps_every_answer(db, version, editor):
    old = make_response(db, version, {**ANSWERS, "home_language": "fr"})
    questionnaire = version.questionnaire
    draft = versions.open_draft(db.session, questionnaire, editor)
    question(draft, "home_language").page.questions.remove(question(draft, "home_language"))
    published = versions.publish(db.session, questionnaire, editor)
    db.session.commit()
    assert [v.status for v in questionnaire.versions] == [
        VersionStatus.RETIRED,
        VersionStatus.PUBLISHED,
    ]
    assert published.published_at is not None
    db.session.expire_all()
    kept = db.session.get(Response, old.id)
    assert kept.version_id == version.id
    assert {a.question.name: a.value for a in kept.answers}["home_language"] == "fr"


def test_publishing_refuses_a_draft_with_problems(db, version, editor):
    draft = versions.open_draft(db.session, version.questionnaire, editor)
    question(draft, "pregnancy_weeks").show_if = "${later_thing} = 1"
    db.session.commit()
    with pytest.raises(DraftRefused):
        versions.publish(db.session, version.questionnaire, editor)
    db.session.rollback()
    statuses = db.session.execute(
        select(QuestionnaireVersion.number, QuestionnaireVersion.status).order_by("number")
    )
    assert list(statuses) == [(1, VersionStatus.PUBLISHED), (2, VersionStatus.DRAFT)]


def test_a_participant_who_started_on_version_1_finishes_on_it(browser, make_browser, db, editor):
    version_1 = db.session.scalar(select(QuestionnaireVersion))
    for position, data in PAGES[:7]:
        assert answer_page(browser, position, data).status_code == 302
    db.session.rollback()  # a new transaction: the pages above wrote meanwhile
    questionnaire = version_1.questionnaire
    draft = versions.open_draft(db.session, questionnaire, editor)
    question(draft, "tried_with_toolkit").label_en = "Version two wording of the tried question"
    question(draft, "confidence_after").page.questions.remove(question(draft, "pain_during"))
    versions.publish(db.session, questionnaire, editor)
    db.session.commit()

    html = browser.get("/survey/page/8").get_data(as_text=True)
    assert "Version two wording" not in html and 'name="pain_during"' in html
    for position, data in PAGES[7:]:
        assert browser.post(f"/survey/page/{position}", {**data, "next": "x"}).status_code == 302
    [response] = responses(db)
    assert response.version_id == version_1.id and response.status == "complete"
    assert {a.question.name for a in response.answers} >= {"pain_during", "comment_liked"}

    newcomer = make_browser()
    for position, data in PAGES[:2]:
        newcomer.post(f"/survey/page/{position}", {**data, "next": "x"})
    newcomer.get("/survey/page/8")  # not reached yet: sent back to where they are
    page_3 = newcomer.get("/survey/page/3")
    assert page_3.status_code == 200
    [_, started_later] = sorted(responses(db), key=lambda r: r.started_at)
    assert started_later.version.number == 2


def test_after_publishing_old_answers_are_exported_under_their_variables(db, version, editor):
    from tests.test_exports import report, sheet_dicts

    first = make_response(db, version, {**ANSWERS, "home_language": "fr", "parity": "2"})
    questionnaire = version.questionnaire
    draft = versions.open_draft(db.session, questionnaire, editor)
    question(draft, "home_language").page.questions.remove(question(draft, "home_language"))
    question(draft, "parity").label_en = "How many children have you had?"
    versions.publish(db.session, questionnaire, editor)
    db.session.commit()
    second_version = db.session.scalar(
        select(QuestionnaireVersion).where(QuestionnaireVersion.number == 2)
    )
    second = make_response(db, second_version, {**ANSWERS, "parity": "1"})
    workbook, info = report(db)
    assert info.versions == [1, 2]
    rows = {r["response_id"]: r for r in sheet_dicts(workbook["Responses"])}
    assert (rows[first.id]["version"], rows[first.id]["home_language"]) == (1, "fr")
    assert (rows[first.id]["parity"], rows[second.id]["parity"]) == (2, 1)
    assert rows[second.id]["home_language"] is None
    codebook = {r["column"]: r for r in sheet_dicts(workbook["Codebook"])}
    assert codebook["home_language"]["versions"] == "1"
    assert "v2: How many children have you had?" in codebook["parity"]["wording changes"]
