"""The study's three outcomes: usability (SUS), pain while hand expressing, and confidence before
and after the toolkit. One function (`OutcomeTally.summarise`) gives the Outcomes sheet and the
dashboard their figures; the tests of significance come from scipy (docs/exports.md, Outcomes).

The tally keeps only the few numbers each outcome needs per response (a score, a pain rating,
a before/after pair, the ten SUS answers), so memory stays flat as the responses stream past."""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from exports.measures import (
    AFTER,
    BEFORE,
    FU_CONFIDENCE,
    FU_EXPRESSED,
    FU_PAIN,
    PAIN,
    TRIED,
    TRIED_YES,
)
from exports.stats import Numbers, numbers_of
from exports.variables import Variable
from survey.messages import N_, Message
from survey.models import AnswerValue
from survey.questionnaire.scoring import ScoreRule, compute_score

SUS_ITEMS = tuple(f"sus_{i:02d}" for i in range(1, 11))
# Brooke's rule (study brief): odd items r - 1, even items 5 - r, summed, times 2.5.
SUS_RULE = ScoreRule(
    items=SUS_ITEMS,
    reversed_items=SUS_ITEMS[1::2],
    scale_min=1,
    scale_max=5,
    offset=1,
    aggregate="sum",
    multiplier=2.5,
)
SUS_AVERAGE = 68.0  # the published average SUS score (Sauro 2011; Bangor et al. 2009)
# Bangor, Kortum & Miller (2009), table 3: the mean SUS score of those who chose each
# adjective. A score falls in the band of the nearest mean: each band starts at the midpoint
# between its mean and the one below (at the midpoint exactly, the higher band).
ADJECTIVE_MEANS = (
    (N_("Worst imaginable"), 12.5),
    (N_("Awful"), 20.3),
    (N_("Poor"), 35.7),
    (N_("OK"), 50.9),
    (N_("Good"), 71.4),
    (N_("Excellent"), 85.5),
    (N_("Best imaginable"), 90.9),
)
ADJECTIVE_BANDS = tuple(
    (name, 0.0 if i == 0 else round((ADJECTIVE_MEANS[i - 1][1] + mean) / 2, 2))
    for i, (name, mean) in enumerate(ADJECTIVE_MEANS)
)  # (adjective, lowest score in the band)
PAIN_BANDS = (  # NRS-11 bands (study brief): (name, lowest, highest), inclusive
    (N_("none (0)"), 0, 0),
    (N_("mild (1-3)"), 1, 3),
    (N_("moderate (4-6)"), 4, 6),
    (N_("severe (7-10)"), 7, 10),
)
CONFIDENT = 4  # 4 "quite confident" or 5 "very confident"


def scipy_stats() -> ModuleType:
    """scipy.stats, imported when an outcome is first computed: importing it at start-up would
    add seconds to every web worker and queue consumer, most of which never compute one."""
    from scipy import stats  # type: ignore[import-untyped]

    return stats


@dataclass(frozen=True)
class Count:
    """n (%): a count with its own denominator; the percentage to one decimal."""

    n: int
    of: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.n / self.of, 1) if self.of else None

    def __str__(self) -> str:
        return f"{self.n} ({self.percent:.1f}%)" if self.of else f"{self.n} (–)"


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def mean_interval(values: np.ndarray) -> Interval | None:
    """The 95% CI of the mean from Student's t (scipy's one-sample t test); none below two
    values, and the mean itself when every value is the same."""
    if values.size < 2:
        return None
    if np.ptp(values) == 0:
        return Interval(float(values[0]), float(values[0]))
    ci = scipy_stats().ttest_1samp(values, 0.0).confidence_interval(0.95)
    return Interval(round(float(ci.low), 2), round(float(ci.high), 2))


def _series(values: array) -> np.ndarray:
    return np.asarray(values, dtype="float64")


@dataclass
class ItemMean:
    name: str
    label: str
    n: int
    mean: float | None


@dataclass
class Usability:
    numbers: Numbers
    ci: Interval | None
    at_or_above_average: Count
    bands: list[tuple[str, Count]]
    items: list[ItemMean]
    alpha: float | None  # Cronbach's alpha over those who answered all ten items
    incomplete: int  # shown the SUS page, but not every item answered: no score


@dataclass
class Pain:
    tried: int  # answered "yes" to having tried hand expression
    numbers: Numbers
    any_pain: Count
    bands: list[tuple[str, Count]]


@dataclass
class Wilcoxon:
    n: int  # pairs with a non-zero change (zero changes are dropped: zero_method="wilcox")
    statistic: float  # the smaller of the signed-rank sums
    z: float
    p: float
    r: float  # |z| / sqrt(n)


