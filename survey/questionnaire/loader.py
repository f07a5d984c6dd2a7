"""Create a published questionnaire version from a JSON definition (the default ships here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import (
    Choice,
    ChoiceList,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Score,
    Section,
    VersionStatus,
    utcnow,
)
from survey.questionnaire.expressions import check_references

DEFAULT_QUESTIONNAIRE = Path(__file__).with_name("default_questionnaire.json")


def _bilingual(data: dict[str, Any], key: str) -> dict[str, str | None]:
    texts = data.get(key) or {}
    return {f"{key}_en": texts.get("en"), f"{key}_fr": texts.get("fr")}


def build_version(definition: dict[str, Any], number: int = 1) -> QuestionnaireVersion:
    """Turn a definition into unsaved model objects, refusing show-if conditions that do not
    parse or that read an unknown or later variable."""
    version = QuestionnaireVersion(
        number=number,
        consent_version=definition["consent_version"],
        **_bilingual(definition, "title"),
    )
    lists = {}
    for name, choices in definition["choice_lists"].items():
        lists[name] = ChoiceList(
            name=name,
            choices=[
                Choice(position=i, code=c["code"], **_bilingual(c, "label"))
                for i, c in enumerate(choices, start=1)
            ],
        )
    version.choice_lists = list(lists.values())

    all_names = [q["name"] for s in definition["sections"] for q in s["questions"]]
    asked: list[str] = []
    for position, s in enumerate(definition["sections"], start=1):
        section = Section(
            position=position,
            name=s["name"],
            kind=s["kind"],
            screen_out_if=s.get("screen_out_if"),
            **_bilingual(s, "title"),
            **_bilingual(s, "intro"),
        )
        for q_position, q in enumerate(s["questions"], start=1):
            if q.get("show_if"):
                check_references(q["show_if"], asked, all_names)
            asked.append(q["name"])
            section.questions.append(
                Question(
                    position=q_position,
                    name=q["name"],
                    type=q["type"],
                    required=q.get("required", False),
                    min_value=q.get("min"),
                    max_value=q.get("max"),
                    max_length=q.get("max_length"),
                    show_if=q.get("show_if"),
                    identifier=q.get("identifier", False),
                    choice_list=lists[q["list"]] if "list" in q else None,
                    **_bilingual(q, "label"),
                    **_bilingual(q, "hint"),
                )
            )
        if section.screen_out_if:
            check_references(section.screen_out_if, asked)
        version.sections.append(section)

    version.scores = [
        Score(
            position=i,
            name=s["name"],
            items=s["items"],
            reversed_items=s.get("reversed_items", []),
            scale_min=s["scale_min"],
            scale_max=s["scale_max"],
            offset=s.get("offset", 0),
            aggregate=s.get("aggregate", "sum"),
            multiplier=s.get("multiplier", 1),
            **_bilingual(s, "label"),
            **_bilingual(s, "rule"),
        )
        for i, s in enumerate(definition.get("scores", []), start=1)
    ]
    return version


def load_default_questionnaire(session: Session, path: Path = DEFAULT_QUESTIONNAIRE) -> bool:
    """Add and publish the questionnaire in `path` unless one with its slug exists.
    Returns whether anything was added."""
    definition = json.loads(path.read_text(encoding="utf-8"))
    exists = session.scalar(
        select(Questionnaire.id).where(Questionnaire.slug == definition["slug"])
    )
    if exists is not None:
        return False
    version = build_version(definition)
    version.status = VersionStatus.PUBLISHED
    version.published_at = utcnow()
    session.add(Questionnaire(slug=definition["slug"], versions=[version]))
    session.flush()
    return True
