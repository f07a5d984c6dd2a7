"""The editor's blueprint and what its views share: the draft being edited, finding one of its
items (anything else is a 404, so a published version is never reached), and saving a change
only when the whole draft still passes every rule."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from forms.editor import AGGREGATE_LABELS, KIND_LABELS, TYPE_LABELS
from survey import audit
from survey.editor import editing
from survey.editor.editing import Item
from survey.editor.versions import draft_of
from survey.extensions import db
from survey.models import Questionnaire, QuestionnaireVersion
from survey.questionnaire import study
from survey.questionnaire.rules import DraftRefused, Problem, check_draft

bp = Blueprint("editor", __name__, url_prefix="/staff/admin/questionnaire")
SAFE_METHODS = frozenset({"GET", "HEAD"})
T = TypeVar("T")
# `?questionnaire=follow-up` edits the follow-up wave's questionnaire (FOLLOW_UP_SLUG) with the
# same pages; every editor URL built while it is being edited carries it on.
FOLLOW_UP = "follow-up"


@bp.before_request
def _pick_questionnaire() -> None:
    g.editing_follow_up = request.args.get("questionnaire") == FOLLOW_UP


@bp.url_defaults
def _keep_questionnaire(endpoint: str, values: dict[str, Any]) -> None:
    if g.get("editing_follow_up") and "questionnaire" not in values:
        values["questionnaire"] = FOLLOW_UP


def editing_follow_up() -> bool:
    return bool(g.get("editing_follow_up"))


def edited_slug() -> str:
    """The slug of the questionnaire the editor works on in this request."""
    key = "FOLLOW_UP_SLUG" if editing_follow_up() else "QUESTIONNAIRE_SLUG"
    return current_app.config[key]


def study_questionnaire(lock: bool = False) -> Questionnaire:
    """The questionnaire being edited (the study's, or the follow-up's); `lock` for changes (see
    questionnaire.study)."""
    return study.study_questionnaire(db.session, edited_slug(), lock)


def current_draft() -> QuestionnaireVersion:
    """The draft being edited; when there is none, back to the overview with a message."""
    draft = draft_of(study_questionnaire(lock=request.method not in SAFE_METHODS))
    if draft is None:
        flash(_("There is no draft to edit. Start a draft first."), "warning")
        abort(redirect(url_for("editor.overview")))
    return draft


def item_or_404(model: type[Item], item_id: int, draft: QuestionnaireVersion) -> Item:
    item = editing.find(db.session, model, item_id, draft)
    if item is None:
        abort(404)
    return item


@dataclass
class Outcome:
    problems: list[Problem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return not self.problems


@contextmanager
def saving(draft: QuestionnaireVersion, change: str) -> Iterator[Outcome]:
    """Run the edits in the `with` block, then check the whole draft: if it passes, record the
    change in the audit log and commit; if not, roll everything back and list the problems."""
    outcome = Outcome()
    try:
        yield outcome
        check_draft(db.session, draft)
    except DraftRefused as refused:
        db.session.rollback()
        outcome.problems = refused.problems
        return
    except IntegrityError:  # a name or code used twice, e.g. by two admins at the same moment
        db.session.rollback()
        outcome.problems = [
            Problem(
                _("draft"),
                _(
                    "Another item of the draft already has this name or code, or someone "
                    "changed the draft at the same moment. Nothing was saved."
                ),
            )
        ]
        return
    audit.record(
        db.session,
        "questionnaire.edit",
        current_user,
        target=draft.questionnaire.slug,
        ip=request.remote_addr,
        change=change,
        draft=draft.number,
    )
    db.session.commit()
    flash(_("The draft was saved."), "info")


def move_within(
    draft: QuestionnaireVersion, parent: object, attribute: str, item, direction, subject: str
) -> Outcome:
    """Move an item up or down among its siblings (nothing happens at either end)."""
    outcome = Outcome()
    if editing.can_move(getattr(parent, attribute), item, direction):
        with saving(draft, f"{subject} moved {direction}") as outcome:
            editing.move(db.session, parent, attribute, item, direction)
    return outcome


def save_form(
    draft: QuestionnaireVersion,
    form: FlaskForm,
    *,
    change: str,
    apply: Callable[[], T],
    then: Callable[[T], ResponseReturnValue],
    again: Callable[[Sequence[Problem]], ResponseReturnValue],
) -> ResponseReturnValue:
    """An editor form's round trip. When the form validates, make its edit (`apply`) and save the
    draft (see `saving`), then answer with `then(what apply returned)`, a redirect; otherwise, or
    when the draft refuses the edit, answer with `again(problems)`, the form again. `change` is the
    audit log's words; it may quote the form's data, as it is read only once the form is valid."""
    problems: Sequence[Problem] = []
    if form.validate_on_submit():
        with saving(draft, change) as saved:
            result = apply()
        if saved:
            return then(result)
        problems = saved.problems
    return again(problems)


def status() -> int:
    """A page shown in answer to a POST is one whose change was not made."""
    return 200 if request.method in SAFE_METHODS else 400


def render_page(template: str, **context: Any) -> ResponseReturnValue:
    return render_template(template, **context), status()


def render_form(
    form,
    heading: str,
    problems: Sequence[Problem] = (),
    template: str = "editor/form.html",
    **context: Any,
) -> ResponseReturnValue:
    return render_page(template, form=form, heading=heading, problems=problems, **context)


def render_draft(
    draft: QuestionnaireVersion, problems: Sequence[Problem] = ()
) -> ResponseReturnValue:
    """The draft page; after a refused move or removal, with why nothing changed."""
    return render_page(
        "editor/draft.html",
        draft=draft,
        fixed_names=editing.published_names(draft.questionnaire),
        users={lst.id: editing.users_of(draft, lst) for lst in draft.choice_lists},
        problems=problems,
        types=TYPE_LABELS,
        kinds=KIND_LABELS,
        aggregates=AGGREGATE_LABELS,
    )


def back_to_draft(anchor: str | None = None):
    return redirect(url_for("editor.draft", _anchor=anchor))
