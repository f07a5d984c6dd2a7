"""The questionnaire editor through HTTP, with CSRF on: every change to a draft is checked in the
database afterwards, every refusal of the rules comes back as a 400 that names the problem and
leaves the draft as it was, and nothing of a published version can be reached."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from survey.editor import versions
from survey.models import (
    AuditEvent,
    Choice,
    ChoiceList,
    Page,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Score,
    User,
    VersionStatus,
)
from survey.questionnaire.loader import definition_of
from tests.factories import make_response

BASE = "/staff/admin/questionnaire"


# --- helpers -------------------------------------------------------------------------------


def the_draft(db) -> QuestionnaireVersion | None:
    """The draft as committed (a new transaction sees what the requests did)."""
    db.session.rollback()
    return db.session.scalar(
        select(QuestionnaireVersion).where(QuestionnaireVersion.status == VersionStatus.DRAFT)
    )


def the_published(db) -> QuestionnaireVersion:
    db.session.rollback()
    return db.session.scalar(
        select(QuestionnaireVersion).where(QuestionnaireVersion.status == VersionStatus.PUBLISHED)
    )


def in_draft(db, model, **where):
    """One item of the draft, found by its columns (e.g. name=...)."""
    draft = the_draft(db)
    query = select(model).filter_by(**where)
    if model is Question:
        query = query.join(Page).where(Page.version_id == draft.id)
    elif model is Choice:
        query = query.join(ChoiceList).where(ChoiceList.version_id == draft.id)
    else:
        query = query.where(model.version_id == draft.id)
    return db.session.scalar(query)


def edits(db) -> list[dict]:
    db.session.rollback()
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "questionnaire.edit").order_by(AuditEvent.id)
    )
    return [row.details for row in rows]


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def post(admin, path: str, data: dict | None = None):
    """Press a button of the draft page (POST only: the draft page gives the token)."""
    return admin.post(f"{BASE}{path}", data or {}, fetch=False)


def question_data(question: Question, **changes) -> dict:
    """What the question's edit form holds, with some fields changed (as a browser posts it)."""
    data = {
        "type": question.type,
        "choice_list": str(question.choice_list_id or ""),
        "label_en": question.label_en,
        "label_fr": question.label_fr or "",
        "hint_en": question.hint_en or "",
        "hint_fr": question.hint_fr or "",
        "min_value": "" if question.min_value is None else str(question.min_value),
        "max_value": "" if question.max_value is None else str(question.max_value),
        "max_length": "" if question.max_length is None else str(question.max_length),
        "show_if": question.show_if or "",
        "submit": "x",
    }
    for flag in ("required", "identifier"):
        if getattr(question, flag):
            data[flag] = "y"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def edit_question(admin, db, variable: str, **changes):
    question = in_draft(db, Question, name=variable)
    return admin.post(f"{BASE}/draft/questions/{question.id}", question_data(question, **changes))


def new_question(**fields) -> dict:
    return {"type": "short_text", "label_en": "A new question", "submit": "x", **fields}


@pytest.fixture
def draft(admin, db) -> QuestionnaireVersion:
    admin.get(f"{BASE}/")
    response = post(admin, "/draft/start")
    assert response.status_code == 302 and response.headers["Location"].endswith("/draft")
    return the_draft(db)


def page_id(db, name: str) -> int:
    """The id of the draft's page with this name."""
    return db.session.scalar(
        select(Page.id).where(Page.version_id == the_draft(db).id, Page.name == name)
    )


def snapshot(db) -> dict:
    return definition_of(the_draft(db))


# --- drafts ----------------------------------------------------------------------------------


def test_overview_lists_versions_and_starts_a_draft(admin, db):
    page = text_of(admin.get(f"{BASE}/"))
    assert "Start a draft" in page and "published" in page
    assert 'name="spreadsheet"' in page and 'enctype="multipart/form-data"' in page
    response = post(admin, "/draft/start")
    assert response.status_code == 302
    draft = the_draft(db)
    assert draft.number == 2
    assert definition_of(draft) == definition_of(the_published(db))
    page = text_of(admin.get(f"{BASE}/"))
    assert "Start a draft" not in page and "Edit the draft" in page and "Discard the draft" in page
    # Starting again keeps the one draft.
    post(admin, "/draft/start")
    assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 2


def test_overview_counts_responses_per_version(admin, db, version):
    make_response(db, version, {"age_group": "30_34"})
    page = text_of(admin.get(f"{BASE}/"))
    assert "<td>1</td>" in page


