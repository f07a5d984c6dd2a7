"""Create a published questionnaire version from a JSON definition (the default ships here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from survey.models import (
    Choice,
    ChoiceList,
    DbSession,
    Page,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Score,
    VersionStatus,
    utcnow,
)
from survey.questionnaire.rules import structure_problems
from survey.study_info.services import information_for_consent

DEFAULT_QUESTIONNAIRE = Path(__file__).with_name("default_questionnaire.json")
# The follow-up wave's questionnaire (survey/follow_up): no eligibility, consent or study
# information of its own, the baseline response's consent covers it.
DEFAULT_FOLLOW_UP = Path(__file__).with_name("default_follow_up.json")


def _bilingual(data: dict[str, Any], key: str) -> dict[str, str | None]:
    texts = data.get(key) or {}
    return {f"{key}_en": texts.get("en"), f"{key}_fr": texts.get("fr")}


def build_version(definition: dict[str, Any], number: int = 1) -> QuestionnaireVersion:
    """Turn a definition into unsaved model objects. It is not checked here: see
    survey.editor.rules for what a version must satisfy."""
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

    for position, p in enumerate(definition["pages"], start=1):
        page = Page(
            position=position,
            name=p["name"],
            kind=p["kind"],
            screen_out_if=p.get("screen_out_if"),
            show_if=p.get("show_if"),
            **_bilingual(p, "title"),
            **_bilingual(p, "intro"),
        )
        for q_position, q in enumerate(p["questions"], start=1):
            page.questions.append(
                Question(
                    position=q_position,
                    name=q["name"],
                    type=q["type"],
                    required=q.get("required", False),
                    min_value=q.get("min"),
                    max_value=q.get("max"),
                    max_length=q.get("max_length"),
                    show_if=q.get("show_if"),
                    accept_if=q.get("accept_if"),
                    calculation=q.get("calculation"),
                    default_answer=q.get("default"),
                    identifier=q.get("identifier", False),
                    choice_list=lists[q["list"]] if "list" in q else None,
                    **_bilingual(q, "label"),
                    **_bilingual(q, "hint"),
                    **_bilingual(q, "constraint_message"),
                )
            )
        version.pages.append(page)

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


def load_default_questionnaire(session: DbSession, path: Path = DEFAULT_QUESTIONNAIRE) -> bool:
    """Add and publish the questionnaire in `path` unless one with its slug exists.
    Returns whether anything was added."""
    questionnaire = _load(session, path, slug=None)
    if questionnaire is None:
        return False
    information_for_consent(session, questionnaire.id)  # the study information's first revision
    return True


def load_follow_up_questionnaire(
    session: DbSession, slug: str, path: Path = DEFAULT_FOLLOW_UP
) -> bool:
    """Add and publish the follow-up questionnaire under `slug` (the FOLLOW_UP_SLUG setting)
    unless it exists. Returns whether anything was added."""
    return _load(session, path, slug=slug) is not None


def _load(session: DbSession, path: Path, slug: str | None) -> Questionnaire | None:
    definition = json.loads(path.read_text(encoding="utf-8"))
    slug = slug or definition["slug"]
    exists = session.scalar(select(Questionnaire.id).where(Questionnaire.slug == slug))
    if exists is not None:
        return None
    version = build_version(definition)
    if problems := structure_problems(version):
        raise ValueError(f"{path.name}: " + "; ".join(map(str, problems)))
    version.status = VersionStatus.PUBLISHED
    version.published_at = utcnow()
    questionnaire = Questionnaire(slug=slug, versions=[version])
    session.add(questionnaire)
    session.flush()
    return questionnaire


def _texts(model: object, field: str) -> dict[str, str]:
    return {
        language: value
        for language in ("en", "fr")
        if (value := getattr(model, f"{field}_{language}"))
    }


def _number(value: float | None) -> float | int | None:
    return int(value) if value is not None and float(value).is_integer() else value


def _question_definition(question: Question) -> dict[str, Any]:
    data: dict[str, Any] = {"name": question.name, "type": question.type}
    if question.choice_list is not None:
        data["list"] = question.choice_list.name
    if question.required:
        data["required"] = True
    if question.min_value is not None:
        data["min"] = _number(question.min_value)
    if question.max_value is not None:
        data["max"] = _number(question.max_value)
    if question.max_length is not None:
        data["max_length"] = question.max_length
    if question.show_if:
        data["show_if"] = question.show_if
    if question.accept_if:
        data["accept_if"] = question.accept_if
    if question.calculation:
        data["calculation"] = question.calculation
    if question.default_answer is not None:
        data["default"] = question.default_answer
    if question.identifier:
        data["identifier"] = True
    data["label"] = _texts(question, "label")
    if hint := _texts(question, "hint"):
        data["hint"] = hint
    if message := _texts(question, "constraint_message"):
        data["constraint_message"] = message
    return data


def _page_definition(page: Page) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": page.name,
        "kind": page.kind,
        "title": _texts(page, "title"),
    }
    if intro := _texts(page, "intro"):
        data["intro"] = intro
    if page.show_if:
        data["show_if"] = page.show_if
    if page.screen_out_if:
        data["screen_out_if"] = page.screen_out_if
    data["questions"] = [_question_definition(q) for q in page.questions]
    return data


def definition_of(version: QuestionnaireVersion) -> dict[str, Any]:
    """The inverse of `build_version`: a version as a plain definition (what the JSON file and
    the questionnaire spreadsheet hold)."""
    return {
        "slug": version.questionnaire.slug,
        "title": _texts(version, "title"),
        "consent_version": version.consent_version,
        "choice_lists": {
            choice_list.name: [
                {"code": c.code, "label": _texts(c, "label")} for c in choice_list.choices
            ]
            for choice_list in version.choice_lists
        },
        "pages": [_page_definition(p) for p in version.pages],
        "scores": [
            {
                "name": s.name,
                "label": _texts(s, "label"),
                "items": list(s.items),
                "reversed_items": list(s.reversed_items),
                "scale_min": s.scale_min,
                "scale_max": s.scale_max,
                "offset": _number(s.offset),
                "aggregate": s.aggregate,
                "multiplier": _number(s.multiplier),
                "rule": _texts(s, "rule"),
            }
            for s in version.scores
        ],
    }
