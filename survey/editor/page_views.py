"""The draft's pages: add, edit, move up or down, remove with their questions."""

from __future__ import annotations

from flask_babel import gettext as _

from forms.editor import ConfirmForm, PageDetailsForm
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
)
from survey.extensions import db
from survey.models import Page


@bp.route("/draft/pages/new", methods=["GET", "POST"])
@role_required(*ADMIN)
def add_page():
    draft = current_draft()
    form = PageDetailsForm(taken={p.name for p in draft.pages})
    name = form.name.data
    return save_form(
        draft,
        form,
        change=f"page {name} added",
        apply=lambda: editing.add_page(db.session, draft, form.values()),
        then=lambda _result: back_to_draft(f"page-{name}"),
        again=lambda problems: render_form(form, _("Add a page"), problems),
    )


@bp.route("/draft/pages/<int:page_id>", methods=["GET", "POST"])
@role_required(*ADMIN)
def edit_page(page_id: int):
    draft = current_draft()
    page = item_or_404(Page, page_id, draft)
    form = PageDetailsForm(obj=page, taken={p.name for p in draft.pages if p is not page})
    name = form.name.data
    return save_form(
        draft,
        form,
        change=f"page {name} edited",
        apply=lambda: editing.set_values(page, form.values()),
        then=lambda _result: back_to_draft(f"page-{name}"),
        again=lambda problems: render_form(form, _("Edit page %(name)s", name=page.name), problems),
    )


@bp.post("/draft/pages/<int:page_id>/move/<any(up, down):direction>")
@role_required(*ADMIN)
def move_page(page_id: int, direction: str):
    draft = current_draft()
    page = item_or_404(Page, page_id, draft)
    name = page.name
    moved = move_within(draft, draft, "pages", page, direction, f"page {name}")
    return back_to_draft(f"page-{name}") if moved else render_draft(draft, moved.problems)


@bp.route("/draft/pages/<int:page_id>/remove", methods=["GET", "POST"])
@role_required(*ADMIN)
def remove_page(page_id: int):
    """A page goes with its questions, so this asks first."""
    draft = current_draft()
    page = item_or_404(Page, page_id, draft)
    form = ConfirmForm()
    return save_form(
        draft,
        form,
        change=f"page {page.name} removed with its questions",
        apply=lambda: editing.remove_page(db.session, draft, page),
        then=lambda _result: back_to_draft("pages"),
        again=lambda problems: render_page(
            "editor/remove_page.html", page=page, form=form, problems=problems
        ),
    )