def test_discarding_needs_the_box_ticked(admin, db, draft):
    refused = post(admin, "/draft/discard", {"submit": "x"})
    assert refused.status_code == 400
    assert "Tick the box to confirm." in text_of(refused)
    assert the_draft(db) is not None
    done = post(admin, "/draft/discard", {"confirm": "y", "submit": "x"})
    assert done.status_code == 302
    assert the_draft(db) is None
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-2:] == ["questionnaire.draft", "questionnaire.discard"]


def test_without_a_draft_the_editor_sends_you_to_the_overview(admin, db):
    for method, path in [
        ("GET", "/draft"),
        ("GET", "/draft/pages/new"),
        ("POST", "/draft/pages/new"),
    ]:
        response = admin.request(method, f"{BASE}{path}", data={"csrf_token": admin.token})
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith(f"{BASE}/")
    assert "There is no draft to edit." in text_of(admin.get(f"{BASE}/"))
    assert the_draft(db) is None


def test_the_draft_page_shows_every_page_and_question(admin, draft):
    page = text_of(admin.get(f"{BASE}/draft"))
    for name in ("about_you", "pregnancy_weeks", "sus_10", "agree5", "sus_score"):
        assert name in page
    assert "Move up" in page and "Move down" in page and "Remove" in page


def test_get_changes_nothing(admin, db, draft):
    before, events = snapshot(db), len(edits(db))
    page = in_draft(db, Page, name="about_you")
    question = in_draft(db, Question, name="age_group")
    choice_list = in_draft(db, ChoiceList, name="agree5")
    for path in (
        "/draft",
        "/draft/settings",
        f"/draft/pages/{page.id}",
        f"/draft/pages/{page.id}/remove",
        f"/draft/pages/{page.id}/questions/new",
        f"/draft/questions/{question.id}",
        f"/draft/lists/{choice_list.id}",
        f"/draft/choices/{choice_list.choices[0].id}",
        f"/draft/scores/{in_draft(db, Score, name='sus_score').id}",
    ):
        assert admin.get(f"{BASE}{path}").status_code == 200, path
    assert snapshot(db) == before and len(edits(db)) == events


# --- settings and pages ----------------------------------------------------------------------


def test_settings(admin, db, draft):
    response = admin.post(
        f"{BASE}/draft/settings",
        {"title_en": "New title", "title_fr": "", "consent_version": "consent-v2", "submit": "x"},
    )
    assert response.status_code == 302
    draft = the_draft(db)
    assert (draft.title_en, draft.title_fr, draft.consent_version) == (
        "New title",
        None,
        "consent-v2",
    )
    assert the_published(db).title_en != "New title"
    assert edits(db)[-1] == {"change": "settings edited", "draft": 2}


