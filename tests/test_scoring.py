"""Scores are computed on the server by their documented rule."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.models import Score
from survey.questionnaire.scoring import ScoreRule, compute_score
from tests.survey_steps import SUS_85


@pytest.fixture
def sus(db) -> ScoreRule:
    return ScoreRule.from_dict(
        db.session.scalar(select(Score).where(Score.name == "sus_score")).as_rule()
    )


def test_sus_of_the_reference_answers_is_85(sus):
    assert compute_score(sus, SUS_85) == 85.0


@pytest.mark.parametrize(
    "answers, expected",
    [
        ({f"sus_{i:02d}": "5" if i % 2 else "1" for i in range(1, 11)}, 100.0),
        ({f"sus_{i:02d}": "1" if i % 2 else "5" for i in range(1, 11)}, 0.0),
        ({f"sus_{i:02d}": "3" for i in range(1, 11)}, 50.0),
    ],
)
def test_sus_extremes(sus, answers, expected):
    assert compute_score(sus, answers) == expected


@pytest.mark.parametrize(
    "broken",
    [
        {"sus_07": None},
        {"sus_07": ""},
        {"sus_07": "6"},
        {"sus_07": "x"},
    ],
)
def test_sus_is_missing_not_partial(sus, broken):
    answers = {**SUS_85, **broken}
    if broken["sus_07"] is None:
        del answers["sus_07"]
    assert compute_score(sus, answers) is None


def test_mean_rule_for_scales_such_as_bmee():
    rule = ScoreRule(
        items=["a", "b", "c"], reversed_items=["c"], scale_min=1, scale_max=5, aggregate="mean"
    )
    assert compute_score(rule, {"a": 5, "b": 4, "c": 2}) == pytest.approx(13 / 3)
