"""The draft's scores (e.g. SUS): add, edit, remove. Scores are computed on the server from
their items (see survey.questionnaire.scoring); the rule in words goes into the codebook."""

from __future__ import annotations

from flask_babel import gettext as _

from forms.editor import ScoreForm
from survey.auth.services import ADMIN, role_required
from survey.editor import editing
from survey.editor.base_views import (
    back_to_draft,
    bp,
    current_draft,
    item_or_404,
    render_draft,
    render_form,
    save_form,
    saving,
)
from survey.extensions import db
from survey.models import Score


@bp.route("/draft/scores/new", methods=["GET", "POST"])
@role_required(*ADMIN)
def add_score():
    draft = current_draft()
    form = ScoreForm(taken={s.name for s in draft.scores})
    name = form.name.data
    return save_form(
        draft,
        form,
        change=f"score {name} added",
        apply=lambda: editing.add_score(db.session, draft, form.values()),
        then=lambda _result: back_to_draft(f"score-{name}"),
        again=lambda problems: render_form(form, _("Add a score"), problems),
    )


@bp.route("/draft/scores/<int:score_id>", methods=["GET", "POST"])
@role_required(*ADMIN)
def edit_score(score_id: int):
    draft = current_draft()
    score = item_or_404(Score, score_id, draft)
    taken = {s.name for s in draft.scores if s is not score}
    form = ScoreForm(data=ScoreForm.data_of(score), taken=taken)
    name = form.name.data
    return save_form(
        draft,
        form,
        change=f"score {name} edited",
        apply=lambda: editing.set_values(score, form.values()),
        then=lambda _result: back_to_draft(f"score-{name}"),
        again=lambda problems: render_form(
            form, _("Edit score %(name)s", name=score.name), problems
        ),
    )


@bp.post("/draft/scores/<int:score_id>/remove")
@role_required(*ADMIN)
def remove_score(score_id: int):
    draft = current_draft()
    score = item_or_404(Score, score_id, draft)
    with saving(draft, f"score {score.name} removed") as saved:
        editing.remove_score(db.session, draft, score)
    return back_to_draft("scores") if saved else render_draft(draft, saved.problems)
