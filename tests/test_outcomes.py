"""The study's outcomes (usability, pain, confidence) and their subgroups, each figure worked out
here independently: by hand for small cases, or with scipy called directly."""

from __future__ import annotations

import dataclasses
import io
import math
import re
import statistics
from datetime import UTC, datetime

import numpy as np
import pytest
import scipy
from openpyxl import load_workbook
from scipy import stats
from sqlalchemy import func, select

from exports.outcomes import SUS_ITEMS, OutcomePlan, OutcomeTally
from exports.records import ResponseRecord
from exports.sentences import render, sentences
from exports.subgroups import (
    OutcomeCollector,
    UnsuitableGrouping,
    compare_scores,
    compare_shares,
    grouping_of,
)
from exports.variables import collect_variables
from survey.models import AuditEvent, ExportJob
from tests.factories import make_response
from tests.survey_steps import SUS_85
from tests.test_exports import BASE, known, report, sheet_dicts  # noqa: F401 - the fixture

SUS_50 = dict.fromkeys(SUS_ITEMS, "3")
SUS_OPPOSITE = {k: ("1" if i % 2 == 0 else "5") for i, k in enumerate(SUS_ITEMS)}  # scores 0
EVERYTHING = {*SUS_ITEMS, "tried_with_toolkit", "pain_during", "confidence_before"}
SHOWN = EVERYTHING | {"confidence_after"}


@pytest.fixture
def variables(version):
    return collect_variables([version])


def tally_of(variables, answer_sets: list[dict]) -> OutcomeTally:
    tally = OutcomeTally(OutcomePlan.of(variables))
    for answers in answer_sets:
        tally.add(answers, SHOWN)
    return tally


def record(answers: dict, language: str = "en") -> ResponseRecord:
    moment = datetime(2026, 11, 2, tzinfo=UTC)
    return ResponseRecord(
        "r", 1, language, True, moment, moment, "c", moment, answers=answers, shown=SHOWN
    )


def t_interval(values: list[float]) -> tuple[float, float]:
    """mean +- t(0.975, n - 1) x SD / sqrt(n), from the t quantile alone."""
    mean, sd, n = statistics.mean(values), statistics.stdev(values), len(values)
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half


# --- usability -------------------------------------------------------------------------------


def test_sus_figures_by_hand(variables):
    u = tally_of(variables, [SUS_85, SUS_50, SUS_85, SUS_OPPOSITE]).summarise().usability
    scores = [85, 50, 85, 0]  # Brooke's rule, worked out in the study brief for 85
    assert u.numbers.n == 4 and u.numbers.mean == 55.0
    assert u.numbers.sd == round(statistics.stdev(scores), 2)
    low, high = t_interval(scores)
    assert (u.ci.low, u.ci.high) == (round(low, 2), round(high, 2))
    assert (u.numbers.median, u.numbers.q1, u.numbers.q3) == (67.5, 37.5, 85)  # QUARTILE.INC
    assert (u.at_or_above_average.n, u.at_or_above_average.of) == (2, 4)
    assert u.at_or_above_average.percent == 50.0
    bands = {name: c.n for name, c in u.bands}
    # 0 -> Worst imaginable; 50 -> OK (43.3 to 61.15); 85 -> Excellent (78.45 to 88.2)
    assert bands == {
        "Worst imaginable": 1,
        "Awful": 0,
        "Poor": 0,
        "OK": 1,
        "Good": 0,
        "Excellent": 2,
        "Best imaginable": 0,
    }
    items = {i.name: (i.n, i.mean) for i in u.items}
    assert items["sus_01"] == (4, round((4 + 3 + 4 + 1) / 4, 2))
    assert items["sus_02"] == (4, round((1 + 3 + 1 + 5) / 4, 2))
    # Cronbach's alpha on the items as scored (even items turned round), by hand with numpy.
    scored = np.array(
        [
            [int(a[k]) if i % 2 == 0 else 6 - int(a[k]) for i, k in enumerate(SUS_ITEMS)]
            for a in (SUS_85, SUS_50, SUS_85, SUS_OPPOSITE)
        ],
        dtype=float,
    )
    k = 10
    alpha = k / (k - 1) * (1 - scored.var(axis=0, ddof=1).sum() / scored.sum(axis=1).var(ddof=1))
    assert u.alpha == round(alpha, 3)


