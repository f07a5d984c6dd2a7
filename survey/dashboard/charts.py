"""Chart geometry for the dashboard's server-rendered charts: the templates only draw what is
computed here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from exports.layout import likert_colour
from exports.stats import ChoiceCount, Summary

# Bars are drawn in SVG scaled to their box (0-100 across); every label is HTML text beside them,
# so it wraps instead of being cut, in any language and at any width.
WIDTH = 640  # the weekly chart's drawing units
TRACK = 100.0


@dataclass
class Segment:
    x: float
    width: float
    fill: str  # the workbook's Likert palette; the labels carry the meaning too
    choice: ChoiceCount


@dataclass
class LikertRow:
    summary: Summary
    segments: list[Segment]


def likert_rows(block: list[Summary]) -> list[LikertRow]:
    """Diverging stacked bars centred on the middle of the neutral category: 100% of answers
    spans half the track, so any split fits either side of the centre line."""
    rows = []
    for s in block:
        percents = [c.percent or 0.0 for c in s.choices]
        middle = len(percents) // 2
        left = sum(percents[:middle]) + (percents[middle] / 2 if len(percents) % 2 else 0)
        x = TRACK / 2 - left / 2
        segments = []
        for i, (choice, pct) in enumerate(zip(s.choices, percents, strict=True)):
            segments.append(Segment(round(x, 2), round(pct / 2, 2), likert_colour(i), choice))
            x += pct / 2
        rows.append(LikertRow(s, segments))
    return rows


@dataclass
class Bar:
    choice: ChoiceCount
    length: float  # share of the track, 0-100


def bars(summary: Summary) -> list[Bar]:
    """One bar per choice (or per point of a 0-10 scale); the most chosen fills the track."""
    most = max((c.n for c in summary.choices), default=0) or 1
    return [Bar(c, round(c.n / most * TRACK, 2)) for c in summary.choices]


@dataclass
class Week:
    start: date
    complete: int
    partial: int


def weekly(by_day: Counter[tuple[date, bool]]) -> list[Week]:
    """Responses started per week (Monday first), complete and partial, with empty weeks."""
    if not by_day:
        return []
    weeks: dict[date, Week] = {}
    days = [day for day, _complete in by_day]
    first = min(days) - timedelta(days=min(days).weekday())
    last = max(days)
    start = first
    while start <= last:
        weeks[start] = Week(start, 0, 0)
        start += timedelta(days=7)
    for (day, complete), n in by_day.items():
        week = weeks[day - timedelta(days=day.weekday())]
        if complete:
            week.complete += n
        else:
            week.partial += n
    return list(weeks.values())