@dataclass
class Confidence:
    pairs: int
    median_before: float | None
    median_after: float | None
    change: Numbers
    change_ci: Interval | None
    improved: Count
    unchanged: Count
    worse: Count
    confident_before: Count
    confident_after: Count
    became_confident: int  # McNemar's discordant pairs: not confident before, confident after
    stopped_being_confident: int
    mcnemar_p: float | None
    wilcoxon: Wilcoxon | None


@dataclass
class Friedman:
    statistic: float  # chi-square, corrected for ties
    df: int
    p: float
    w: float  # Kendall's W = chi-square / (n (k - 1)), the agreement of the changes


@dataclass
class ConfidenceOverTime:
    """Confidence before the toolkit, right after it and at the follow-up, for the responses
    with all three answers."""

    n: int
    median_before: float | None
    median_after: float | None
    median_follow_up: float | None
    confident_follow_up: Count
    friedman: Friedman | None
    after_to_follow_up: Wilcoxon | None
    before_to_follow_up: Wilcoxon | None


@dataclass
class PainOverTime:
    """Pain right after the toolkit and the last time at the follow-up, among those who tried
    both times."""

    pairs: int
    median_after: float | None
    median_follow_up: float | None
    change: Numbers
    wilcoxon: Wilcoxon | None


@dataclass
class Outcomes:
    usability: Usability | None = None
    pain: Pain | None = None
    confidence: Confidence | None = None
    confidence_over_time: ConfidenceOverTime | None = None
    pain_over_time: PainOverTime | None = None
    unavailable: dict[str, Message] = field(default_factory=dict)  # outcome -> why


@dataclass(frozen=True)
class OutcomePlan:
    """Which outcomes the exported questionnaire versions can answer, and the SUS items."""

    sus_items: list[Variable]
    pain: bool
    confidence: bool
    unavailable: dict[str, Message]
    # The follow-up's paired comparisons: only when the export holds the follow-up wave.
    confidence_over_time: bool = False
    pain_over_time: bool = False

    @classmethod
    def of(cls, variables: list[Variable]) -> OutcomePlan:
        by_name = {v.name: v for v in variables}

        def scale(name: str) -> bool:
            v = by_name.get(name)
            return v is not None and v.is_choice and v.numeric_codes

        unavailable: dict[str, Message] = {}
        sus = [by_name[n] for n in SUS_ITEMS if scale(n)]
        if len(sus) < len(SUS_ITEMS):
            unavailable["usability"] = Message(
                N_("not available: the questionnaire lacks the SUS items %(items)s"),
                items=", ".join(n for n in SUS_ITEMS if not scale(n)),
            )
            sus = []
        tried = by_name.get(TRIED)
        pain = (
            tried is not None
            and tried.is_choice
            and any(c.code == TRIED_YES for c in tried.choices)
            and PAIN in by_name
            and by_name[PAIN].is_numeric
        )
        if not pain:
            unavailable["pain"] = Message(
                N_("not available: the questionnaire lacks %(items)s"), items=f"{TRIED}, {PAIN}"
            )
        confidence = scale(BEFORE) and scale(AFTER)
        if not confidence:
            unavailable["confidence"] = Message(
                N_("not available: the questionnaire lacks %(items)s"), items=f"{BEFORE}, {AFTER}"
            )
        expressed = by_name.get(FU_EXPRESSED)
        pain_over_time = (
            pain
            and expressed is not None
            and any(c.code == TRIED_YES for c in expressed.choices)
            and FU_PAIN in by_name
            and by_name[FU_PAIN].is_numeric
        )
        return cls(
            sus,
            pain,
            confidence,
            unavailable,
            confidence_over_time=confidence and scale(FU_CONFIDENCE),
            pain_over_time=pain_over_time,
        )