def test_sus_with_no_one_one_and_two_participants(variables):
    nobody = tally_of(variables, []).summarise().usability
    assert nobody.numbers.n == 0 and nobody.numbers.mean is None and nobody.ci is None
    assert nobody.alpha is None and nobody.at_or_above_average.percent is None
    assert all(c.n == 0 and c.percent is None for _name, c in nobody.bands)
    assert render(sentences(tally_of(variables, []).summarise())["usability"], "en") == (
        "Usability: no participant answered all ten SUS items."
    )
    one = tally_of(variables, [SUS_85]).summarise()
    assert one.usability.numbers.mean == 85 and one.usability.numbers.sd is None
    assert one.usability.ci is None and one.usability.alpha is None
    assert render(sentences(one)["usability"], "en") == (
        "The mean SUS score was 85.0 (n = 1, too few for a confidence interval); 1 of 1 "
        "participants (100.0%) scored 68 or more, the published average."
    )
    two = tally_of(variables, [SUS_85, SUS_50]).summarise().usability
    low, high = t_interval([85, 50])  # t with 1 degree of freedom: 12.706
    assert (two.ci.low, two.ci.high) == (round(low, 2), round(high, 2))
    assert two.ci.low < 0 and two.numbers.mean == 67.5


def test_an_item_missing_in_every_response(variables):
    without_4 = {k: v for k, v in SUS_85.items() if k != "sus_04"}
    u = tally_of(variables, [without_4, without_4]).summarise().usability
    assert u.numbers.n == 0 and u.incomplete == 2  # a score needs all ten items
    items = {i.name: (i.n, i.mean) for i in u.items}
    assert items["sus_04"] == (0, None) and items["sus_03"] == (2, 5.0)


def test_a_questionnaire_without_the_items_says_not_available(variables):
    lacking = [v for v in variables if v.name not in ("sus_07", "pain_during", "confidence_after")]
    outcomes = tally_of(lacking, [SUS_85]).summarise()
    assert outcomes.usability is None and outcomes.pain is None and outcomes.confidence is None
    said = {k: render(m, "en") for k, m in sentences(outcomes).items()}
    assert said["usability"] == (
        "Usability: not available: the questionnaire lacks the SUS items sus_07"
    )
    assert (
        said["pain"]
        == "Pain: not available: the questionnaire lacks tried_with_toolkit, pain_during"
    )
    assert render(sentences(outcomes)["confidence"], "fr") == (
        "Confiance\u202f: non disponible\u202f: il manque au questionnaire "
        "confidence_before, confidence_after"
    )


# --- pain ------------------------------------------------------------------------------------


def test_pain_among_those_who_tried(variables):
    answers = [
        {"tried_with_toolkit": "yes", "pain_during": p} for p in (0.0, 0.0, 2.0, 5.0, 8.0, 3.0)
    ] + [
        {"tried_with_toolkit": "no"},
        {"tried_with_toolkit": "yes"},  # tried, did not rate it
    ]
    outcomes = tally_of(variables, answers).summarise()
    pain = outcomes.pain
    assert pain.tried == 7 and pain.numbers.n == 6
    assert (pain.numbers.median, pain.numbers.q1, pain.numbers.q3) == (2.5, 0.5, 4.5)
    assert (pain.any_pain.n, pain.any_pain.of, pain.any_pain.percent) == (4, 6, 66.7)
    assert [(name, c.n, c.percent) for name, c in pain.bands] == [
        ("none (0)", 2, 33.3),
        ("mild (1-3)", 2, 33.3),
        ("moderate (4-6)", 1, 16.7),
        ("severe (7-10)", 1, 16.7),
    ]
    assert render(sentences(outcomes)["pain"], "en") == (
        "4 of 6 participants who tried hand expression (66.7%) felt some pain; the median "
        "rating was 2.5 out of 10 (IQR 0.5 to 4.5)."
    )
    assert render(sentences(outcomes)["pain"], "fr") == (
        "4 des 6 participants qui ont essayé l’expression manuelle (66,7\u202f%) ont ressenti "
        "une douleur\u202f; la note médiane est de 2,5 sur 10 (EIQ de 0,5 à 4,5)."
    )


# --- confidence ------------------------------------------------------------------------------

PAIRS = [(2, 4), (3, 3), (2, 3), (4, 3), (1, 3), (3, 3), (2, 4)]  # changes 2 0 1 -1 2 0 2


