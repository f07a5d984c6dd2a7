"""Descriptive statistics as the M.I.L.K paper reports them. The Summary sheet and the
dashboard both read `summarise`, so they can never disagree.

Conventions: a question's denominator is the responses that were shown it (a branch question's
subgroup); a choice's percentage is of those who answered it, to one decimal; quartiles are
numpy's linear interpolation (Excel's QUARTILE.INC); SD is the sample SD (n - 1).

numpy rather than pandas here: these few figures do not need a data frame, and importing
pandas would add a third of a second to every command and web worker that starts."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import numpy as np

from exports.records import ResponseRecord
from exports.variables import Variable


@dataclass
class ChoiceCount:
    code: str
    label: str
    n: int
    percent: float | None  # of those who answered
    label_fr: str | None = None

    def text(self, language: str) -> str:
        """The choice's label in `language`, English where it has no translation."""
        return (self.label_fr if language == "fr" else None) or self.label


@dataclass
class Numbers:
    n: int
    mean: float | None
    sd: float | None
    median: float | None
    q1: float | None
    q3: float | None
    minimum: float | None
    maximum: float | None


@dataclass
class Summary:
    name: str
    label: str
    kind: str  # choice | likert | multiple | number | date | score | text | toolkit
    denominator: int
    answered: int
    choices: list[ChoiceCount] = field(default_factory=list)
    numbers: Numbers | None = None
    top2_percent: float | None = None  # Likert: agree + strongly agree (the two highest codes)
    top2_n: int | None = None  # ... and how many that is (papers give n (%))
    may_exceed_100: bool = False
    label_fr: str | None = None
    page: str = ""  # the title of the page that asks it (empty for scores)
    page_fr: str | None = None
    # Dates, times, dates and times: the earliest and latest answer (real Excel cells on the
    # Summary sheet), and as the dashboard writes them.
    earliest: Any = None
    latest: Any = None
    span_text: tuple[str, str] | None = None

    @property
    def missing(self) -> int:
        return self.denominator - self.answered

    def text(self, language: str) -> str:
        """The question in `language`, English where it has no translation."""
        return (self.label_fr if language == "fr" else None) or self.label

    def page_text(self, language: str) -> str:
        return (self.page_fr if language == "fr" else None) or self.page


def chart_blocks(summaries: list[Summary]) -> list[tuple[str, list[Summary]]]:
    """Consecutive Likert items on the same scale and the same page make one chart (its title is
    the page's); every other summary its own. Each block comes with its kind."""
    blocks: list[tuple[str, list[Summary]]] = []
    for s in summaries:
        previous = blocks[-1] if blocks else None
        if (
            s.kind == "likert"
            and previous is not None
            and previous[0] == "likert"
            and previous[1][0].page == s.page
            and [c.code for c in previous[1][0].choices] == [c.code for c in s.choices]
        ):
            previous[1].append(s)
        else:
            blocks.append((s.kind, [s]))
    return blocks


def _percent(n: int, of: int) -> float | None:
    return round(100 * n / of, 1) if of else None


def numbers_of(values: Sequence[float] | np.ndarray) -> Numbers:
    """n, mean, SD (n - 1), median, quartiles (linear: Excel's QUARTILE.INC), min and max, to
    two decimals; the Summary sheet's and the Outcomes sheet's one rule for them."""
    x = np.asarray(values, dtype="float64")
    if not x.size:
        return Numbers(0, None, None, None, None, None, None, None)

    def r(value: float | np.floating) -> float:
        return round(float(value), 2)

    q1, median, q3 = np.quantile(x, (0.25, 0.5, 0.75))
    return Numbers(
        n=int(x.size),
        mean=r(x.mean()),
        sd=r(x.std(ddof=1)) if x.size > 1 else None,  # one value has no sample SD
        median=r(median),
        q1=r(q1),
        q3=r(q3),
        minimum=r(x.min()),
        maximum=r(x.max()),
    )


class _Tally:
    __slots__ = ("shown", "answered", "counts", "values", "earliest", "latest")

    def __init__(self) -> None:
        self.shown = 0
        self.answered = 0
        self.counts: Counter[str] = Counter()
        self.values = array("d")
        self.earliest: Any = None  # dates and times: only the two ends are kept
        self.latest: Any = None

    def add_moment(self, value: Any) -> None:
        if self.earliest is None or value < self.earliest:
            self.earliest = value
        if self.latest is None or value > self.latest:
            self.latest = value

    def merge(self, other: _Tally) -> None:
        """Another's counts after these (the values in their order: the same as one tally of
        both)."""
        self.shown += other.shown
        self.answered += other.answered
        self.counts.update(other.counts)
        self.values.extend(other.values)
        if other.earliest is not None:
            self.add_moment(other.earliest)
            self.add_moment(other.latest)


class StatisticsCounts(NamedTuple):
    """What Statistics has counted, without what it counts for: plain values, so a process
    that counted a chunk of responses can send them to the one that adds them up."""

    responses: int
    by_day: Counter[tuple[date, bool]]
    tallies: dict[str, _Tally]
    score_tallies: dict[str, _Tally]
    toolkit_tallies: dict[str, _Tally]