def test_add_edit_move_and_remove_a_page(admin, db, draft):
    pages = len(draft.pages)
    response = admin.post(
        f"{BASE}/draft/pages/new",
        {"name": "follow_up", "kind": "questions", "title_en": "Follow-up", "submit": "x"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#page-follow_up")
    added = in_draft(db, Page, name="follow_up")
    assert added.position == pages + 1 and added.title_en == "Follow-up" and added.title_fr is None

    response = admin.post(
        f"{BASE}/draft/pages/{added.id}",
        {
            "name": "follow_up",
            "kind": "questions",
            "title_en": "Follow-up",
            "title_fr": "Suivi",
            "intro_en": "Two more\n\nquestions.",
            "screen_out_if": "${consent} = 'no'",
            "submit": "x",
        },
    )
    assert response.status_code == 302
    added = in_draft(db, Page, name="follow_up")
    assert (added.title_fr, added.intro_en) == ("Suivi", "Two more\n\nquestions.")
    assert added.screen_out_if == "${consent} = 'no'"

    assert post(admin, f"/draft/pages/{added.id}/move/up").status_code == 302
    order = [p.name for p in the_draft(db).pages]
    assert order[-2:] == ["follow_up", "comments"]
    assert [p.position for p in the_draft(db).pages] == list(range(1, pages + 2))
    post(admin, f"/draft/pages/{added.id}/move/down")
    assert [p.name for p in the_draft(db).pages][-1] == "follow_up"
    post(admin, f"/draft/pages/{added.id}/move/down")  # already last: nothing happens
    assert [p.name for p in the_draft(db).pages][-1] == "follow_up"

    confirm = admin.get(f"{BASE}/draft/pages/{added.id}/remove")
    assert "Remove page follow_up?" in text_of(confirm)
    assert admin.post(f"{BASE}/draft/pages/{added.id}/remove", {"submit": "x"}).status_code == 302
    assert in_draft(db, Page, name="follow_up") is None
    changes = [e["change"] for e in edits(db)]
    assert changes == [
        "page follow_up added",
        "page follow_up edited",
        "page follow_up moved up",
        "page follow_up moved down",
        "page follow_up removed with its questions",
    ]


def test_removing_a_page_takes_its_questions_and_renumbers(admin, db, draft):
    page = in_draft(db, Page, name="comments")
    first = in_draft(db, Page, name="eligibility")
    post(admin, f"/draft/pages/{first.id}/move/down")
    assert admin.post(f"{BASE}/draft/pages/{page.id}/remove", {"submit": "x"}).status_code == 302
    pages = the_draft(db).pages
    assert [p.position for p in pages] == list(range(1, len(pages) + 1))
    assert [p.name for p in pages][:2] == ["consent", "eligibility"]
    assert in_draft(db, Question, name="comment_liked") is None
    assert any(q.name == "comment_liked" for q in the_published(db).questions)


def test_a_page_name_is_used_once(admin, db, draft):
    response = admin.post(
        f"{BASE}/draft/pages/new",
        {"name": "consent", "kind": "questions", "title_en": "Again", "submit": "x"},
    )
    assert response.status_code == 400
    assert "Another page has this name." in text_of(response)


def test_the_last_page_cannot_go(admin, db, draft):
    admin.get(f"{BASE}/draft")
    post(admin, f"/draft/scores/{in_draft(db, Score, name='sus_score').id}/remove")
    for page in the_draft(db).pages[1:]:
        admin.post(f"{BASE}/draft/pages/{page.id}/remove", {"submit": "x"})
    [last] = the_draft(db).pages
    response = admin.post(f"{BASE}/draft/pages/{last.id}/remove", {"submit": "x"})
    assert response.status_code == 400
    assert "it needs at least one page" in text_of(response)
    assert len(the_draft(db).pages) == 1


def test_a_screen_out_condition_is_checked(admin, db, draft):
    page = in_draft(db, Page, name="consent")
    response = admin.post(
        f"{BASE}/draft/pages/{page.id}",
        {
            "name": "consent",
            "kind": "consent",
            "title_en": page.title_en,
            "screen_out_if": "${nobody} = 'no'",
            "submit": "x",
        },
    )
    assert response.status_code == 400
    assert "screen-out condition: unknown variable ${nobody} (at character 1)" in text_of(response)


# --- questions ---------------------------------------------------------------------------------


def test_add_a_question_to_a_page(admin, db, draft):
    page = in_draft(db, Page, name="about_you")
    yes_no = in_draft(db, ChoiceList, name="yes_no")
    response = admin.post(
        f"{BASE}/draft/pages/{page.id}/questions/new",
        new_question(
            name="twins",
            type="yes_no",
            choice_list=str(yes_no.id),
            label_en="Are they twins?",
            label_fr="Des jumeaux ?",
            required="y",
            show_if="${parity} != '1'",
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#question-twins")
    question = in_draft(db, Question, name="twins")
    assert question.page.name == "about_you"
    assert question.position == len(question.page.questions)
    assert (question.type, question.choice_list.name, question.required) == (
        "yes_no",
        "yes_no",
        True,
    )
    assert (question.label_fr, question.show_if) == ("Des jumeaux ?", "${parity} != '1'")
    assert edits(db)[-1]["change"] == "question twins added to page about_you"


def test_edit_a_question(admin, db, draft):
    response = edit_question(
        admin,
        db,
        "pregnancy_weeks",
        label_en="How many weeks pregnant are you?",
        hint_fr="En semaines",
        min_value="1",
        max_value="42",
        required="y",
    )
    assert response.status_code == 302
    question = in_draft(db, Question, name="pregnancy_weeks")
    assert question.label_en == "How many weeks pregnant are you?"
    assert (question.hint_fr, question.min_value, question.max_value) == ("En semaines", 1, 42)
    assert question.required is True
    published = next(q for q in the_published(db).questions if q.name == "pregnancy_weeks")
    assert published.label_en != "How many weeks pregnant are you?"
    assert edits(db)[-1]["change"] == "question pregnancy_weeks edited"


def test_a_published_variable_name_is_fixed_and_a_new_one_is_not(admin, db, draft):
    question = in_draft(db, Question, name="age_group")
    page = text_of(admin.get(f"{BASE}/draft/questions/{question.id}"))
    assert 'name="name"' not in page and "keeps its variable name" in page
    edit_question(admin, db, "age_group", name="renamed")
    assert in_draft(db, Question, name="age_group") is not None
    assert in_draft(db, Question, name="renamed") is None

    page = in_draft(db, Page, name="comments")
    admin.post(f"{BASE}/draft/pages/{page.id}/questions/new", new_question(name="comment_other"))
    added = in_draft(db, Question, name="comment_other")
    assert 'name="name"' in text_of(admin.get(f"{BASE}/draft/questions/{added.id}"))
    assert edit_question(admin, db, "comment_other", name="comment_else").status_code == 302
    assert in_draft(db, Question, id=added.id).name == "comment_else"


def test_move_questions_within_a_page_and_to_another(admin, db, draft):
    names = lambda page: [q.name for q in in_draft(db, Page, name=page).questions]  # noqa: E731
    question = in_draft(db, Question, name="comment_change")
    assert post(admin, f"/draft/questions/{question.id}/move/up").status_code == 302
    assert names("comments") == ["comment_change", "comment_liked", "comment_missing"]
    post(admin, f"/draft/questions/{question.id}/move/down")
    post(admin, f"/draft/questions/{question.id}/move/down")
    assert names("comments") == ["comment_liked", "comment_missing", "comment_change"]
    positions = [q.position for q in in_draft(db, Page, name="comments").questions]
    assert positions == [1, 2, 3]

    target = in_draft(db, Page, name="trying")
    admin.get(f"{BASE}/draft/questions/{question.id}")
    response = post(admin, f"/draft/questions/{question.id}/page", {"page": str(target.id)})
    assert response.status_code == 302
    assert names("trying")[-1] == "comment_change"
    assert names("comments") == ["comment_liked", "comment_missing"]
    assert [q.position for q in in_draft(db, Page, name="trying").questions] == [1, 2, 3, 4]
    changes = [e["change"] for e in edits(db)]
    assert changes[-1] == "question comment_change moved to page trying"
    assert changes[0] == "question comment_change moved up"


def test_remove_a_question(admin, db, draft):
    question = in_draft(db, Question, name="comment_liked")
    assert post(admin, f"/draft/questions/{question.id}/remove").status_code == 302
    assert in_draft(db, Question, name="comment_liked") is None
    assert [q.position for q in in_draft(db, Page, name="comments").questions] == [1, 2]
    assert edits(db)[-1]["change"] == "question comment_liked removed"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"min_value": "5", "max_value": "2"}, "The largest answer is below the smallest."),
        ({"min_value": "many"}, "Please enter a number."),
        ({"min_value": "nan"}, "Please enter a number."),
        ({"max_value": "1e999"}, "Please enter a number."),
        ({"label_en": ""}, "Please fill this in."),
        ({"label_en": "x" * 5001}, "Use at most 5000 characters."),
        ({"label_en": "Tab\x00null"}, "Remove the control characters from this text."),
        ({"hint_en": "escape \x1b[31m red"}, "Remove the control characters"),
        ({"type": "no_such_type"}, "Not a valid choice"),
        ({"choice_list": "999999"}, "Not a valid choice"),
        ({"max_length": "0"}, "Enter a number from 1 to 32767."),
    ],
)
def test_question_form_errors_are_400_next_to_the_field(admin, db, draft, changes, message):
    before = snapshot(db)
    response = edit_question(admin, db, "pregnancy_weeks", **changes)
    assert response.status_code == 400
    page = text_of(response)
    assert message in page and 'aria-invalid="true"' in page and "field-error" in page
    assert snapshot(db) == before


