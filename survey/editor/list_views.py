"""The draft's choice lists and their choices. A list is shared: every question that uses it (a
Likert block's items, say) shows the same choices, so a change here changes all of them."""

from __future__ import annotations

from collections.abc import Sequence

from flask import redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.editor import ChoiceForm, ChoiceListForm
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
    render_page,
    save_form,
    saving,
)
from survey.extensions import db
from survey.models import Choice, ChoiceList, QuestionnaireVersion
from survey.questionnaire.rules import Problem


def _list_page(
    draft: QuestionnaireVersion,
    choice_list: ChoiceList,
    rename_form: ChoiceListForm | None = None,
    choice_form: ChoiceForm | None = None,
    problems: Sequence[Problem] = (),
):
    """The list's page: its name, its choices with their buttons, and a form to add one."""
    if rename_form is None:
        rename_form = _rename_form(draft, choice_list, formdata=None)
    if choice_form is None:
        choice_form = ChoiceForm(formdata=None, taken={c.code for c in choice_list.choices})
    return render_page(
        "editor/choice_list.html",
        choice_list=choice_list,
        users=editing.users_of(draft, choice_list),
        rename_form=rename_form,
        choice_form=choice_form,
        problems=problems,
    )


def _rename_form(draft: QuestionnaireVersion, choice_list: ChoiceList, **kwargs) -> ChoiceListForm:
    taken = {c.name for c in draft.choice_lists if c is not choice_list}
    return ChoiceListForm(obj=choice_list, taken=taken, **kwargs)


def _to_list(choice_list_id: int, anchor: str | None = None) -> WerkzeugResponse:
    return redirect(url_for(".edit_list", list_id=choice_list_id, _anchor=anchor))


@bp.route("/draft/lists/new", methods=["GET", "POST"])
@role_required(*ADMIN)
def add_list():
    draft = current_draft()
    form = ChoiceListForm(taken={c.name for c in draft.choice_lists})
    name = form.name.data
    return save_form(
        draft,
        form,
        change=f"choice list {name} added",
        apply=lambda: editing.add_choice_list(db.session, draft, name),
        then=lambda choice_list: _to_list(choice_list.id),
        again=lambda problems: render_form(form, _("Add a choice list"), problems),
    )


@bp.route("/draft/lists/<int:list_id>", methods=["GET", "POST"])
@role_required(*ADMIN)
def edit_list(list_id: int):
    """The list's page; its form renames the list."""
    draft = current_draft()
    choice_list = item_or_404(ChoiceList, list_id, draft)
    form = _rename_form(draft, choice_list)
    return save_form(
        draft,
        form,
        change=f"choice list {choice_list.name} renamed {form.name.data}",
        apply=lambda: editing.set_values(choice_list, form.values()),
        then=lambda _result: _to_list(list_id),
        again=lambda problems: _list_page(draft, choice_list, rename_form=form, problems=problems),
    )


@bp.post("/draft/lists/<int:list_id>/remove")
@role_required(*ADMIN)
def remove_list(list_id: int):
    draft = current_draft()
    choice_list = item_or_404(ChoiceList, list_id, draft)
    if users := editing.users_of(draft, choice_list):
        problem = Problem(
            _("choice list %(name)s", name=choice_list.name),
            _(
                "questions use it (%(names)s): give them another list first",
                names=", ".join(q.name for q in users),
            ),
        )
        return render_draft(draft, [problem])
    with saving(draft, f"choice list {choice_list.name} removed") as saved:
        editing.remove_choice_list(db.session, draft, choice_list)
    return back_to_draft("choice-lists") if saved else render_draft(draft, saved.problems)


@bp.post("/draft/lists/<int:list_id>/choices")
@role_required(*ADMIN)
def add_choice(list_id: int):
    draft = current_draft()
    choice_list = item_or_404(ChoiceList, list_id, draft)
    form = ChoiceForm(taken={c.code for c in choice_list.choices})
    code = form.code.data
    return save_form(
        draft,
        form,
        change=f"choice {code} added to list {choice_list.name}",
        apply=lambda: editing.add_choice(db.session, choice_list, form.values()),
        then=lambda _result: _to_list(list_id, f"choice-{code}"),
        again=lambda problems: _list_page(draft, choice_list, choice_form=form, problems=problems),
    )


@bp.route("/draft/choices/<int:choice_id>", methods=["GET", "POST"])
@role_required(*ADMIN)
def edit_choice(choice_id: int):
    draft = current_draft()
    choice = item_or_404(Choice, choice_id, draft)
    choice_list = choice.choice_list
    form = ChoiceForm(obj=choice, taken={c.code for c in choice_list.choices if c is not choice})
    list_id, code = choice_list.id, form.code.data
    return save_form(
        draft,
        form,
        change=f"choice {choice.code} of list {choice_list.name} edited",
        apply=lambda: editing.set_values(choice, form.values()),
        then=lambda _result: _to_list(list_id, f"choice-{code}"),
        again=lambda problems: render_form(
            form,
            _("Edit choice %(code)s of list %(name)s", code=choice.code, name=choice_list.name),
            problems,
            back=url_for(".edit_list", list_id=list_id),
        ),
    )


@bp.post("/draft/choices/<int:choice_id>/move/<any(up, down):direction>")
@role_required(*ADMIN)
def move_choice(choice_id: int, direction: str):
    draft = current_draft()
    choice = item_or_404(Choice, choice_id, draft)
    choice_list, code = choice.choice_list, choice.code
    subject = f"choice {code} of list {choice_list.name}"
    moved = move_within(draft, choice_list, "choices", choice, direction, subject)
    if moved:
        return _to_list(choice_list.id, f"choice-{code}")
    return _list_page(draft, choice_list, problems=moved.problems)


@bp.post("/draft/choices/<int:choice_id>/remove")
@role_required(*ADMIN)
def remove_choice(choice_id: int):
    draft = current_draft()
    choice = item_or_404(Choice, choice_id, draft)
    choice_list = choice.choice_list
    with saving(draft, f"choice {choice.code} of list {choice_list.name} removed") as saved:
        editing.remove_choice(db.session, choice)
    if saved:
        return _to_list(choice_list.id, "choices")
    return _list_page(draft, choice_list, problems=saved.problems)