def confidence_answers(pairs) -> list[dict]:
    return [{"confidence_before": str(b), "confidence_after": str(a)} for b, a in pairs]


def test_confidence_with_ties_and_zero_changes(variables):
    outcomes = tally_of(
        variables, confidence_answers(PAIRS) + [{"confidence_before": "2"}]
    ).summarise()
    c = outcomes.confidence
    assert c.pairs == 7 and (c.median_before, c.median_after) == (2, 3)
    changes = [a - b for b, a in PAIRS]
    assert c.change.mean == round(statistics.mean(changes), 2)
    low, high = t_interval(changes)
    assert (c.change_ci.low, c.change_ci.high) == (round(low, 2), round(high, 2))
    assert (c.improved.n, c.unchanged.n, c.worse.n) == (4, 2, 1)
    assert (c.improved.percent, c.unchanged.percent, c.worse.percent) == (57.1, 28.6, 14.3)
    # Quite or very confident (4-5): before only (4, 3); after (2, 4) twice.
    assert (c.confident_before.n, c.confident_after.n) == (1, 2)
    assert (c.became_confident, c.stopped_being_confident) == (2, 1)
    # McNemar exact: 2 of 3 changed pairs one way; P(X=k) for Bin(3, 0.5) = 1, 3, 3, 1 / 8,
    # each at most P(X=2), so the two-sided p is 1.
    assert c.mcnemar_p == 1.0
    # Wilcoxon: zeros dropped (5 pairs left), |changes| 2 1 1 2 2 -> ranks 4 1.5 1.5 4 4;
    # the one negative change has rank 1.5, so W = min(13.5, 1.5) = 1.5.
    w = c.wilcoxon
    assert (w.n, w.statistic) == (5, 1.5)
    nonzero = [d for d in changes if d]
    expected = stats.wilcoxon(nonzero, correction=False, method="approx")
    assert w.p == pytest.approx(expected.pvalue) and w.z == round(expected.zstatistic, 3)
    # The tie-corrected normal approximation by hand: T+ = 13.5, mean n(n+1)/4 = 7.5, variance
    # n(n+1)(2n+1)/24 - sum(t^3 - t)/48 over ties (2 ones, 3 twos) = 13.75 - 30/48.
    z = (1.5 - 7.5) / math.sqrt(13.75 - (6 + 24) / 48)
    assert w.z == round(z, 3)
    assert w.r == round(abs(z) / math.sqrt(5), 3)
    assert render(sentences(outcomes)["confidence"], "en") == (
        "Confidence rose for 4 of 7 participants (57.1%), stayed the same for 2 and fell for 1."
    )
    assert render(sentences(outcomes)["confidence"], "fr") == (
        "La confiance a augmenté pour 4 participants sur 7 (57,1\u202f%), est restée la même "
        "pour 2 et a baissé pour 1."
    )


def test_confidence_when_nothing_changed_and_with_no_one(variables):
    same = tally_of(variables, confidence_answers([(3, 3), (5, 5)])).summarise().confidence
    assert same.wilcoxon is None and same.mcnemar_p == 1.0
    assert same.change_ci is not None and (same.change_ci.low, same.change_ci.high) == (0, 0)
    one = tally_of(variables, confidence_answers([(2, 5)])).summarise().confidence
    assert one.change_ci is None and one.improved.n == 1 and one.change.sd is None
    nobody = tally_of(variables, []).summarise()
    assert nobody.confidence.pairs == 0 and nobody.confidence.mcnemar_p is None
    assert nobody.confidence.improved.percent is None and nobody.confidence.wilcoxon is None
    assert render(sentences(nobody)["confidence"], "en") == (
        "Confidence: no participant answered both the before and the after question."
    )
    mcnemar = (
        tally_of(variables, confidence_answers([(2, 4)] * 7 + [(4, 2)] + [(5, 5)] * 3))
        .summarise()
        .confidence
    )
    assert mcnemar.mcnemar_p == pytest.approx(stats.binomtest(1, 8, 0.5).pvalue)
    assert mcnemar.mcnemar_p == pytest.approx(2 * (1 + 8) / 2**8)  # by hand: P(X <= 1) twice


# --- over time: the follow-up wave ---------------------------------------------------------


