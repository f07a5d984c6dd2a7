"""The outcomes as rows of figures: the Outcomes sheet writes them, the dashboard shows them, so
the two can never disagree. A measure's wording is a Message (English on the sheet, the page's
language on the dashboard)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exports.outcomes import (
    ADJECTIVE_BANDS,
    Confidence,
    ConfidenceOverTime,
    Count,
    Outcomes,
    Pain,
    PainOverTime,
    Usability,
    Wilcoxon,
)
from exports.sentences import EXPLORATORY, OUTCOME_NAMES, render, sentences
from exports.stats import Numbers
from exports.subgroups import Comparison, OutcomeReport
from survey.messages import N_, Message

ALL = "all"


@dataclass
class OutcomeRow:
    outcome: str  # usability | pain | confidence
    figure: str  # a stable key, e.g. "sus_mean", "pain_band_mild"
    measure: Message
    group: str = ALL  # "all", or the subgroup's code
    n: int | None = None
    of: int | None = None  # the denominator of a percentage
    percent: float | None = None
    value: float | None = None
    low: float | None = None  # 95% CI
    high: float | None = None
    test: str | None = None
    statistic: float | None = None
    p: float | None = None
    note: Message | None = None


def _m(text: str, **values: object) -> Message:
    return Message(text, **values)


def _count(outcome: str, figure: str, measure: Message, count: Count, group: str) -> OutcomeRow:
    return OutcomeRow(outcome, figure, measure, group, count.n, count.of, count.percent)


def _numbers(outcome: str, stem: str, what: Message, x: Numbers, group: str) -> list[OutcomeRow]:
    return [
        OutcomeRow(outcome, f"{stem}_{key}", _m(label, what=what), group, x.n, value=value)
        for key, label, value in (
            ("sd", N_("%(what)s: SD"), x.sd),
            ("median", N_("%(what)s: median"), x.median),
            ("q1", N_("%(what)s: Q1 (25th percentile)"), x.q1),
            ("q3", N_("%(what)s: Q3 (75th percentile)"), x.q3),
        )
    ]


def usability_rows(u: Usability, group: str = ALL) -> list[OutcomeRow]:
    score = _m(N_("SUS score"))
    n = u.numbers.n
    rows = [
        OutcomeRow(
            "usability",
            "sus_mean",
            _m(N_("%(what)s: mean (95%% CI)"), what=score),
            group,
            n,
            value=u.numbers.mean,
            low=u.ci.low if u.ci else None,
            high=u.ci.high if u.ci else None,
            note=_m(N_("shown the SUS page but not every item answered: %(n)s"), n=u.incomplete),
        ),
        *_numbers("usability", "sus", score, u.numbers, group),
        _count(
            "usability",
            "sus_68_or_more",
            _m(N_("SUS score of 68 or more (the published average)")),
            u.at_or_above_average,
            group,
        ),
    ]
    for i, (name, low) in enumerate(ADJECTIVE_BANDS):
        high = ADJECTIVE_BANDS[i + 1][1] if i + 1 < len(ADJECTIVE_BANDS) else None
        measure = (
            _m(
                N_("adjective band: %(band)s (%(low)s to under %(high)s)"),
                band=_m(name),
                low=low,
                high=high,
            )
            if high is not None
            else _m(N_("adjective band: %(band)s (%(low)s to 100)"), band=_m(name), low=low)
        )
        rows.append(_count("usability", f"sus_band_{i + 1}", measure, u.bands[i][1], group))
    for item in u.items:
        rows.append(
            OutcomeRow(
                "usability",
                f"{item.name}_mean",
                _m(N_("item mean (1-5): %(item)s %(label)s"), item=item.name, label=item.label),
                group,
                item.n,
                value=item.mean,
            )
        )
    rows.append(
        OutcomeRow(
            "usability",
            "sus_alpha",
            _m(N_("Cronbach's alpha of the 10 items")),
            group,
            n,
            value=u.alpha,
        )
    )
    return rows


def pain_rows(p: Pain, group: str = ALL) -> list[OutcomeRow]:
    rating = _m(N_("pain rating (0-10)"))
    return [
        OutcomeRow("pain", "pain_tried", _m(N_("tried hand expression")), group, p.tried),
        *_numbers("pain", "pain", rating, p.numbers, group)[1:],  # the brief asks median (IQR)
        OutcomeRow(
            "pain",
            "pain_mean",
            _m(N_("%(what)s: mean"), what=rating),
            group,
            p.numbers.n,
            value=p.numbers.mean,
        ),
        _count("pain", "pain_any", _m(N_("any pain (1 or more)")), p.any_pain, group),
        *[
            _count("pain", f"pain_band_{i + 1}", _m(N_("band: %(band)s"), band=_m(name)), c, group)
            for i, (name, c) in enumerate(p.bands)
        ],
    ]


def confidence_rows(c: Confidence, group: str = ALL) -> list[OutcomeRow]:
    w = c.wilcoxon
    return [
        OutcomeRow(
            "confidence", "conf_pairs", _m(N_("pairs (answered before and after)")), group, c.pairs
        ),
        OutcomeRow(
            "confidence",
            "conf_median_before",
            _m(N_("median before (1-5)")),
            group,
            c.pairs,
            value=c.median_before,
        ),
        OutcomeRow(
            "confidence",
            "conf_median_after",
            _m(N_("median after (1-5)")),
            group,
            c.pairs,
            value=c.median_after,
        ),
        OutcomeRow(
            "confidence",
            "conf_change_mean",
            _m(N_("change (after - before): mean (95% CI)")),
            group,
            c.pairs,
            value=c.change.mean,
            low=c.change_ci.low if c.change_ci else None,
            high=c.change_ci.high if c.change_ci else None,
        ),
        _count("confidence", "conf_improved", _m(N_("improved")), c.improved, group),
        _count("confidence", "conf_unchanged", _m(N_("unchanged")), c.unchanged, group),
        _count("confidence", "conf_worse", _m(N_("worse")), c.worse, group),
        _count(
            "confidence",
            "conf_confident_before",
            _m(N_("quite or very confident (4-5), before")),
            c.confident_before,
            group,
        ),
        _count(
            "confidence",
            "conf_confident_after",
            _m(N_("quite or very confident (4-5), after")),
            c.confident_after,
            group,
        ),
        OutcomeRow(
            "confidence",
            "conf_mcnemar",
            _m(N_("quite or very confident, before vs after")),
            group,
            c.pairs,
            test="McNemar's exact" if c.pairs else None,
            p=c.mcnemar_p,
            note=_m(
                N_("pairs that changed: %(became)s became confident, %(stopped)s stopped being"),
                became=c.became_confident,
                stopped=c.stopped_being_confident,
            ),
        ),
        OutcomeRow(
            "confidence",
            "conf_wilcoxon",
            _m(N_("Wilcoxon signed-rank test (effect size r)")),
            group,
            w.n if w else 0,
            value=w.r if w else None,
            test="Wilcoxon signed-rank" if w else None,
            statistic=w.statistic if w else None,
            p=w.p if w else None,
            note=_m(N_("z = %(z)s; n = pairs whose confidence changed"), z=w.z)
            if w
            else _m(N_("no pair changed: no test")),
        ),
    ]


def _signed_rank_row(
    outcome: str, figure: str, measure: Message, w: Wilcoxon | None, group: str
) -> OutcomeRow:
    return OutcomeRow(
        outcome,
        figure,
        measure,
        group,
        w.n if w else 0,
        value=w.r if w else None,
        test="Wilcoxon signed-rank" if w else None,
        statistic=w.statistic if w else None,
        p=w.p if w else None,
        note=_m(N_("z = %(z)s; effect size r; n = pairs that changed"), z=w.z)
        if w
        else _m(N_("no pair changed: no test")),
    )


def confidence_over_time_rows(c: ConfidenceOverTime, group: str = ALL) -> list[OutcomeRow]:
    f = c.friedman
    outcome = "confidence_over_time"
    return [
        OutcomeRow(
            outcome,
            "fu_conf_n",
            _m(N_("responses with all three: before, after the toolkit, follow-up")),
            group,
            c.n,
        ),
        *[
            OutcomeRow(outcome, figure, _m(label), group, c.n, value=value)
            for figure, label, value in (
                ("fu_conf_median_before", N_("median before the toolkit (1-5)"), c.median_before),
                (
                    "fu_conf_median_after",
                    N_("median right after the toolkit (1-5)"),
                    c.median_after,
                ),
                (
                    "fu_conf_median_follow_up",
                    N_("median at the follow-up (1-5)"),
                    c.median_follow_up,
                ),
            )
        ],
        _count(
            outcome,
            "fu_conf_confident",
            _m(N_("quite or very confident (4-5) at the follow-up")),
            c.confident_follow_up,
            group,
        ),
        OutcomeRow(
            outcome,
            "fu_conf_friedman",
            _m(N_("before, after, follow-up: Friedman test (Kendall's W)")),
            group,
            c.n,
            value=f.w if f else None,
            test="Friedman" if f else None,
            statistic=f.statistic if f else None,
            p=f.p if f else None,
            note=_m(N_("chi-square with %(df)s degrees of freedom; value = Kendall's W"), df=f.df)
            if f
            else _m(N_("fewer than two responses, or none changed: no test")),
        ),
        _signed_rank_row(
            outcome,
            "fu_conf_after_follow_up",
            _m(N_("right after the toolkit vs the follow-up: Wilcoxon signed-rank")),
            c.after_to_follow_up,
            group,
        ),
        _signed_rank_row(
            outcome,
            "fu_conf_before_follow_up",
            _m(N_("before the toolkit vs the follow-up: Wilcoxon signed-rank")),
            c.before_to_follow_up,
            group,
        ),
    ]


def pain_over_time_rows(p: PainOverTime, group: str = ALL) -> list[OutcomeRow]:
    outcome = "pain_over_time"
    return [
        OutcomeRow(
            outcome,
            "fu_pain_pairs",
            _m(N_("pairs: tried after the toolkit and expressed since, both rated")),
            group,
            p.pairs,
        ),
        *[
            OutcomeRow(outcome, figure, _m(label), group, p.pairs, value=value)
            for figure, label, value in (
                (
                    "fu_pain_median_after",
                    N_("median pain right after the toolkit (0-10)"),
                    p.median_after,
                ),
                (
                    "fu_pain_median_follow_up",
                    N_("median pain the last time, at the follow-up (0-10)"),
                    p.median_follow_up,
                ),
                (
                    "fu_pain_change_mean",
                    N_("change (follow-up - right after): mean"),
                    p.change.mean,
                ),
            )
        ],
        _signed_rank_row(
            outcome,
            "fu_pain_wilcoxon",
            _m(N_("right after vs the follow-up: Wilcoxon signed-rank")),
            p.wilcoxon,
            group,
        ),
    ]


def outcome_rows(outcomes: Outcomes, group: str = ALL) -> list[OutcomeRow]:
    rows: list[OutcomeRow] = []
    if outcomes.usability:
        rows += usability_rows(outcomes.usability, group)
    if outcomes.pain:
        rows += pain_rows(outcomes.pain, group)
    if outcomes.confidence:
        rows += confidence_rows(outcomes.confidence, group)
    if outcomes.confidence_over_time:
        rows += confidence_over_time_rows(outcomes.confidence_over_time, group)
    if outcomes.pain_over_time:
        rows += pain_over_time_rows(outcomes.pain_over_time, group)
    return rows


def comparison_row(c: Comparison) -> OutcomeRow:
    return OutcomeRow(
        c.outcome,
        "compare_" + c.key,
        _m(N_("%(measure)s across groups (exploratory)"), measure=_m(c.measure)),
        "compare",
        c.groups,
        test=c.test,
        statistic=c.statistic,
        p=c.p,
        note=c.note,
    )


OUTCOMES_HEADER = [
    "outcome",
    "figure",
    "measure",
    "group",
    "n",
    "of",
    "%",
    "value",
    "95% CI low",
    "95% CI high",
    "test",
    "statistic",
    "p",
    "note",
]


def sheet_rows(report: OutcomeReport) -> list[list[Any]]:
    """The Outcomes sheet below its header: the sentences, the figures for everyone, then per
    subgroup and the exploratory comparisons."""
    rows: list[list[Any]] = []
    for key, message in sentences(report.overall).items():
        for language in ("en", "fr"):
            rows.append(
                [key, f"{key}_sentence_{language}", render(message, language), ALL]
                + [None] * 9
                + [""]
            )
    figures = outcome_rows(report.overall)
    if report.subgroups:
        s = report.subgroups
        rows.append(
            [
                "subgroups",
                "by",
                f"{s.name}: {s.label}",
                ALL,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                EXPLORATORY,
            ]
        )
        rows.append(
            ["subgroups", "unassigned", "responses without an answer to it", ALL, s.unassigned]
            + [None] * 8
            + [""]
        )
        for group in s.groups:
            rows.append(
                [
                    "subgroups",
                    "responses",
                    f"{group.code} = {group.label}",
                    group.code,
                    group.responses,
                ]
                + [None] * 8
                + [""]
            )
            figures += outcome_rows(group.outcomes, group.code)
        figures += [comparison_row(c) for c in s.comparisons]
    for row in figures:
        rows.append(
            [
                row.outcome,
                row.figure,
                str(row.measure),
                row.group,
                row.n,
                row.of,
                row.percent,
                row.value,
                row.low,
                row.high,
                row.test,
                row.statistic,
                row.p,
                str(row.note) if row.note else "",
            ]
        )
    for key in report.overall.unavailable:
        rows.append(
            [key, f"{key}_unavailable", str(OUTCOME_NAMES[key]), ALL]
            + [None] * 9
            + [str(report.overall.unavailable[key])]
        )
    return rows


def methods(scipy_version: str) -> list[tuple[str, str]]:
    """How each outcome is computed, for the About sheet (docs/exports.md says more)."""
    bands = "; ".join(f"{name} from {low:g}" for name, low in ADJECTIVE_BANDS)
    return [
        ("Outcomes: software", f"scipy {scipy_version} (scipy.stats), numpy, pandas"),
        (
            "Outcomes: usability (SUS)",
            "Brooke's score from sus_01..sus_10 (odd items r - 1, even items 5 - r, sum x 2.5), "
            "only when all ten are answered; mean, SD (n - 1), 95% CI of the mean from Student's "
            "t with n - 1 degrees of freedom (scipy.stats.ttest_1samp().confidence_interval); "
            "median and quartiles by linear interpolation (Excel QUARTILE.INC); share with a "
            "score of 68 or more (the published average); item means of those who answered each "
            "item; Cronbach's alpha = k/(k-1) x (1 - sum of item variances / variance of the "
            "total), sample variances, over complete sets of answers.",
        ),
        (
            "Outcomes: SUS adjective bands",
            "Bangor, Kortum & Miller (2009), table 3: the mean SUS score of each adjective "
            "(12.5, 20.3, 35.7, 50.9, 71.4, 85.5, 90.9); a score takes the nearest adjective, "
            f"so each band starts at the midpoint between two means: {bands}.",
        ),
        (
            "Outcomes: pain",
            "pain_during (0-10 NRS) among those who answered yes to tried_with_toolkit and rated "
            "it: n, median and quartiles, mean; any pain = 1 or more; bands none 0, mild 1-3, "
            "moderate 4-6, severe 7-10; every percentage of those who rated their pain.",
        ),
        (
            "Outcomes: confidence",
            "Pairs: responses with both confidence_before and confidence_after (1-5). Change = "
            "after - before: mean with its 95% CI (Student's t); improved > 0, unchanged = 0, "
            "worse < 0. Quite or very confident = 4 or 5, before vs after, McNemar's exact test "
            "(two-sided binomial test of the changed pairs at 0.5, scipy.stats.binomtest). "
            "Wilcoxon signed-rank (scipy.stats.wilcoxon, zero_method='wilcox': pairs with no "
            "change are dropped; tied changes get their average rank; normal approximation "
            "with the variance corrected for ties, no continuity correction); effect size "
            "r = |z| / sqrt(pairs with a change).",
        ),
        (
            "Outcomes: over time (follow-up)",
            "Confidence: responses with confidence_before, confidence_after and "
            "fu_confidence_now (1-5). Friedman's test of the three (scipy.stats."
            "friedmanchisquare: ranks within each response, average ranks for ties, "
            "tie-corrected chi-square on 2 degrees of freedom) with Kendall's W = chi-square / "
            "(2n); then Wilcoxon signed-rank (as above) for right after vs follow-up and before "
            "vs follow-up, not corrected for multiple testing. Pain: pain_during vs "
            "fu_pain_last_time (0-10) for those who answered yes to tried_with_toolkit and to "
            "fu_expressed_since and rated both; change = follow-up - right after; Wilcoxon "
            "signed-rank as above.",
        ),
        (
            "Outcomes: subgroups",
            "Per group of the chosen variable (responses without an answer to it are left out). "
            "Scores (SUS, pain, change in confidence): Mann-Whitney U for two groups "
            "(scipy.stats.mannwhitneyu, two-sided; exact without ties in small groups, else "
            "the normal approximation with tie and continuity corrections), Kruskal-Wallis H "
            "for more (scipy.stats.kruskal, tie-corrected). Proportions (SUS of 68 or more, any "
            "pain, confidence improved): Pearson's chi-square (scipy.stats.chi2_contingency, "
            "Yates' correction for 2 x 2), or Fisher's exact test when any expected count is "
            "below 5 (exact for two groups; for more, scipy's Monte Carlo estimate from 9,999 "
            "tables with a fixed seed). Groups without values are left out of a test. The p "
            "values are exploratory: not planned, not corrected for multiple testing.",
        ),
    ]
