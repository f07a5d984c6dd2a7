"""Chart geometry for server-rendered SVG: the templates only draw what is computed here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from exports.stats import Summary

WIDTH = 640
LABEL_WIDTH = 200
BAR_HEIGHT = 22
GAP = 8
# Ordered light-to-dark diverging palette (disagree -> agree); text labels carry the meaning too.
LIKERT_FILLS = ["#b2182b", "#ef8a62", "#bdbdbd", "#67a9cf", "#2166ac"]


@dataclass
class Segment:
    x: float
    width: float
    fill: str
    label: str
    percent: float


@dataclass
class LikertRow:
    name: str
    label: str
    y: float
    segments: list[Segment]
    answered: int
    top2: float | None


def likert_rows(block: list[Summary]) -> tuple[list[LikertRow], float]:
    """Diverging stacked bars centred on the middle of the neutral category."""
    plot = WIDTH - LABEL_WIDTH - 20
    centre = LABEL_WIDTH + plot / 2
    rows = []
    for i, s in enumerate(block):
        percents = [c.percent or 0.0 for c in s.choices]
        middle = len(percents) // 2
        left = sum(percents[:middle]) + (percents[middle] / 2 if len(percents) % 2 else 0)
        x = centre - left / 100 * plot / 2
        segments = []
        for choice, pct in zip(s.choices, percents, strict=True):
            width = pct / 100 * plot / 2
            fill = LIKERT_FILLS[min(len(LIKERT_FILLS) - 1, s.choices.index(choice))]
            segments.append(Segment(x, width, fill, choice.label, pct))
            x += width
        rows.append(
            LikertRow(s.name, s.label, i * (BAR_HEIGHT + GAP), segments, s.answered, s.top2_percent)
        )
    return rows, len(block) * (BAR_HEIGHT + GAP)


@dataclass
class Bar:
    label: str
    n: int
    percent: float | None
    x: float
    y: float
    width: float
    height: float


def horizontal_bars(summary: Summary) -> tuple[list[Bar], float]:
    plot = WIDTH - LABEL_WIDTH - 80
    most = max((c.n for c in summary.choices), default=0) or 1
    bars = [
        Bar(
            c.label,
            c.n,
            c.percent,
            LABEL_WIDTH,
            i * (BAR_HEIGHT + GAP),
            c.n / most * plot,
            BAR_HEIGHT,
        )
        for i, c in enumerate(summary.choices)
    ]
    return bars, len(bars) * (BAR_HEIGHT + GAP)


def histogram(summary: Summary, height: float = 160) -> list[Bar]:
    count = len(summary.choices) or 1
    slot = (WIDTH - 40) / count
    most = max((c.n for c in summary.choices), default=0) or 1
    return [
        Bar(
            c.code,
            c.n,
            c.percent,
            20 + i * slot + 2,
            height - c.n / most * height,
            slot - 4,
            c.n / most * height,
        )
        for i, c in enumerate(summary.choices)
    ]


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