@pytest.fixture
def with_follow_up(variables):
    """The main survey's variables and the follow-up's three the outcomes read, as the export
    names them (`fu_`), with the same kinds as the questions they repeat."""
    by_name = {v.name: v for v in variables}
    return variables + [
        dataclasses.replace(by_name["confidence_after"], name="fu_confidence_now"),
        dataclasses.replace(by_name["tried_with_toolkit"], name="fu_expressed_since"),
        dataclasses.replace(by_name["pain_during"], name="fu_pain_last_time"),
    ]


def test_confidence_and_pain_over_time_by_hand(with_follow_up):
    waves = [(1, 2, 3), (2, 3, 3), (3, 4, 5)]
    confidence = [
        {"confidence_before": str(b), "confidence_after": str(a), "fu_confidence_now": str(f)}
        for b, a, f in waves
    ] + [{"confidence_before": "1", "confidence_after": "5"}]  # no follow-up: left out
    tried = {"tried_with_toolkit": "yes", "fu_expressed_since": "yes"}
    pain = [
        {**tried, "pain_during": 6.0, "fu_pain_last_time": 2.0},
        {**tried, "pain_during": 4.0, "fu_pain_last_time": 4.0},
        {**tried, "pain_during": 5.0, "fu_pain_last_time": 1.0},
        {**tried, "pain_during": 3.0, "fu_pain_last_time": 5.0},
        {**tried, "pain_during": 3.0},  # no rating at the follow-up
        {**tried, "tried_with_toolkit": "no", "pain_during": 9.0, "fu_pain_last_time": 0.0},
        {**tried, "fu_expressed_since": "no", "pain_during": 9.0, "fu_pain_last_time": 0.0},
    ]
    outcomes = tally_of(with_follow_up, confidence + pain).summarise()

    c = outcomes.confidence_over_time
    assert c.n == 3
    assert (c.median_before, c.median_after, c.median_follow_up) == (2, 3, 3)
    assert (c.confident_follow_up.n, c.confident_follow_up.of) == (1, 3)
    # Friedman by hand. Ranks within each response: (1, 2, 3), (1, 2.5, 2.5), (1, 2, 3); rank
    # sums 3, 6.5, 8.5. chi2 = 12 / (n k (k + 1)) x sum R^2 - 3 n (k + 1) = 123.5 / 3 - 36,
    # divided by the tie correction 1 - sum(t^3 - t) / (n (k^3 - k)) = 1 - 6 / 72.
    chi2 = (123.5 / 3 - 36) / (1 - 6 / 72)
    f = c.friedman
    assert (f.statistic, f.df) == (round(chi2, 3), 2)
    assert f.p == pytest.approx(math.exp(-chi2 / 2))  # chi-square with 2 df: e^(-x/2)
    assert f.w == round(chi2 / (3 * 2), 3)
    # Right after -> follow-up: changes 1, 0, 1; the zero dropped; both positive, ranks 1.5 and
    # 1.5: W = 0, mean n(n+1)/4 = 1.5, variance 2*3*5/24 - (2^3 - 2)/48.
    after = c.after_to_follow_up
    assert (after.n, after.statistic) == (2, 0)
    assert after.z == round((0 - 1.5) / math.sqrt(30 / 24 - 6 / 48), 3)
    # Before -> follow-up: changes 2, 1, 2; ranks 2.5, 1, 2.5; W = 0, mean 3,
    # variance 3*4*7/24 - (2^3 - 2)/48.
    before = c.before_to_follow_up
    assert (before.n, before.statistic) == (3, 0)
    assert before.z == round((0 - 3) / math.sqrt(84 / 24 - 6 / 48), 3)

    p = outcomes.pain_over_time
    assert p.pairs == 4 and (p.median_after, p.median_follow_up) == (4.5, 3)
    assert p.change.mean == -1.5  # (-4 + 0 - 4 + 2) / 4
    # Changes -4, 0, -4, +2: the zero dropped; ranks 2.5, 2.5, 1; T+ = 1, T- = 5.
    w = p.wilcoxon
    assert (w.n, w.statistic) == (3, 1)
    assert w.z == round((1 - 3) / math.sqrt(84 / 24 - 6 / 48), 3)
    assert w.p == pytest.approx(2 * stats.norm.cdf((1 - 3) / math.sqrt(84 / 24 - 6 / 48)))


