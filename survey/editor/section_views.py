"""The draft's pages (sections): add, edit, move up or down, remove with their questions."""

from __future__ import annotations

from flask_babel import gettext as _

from forms.editor import ConfirmForm, SectionForm
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
from survey.models import Section


@bp.route("/draft/pages/new", methods=["GET", "POST"])
@role_required(*ADMIN)
def add_section():
    draft = current_draft()
    form = SectionForm(taken={s.name for s in draft.sections})
    name = form.name.data
    return save_form(
        draft,
        form,
        change=f"page {name} added",
        apply=lambda: editing.add_section(db.session, draft, form.values()),
        then=lambda _result: back_to_draft(f"page-{name}"),
        page=lambda problems: render_form(form, _("Add a page"), problems),
    )


@bp.route("/draft/pages/<int:section_id>", methods=["GET", "POST"])
@role_required(*ADMIN)
def edit_section(section_id: int):
    draft = current_draft()
    section = item_or_404(Section, section_id, draft)
    form = SectionForm(obj=section, taken={s.name for s in draft.sections if s is not section})
    name = form.name.data
    return save_form(
        draft,
        form,
        change=f"page {name} edited",
        apply=lambda: editing.set_values(section, form.values()),
        then=lambda _result: back_to_draft(f"page-{name}"),
        page=lambda problems: render_form(
            form, _("Edit page %(name)s", name=section.name), problems
        ),
    )


@bp.post("/draft/pages/<int:section_id>/move/<any(up, down):direction>")
@role_required(*ADMIN)
def move_section(section_id: int, direction: str):
    draft = current_draft()
    section = item_or_404(Section, section_id, draft)
    name = section.name
    moved = move_within(draft, draft, "sections", section, direction, f"page {name}")
    return back_to_draft(f"page-{name}") if moved else render_draft(draft, moved.problems)


@bp.route("/draft/pages/<int:section_id>/remove", methods=["GET", "POST"])
@role_required(*ADMIN)
def remove_section(section_id: int):
    """A page goes with its questions, so this asks first."""
    draft = current_draft()
    section = item_or_404(Section, section_id, draft)
    form = ConfirmForm()
    return save_form(
        draft,
        form,
        change=f"page {section.name} removed with its questions",
        apply=lambda: editing.remove_section(db.session, draft, section),
        then=lambda _result: back_to_draft("pages"),
        page=lambda problems: render_page(
            "editor/remove_section.html", section=section, form=form, problems=problems
        ),
    )