class Statistics:
    """Accumulates what the summary needs while the rows stream past, in constant memory per
    choice question (counts) and one float per answer for numeric questions."""

    def __init__(
        self,
        variables: list[Variable],
        score_names: list[str],
        toolkit_sections: list[str],
        score_labels: Mapping[str, tuple[str, str | None]] | None = None,
    ) -> None:
        self.variables = variables
        self.score_names = score_names
        self.toolkit_sections = toolkit_sections
        self.score_labels = score_labels or {}  # name -> (English, French)
        self._start()

    def _start(self) -> None:
        """Nothing counted yet."""
        self.tallies = {v.name: _Tally() for v in self.variables}
        self.score_tallies = {name: _Tally() for name in self.score_names}
        self.toolkit_tallies = {key: _Tally() for key in self.toolkit_sections}
        self.by_day: Counter[tuple[date, bool]] = Counter()  # (day started, complete) -> n
        self.responses = 0
        # Each type's statistics kind (survey/questionnaire/types.py) says what its answer is.
        self._plan = [(v.name, self.tallies[v.name], v.spec.statistics) for v in self.variables]

    def take(self) -> StatisticsCounts:
        """What was counted since the last take (a chunk's counts), starting again from none."""
        counts = StatisticsCounts(
            self.responses, self.by_day, self.tallies, self.score_tallies, self.toolkit_tallies
        )
        self._start()
        return counts

    def merge(self, counts: StatisticsCounts) -> None:
        """Counts taken from another Statistics of the same variables, as if its responses were
        added here now: merged in the order the responses came, the summary is the same."""
        self.responses += counts.responses
        self.by_day.update(counts.by_day)
        for mine, theirs in (
            (self.tallies, counts.tallies),
            (self.score_tallies, counts.score_tallies),
            (self.toolkit_tallies, counts.toolkit_tallies),
        ):
            for key, tally in theirs.items():
                mine[key].merge(tally)

    def add(self, record: ResponseRecord) -> None:
        self.responses += 1
        self.by_day[(record.started_at.date(), record.complete)] += 1
        for key, tally in self.toolkit_tallies.items():
            tally.shown += 1
            opened, seconds = record.toolkit.get(key, (0, 0))
            if opened:
                tally.answered += 1
                tally.values.append(seconds)
        shown, answers = record.shown, record.answers
        for name, tally, kind in self._plan:
            if name not in shown:
                continue
            tally.shown += 1
            value = answers.get(name)
            if value is None:
                continue
            tally.answered += 1
            if kind == "multiple" and isinstance(value, list):
                tally.counts.update(value)
            elif kind in ("choice", "likert") and isinstance(value, str):
                tally.counts[value] += 1
            elif kind == "number" and isinstance(value, int | float):
                tally.values.append(float(value))
            elif kind == "date":
                tally.add_moment(value)
        for name in self.score_names:
            if name in record.scores:
                tally = self.score_tallies[name]
                tally.shown += 1
                if (score := record.scores[name]) is not None:
                    tally.answered += 1
                    tally.values.append(score)

    def summarise(self) -> list[Summary]:
        summaries = [self._summary(v, self.tallies[v.name]) for v in self.variables]
        for name, tally in self.score_tallies.items():
            label, label_fr = self.score_labels.get(name, (name, None))
            summaries.append(
                Summary(
                    name,
                    label,
                    "score",
                    tally.shown,
                    tally.answered,
                    numbers=numbers_of(tally.values),
                    label_fr=label_fr,
                )
            )
        return summaries

    def _summary(self, variable: Variable, tally: _Tally) -> Summary:
        kind = variable.spec.statistics
        summary = Summary(
            variable.name,
            variable.label_en,
            kind,
            tally.shown,
            tally.answered,
            label_fr=variable.label_fr,
            page=variable.page_en,
            page_fr=variable.page_fr,
        )
        if variable.is_multiple or variable.is_choice:
            summary.choices = [
                ChoiceCount(
                    c.code,
                    c.label_en,
                    tally.counts[c.code],
                    _percent(tally.counts[c.code], tally.answered),
                    c.label_fr,
                )
                for c in variable.choices
            ]
            summary.may_exceed_100 = variable.is_multiple
        if variable.is_choice and variable.numeric_codes:
            codes = [int(c.code) for c in variable.choices]
            repeats = [tally.counts[c.code] for c in variable.choices]
            summary.numbers = numbers_of(np.repeat(codes, repeats))
            if variable.is_likert:
                top_two = sum(c.n for c in sorted(summary.choices, key=lambda c: int(c.code))[-2:])
                summary.top2_n = top_two
                summary.top2_percent = _percent(top_two, tally.answered)
        elif variable.is_numeric:
            summary.numbers = numbers_of(tally.values)
            if variable.spec.histogram:  # a 0-10 scale: its distribution, for the histogram
                counts = Counter(tally.values)
                low, high = int(variable.min_value or 0), int(variable.max_value or 10)
                summary.choices = [
                    ChoiceCount(
                        str(i),
                        str(i),
                        int(counts.get(float(i), 0)),
                        _percent(int(counts.get(float(i), 0)), tally.answered),
                    )
                    for i in range(low, high + 1)
                ]
        elif kind == "date" and tally.earliest is not None:
            summary.earliest, summary.latest = tally.earliest, tally.latest
            show = variable.spec.display.text
            summary.span_text = (show(tally.earliest), show(tally.latest))
        return summary