def test_only_number_questions_have_limits(admin, db, draft):
    response = edit_question(admin, db, "comment_liked", min_value="1")
    assert response.status_code == 400
    assert "Only number and rating questions have a smallest answer." in text_of(response)


# --- the rules' refusals -------------------------------------------------------------------------


def _show_if(expression: str):
    return lambda admin, db: edit_question(admin, db, "pregnancy_weeks", show_if=expression)


@pytest.mark.parametrize(
    "change, message",
    [
        (
            _show_if("${pregnant} = 'yes' and ${nope} = 'x'"),
            "question pregnancy_weeks: show-if: unknown variable ${nope} (at character 25)",
        ),
        (
            _show_if("${comment_liked} = 'x'"),
            "show-if: ${comment_liked} is asked later, so it cannot decide this (at character 1)",
        ),
        (
            _show_if("${pregnancy_weeks} > 3"),
            "show-if: ${pregnancy_weeks} is this question itself",
        ),
        (_show_if("${pregnant} = "), "show-if: expected a value, the expression ended"),
        (
            lambda admin, db: admin.post(
                f"{BASE}/draft/pages/{in_draft(db, Page, name='comments').id}/questions/new",
                new_question(name="age_group"),
            ),
            "question age_group: another question already uses this variable name",
        ),
        (
            lambda admin, db: edit_question(
                admin, db, "age_group", type="single_choice", choice_list=""
            ),
            "question age_group: a choice question needs a choice list with choices",
        ),
    ],
    ids=["unknown", "later", "itself", "syntax", "duplicate", "no-choices"],
)
def test_the_rules_refuse_with_their_message(admin, db, draft, change, message):
    before, events = snapshot(db), len(edits(db))
    response = change(admin, db)
    assert response.status_code == 400
    page = text_of(response)
    assert "Nothing was saved" in page
    assert message in page.replace("<strong>", "").replace("</strong>", "")
    assert snapshot(db) == before and len(edits(db)) == events


