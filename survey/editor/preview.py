"""The draft's pages rendered exactly as a participant sees them, in either language."""

from __future__ import annotations

from flask import abort, render_template

from forms.participant import page_form
from survey.auth.services import ADMIN, role_required
from survey.editor import versions
from survey.editor.base_views import bp, study_questionnaire
from survey.i18n import current_language
from survey.participate.structure import build_structure
from survey.toolkit.content import SECTIONS


@bp.route("/preview/<int:position>", methods=["GET"])
@role_required(*ADMIN)
def preview(position: int):
    """The draft's page at `position` (or the published version's when there is no draft);
    ?lang=fr shows it in French. Nothing on it is saved."""
    questionnaire = study_questionnaire()
    version = versions.draft_of(questionnaire) or versions.published(questionnaire)
    if version is None:
        abort(404)
    structure = build_structure(version)
    page = structure.page_at(position)
    if page is None:
        abort(404)
    positions = [p.position for p in structure.pages]
    index = positions.index(position)
    language = current_language()
    return render_template(
        "participate/page.html",
        version=structure,
        page=page,
        form=page_form(page, language),
        questions=list(page.questions),
        language=language,
        step=index + 1,
        steps=len(positions),
        resume_form=None,
        toolkit_sections=SECTIONS,
        preview={
            "number": version.number,
            "status": version.status,
            "previous": positions[index - 1] if index > 0 else None,
            "next": positions[index + 1] if index + 1 < len(positions) else None,
        },
    )