class OutcomeTally:
    """What the outcomes need, accumulated one response at a time."""

    # What it counts (a tally's counts, taken and merged in this order): sums, series of
    # values one or more per response, and sums per SUS item.
    _SUMS = ("sus_shown", "tried")
    _SERIES = ("sus_scores", "sus_answers", "pain", "before", "after", "over_time", "pain_pairs")
    _PER_ITEM = ("item_sums", "item_counts")

    def __init__(self, plan: OutcomePlan) -> None:
        self.plan = plan
        self._start()

    def _start(self) -> None:
        """Nothing counted yet."""
        plan = self.plan
        self.sus_shown = 0
        self.sus_scores = array("d")
        # Each complete set's ten item contributions as scored (reverse-keyed items turned
        # round), for Cronbach's alpha.
        self.sus_answers = array("b")
        self.item_sums = [0] * len(plan.sus_items)
        self.item_counts = [0] * len(plan.sus_items)
        self.tried = 0
        self.pain = array("d")
        self.before = array("b")
        self.after = array("b")
        self.over_time = array("b")  # before, after, follow-up: three per response
        self.pain_pairs = array("d")  # right after, at the follow-up: two per response

    def take(self) -> dict[str, Any]:
        """What was counted since the last take (a chunk's counts), starting again from none."""
        counts = {name: getattr(self, name) for name in self._SUMS + self._SERIES + self._PER_ITEM}
        self._start()
        return counts

    def merge(self, counts: dict[str, Any]) -> None:
        """Counts taken from another tally of the same plan, as if its responses were added
        here now (merged in the order the responses came, every series is as one tally's)."""
        for name in self._SUMS:
            setattr(self, name, getattr(self, name) + counts[name])
        for name in self._SERIES:
            getattr(self, name).extend(counts[name])
        for name in self._PER_ITEM:
            mine = getattr(self, name)
            setattr(self, name, [a + b for a, b in zip(mine, counts[name], strict=True)])

    def add(self, answers: Mapping[str, AnswerValue], shown: set[str]) -> None:
        plan = self.plan
        if plan.sus_items and SUS_ITEMS[0] in shown:
            self.sus_shown += 1
            for i, item in enumerate(plan.sus_items):
                if (value := answers.get(item.name)) is not None:
                    self.item_sums[i] += int(str(value))
                    self.item_counts[i] += 1
            score = compute_score(SUS_RULE, answers)
            if score is not None:
                self.sus_scores.append(score)
                self.sus_answers.extend(_scored(n, answers[n]) for n in SUS_ITEMS)
        if plan.pain and answers.get(TRIED) == TRIED_YES:
            self.tried += 1
            if isinstance(pain := answers.get(PAIN), int | float):
                self.pain.append(float(pain))
        if plan.confidence:
            before, after = answers.get(BEFORE), answers.get(AFTER)
            if before is not None and after is not None:
                self.before.append(int(str(before)))
                self.after.append(int(str(after)))
                if plan.confidence_over_time and (now := answers.get(FU_CONFIDENCE)) is not None:
                    self.over_time.extend((int(str(before)), int(str(after)), int(str(now))))
        if (
            plan.pain_over_time
            and answers.get(TRIED) == TRIED_YES
            and answers.get(FU_EXPRESSED) == TRIED_YES
            and isinstance(pain := answers.get(PAIN), int | float)
            and isinstance(later := answers.get(FU_PAIN), int | float)
        ):
            self.pain_pairs.extend((float(pain), float(later)))

    @property
    def changes(self) -> np.ndarray:
        return _series(self.after) - _series(self.before)

    def summarise(self) -> Outcomes:
        plan = self.plan
        return Outcomes(
            usability=self._usability() if plan.sus_items else None,
            pain=self._pain() if plan.pain else None,
            confidence=self._confidence() if plan.confidence else None,
            confidence_over_time=self._confidence_over_time()
            if plan.confidence_over_time
            else None,
            pain_over_time=self._pain_over_time() if plan.pain_over_time else None,
            unavailable=plan.unavailable,
        )

    def _usability(self) -> Usability:
        scores = _series(self.sus_scores)
        n = scores.size
        bands = []
        for i, (name, low) in enumerate(ADJECTIVE_BANDS):
            high = ADJECTIVE_BANDS[i + 1][1] if i + 1 < len(ADJECTIVE_BANDS) else math.inf
            bands.append((name, Count(int(((scores >= low) & (scores < high)).sum()), n)))
        items = [
            ItemMean(
                v.name,
                v.label_en,
                count,
                round(total / count, 2) if count else None,
            )
            for v, total, count in zip(
                self.plan.sus_items, self.item_sums, self.item_counts, strict=True
            )
        ]
        return Usability(
            numbers=numbers_of(scores),
            ci=mean_interval(scores),
            at_or_above_average=Count(int((scores >= SUS_AVERAGE).sum()), n),
            bands=bands,
            items=items,
            alpha=cronbach_alpha(
                np.asarray(self.sus_answers, dtype="float64").reshape(n, len(SUS_ITEMS))
            ),
            incomplete=self.sus_shown - n,
        )

    def _pain(self) -> Pain:
        values = _series(self.pain)
        n = values.size
        return Pain(
            tried=self.tried,
            numbers=numbers_of(values),
            any_pain=Count(int((values >= 1).sum()), n),
            bands=[
                (name, Count(int(((values >= low) & (values <= high)).sum()), n))
                for name, low, high in PAIN_BANDS
            ],
        )

    def _confidence(self) -> Confidence:
        before, after = _series(self.before), _series(self.after)
        change = after - before
        n = change.size
        confident_before, confident_after = before >= CONFIDENT, after >= CONFIDENT
        became = int((~confident_before & confident_after).sum())
        stopped = int((confident_before & ~confident_after).sum())
        return Confidence(
            pairs=n,
            median_before=float(np.median(before)) if n else None,
            median_after=float(np.median(after)) if n else None,
            change=numbers_of(change),
            change_ci=mean_interval(change),
            improved=Count(int((change > 0).sum()), n),
            unchanged=Count(int((change == 0).sum()), n),
            worse=Count(int((change < 0).sum()), n),
            confident_before=Count(int(confident_before.sum()), n),
            confident_after=Count(int(confident_after.sum()), n),
            became_confident=became,
            stopped_being_confident=stopped,
            mcnemar_p=mcnemar_exact(became, stopped) if n else None,
            wilcoxon=signed_rank(change),
        )

    def _confidence_over_time(self) -> ConfidenceOverTime:
        waves = _series(self.over_time).reshape(-1, 3)
        before, after, now = waves[:, 0], waves[:, 1], waves[:, 2]
        n = len(waves)
        return ConfidenceOverTime(
            n=n,
            median_before=float(np.median(before)) if n else None,
            median_after=float(np.median(after)) if n else None,
            median_follow_up=float(np.median(now)) if n else None,
            confident_follow_up=Count(int((now >= CONFIDENT).sum()), n),
            friedman=friedman(waves),
            after_to_follow_up=signed_rank(now - after),
            before_to_follow_up=signed_rank(now - before),
        )

    def _pain_over_time(self) -> PainOverTime:
        pairs = _series(self.pain_pairs).reshape(-1, 2)
        n = len(pairs)
        change = pairs[:, 1] - pairs[:, 0]
        return PainOverTime(
            pairs=n,
            median_after=float(np.median(pairs[:, 0])) if n else None,
            median_follow_up=float(np.median(pairs[:, 1])) if n else None,
            change=numbers_of(change),
            wilcoxon=signed_rank(change),
        )