@pytest.mark.parametrize(
    "expression, message",
    [
        (
            "${pregnant} = 'yes' and ${nope} = 'x'",
            "question pregnancy_weeks\u00a0: condition d’affichage\u00a0: variable inconnue "
            "${nope} (au caractère 25)",
        ),
        (
            "selected(${pregnant}, ${age_group})",
            "condition d’affichage\u00a0: attendu\u00a0: un code de choix entre guillemets\u00a0; "
            "trouvé 'age_group' (au caractère 23)",
        ),
    ],
)
def test_the_rules_speak_french_to_a_french_speaking_admin(admin, db, draft, expression, message):
    """Nested messages (a page's rule, its show-if, the parser's words) are each translated;
    French puts a no-break space before : and ;."""
    assert admin.get(f"{BASE}/draft?lang=fr").status_code == 200
    response = edit_question(admin, db, "pregnancy_weeks", show_if=expression)
    assert response.status_code == 400
    page = text_of(response)
    assert "Rien n’a été enregistré" in page
    assert message in page


def test_refused_input_stays_in_the_form(admin, db, draft):
    response = edit_question(
        admin, db, "pregnancy_weeks", label_en="Kept label", show_if="${nope} = 'x'"
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Kept label" in page and "${nope} = 'x'" in page


def test_moving_a_question_above_its_condition_is_refused(admin, db, draft):
    question = in_draft(db, Question, name="pregnancy_weeks")
    admin.get(f"{BASE}/draft")
    response = post(admin, f"/draft/questions/{question.id}/move/up")
    assert response.status_code == 400
    assert "${pregnant} is asked later" in text_of(response)
    names = [q.name for q in in_draft(db, Page, name="about_you").questions]
    assert names[-2:] == ["pregnant", "pregnancy_weeks"]


def test_removing_a_question_another_depends_on_is_refused(admin, db, draft):
    question = in_draft(db, Question, name="pregnant")
    response = post(admin, f"/draft/questions/{question.id}/remove")
    assert response.status_code == 400
    assert "question pregnancy_weeks" in text_of(response)
    assert "unknown variable ${pregnant}" in text_of(response)
    assert in_draft(db, Question, name="pregnant") is not None


def test_an_answered_question_keeps_its_type(admin, db, version):
    make_response(db, version, {"tried_with_toolkit": "yes", "pain_during": 3})
    admin.get(f"{BASE}/")
    post(admin, "/draft/start")
    before = snapshot(db)
    response = edit_question(
        admin, db, "pain_during", type="integer", min_value="0", max_value="10"
    )
    assert response.status_code == 400
    assert "1 responses answered it as rating, so its type cannot change" in text_of(response)
    assert snapshot(db) == before


def test_an_answered_choice_code_stays(admin, db, version):
    make_response(db, version, {"age_group": "30_34"})
    admin.get(f"{BASE}/")
    post(admin, "/draft/start")
    before = snapshot(db)
    choice = in_draft(db, Choice, code="30_34")
    response = admin.post(
        f"{BASE}/draft/choices/{choice.id}",
        {"code": "30_to_34", "label_en": choice.label_en, "submit": "x"},
    )
    assert response.status_code == 400
    assert "choice code '30_34' was chosen in 1 responses" in text_of(response)
    removed = post(admin, f"/draft/choices/{choice.id}/remove")
    assert removed.status_code == 400
    assert "cannot be changed or removed" in text_of(removed)
    assert snapshot(db) == before
    # Its label may change.
    response = admin.post(
        f"{BASE}/draft/choices/{choice.id}",
        {"code": "30_34", "label_en": "30 to 34 years", "submit": "x"},
    )
    assert response.status_code == 302
    assert in_draft(db, Choice, id=choice.id).label_en == "30 to 34 years"


def test_a_removed_variable_name_is_never_reused(admin, db, draft):
    question = in_draft(db, Question, name="comment_missing")
    post(admin, f"/draft/questions/{question.id}/remove")
    db.session.rollback()  # a fresh transaction: SQLite refuses writes from an old snapshot
    questionnaire = db.session.scalar(select(Questionnaire))
    versions.publish(db.session, questionnaire, db.session.scalar(select(User)))
    db.session.commit()
    admin.get(f"{BASE}/")
    post(admin, "/draft/start")
    page = in_draft(db, Page, name="comments")
    response = admin.post(
        f"{BASE}/draft/pages/{page.id}/questions/new", new_question(name="comment_missing")
    )
    assert response.status_code == 400
    assert "variable names are never reused" in text_of(response)
    assert in_draft(db, Question, name="comment_missing") is None


def test_an_unanswered_question_may_change_type(admin, db, draft):
    response = edit_question(admin, db, "pain_during", type="integer")
    assert response.status_code == 302
    assert in_draft(db, Question, name="pain_during").type == "integer"


# --- choice lists and choices ------------------------------------------------------------------


def test_choice_lists_and_their_choices(admin, db, draft):
    response = admin.post(f"{BASE}/draft/lists/new", {"name": "agree3", "submit": "x"})
    assert response.status_code == 302
    choice_list = in_draft(db, ChoiceList, name="agree3")
    assert response.headers["Location"].endswith(f"/draft/lists/{choice_list.id}")
    for code, label in [("1", "Disagree"), ("2", "Neutral"), ("3", "Agree")]:
        added = admin.post(
            f"{BASE}/draft/lists/{choice_list.id}/choices",
            {"code": code, "label_en": label, "label_fr": "", "submit": "x"},
            fetch=False,
        )
        assert added.status_code == 302
    assert [c.code for c in in_draft(db, ChoiceList, name="agree3").choices] == ["1", "2", "3"]

    twice = admin.post(
        f"{BASE}/draft/lists/{choice_list.id}/choices",
        {"code": "2", "label_en": "Again", "submit": "x"},
        fetch=False,
    )
    assert twice.status_code == 400
    assert "Another choice in this list has this code." in text_of(twice)

    three = in_draft(db, Choice, code="3", choice_list_id=choice_list.id)
    three_id = three.id
    post(admin, f"/draft/choices/{three.id}/move/up")
    assert [c.code for c in in_draft(db, ChoiceList, name="agree3").choices] == ["1", "3", "2"]
    assert [c.position for c in in_draft(db, ChoiceList, name="agree3").choices] == [1, 2, 3]

    response = admin.post(
        f"{BASE}/draft/choices/{three.id}",
        {"code": "3", "label_en": "Agree", "label_fr": "D’accord", "submit": "x"},
    )
    assert response.status_code == 302
    assert in_draft(db, Choice, id=three.id).label_fr == "D’accord"

    post(admin, f"/draft/choices/{three.id}/remove")
    assert [c.code for c in in_draft(db, ChoiceList, name="agree3").choices] == ["1", "2"]

    renamed = admin.post(f"{BASE}/draft/lists/{choice_list.id}", {"name": "agree2", "submit": "x"})
    assert renamed.status_code == 302
    assert in_draft(db, ChoiceList, id=choice_list.id).name == "agree2"

    assert post(admin, f"/draft/lists/{choice_list.id}/remove").status_code == 302
    assert in_draft(db, ChoiceList, name="agree2") is None
    assert db.session.get(Choice, three_id) is None
    assert [e["change"] for e in edits(db)] == [
        "choice list agree3 added",
        "choice 1 added to list agree3",
        "choice 2 added to list agree3",
        "choice 3 added to list agree3",
        "choice 3 of list agree3 moved up",
        "choice 3 of list agree3 edited",
        "choice 3 of list agree3 removed",
        "choice list agree3 renamed agree2",
        "choice list agree2 removed",
    ]


def test_a_shared_list_changes_every_question_that_uses_it(admin, db, draft):
    choice = in_draft(
        db, Choice, code="5", choice_list_id=in_draft(db, ChoiceList, name="agree5").id
    )
    admin.post(
        f"{BASE}/draft/choices/{choice.id}",
        {"code": "5", "label_en": "Completely agree", "submit": "x"},
    )
    labels = {
        q.choices[-1].label_en
        for q in the_draft(db).questions
        if q.choice_list and q.choice_list.name == "agree5"
    }
    assert labels == {"Completely agree"}


def test_a_list_in_use_cannot_be_removed(admin, db, draft):
    choice_list = in_draft(db, ChoiceList, name="yes_no")
    admin.get(f"{BASE}/draft")
    response = post(admin, f"/draft/lists/{choice_list.id}/remove")
    assert response.status_code == 400
    assert "questions use it (consent, pregnant," in text_of(response)
    assert in_draft(db, ChoiceList, name="yes_no") is not None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "agree5"}, "Another choice list has this name."),
        ({"name": "two words"}, "Use letters, digits and _ only"),
        ({"name": ""}, "Please fill this in."),
    ],
)
def test_choice_list_names(admin, db, draft, data, message):
    response = admin.post(f"{BASE}/draft/lists/new", {**data, "submit": "x"})
    assert response.status_code == 400 and message in text_of(response)


