"""Realistic synthetic responses for demos, tests and benchmarks (`flask demo-data`)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import insert

from survey.models import (
    Answer,
    DbSession,
    PageKind,
    QuestionnaireVersion,
    Response,
    ResponseStatus,
    ToolkitView,
    utcnow,
)
from survey.participate.services import (
    AnswerValue,
    condition_holds,
    new_resume_code,
    resume_code_digest,
    typed_columns,
)
from survey.questionnaire.types import spec_of
from survey.study_info.services import information_for_consent
from survey.toolkit.content import SECTIONS

COMMENTS = {
    "comment_liked": [
        "The pictures of the clock made it click for me.",
        "Short and to the point. I could read it while feeding.",
        "I liked that it says it should not hurt.",
        "Clear steps, easy to follow at 3 am.",
        "Knowing that only drops at first is normal was reassuring.",
    ],
    "comment_change": [
        "Bigger pictures, please.",
        "A short video would help.",
        "Say more about how long to keep going.",
        "The massage step could be explained better.",
        "Put the steps on one screen without scrolling.",
    ],
    "comment_missing": [
        "How to store the milk afterwards.",
        "What to do if nothing comes out.",
        "Information for parents of premature babies.",
        "Where to find a lactation consultant nearby.",
    ],
}
OTHER_FORMATS = ["Podcasts", "My midwife's handouts", "A phone app", "Books from the library"]

Generator = Callable[[dict[str, Any]], AnswerValue]  # reads the answers it and the others gave


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _likert(rng: random.Random, centre: float) -> str:
    return str(min(5, max(1, round(rng.gauss(centre, 0.8)))))


def _participant(rng: random.Random) -> dict[str, Generator]:
    """Answer generators by variable; each sees the answers so far."""
    usability = rng.gauss(0, 0.7)  # one person's general impression drives related items
    liking = 4.1 + usability * 0.6
    generators: dict[str, Generator] = {
        "eligibility": lambda a: _pick(rng, {"breastfeeding": 55, "recent": 30, "intend": 15}),
        "consent": lambda a: "yes",
        "age_group": lambda a: _pick(
            rng,
            {
                "under_20": 2,
                "20_24": 10,
                "25_29": 25,
                "30_34": 35,
                "35_39": 20,
                "40_plus": 5,
                "no_answer": 3,
            },
        ),
        "home_language": lambda a: _pick(rng, {"en": 60, "fr": 30, "en_fr": 5, "other": 5}),
        "parity": lambda a: (
            "0" if a["eligibility"] == "intend" else _pick(rng, {"1": 50, "2": 30, "3": 15, "0": 5})
        ),
        "pregnant": lambda a: (
            "yes" if a["eligibility"] == "intend" or rng.random() < 0.05 else "no"
        ),
        "pregnancy_weeks": lambda a: float(rng.randint(12, 40)),
        "feeding_status": lambda a: {
            "intend": "expecting",
            "breastfeeding": _pick(rng, {"exclusive": 60, "mixed": 40}),
            "recent": _pick(rng, {"stopped": 70, "mixed": 30}),
        }[a["eligibility"]],
        "exclusive_duration": lambda a: _pick(
            rng, {"lt_1m": 20, "1_2m": 25, "3_5m": 30, "ge_6m": 15, "never": 10}
        ),
        "heard_of_hand_expression": lambda a: "yes" if rng.random() < 0.75 else "no",
        "ever_hand_expressed": lambda a: "yes" if rng.random() < 0.5 else "no",
        "confidence_before": lambda a: _likert(
            rng, 3.3 if a["ever_hand_expressed"] == "yes" else 2.3
        ),
        "info_formats": lambda a: (
            [
                c
                for c, p in (
                    ("online", 0.7),
                    ("video", 0.5),
                    ("print", 0.3),
                    ("provider", 0.6),
                    ("classes", 0.3),
                    ("peers", 0.35),
                    ("social", 0.4),
                    ("other", 0.05),
                )
                if rng.random() < p
            ]
            or None
        ),
        "info_formats_other": lambda a: rng.choice(OTHER_FORMATS),
        "tried_with_toolkit": lambda a: "yes" if rng.random() < 0.45 else "no",
        "pain_during": lambda a: float(
            rng.choices(range(11), weights=[30, 20, 15, 12, 8, 5, 4, 3, 1, 1, 1])[0]
        ),
        "confidence_after": lambda a: str(
            min(5, int(a["confidence_before"]) + rng.choice([0, 1, 1, 2]))
        ),
    }
    generators["rating_"] = lambda a: _likert(rng, liking)  # every toolkit rating item
    for item in range(1, 11):
        positive = item % 2 == 1
        centre = 4.0 + usability if positive else 2.0 - usability
        skip = rng.random() < 0.03
        generators[f"sus_{item:02d}"] = (lambda c, s: lambda a: None if s else _likert(rng, c))(
            centre, skip
        )
    for name, pool in COMMENTS.items():
        generators[name] = (lambda p: lambda a: rng.choice(p) if rng.random() < 0.3 else None)(pool)
    return generators


def generate_responses(
    session: DbSession,
    version: QuestionnaireVersion,
    count: int,
    seed: int | None = None,
    secret: str = "demo",  # noqa: S107 - keys the demo resume codes, which nobody is given
    chunk: int = 1000,
) -> int:
    """Insert `count` responses: about 15% stop part-way, branches follow the show-if rules."""
    rng = random.Random(seed)
    questions = version.questions
    pages = list(version.pages)
    toolkit_position = next(p.position for p in pages if p.kind == PageKind.TOOLKIT)
    now = utcnow()
    information = information_for_consent(session, version.questionnaire_id)
    made = 0
    while made < count:
        responses: list[dict[str, Any]] = []
        answers: list[dict[str, Any]] = []
        views: list[dict[str, Any]] = []
        for _ in range(min(chunk, count - made)):
            response_id = "demo-" + "".join(rng.choices("abcdefghijkmnopqrstuvwxyz23456789", k=20))
            generators = _participant(rng)
            partial = rng.random() < 0.15
            last_page = rng.randint(3, len(pages) - 1) if partial else len(pages)
            given: dict[str, AnswerValue] = {}
            for question in questions:
                if question.page.position > last_page or not spec_of(question.type).answered:
                    continue
                if not condition_holds(question.page.show_if, given) or not condition_holds(
                    question.show_if, given
                ):
                    continue
                key = "rating_" if question.name.startswith("rating_") else question.name
                value = generators.get(key, lambda a: None)(given)
                if value is None:
                    continue
                given[question.name] = value
                answers.append(
                    {
                        "response_id": response_id,
                        "question_id": question.id,
                        **typed_columns(question, value),
                    }
                )
            started = now - timedelta(days=rng.uniform(0, 90), minutes=30)
            submitted = None if partial else started + timedelta(minutes=rng.uniform(5, 25))
            responses.append(
                {
                    "id": response_id,
                    "version_id": version.id,
                    "language": "fr" if given.get("home_language") == "fr" else "en",
                    "status": ResponseStatus.IN_PROGRESS if partial else ResponseStatus.COMPLETE,
                    "started_at": started,
                    "updated_at": submitted or started,
                    "submitted_at": submitted,
                    "consent_version": version.consent_version,
                    "consented_at": started,
                    "resume_code_hash": resume_code_digest(new_resume_code(), secret),
                    "current_position": last_page,
                    "study_information_id": information.id,
                    "toolkit_prompt_shown": False,
                }
            )
            if last_page > toolkit_position:
                opened_before = len(views)
                for section in SECTIONS:
                    if rng.random() < 0.8:
                        views.append(
                            {
                                "response_id": response_id,
                                "section": section.key,
                                "opened": rng.choice([1, 1, 1, 2]),
                                "seconds": int(rng.lognormvariate(3.5, 0.7)),
                                "first_opened_at": started,
                            }
                        )
                # Moving past the toolkit with no section opened meets the one reminder.
                responses[-1]["toolkit_prompt_shown"] = len(views) == opened_before
        session.execute(insert(Response), responses)
        session.execute(insert(Answer), answers)
        if views:
            session.execute(insert(ToolkitView), views)
        made += len(responses)
    return made
