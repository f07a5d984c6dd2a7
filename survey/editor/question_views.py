"""The draft's questions: add to a page, edit, move up or down or to another page, remove.

A question's variable name can change only while it is new in this draft: once a version was
published with it, it names that question's answers in every export."""

from __future__ import annotations

from flask import redirect, url_for
from flask_babel import gettext as _

from forms.editor import MoveToPageForm, QuestionForm
from survey.auth.services import ADMIN, role_required
from survey.editor import editing
from survey.editor.base_views import (
    back_to_draft,
    bp,
    current_draft,
    item_or_404,
    move_within,
    render_draft,
    render_form,
    save_form,
    saving,
)
from survey.extensions import db
from survey.models import ChoiceList, Page, Question, QuestionnaireVersion


def _chosen_list(draft: QuestionnaireVersion, form: QuestionForm) -> ChoiceList | None:
    list_id = form.chosen_list_id()
    return None if list_id is None else item_or_404(ChoiceList, list_id, draft)


@bp.route("/draft/pages/<int:page_id>/questions/new", methods=["GET", "POST"])
@role_required(*ADMIN)
def add_question(page_id: int):
    draft = current_draft()
    page = item_or_404(Page, page_id, draft)
    form = QuestionForm(choice_lists=draft.choice_lists)
    name = form.name.data
    return save_form(
        draft,
        form,
        change=f"question {name} added to page {page.name}",
        apply=lambda: editing.add_question(
            db.session, page, form.values(), _chosen_list(draft, form)
        ),
        then=lambda _result: back_to_draft(f"question-{name}"),
        again=lambda problems: render_form(
            form,
            _("Add a question to page %(name)s", name=page.name),
            problems,
            template="editor/question.html",
            page=page,
        ),
    )


def _render_question(question: Question, form, move_form, problems=()):
    return render_form(
        form,
        _("Edit question %(name)s", name=question.name),
        problems,
        template="editor/question.html",
        question=question,
        page=question.page,
        move_form=move_form,
    )


def _forms(
    draft: QuestionnaireVersion, question: Question, posted: str
) -> tuple[QuestionForm, MoveToPageForm]:
    """The question's form and its move-to-page form; only the `posted` one reads the request."""
    fixed = question.name in editing.published_names(draft.questionnaire)
    form = QuestionForm(
        **({} if posted == "question" else {"formdata": None}),
        data=QuestionForm.data_of(question),
        choice_lists=draft.choice_lists,
        name_fixed=fixed,
    )
    move_form = MoveToPageForm(
        **({} if posted == "move" else {"formdata": None}),
        data={"page": str(question.page_id)},
        pages=draft.pages,
    )
    return form, move_form


@bp.route("/draft/questions/<int:question_id>", methods=["GET", "POST"])
@role_required(*ADMIN)
def edit_question(question_id: int):
    draft = current_draft()
    question = item_or_404(Question, question_id, draft)
    form, move_form = _forms(draft, question, posted="question")
    name = form.name.data if "name" in form else question.name  # no name field once published
    return save_form(
        draft,
        form,
        change=f"question {name} edited",
        apply=lambda: editing.set_question(question, form.values(), _chosen_list(draft, form)),
        then=lambda _result: back_to_draft(f"question-{name}"),
        again=lambda problems: _render_question(question, form, move_form, problems),
    )


@bp.post("/draft/questions/<int:question_id>/page")
@role_required(*ADMIN)
def move_question_to_page(question_id: int):
    draft = current_draft()
    question = item_or_404(Question, question_id, draft)
    form, move_form = _forms(draft, question, posted="move")
    problems = []
    if move_form.validate_on_submit():
        target = item_or_404(Page, int(move_form.page.data), draft)
        if target is question.page:
            return redirect(url_for(".edit_question", question_id=question.id))
        name = question.name
        with saving(draft, f"question {name} moved to page {target.name}") as saved:
            editing.move_question_to(db.session, question, target)
        if saved:
            return back_to_draft(f"question-{name}")
        problems = saved.problems
    return _render_question(question, form, move_form, problems)


@bp.post("/draft/questions/<int:question_id>/move/<any(up, down):direction>")
@role_required(*ADMIN)
def move_question(question_id: int, direction: str):
    draft = current_draft()
    question = item_or_404(Question, question_id, draft)
    name = question.name
    moved = move_within(draft, question.page, "questions", question, direction, f"question {name}")
    return back_to_draft(f"question-{name}") if moved else render_draft(draft, moved.problems)


@bp.post("/draft/questions/<int:question_id>/remove")
@role_required(*ADMIN)
def remove_question(question_id: int):
    draft = current_draft()
    question = item_or_404(Question, question_id, draft)
    page_name = question.page.name
    with saving(draft, f"question {question.name} removed") as saved:
        editing.remove_question(db.session, question)
    return back_to_draft(f"page-{page_name}") if saved else render_draft(draft, saved.problems)