def test_choice_codes_have_no_spaces(admin, db, draft):
    choice_list = in_draft(db, ChoiceList, name="agree5")
    response = admin.post(
        f"{BASE}/draft/lists/{choice_list.id}/choices",
        {"code": "a b", "label_en": "x", "submit": "x"},
        fetch=False,
    )
    assert response.status_code == 400
    assert "no spaces" in text_of(response)


# --- scores --------------------------------------------------------------------------------------


def score_data(**changes) -> dict:
    return {
        "name": "ratings_mean",
        "label_en": "Mean rating",
        "items": "rating_informative, rating_layout rating_clear",
        "reversed_items": "",
        "scale_min": "1",
        "scale_max": "5",
        "offset": "0",
        "aggregate": "mean",
        "multiplier": "1",
        "rule_en": "The mean of three ratings.",
        "submit": "x",
        **changes,
    }


def test_add_edit_and_remove_a_score(admin, db, draft):
    response = admin.post(f"{BASE}/draft/scores/new", score_data())
    assert response.status_code == 302
    score = in_draft(db, Score, name="ratings_mean")
    assert score.items == ["rating_informative", "rating_layout", "rating_clear"]
    assert (score.aggregate, score.scale_min, score.scale_max, score.position) == ("mean", 1, 5, 2)

    response = admin.post(
        f"{BASE}/draft/scores/{score.id}",
        score_data(reversed_items="rating_clear", multiplier="2.5", label_fr="Moyenne"),
    )
    assert response.status_code == 302
    score = in_draft(db, Score, name="ratings_mean")
    assert (score.reversed_items, score.multiplier, score.label_fr) == (
        ["rating_clear"],
        2.5,
        "Moyenne",
    )
    assert "rating_informative, rating_layout, rating_clear" in text_of(
        admin.get(f"{BASE}/draft/scores/{score.id}")
    )

    assert post(admin, f"/draft/scores/{score.id}/remove").status_code == 302
    assert in_draft(db, Score, name="ratings_mean") is None
    assert [e["change"] for e in edits(db)] == [
        "score ratings_mean added",
        "score ratings_mean edited",
        "score ratings_mean removed",
    ]


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"items": "rating_layout, nothing_here"},
            "item nothing_here is not a question of this version",
        ),
        ({"items": "comment_liked"}, "item comment_liked has no numeric answers to score"),
        ({"reversed_items": "sus_01"}, "reverse-keyed item sus_01 is not one of the items"),
        ({"name": "age_group"}, "a question already uses this variable name"),
    ],
)
def test_score_rules(admin, db, draft, changes, message):
    response = admin.post(f"{BASE}/draft/scores/new", score_data(**changes))
    assert response.status_code == 400
    assert message in text_of(response)
    assert in_draft(db, Score, name=changes.get("name", "ratings_mean")) is None


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"scale_max": "1"}, "The largest answer must be above the smallest."),
        ({"scale_min": "99999999999999999999"}, "Enter a number from -1000 to 1000."),
        ({"name": "sus_score"}, "Another score has this name."),
        ({"items": "two-words"}, "These are not variable names: two-words"),
        ({"multiplier": ""}, "Please enter a number."),
    ],
)
def test_score_form_errors(admin, db, draft, changes, message):
    response = admin.post(f"{BASE}/draft/scores/new", score_data(**changes))
    assert response.status_code == 400 and message in text_of(response)