def test_over_time_without_a_follow_up_wave_or_any_change(variables, with_follow_up):
    plain = tally_of(variables, confidence_answers([(2, 4)])).summarise()
    assert plain.confidence_over_time is None and plain.pain_over_time is None
    same = [{"confidence_before": "3", "confidence_after": "3", "fu_confidence_now": "3"}] * 4
    c = tally_of(with_follow_up, same).summarise().confidence_over_time
    assert c.n == 4 and c.friedman is None and c.after_to_follow_up is None
    nobody = tally_of(with_follow_up, []).summarise()
    assert nobody.confidence_over_time.n == 0 and nobody.confidence_over_time.friedman is None
    assert nobody.pain_over_time.pairs == 0 and nobody.pain_over_time.median_after is None


# --- subgroups -------------------------------------------------------------------------------


def test_subgroups_with_a_group_of_one(variables):
    people = [
        ({**SUS_85, "tried_with_toolkit": "yes", "pain_during": 0.0}, "en"),
        ({**SUS_50, "tried_with_toolkit": "yes", "pain_during": 4.0}, "en"),
        ({**SUS_OPPOSITE, "tried_with_toolkit": "yes", "pain_during": 1.0}, "en"),
        ({**SUS_85, "tried_with_toolkit": "yes", "pain_during": 6.0}, "fr"),
    ]
    collector = OutcomeCollector(variables, "language")
    for answers, language in people:
        collector.add(record(answers, language))
    report = collector.summarise()
    assert report.overall.usability.numbers.n == 4
    groups = {g.code: g for g in report.subgroups.groups}
    assert groups["fr"].responses == 1 and groups["fr"].outcomes.usability.numbers.mean == 85
    assert groups["fr"].outcomes.usability.ci is None  # one score: no interval, no crash
    compared = {c.key: c for c in report.subgroups.comparisons}
    mw = stats.mannwhitneyu([85, 50, 0], [85], alternative="two-sided")
    assert compared["sus_score"].test == "Mann-Whitney U"
    assert compared["sus_score"].p == pytest.approx(mw.pvalue)
    assert compared["sus_score"].statistic == mw.statistic
    # 68 or more: en 1 of 3, fr 1 of 1; expected counts below 5 -> Fisher's exact (2 x 2).
    fisher = stats.fisher_exact([[1, 2], [1, 0]])
    assert compared["sus_68_or_more"].test == "Fisher's exact"
    assert compared["sus_68_or_more"].p == pytest.approx(fisher.pvalue) == 1.0
    assert compared["pain_rating"].p == pytest.approx(
        stats.mannwhitneyu([0, 4, 1], [6], alternative="two-sided").pvalue
    )
    # Nobody answered confidence: no groups to compare, and no crash.
    assert compared["conf_change"].test is None and compared["conf_change"].p is None
    assert render(compared["conf_change"].note, "en") == "fewer than two groups with answers"


def test_three_groups_and_large_counts():
    rng = np.random.default_rng(7)
    samples = [rng.integers(0, 11, size=n).astype(float) for n in (30, 25, 1)]
    kw = compare_scores("pain", "pain_rating", "pain rating (0-10)", samples)
    assert kw.test == "Kruskal-Wallis H" and kw.groups == 3
    assert kw.p == pytest.approx(stats.kruskal(*samples).pvalue)
    flags = [np.array([True] * 20 + [False] * 15), np.array([True] * 10 + [False] * 25)]
    chi = compare_shares("pain", "pain_any", "any pain", flags)
    expected = stats.chi2_contingency([[20, 15], [10, 25]])  # Yates' correction for 2 x 2
    assert chi.test == "chi-square" and chi.p == pytest.approx(expected.pvalue)
    # By hand, Yates: (|ad - bc| - N/2)^2 N / (row and column totals) for [[20, 15], [10, 25]]
    by_hand = (abs(20 * 25 - 15 * 10) - 35) ** 2 * 70 / (35 * 35 * 30 * 40)
    assert chi.statistic == pytest.approx(by_hand)
    same = compare_scores("pain", "pain_rating", "pain", [np.array([2.0, 2.0]), np.array([2.0])])
    assert same.p is None and render(same.note, "en") == "every value is the same"
    small = [np.array([True, False, False]), np.array([True]), np.array([False, False])]
    fisher = compare_shares("pain", "pain_any", "any pain", small)
    assert fisher.test == "Fisher's exact" and 0 < fisher.p <= 1
    assert fisher.p == compare_shares("pain", "pain_any", "any pain", small).p  # fixed seed