def _scored(item: str, answer: AnswerValue) -> int:
    r = int(str(answer))
    return SUS_RULE.scale_min + SUS_RULE.scale_max - r if item in SUS_RULE.reversed_items else r


def cronbach_alpha(answers: np.ndarray) -> float | None:
    """k / (k - 1) x (1 - sum of the item variances / variance of the total), sample variances
    (n - 1), over complete sets of answers; none below two sets or when the totals never vary.
    scipy has no alpha: this is the textbook formula on numpy's variances."""
    n, k = answers.shape if answers.ndim == 2 else (0, 0)
    if n < 2 or k < 2:
        return None
    total_variance = answers.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        return None
    alpha = k / (k - 1) * (1 - answers.var(axis=0, ddof=1).sum() / total_variance)
    return round(float(alpha), 3)


def mcnemar_exact(b: int, c: int) -> float:
    """McNemar's exact test: the two-sided binomial test of b successes in b + c discordant
    pairs at p = 0.5 (scipy.stats.binomtest); 1 when no pair changed."""
    if b + c == 0:
        return 1.0
    return float(scipy_stats().binomtest(b, b + c, 0.5).pvalue)


def friedman(waves: np.ndarray) -> Friedman | None:
    """Friedman's test of k related measures (scipy.stats.friedmanchisquare: ranks within each
    response, average ranks for ties, the tie-corrected chi-square on k - 1 degrees of freedom)
    and Kendall's W. None below two responses, or when no response changed at all (every
    rank tied: the statistic is undefined)."""
    n, k = waves.shape
    if n < 2 or not np.any(np.ptp(waves, axis=1)):
        return None
    result = scipy_stats().friedmanchisquare(*waves.T)
    chi2 = float(result.statistic)
    return Friedman(round(chi2, 3), k - 1, float(result.pvalue), round(chi2 / (n * (k - 1)), 3))


def signed_rank(change: np.ndarray) -> Wilcoxon | None:
    """Wilcoxon's signed-rank test (scipy.stats.wilcoxon): zero changes dropped (Wilcoxon's
    own method), tied changes given their average rank, the normal approximation with the
    variance corrected for ties and no continuity correction; r = |z| / sqrt(pairs used)."""
    used = int(np.count_nonzero(change))
    if used == 0:
        return None
    result = scipy_stats().wilcoxon(change, zero_method="wilcox", correction=False, method="approx")
    z = float(result.zstatistic)
    return Wilcoxon(
        n=used,
        statistic=float(result.statistic),
        z=round(z, 3),
        p=float(result.pvalue),
        r=round(abs(z) / math.sqrt(used), 3),
    )