def test_renaming_a_scored_question_is_refused(admin, db, draft):
    response = admin.post(
        f"{BASE}/draft/pages/{in_draft(db, Page, name='ratings').id}/questions/new",
        new_question(name="rating_extra", type="rating", min_value="0", max_value="10"),
    )
    assert response.status_code == 302
    admin.post(f"{BASE}/draft/scores/new", score_data(items="rating_extra"))
    response = edit_question(admin, db, "rating_extra", name="rating_more")
    assert response.status_code == 400
    assert "item rating_extra is not a question of this version" in text_of(response)


# --- what the editor never reaches ------------------------------------------------------------


def _published_ids(db) -> dict[str, int]:
    published = the_published(db)
    page = published.pages[2]
    choice_list = next(c for c in published.choice_lists if c.name == "agree5")
    return {
        "page": page.id,
        "question": page.questions[0].id,
        "list": choice_list.id,
        "choice": choice_list.choices[0].id,
        "score": published.scores[0].id,
    }


PUBLISHED_URLS = [
    ("GET", "/draft/pages/{page}"),
    ("POST", "/draft/pages/{page}"),
    ("POST", "/draft/pages/{page}/move/down"),
    ("GET", "/draft/pages/{page}/remove"),
    ("POST", "/draft/pages/{page}/remove"),
    ("GET", "/draft/pages/{page}/questions/new"),
    ("POST", "/draft/pages/{page}/questions/new"),
    ("GET", "/draft/questions/{question}"),
    ("POST", "/draft/questions/{question}"),
    ("POST", "/draft/questions/{question}/move/down"),
    ("POST", "/draft/questions/{question}/page"),
    ("POST", "/draft/questions/{question}/remove"),
    ("GET", "/draft/lists/{list}"),
    ("POST", "/draft/lists/{list}"),
    ("POST", "/draft/lists/{list}/remove"),
    ("POST", "/draft/lists/{list}/choices"),
    ("GET", "/draft/choices/{choice}"),
    ("POST", "/draft/choices/{choice}"),
    ("POST", "/draft/choices/{choice}/move/down"),
    ("POST", "/draft/choices/{choice}/remove"),
    ("GET", "/draft/scores/{score}"),
    ("POST", "/draft/scores/{score}"),
    ("POST", "/draft/scores/{score}/remove"),
]