def test_unsuitable_groupings_are_refused(variables):
    with pytest.raises(UnsuitableGrouping, match="no variable 'nonsense'"):
        grouping_of("nonsense", variables)
    with pytest.raises(UnsuitableGrouping, match="cannot form subgroups"):
        grouping_of("comment_liked", variables)  # open text
    with pytest.raises(UnsuitableGrouping, match="cannot form subgroups"):
        grouping_of("info_formats", variables)  # several answers per person
    assert grouping_of("parity", variables).groups[0] == (
        "0",
        "None yet (I am expecting my first)",
        "Aucun pour l’instant (j’attends mon premier bébé)",
    )


# --- the Outcomes sheet, the dashboard, the CLI and the export form ---------------------------


def outcome_cells(wb) -> dict[tuple[str, str], dict]:
    return {(r["group"], r["figure"]): r for r in sheet_dicts(wb["Outcomes"])}


def test_outcomes_sheet_cell_by_cell(db, known):  # noqa: F811
    """The five responses of tests/test_exports.py: SUS scores 85, 50 and 85 (one set lacks
    sus_04, the partial never reached the page); pain 2 and 7 among the two who tried;
    confidence 2 before for everyone, after 4, 5, 3 and 2 (the partial has no after)."""
    wb, _info = report(db)
    assert wb["Outcomes"].freeze_panes == "A2"
    cells = outcome_cells(wb)
    header = [c.value for c in wb["Outcomes"][1]]
    assert header[:7] == ["outcome", "figure", "measure", "group", "n", "of", "%"]
    mean = cells[("all", "sus_mean")]
    low, high = t_interval([85, 50, 85])
    assert (mean["n"], mean["value"]) == (3, 73.33)
    assert (mean["95% CI low"], mean["95% CI high"]) == (round(low, 2), round(high, 2))
    assert mean["note"] == "shown the SUS page but not every item answered: 1"
    assert cells[("all", "sus_sd")]["value"] == round(statistics.stdev([85, 50, 85]), 2)
    assert cells[("all", "sus_median")]["value"] == 85
    assert cells[("all", "sus_q1")]["value"] == 67.5
    above = cells[("all", "sus_68_or_more")]
    assert (above["n"], above["of"], above["%"]) == (2, 3, 66.7)
    assert (cells[("all", "sus_band_4")]["n"], cells[("all", "sus_band_6")]["n"]) == (1, 2)
    assert cells[("all", "sus_band_6")]["measure"] == (
        "adjective band: Excellent (78.45 to under 88.2)"
    )
    assert (cells[("all", "sus_01_mean")]["n"], cells[("all", "sus_01_mean")]["value"]) == (4, 3.75)
    assert (cells[("all", "sus_04_mean")]["n"], cells[("all", "sus_04_mean")]["value"]) == (3, 2.33)
    assert cells[("all", "pain_tried")]["n"] == 2
    assert cells[("all", "pain_median")]["value"] == 4.5
    assert [cells[("all", f"pain_band_{i}")]["n"] for i in (1, 2, 3, 4)] == [0, 1, 0, 1]
    any_pain = cells[("all", "pain_any")]
    assert (any_pain["n"], any_pain["of"], any_pain["%"]) == (2, 2, 100.0)
    assert cells[("all", "conf_pairs")]["n"] == 4
    improved = cells[("all", "conf_improved")]
    assert (improved["n"], improved["of"], improved["%"]) == (3, 4, 75.0)
    assert cells[("all", "conf_confident_after")]["n"] == 2
    mcnemar = cells[("all", "conf_mcnemar")]
    assert mcnemar["test"] == "McNemar's exact" and mcnemar["p"] == 0.5  # 2 of 2 changed: 2/4
    wilcoxon = cells[("all", "conf_wilcoxon")]
    expected = stats.wilcoxon([2, 3, 1], correction=False, method="approx")
    assert wilcoxon["n"] == 3 and wilcoxon["statistic"] == 0
    assert wilcoxon["p"] == pytest.approx(expected.pvalue)
    assert wilcoxon["value"] == round(abs(expected.zstatistic) / math.sqrt(3), 3)
    # The SUS mean agrees with the Summary sheet's sus_score.
    summary = next(r for r in sheet_dicts(wb["Summary"]) if r["variable"] == "sus_score")
    assert summary["mean"] == mean["value"] and summary["answered"] == mean["n"]
    assert cells[("all", "usability_sentence_en")]["measure"] == (
        f"The mean SUS score was 73.3 (95% CI {low:.1f} to {high:.1f}, n = 3); 2 of 3 "
        "participants (66.7%) scored 68 or more, the published average."
    )
    assert cells[("all", "confidence_sentence_fr")]["measure"] == (
        "La confiance a augmenté pour 3 participants sur 4 (75,0\u202f%), est restée la même "
        "pour 1 et a baissé pour 0."
    )
    about = dict(wb["About"].iter_rows(min_row=2, values_only=True))
    assert about["Outcomes: software"] == f"scipy {scipy.__version__} (scipy.stats), numpy, pandas"
    assert "zero_method='wilcox'" in about["Outcomes: confidence"]
    assert "Bangor, Kortum & Miller (2009)" in about["Outcomes: SUS adjective bands"]


