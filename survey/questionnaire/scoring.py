"""Composite scores (such as the System Usability Scale) computed from item answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ScoreRule:
    """Each item is `r - offset`, or `(scale_min + scale_max - r) - offset` when reverse-keyed;
    the items are summed or averaged and multiplied. Any missing item makes the score missing."""

    items: Sequence[str]
    reversed_items: Sequence[str]
    scale_min: int
    scale_max: int
    offset: float = 0
    aggregate: str = "sum"
    multiplier: float = 1

    @classmethod
    def from_dict(cls, rule: Mapping[str, Any]) -> ScoreRule:
        return cls(**rule)


def compute_score(rule: ScoreRule, answers: Mapping[str, Any]) -> float | None:
    """The score for one response's answers (keyed by variable), or None if any item is missing
    or out of the scale's range."""
    values = []
    for item in rule.items:
        raw = answers.get(item)
        if raw is None:
            return None
        try:
            r = float(raw)
        except (TypeError, ValueError):
            return None
        if not rule.scale_min <= r <= rule.scale_max:
            return None
        if item in rule.reversed_items:
            r = rule.scale_min + rule.scale_max - r
        values.append(r - rule.offset)
    total = sum(values) if rule.aggregate == "sum" else sum(values) / len(values)
    return total * rule.multiplier