def test_a_published_version_is_never_reached(admin, db, draft):
    published_before = definition_of(the_published(db))
    ids = _published_ids(db)
    form = {
        "name": "hijacked",
        "kind": "questions",
        "title_en": "Hijacked",
        "label_en": "Hijacked",
        "type": "short_text",
        "code": "hijacked",
        "page": str(ids["page"]),
        "confirm": "y",
        "submit": "x",
        **score_data(name="hijacked"),
    }
    admin.get(f"{BASE}/draft")
    for method, path in PUBLISHED_URLS:
        response = admin.request(
            method, f"{BASE}{path.format(**ids)}", data={"csrf_token": admin.token, **form}
        )
        assert response.status_code == 404, (method, path)
    # A draft question moved to a published page is refused too.
    question = in_draft(db, Question, name="comment_liked")
    response = post(admin, f"/draft/questions/{question.id}/page", {"page": str(ids["page"])})
    assert response.status_code in (400, 404)
    assert definition_of(the_published(db)) == published_before
    assert edits(db) == []


@pytest.mark.parametrize("item_id", ["999999", "99999999999999999999"])
def test_unknown_ids_are_not_found(admin, db, draft, item_id):
    for path in (
        "/draft/questions/{}",
        "/draft/pages/{}",
        "/draft/lists/{}",
        "/draft/choices/{}",
        "/draft/scores/{}",
    ):
        assert admin.get(f"{BASE}{path.format(item_id)}").status_code == 404


# --- who may edit, and the audit log ------------------------------------------------------------


def test_investigators_and_visitors_cannot_edit(investigator, make_browser, db):
    assert investigator.get(f"{BASE}/").status_code == 403
    investigator.get("/staff/")
    assert investigator.post(f"{BASE}/draft/start", {}, fetch=False).status_code == 403
    visitor = make_browser()
    response = visitor.get(f"{BASE}/draft")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert the_draft(db) is None


def test_each_edit_is_audited_with_who_and_where(admin, db, draft):
    edit_question(admin, db, "comment_liked", label_en="What did you like?")
    db.session.rollback()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "questionnaire.edit"))
    assert event.user.email == "admin@example.org"
    assert event.target == "milk" and event.ip == "127.0.0.1"
    assert event.details == {"change": "question comment_liked edited", "draft": 2}


def test_the_editor_is_linked_for_admins_only(admin, investigator):
    assert f'href="{BASE}/"' in admin.get("/staff/").get_data(as_text=True)
    assert f'href="{BASE}/"' not in investigator.get("/staff/").get_data(as_text=True)