def test_a_questionnaire_without_pain_questions_still_exports(app, db):
    import json

    from survey.models import Questionnaire
    from survey.questionnaire.loader import DEFAULT_QUESTIONNAIRE, build_version

    definition = json.loads(DEFAULT_QUESTIONNAIRE.read_text())
    for page in definition["pages"]:
        page["questions"] = [
            q for q in page.get("questions", []) if q["name"] not in ("pain_during", "sus_10")
        ]
    definition["scores"] = []
    questionnaire = Questionnaire(slug="no-pain", versions=[build_version(definition)])
    questionnaire.versions[0].status = "published"
    db.session.add(questionnaire)
    db.session.commit()
    make_response(db, questionnaire.versions[0], {**BASE, "confidence_after": "4"})
    wb, info = report(db, slug="no-pain")
    cells = outcome_cells(wb)
    assert info.rows == 1
    assert (
        cells[("all", "usability_unavailable")]["note"]
        == "not available: the questionnaire lacks the SUS items sus_10"
    )
    assert cells[("all", "conf_improved")]["n"] == 1
    assert ("all", "pain_any") not in cells


def attribute_values(html: str, name: str) -> dict[str, str]:
    return dict(re.findall(rf'data-{name}="([^"]+)">([^<]*)<', html))


def test_dashboard_shows_the_outcomes_sheets_figures(investigator, db, known):  # noqa: F811
    html = investigator.get("/staff/dashboard").get_data(as_text=True)
    cells = outcome_cells(report(db)[0])
    shown_n, shown_value = attribute_values(html, "n"), attribute_values(html, "value")
    checked = 0
    for (group, figure), row in cells.items():
        key = f"{group}:{figure}"
        if group != "all" or row["n"] is None:
            continue
        expected = str(row["n"]) if row["of"] is None else f"{row['n']} ({row['%']:.1f}%)"
        assert shown_n[key] == expected, key
        if row["value"] is not None:
            assert float(shown_value[key].split(" ")[0]) == row["value"], key
        checked += 1
    assert checked > 30
    mean = cells[("all", "sus_mean")]
    assert shown_value["all:sus_mean"] == f"73.33 ({mean['95% CI low']}–{mean['95% CI high']})"
    sentence = attribute_values(html, "sentence")
    assert sentence["confidence"] == (
        "Confidence rose for 3 of 4 participants (75.0%), stayed the same for 1 and fell for 0."
    )
    french = investigator.get("/staff/dashboard?lang=fr").get_data(as_text=True)
    assert attribute_values(french, "sentence")["pain"] == (
        "2 des 2 participants qui ont essayé l’expression manuelle (100,0\u202f%) ont ressenti "
        "une douleur\u202f; la note médiane est de 4,5 sur 10 (EIQ de 3,25 à 5,75)."
    )
    assert "Résultats" in french


def test_dashboard_by_subgroup_and_bad_groupings(investigator, db, known):  # noqa: F811
    response = investigator.get("/staff/dashboard?by=language")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    groups = attribute_values(html, "group-responses")
    assert groups == {"en": "(n = 4)", "fr": "(n = 1)"}  # a subgroup of one
    assert attribute_values(html, "n")["fr:pain_any"] == "1 (100.0%)"  # its one pain rating, 7
    p = attribute_values(html, "p")["compare:pain_rating"]
    assert float(p) == round(stats.mannwhitneyu([2], [7], alternative="two-sided").pvalue, 3)
    assert "exploratory" in html
    for bad in ("nonsense", "comment_liked", "info_formats"):
        refused = investigator.get(f"/staff/dashboard?by={bad}")
        assert refused.status_code == 400, bad
        assert "Not a valid choice" in refused.get_data(as_text=True)
    french = investigator.get("/staff/dashboard?by=parity&lang=fr").get_data(as_text=True)
    assert "1 = Un <small" in french and "exploratoires" in french  # the groups in French


