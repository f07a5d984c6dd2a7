"""What changes between two versions of a questionnaire, compared by variable name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

Definition = dict[str, Any]


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    REWORDED = "reworded"
    RECODED = "recoded"
    REORDERED = "reordered"
    CHANGED = "changed"  # required, limits, show-if, type or identifier flag


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    subject: str  # "question pain_score", "page toolkit", "score sus_score"
    detail: str
    responses: int  # responses holding answers this change touches

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}: {self.detail}"


SETTINGS = (
    "type", "required", "min", "max", "max_length", "show_if", "accept_if", "calculation",
    "default", "identifier",
)  # fmt: skip


def _questions(definition: Definition | None) -> dict[str, tuple[str, dict[str, Any]]]:
    """name -> (page name, question), in questionnaire order."""
    if definition is None:
        return {}
    return {q["name"]: (p["name"], q) for p in definition["pages"] for q in p["questions"]}


def _choices(definition: Definition, question: dict[str, Any]) -> list[dict[str, Any]]:
    return definition["choice_lists"].get(question.get("list"), []) if "list" in question else []


def _question_changes(
    old_def: Definition, new_def: Definition, name: str, old: dict, new: dict, answered: int
) -> list[Change]:
    subject = f"question {name}"
    changes = []
    texts = ("label", "hint", "constraint_message")
    if any(old.get(key) != new.get(key) for key in texts):
        changes.append(Change(ChangeKind.REWORDED, subject, "question text or hint", answered))
    old_choices, new_choices = _choices(old_def, old), _choices(new_def, new)
    old_codes = [c["code"] for c in old_choices]
    new_codes = [c["code"] for c in new_choices]
    if old_codes != new_codes:
        added = [c for c in new_codes if c not in old_codes]
        removed = [c for c in old_codes if c not in new_codes]
        parts = [f"added {', '.join(added)}"] if added else []
        parts += [f"removed {', '.join(removed)}"] if removed else []
        changes.append(
            Change(ChangeKind.RECODED, subject, "; ".join(parts) or "choice order", answered)
        )
    elif [c["label"] for c in old_choices] != [c["label"] for c in new_choices]:
        changes.append(Change(ChangeKind.REWORDED, subject, "choice labels", answered))
    settings = [key for key in SETTINGS if old.get(key) != new.get(key)]
    if settings:
        changes.append(Change(ChangeKind.CHANGED, subject, ", ".join(settings), answered))
    return changes


def _order_changes(old_questions, new_questions, answered: Mapping[str, int]) -> list[Change]:
    """Questions kept in both versions whose page or place among the kept ones differs."""
    kept_old = [n for n in old_questions if n in new_questions]
    kept_new = [n for n in new_questions if n in old_questions]
    changes = []
    for index, name in enumerate(kept_new):
        old_page, new_page = old_questions[name][0], new_questions[name][0]
        if old_page != new_page:
            detail = f"moved from page {old_page} to page {new_page}"
        elif kept_old.index(name) != index:
            was = kept_old.index(name) + 1
            detail = f"now number {index + 1} of the kept questions (was {was})"
        else:
            continue
        changes.append(Change(ChangeKind.REORDERED, f"question {name}", detail, answered[name]))
    return changes


def _page_changes(old_def: Definition | None, new_def: Definition) -> list[Change]:
    old_pages = {p["name"]: p for p in old_def["pages"]} if old_def else {}
    new_pages = {p["name"]: p for p in new_def["pages"]}
    changes = []
    for name, page in new_pages.items():
        old = old_pages.get(name)
        if old is None:
            changes.append(Change(ChangeKind.ADDED, f"page {name}", "new page", 0))
            continue
        if (old["title"], old.get("intro")) != (page["title"], page.get("intro")):
            changes.append(Change(ChangeKind.REWORDED, f"page {name}", "title or introduction", 0))
        settings = ("kind", "screen_out_if", "show_if")
        if any(old.get(key) != page.get(key) for key in settings):
            changes.append(
                Change(ChangeKind.CHANGED, f"page {name}", "kind, show-if or screen-out", 0)
            )
    for name in old_pages.keys() - new_pages.keys():
        changes.append(Change(ChangeKind.REMOVED, f"page {name}", "page removed", 0))
    old_order = [n for n in old_pages if n in new_pages]
    new_order = [n for n in new_pages if n in old_pages]
    if old_order != new_order:
        changes.append(Change(ChangeKind.REORDERED, "pages", " → ".join(new_order), 0))
    return changes


def _score_changes(old_def: Definition | None, new_def: Definition, answered) -> list[Change]:
    old_scores = {s["name"]: s for s in old_def["scores"]} if old_def else {}
    new_scores = {s["name"]: s for s in new_def["scores"]}
    changes = []
    for name in new_scores.keys() - old_scores.keys():
        changes.append(Change(ChangeKind.ADDED, f"score {name}", "new score", 0))
    for name in old_scores.keys() - new_scores.keys():
        changes.append(Change(ChangeKind.REMOVED, f"score {name}", "no longer computed", 0))
    for name in old_scores.keys() & new_scores.keys():
        if old_scores[name] != new_scores[name]:
            items = new_scores[name]["items"]
            touched = max((answered[i] for i in items), default=0)
            changes.append(Change(ChangeKind.CHANGED, f"score {name}", "rule or label", touched))
    return changes


def changes_between(
    old_def: Definition | None, new_def: Definition, answered: Mapping[str, int]
) -> list[Change]:
    """Every difference from `old_def` (None: nothing published yet) to `new_def`.
    `answered` maps a variable to the number of responses that answered it."""
    old_questions, new_questions = _questions(old_def), _questions(new_def)
    changes = [
        Change(ChangeKind.ADDED, f"question {name}", f"on page {page}", 0)
        for name, (page, _) in new_questions.items()
        if name not in old_questions
    ]
    changes += [
        Change(
            ChangeKind.REMOVED,
            f"question {name}",
            "hidden from new participants; its answers are kept",
            answered[name],
        )
        for name in old_questions
        if name not in new_questions
    ]
    for name, (_, new) in new_questions.items():
        if old_def is not None and name in old_questions:
            old = old_questions[name][1]
            changes += _question_changes(old_def, new_def, name, old, new, answered[name])
    changes += _order_changes(old_questions, new_questions, answered)
    changes += _page_changes(old_def, new_def)
    changes += _score_changes(old_def, new_def, answered)
    if old_def and (old_def["title"], old_def["consent_version"]) != (
        new_def["title"],
        new_def["consent_version"],
    ):
        changes.append(Change(ChangeKind.CHANGED, "questionnaire", "title or consent version", 0))
    return changes
