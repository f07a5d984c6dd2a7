"""The outcomes per subgroup of one grouping variable the investigator chooses (`--by VAR`), each
compared across the groups with a test that suits it. The p values are exploratory: many
comparisons, none planned, none corrected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from exports.outcomes import SUS_AVERAGE, OutcomePlan, Outcomes, OutcomeTally, scipy_stats
from exports.records import ResponseRecord
from exports.variables import Variable
from survey.messages import N_, Message

LANGUAGE = "language"  # the response's own language, a Responses column rather than a question
LANGUAGES = (("en", "English", "anglais"), ("fr", "French", "français"))
MAX_GROUPS = 12
SMALL_EXPECTED = 5  # any expected count below this: Fisher's exact test instead of chi-square
# The r x c Fisher test is estimated by Monte Carlo; a fixed seed gives the same p each time.
FISHER_RESAMPLES = 9999
FISHER_SEED = 2009


class UnsuitableGrouping(ValueError):
    """The grouping variable does not exist in the exported versions, or cannot form groups."""


@dataclass(frozen=True)
class Grouping:
    name: str
    label: str
    groups: tuple[tuple[str, str, str], ...]  # (code, English, French label), in order

    def code_of(self, record: ResponseRecord) -> str | None:
        value = record.language if self.name == LANGUAGE else record.answers.get(self.name)
        return value if isinstance(value, str) else None


def _can_group(variable: Variable) -> bool:
    return variable.is_choice and 2 <= len(variable.choices) <= MAX_GROUPS


def suitable_groupings(variables: list[Variable]) -> list[tuple[str, str]]:
    """(name, label) of every variable that can split the responses into groups: the response's
    language, and each single-choice, yes/no or Likert question of at most 12 choices."""
    return [(LANGUAGE, "Language of the response")] + [
        (v.name, v.label_en) for v in variables if _can_group(v) and not v.identifier
    ]


def grouping_of(name: str, variables: list[Variable]) -> Grouping:
    if name == LANGUAGE:
        return Grouping(LANGUAGE, "Language of the response", LANGUAGES)
    variable = next((v for v in variables if v.name == name), None)
    if variable is None:
        raise UnsuitableGrouping(
            f"there is no variable {name!r} in the exported questionnaire versions"
        )
    if not _can_group(variable) or variable.identifier:
        raise UnsuitableGrouping(
            f"{name!r} cannot form subgroups: choose a single-choice, yes/no or Likert question "
            f"of 2 to {MAX_GROUPS} choices, or {LANGUAGE!r}"
        )
    return Grouping(
        name,
        variable.label_en,
        tuple((c.code, c.label_en, c.label_fr or c.label_en) for c in variable.choices),
    )


@dataclass
class Group:
    code: str
    label: str
    label_fr: str
    responses: int
    outcomes: Outcomes


@dataclass
class Comparison:
    outcome: str  # usability | pain | confidence
    key: str  # what is compared, e.g. "sus_score"
    measure: str  # marked with N_: translated where shown
    test: str | None
    statistic: float | None
    p: float | None
    groups: int  # groups with at least one value
    note: Message | None = None  # why there is no test


@dataclass
class Subgroups:
    name: str
    label: str
    groups: list[Group]
    comparisons: list[Comparison]
    unassigned: int  # responses without an answer to the grouping variable


# What a SubgroupTally has counted: responses per group, those in none, each group's counts.
SubgroupCounts = tuple[dict[str, int], int, dict[str, dict[str, Any]]]


class SubgroupTally:
    def __init__(self, plan: OutcomePlan, grouping: Grouping) -> None:
        self.plan, self.grouping = plan, grouping
        self.tallies = {code: OutcomeTally(plan) for code, _en, _fr in grouping.groups}
        self.responses = dict.fromkeys(self.tallies, 0)
        self.unassigned = 0

    def take(self) -> SubgroupCounts:
        """What was counted since the last take (a chunk's counts), starting again from none."""
        counts = (
            self.responses,
            self.unassigned,
            {code: tally.take() for code, tally in self.tallies.items()},
        )
        self.responses, self.unassigned = dict.fromkeys(self.tallies, 0), 0
        return counts

    def merge(self, counts: SubgroupCounts) -> None:
        responses, unassigned, tallies = counts
        for code, n in responses.items():
            self.responses[code] += n
        self.unassigned += unassigned
        for code, tally in tallies.items():
            self.tallies[code].merge(tally)

    def add(self, record: ResponseRecord) -> None:
        code = self.grouping.code_of(record)
        if code not in self.tallies:
            self.unassigned += 1
            return
        self.responses[code] += 1
        self.tallies[code].add(record.answers, record.shown)

    def summarise(self) -> Subgroups:
        tallies = list(self.tallies.values())
        comparisons = []
        if self.plan.sus_items:
            scores = [np.asarray(t.sus_scores, dtype="float64") for t in tallies]
            comparisons += [
                compare_scores("usability", "sus_score", N_("SUS score"), scores),
                compare_shares(
                    "usability",
                    "sus_68_or_more",
                    N_("SUS score of 68 or more"),
                    [s >= SUS_AVERAGE for s in scores],
                ),
            ]
        if self.plan.pain:
            pain = [np.asarray(t.pain, dtype="float64") for t in tallies]
            comparisons += [
                compare_scores("pain", "pain_rating", N_("pain rating (0-10)"), pain),
                compare_shares(
                    "pain", "pain_any", N_("any pain (1 or more)"), [p >= 1 for p in pain]
                ),
            ]
        if self.plan.confidence:
            changes = [t.changes for t in tallies]
            comparisons += [
                compare_scores("confidence", "conf_change", N_("change in confidence"), changes),
                compare_shares(
                    "confidence",
                    "conf_improved",
                    N_("confidence improved"),
                    [c > 0 for c in changes],
                ),
            ]
        return Subgroups(
            self.grouping.name,
            self.grouping.label,
            [
                Group(code, en, fr, self.responses[code], self.tallies[code].summarise())
                for code, en, fr in self.grouping.groups
            ],
            comparisons,
            self.unassigned,
        )


def compare_scores(outcome: str, key: str, measure: str, samples: list[np.ndarray]) -> Comparison:
    """Mann-Whitney U for two groups, Kruskal-Wallis H for more (scipy; ties get average ranks
    and the tie-corrected normal or chi-square approximation)."""
    used = [s for s in samples if s.size]
    if len(used) < 2:
        return _no_test(outcome, key, measure, len(used))
    if np.ptp(np.concatenate(used)) == 0:
        return _no_test(outcome, key, measure, len(used), N_("every value is the same"))
    stats = scipy_stats()
    if len(used) == 2:
        result = stats.mannwhitneyu(used[0], used[1], alternative="two-sided")
        test = "Mann-Whitney U"
    else:
        result = stats.kruskal(*used)
        test = "Kruskal-Wallis H"
    return Comparison(
        outcome, key, measure, test, float(result.statistic), float(result.pvalue), len(used)
    )


def compare_shares(outcome: str, key: str, measure: str, flags: list[np.ndarray]) -> Comparison:
    """A groups x (yes, no) table: Pearson's chi-square (scipy.stats.chi2_contingency, Yates'
    correction for 2 x 2), or Fisher's exact test when an expected count is below 5 (exact for
    2 x 2; for more groups scipy's Monte Carlo estimate, 9,999 tables, fixed seed)."""
    table = np.array([[int(f.sum()), int(f.size - f.sum())] for f in flags if f.size])
    if len(table) < 2:
        return _no_test(outcome, key, measure, len(table))
    if (table.sum(axis=0) == 0).any():
        return _no_test(
            outcome, key, measure, len(table), N_("every answer is in the same category")
        )
    stats = scipy_stats()
    expected = stats.contingency.expected_freq(table)
    if (expected < SMALL_EXPECTED).any():
        if table.shape == (2, 2):
            fisher = stats.fisher_exact(table)
        else:
            fisher = stats.fisher_exact(
                table,
                method=stats.MonteCarloMethod(
                    n_resamples=FISHER_RESAMPLES, rng=np.random.default_rng(FISHER_SEED)
                ),
            )
        return Comparison(
            outcome, key, measure, "Fisher's exact", None, float(fisher.pvalue), len(table)
        )
    chi2 = stats.chi2_contingency(table)
    return Comparison(
        outcome, key, measure, "chi-square", float(chi2.statistic), float(chi2.pvalue), len(table)
    )


def _no_test(
    outcome: str, key: str, measure: str, groups: int, why: str | None = None
) -> Comparison:
    note = Message(why or N_("fewer than two groups with answers"))
    return Comparison(outcome, key, measure, None, None, None, groups, note)


@dataclass
class OutcomeReport:
    overall: Outcomes
    subgroups: Subgroups | None


class OutcomeCounts(NamedTuple):
    """What an OutcomeCollector has counted: plain values (see Statistics.take)."""

    overall: dict[str, Any]
    groups: SubgroupCounts | None


class OutcomeCollector:
    """The outcomes overall and, when a grouping is chosen, per group, from one pass over the
    responses."""

    def __init__(self, variables: list[Variable], by: str | None = None) -> None:
        plan = OutcomePlan.of(variables)
        self.overall = OutcomeTally(plan)
        self.groups = SubgroupTally(plan, grouping_of(by, variables)) if by else None

    def add(self, record: ResponseRecord) -> None:
        self.overall.add(record.answers, record.shown)
        if self.groups is not None:
            self.groups.add(record)

    def take(self) -> OutcomeCounts:
        """What was counted since the last take (a chunk's counts), starting again from none."""
        return OutcomeCounts(self.overall.take(), self.groups.take() if self.groups else None)

    def merge(self, counts: OutcomeCounts) -> None:
        """Counts taken from another collector of the same variables and grouping, as if its
        responses were added here now: merged in the order the responses came, the outcomes
        are the same, tests and all."""
        self.overall.merge(counts.overall)
        if self.groups is not None and counts.groups is not None:
            self.groups.merge(counts.groups)

    def summarise(self) -> OutcomeReport:
        return OutcomeReport(
            self.overall.summarise(), self.groups.summarise() if self.groups else None
        )