def test_cli_export_by_a_variable(runner, db, known, tmp_path):  # noqa: F811
    out = tmp_path / "by.xlsx"
    result = runner.invoke(args=["export", str(out), "--by", "language"])
    assert result.exit_code == 0, result.output
    cells = outcome_cells(load_workbook(out))
    assert cells[("fr", "responses")]["n"] == 1 and cells[("en", "responses")]["n"] == 4
    assert cells[("fr", "pain_median")]["value"] == 7
    assert cells[("en", "conf_improved")]["n"] == 2  # after 4 and 5; 2 unchanged
    compared = cells[("compare", "compare_conf_change")]
    expected = stats.mannwhitneyu([2, 3, 0], [1], alternative="two-sided")
    assert compared["test"] == "Mann-Whitney U" and compared["p"] == pytest.approx(expected.pvalue)
    assert "exploratory" in cells[("all", "by")]["note"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.create"))
    assert event.details["outcomes_by"] == "language"
    for bad in ("nonsense", "comment_liked"):
        refused = runner.invoke(args=["export", str(tmp_path / "x.xlsx"), "--by", bad])
        assert refused.exit_code == 2, refused.output
        assert "cannot form subgroups; choose one of: language, eligibility" in refused.output
    assert not (tmp_path / "x.xlsx").exists()
    as_csv = runner.invoke(args=["export", str(tmp_path / "x.csv"), "--csv", "--by", "parity"])
    assert as_csv.exit_code == 2 and "a CSV or a file for a statistics package" in as_csv.output
    as_sav = runner.invoke(args=["export", str(tmp_path / "x.sav"), "--by", "parity"])
    assert as_sav.exit_code == 2 and "statistics package has none" in as_sav.output
    assert not (tmp_path / "x.sav").exists()


def test_export_form_by_a_variable(investigator, db, known):  # noqa: F811
    page = investigator.get("/staff/exports").get_data(as_text=True)
    assert '<option value="parity">parity: How many babies' in page
    response = investigator.post(
        "/staff/exports", {"status": "all", "format": "xlsx", "by": "language", "submit": "x"}
    )
    assert response.status_code == 302
    db.session.rollback()
    job = db.session.scalar(select(ExportJob))
    assert job.group_by == "language"
    download = investigator.get(response.headers["Location"] + "/download")
    cells = outcome_cells(load_workbook(io.BytesIO(download.data)))
    assert cells[("fr", "responses")]["n"] == 1
    refused = investigator.post(
        "/staff/exports", {"status": "all", "format": "xlsx", "by": "bogus", "submit": "x"}
    )
    assert refused.status_code == 400
    assert "Not a valid choice" in refused.get_data(as_text=True)
    csv = investigator.post(
        "/staff/exports", {"status": "all", "format": "csv", "by": "parity", "submit": "x"}
    )
    assert csv.status_code == 400
    assert "Subgroups are given on the report" in csv.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 1


def test_starting_the_app_imports_no_package_it_rarely_needs():
    """scipy.stats takes seconds to import; Alembic, pandas and pyreadstat half a second
    together. Every web worker, queue consumer and command (an export among them) would pay
    that at start-up, under load past the time gunicorn gives a worker to start. Each comes
    when it is used: scipy for the outcomes, Alembic for `flask db`, pandas and pyreadstat for
    the statistics files."""
    import subprocess
    import sys

    code = (
        "import sys; from survey import create_app; "
        "create_app({'SECRET_KEY': 'x', 'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); "
        "print(sorted({'scipy', 'alembic', 'pandas', 'pyreadstat'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_migration_commands_are_there_when_asked_for(runner):
    listed = runner.invoke(args=["db", "--help"])
    assert listed.exit_code == 0, listed.output
    for command in ("upgrade", "downgrade", "current", "history", "stamp", "migrate"):
        assert f"  {command} " in listed.output
    # The group's own options reach Flask-Migrate's commands: a directory that does not exist
    # is refused.
    missing = runner.invoke(args=["db", "-d", "/nonexistent", "heads"])
    assert missing.exit_code != 0
    assert runner.invoke(args=["db", "heads"]).exit_code == 0
