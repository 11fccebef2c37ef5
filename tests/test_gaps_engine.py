"""The gap engine against hand-worked figures (the arithmetic is in the comments)."""

import pytest

from schools import gaps, judgements, rag, trends
from schools.disclosure import disclose
from schools.gaps import Figure
from schools.trends import TrendClass


class M:
    """A stand-in measure: the engine only reads higher_is_better and unit."""

    def __init__(self, higher_is_better=True, unit="percent"):
        self.higher_is_better, self.unit = higher_is_better, unit


PCT, ABSENCE, SCORE = M(), M(higher_is_better=False), M(unit="average")


def pct(achievers, cohort, status="final"):
    return Figure(cohort=cohort, numerator=achievers, value=100 * achievers / cohort, status=status, schools=1)


# ------------------------------------------------------- National College (2011): national KS2 L4+ E&M
def test_national_college_2011_national_ks2_gap_22_to_21_narrowing_both_improving():
    # National College (2011): FSM 53 → 55 (+2), non-FSM 75 → 76 (+1) between 2008 and 2010.
    # Gap 2008 = 75 − 53 = 22; 2010 = 76 − 55 = 21; change = 21 − 22 = −1 = (+1) − (+2).
    series = {
        2008: (pct(530, 1000), pct(750, 1000)),
        2009: (pct(540, 1000), pct(755, 1000)),
        2010: (pct(550, 1000), pct(760, 1000)),
    }
    t = trends.trend(PCT, series, window=3, band=1.0)
    assert (t.start_year, t.end_year) == (2008, 2010)
    assert t.gap_start == pytest.approx(22) and t.gap_end == pytest.approx(21)
    assert t.change == pytest.approx(-1)
    assert t.focus_change == pytest.approx(2) and t.comparison_change == pytest.approx(1)
    assert t.classification == TrendClass.NARROWING_BOTH_IMPROVING


def test_national_college_2011_ks4_gap_28_stays_28_is_stable():
    # KS4 5+A*–C incl. E&M: both groups +7, gap 28 → 28, change 0 < band 1 → stable.
    series = {2008: (pct(200, 1000), pct(480, 1000)), 2010: (pct(270, 1000), pct(550, 1000))}
    t = trends.trend(PCT, series, window=3, band=1.0)
    assert t.change == pytest.approx(0) and t.classification == TrendClass.STABLE


def test_cambridgeshire_2014_ks2_fsm_gap_29():
    # Cambridgeshire (2014–16), appendix: 344 FSM children failed L4+ RWM = 53% of the FSM cohort → cohort 649,
    # achievers 305 (305/649 = 47.0%). 1668 failed in all, so 1324 non-FSM failed = 24% → cohort 5517,
    # achievers 4193 (76.0%).
    # Gap = 76.0 − 47.0 = 29 ppt.
    fsm, non_fsm = pct(305, 649), pct(4193, 5517)
    assert round(fsm.value) == 47 and round(non_fsm.value) == 76
    assert round(gaps.gap(PCT, fsm, non_fsm)) == 29
    # "Between 2011 and 2013 the FSM gap widened by 2ppt to 29ppt": 2011 gap 27 (FSM 47, non-FSM 74).
    t = trends.trend(PCT, {2011: (pct(470, 1000), pct(740, 1000)), 2013: (fsm, non_fsm)}, band=1.0)
    assert round(t.change) == 2 and t.classification == TrendClass.WIDENING


def test_narrowing_because_comparison_fell_is_not_a_success():
    # Focus 50 → 50 (0), comparison 80 → 75 (−5): gap 30 → 25 (−5) only because the others fell.
    t = trends.trend(PCT, {2023: (pct(50, 100), pct(80, 100)), 2024: (pct(50, 100), pct(75, 100))}, band=1.0)
    assert t.change == pytest.approx(-5) and t.classification == TrendClass.NARROWING_COMPARISON_FELL


# ----------------------------------------------------------------------- pooled vs averaged
def test_pooled_differs_from_mean_of_school_percentages():
    # School A: 1 of 4 disadvantaged pupils (25%); school B: 45 of 60 (75%).
    # Pooled = (1 + 45) ÷ (4 + 60) = 46/64 = 71.875%; the mean of 25% and 75% would be 50%.
    a, b = pct(1, 4), pct(45, 60)
    pooled = gaps.pooled([a, b])
    assert pooled.value == pytest.approx(71.875) and pooled.cohort == 64
    assert gaps.averaged([a, b]) == pytest.approx(50.0)


def test_pooled_average_scores_and_worst_status():
    # Average scaled scores: 10 pupils × 100 = 1000 points, 30 pupils × 108 = 3240 → 4240 ÷ 40 = 106.0.
    a = Figure(cohort=10, numerator=1000.0, value=100.0, status="final")
    b = Figure(cohort=30, numerator=3240.0, value=108.0, status="provisional")
    pooled = gaps.pooled([a, b], unit="average")
    assert pooled.value == pytest.approx(106.0)  # the mean of school averages would be 104
    assert pooled.status == "provisional"


def test_suppressed_pupils_still_count_in_pooled_figures():
    # A school of 3 disadvantaged pupils is suppressed on display but its 3 pupils (2 achieving) still pool:
    # (2 + 30) ÷ (3 + 40) = 32/43 = 74.42%.
    small, big = pct(2, 3), pct(30, 40)
    shown = disclose({("s", "disadvantaged"): small}, viewer_sees_small_cohorts=False, partitions=[], threshold=6)
    assert shown[("s", "disadvantaged")].code == gaps.SUPPRESSED and shown[("s", "disadvantaged")].value is None
    assert gaps.pooled([small, big]).value == pytest.approx(100 * 32 / 43)


def test_pooled_of_nothing_is_missing_not_zero():
    figure = gaps.pooled([Figure(cohort=None, numerator=None, value=None, code="x")])
    assert figure.value is None and figure.code == "x"


# ----------------------------------------------------------------------- lower is better
def test_lower_is_better_gap_and_trend():
    # Persistent absence: disadvantaged 30% vs others 12% → gap = −(12 − 30) = +18 (disadvantaged behind).
    assert gaps.gap(ABSENCE, pct(30, 100), pct(12, 100)) == pytest.approx(18)
    # Next year 26% vs 12%: gap 14; focus improved by 30 − 26 = +4, others by 0; narrowing, both improving.
    t = trends.trend(ABSENCE, {2023: (pct(30, 100), pct(12, 100)), 2024: (pct(26, 100), pct(12, 100))}, band=1.0)
    assert t.change == pytest.approx(-4) and t.focus_change == pytest.approx(4)
    assert t.comparison_change == pytest.approx(0)
    assert t.classification == TrendClass.NARROWING_BOTH_IMPROVING
    # Others' absence rising 12 → 16 narrows the gap to 10 only because they got worse.
    t2 = trends.trend(ABSENCE, {2023: (pct(26, 100), pct(12, 100)), 2024: (pct(26, 100), pct(16, 100))}, band=1.0)
    assert t2.comparison_change == pytest.approx(-4) and t2.classification == TrendClass.NARROWING_COMPARISON_FELL


# ----------------------------------------------------------------------- missing years
def test_trend_skips_years_without_data():
    # Window 3 over 2019, 2022, 2023 (2020 and 2021 had no results): gaps 20, 18, 15 → change 15 − 20 = −5.
    missing = Figure(cohort=None, numerator=None, value=None, code="x")
    series = {
        2018: (pct(40, 100), pct(70, 100)),  # outside the window
        2019: (pct(50, 100), pct(70, 100)),
        2020: (missing, missing),
        2021: (missing, missing),
        2022: (pct(52, 100), pct(70, 100)),
        2023: (pct(56, 100), pct(71, 100)),
    }
    t = trends.trend(PCT, series, window=3, band=1.0)
    assert t.years == (2019, 2022, 2023)
    assert t.change == pytest.approx(-5)  # not measured against a zero in 2020
    assert trends.trend(PCT, {2023: series[2023], 2021: series[2021]}) is None  # one usable year


# ----------------------------------------------------------------------- stubborn
def test_stubborn_gap():
    # Here: gaps 25, 25, 26 (not narrowing); England: 20, 21, 21 → wider each year → stubborn.
    here = {2022: (pct(50, 100), pct(75, 100)), 2023: (pct(50, 100), pct(75, 100)), 2024: (pct(50, 100), pct(76, 100))}
    england = {
        2022: (pct(55, 100), pct(75, 100)),
        2023: (pct(55, 100), pct(76, 100)),
        2024: (pct(55, 100), pct(76, 100)),
    }
    assert trends.stubborn(PCT, here, england, years=3)
    # If 2023 England's gap were 26 (≥ 25) it is not wider every year.
    england[2023] = (pct(50, 100), pct(76, 100))
    assert not trends.stubborn(PCT, here, england, years=3)
    # Narrowing 30 → 22 over the window is never stubborn even when wider than England's.
    narrowing = {
        2022: (pct(45, 100), pct(75, 100)),
        2023: (pct(50, 100), pct(75, 100)),
        2024: (pct(53, 100), pct(75, 100)),
    }
    assert not trends.stubborn(PCT, narrowing, {y: (pct(60, 100), pct(75, 100)) for y in narrowing}, years=3)
    # Two years of data are not enough to call a gap stubborn over three.
    assert not trends.stubborn(PCT, {2023: here[2023], 2024: here[2024]}, england, years=3)


# ----------------------------------------------------------------------- suppression
PARTITIONS = [("all", ("disadvantaged", "not_disadvantaged"))]


def test_primary_and_secondary_suppression():
    # Disadvantaged 4 pupils (primary, < 6). All 30 and others 26 are shown → 4 = 30 − 26 could be worked
    # out, so the other part (others, 26) is hidden as well (secondary); "all" stays.
    figures = {
        (2024, "m", "all"): pct(20, 30),
        (2024, "m", "disadvantaged"): pct(1, 4),
        (2024, "m", "not_disadvantaged"): pct(19, 26),
    }
    shown = disclose(figures, viewer_sees_small_cohorts=False, partitions=PARTITIONS, threshold=6)
    assert shown[(2024, "m", "disadvantaged")].code == gaps.SUPPRESSED
    assert shown[(2024, "m", "not_disadvantaged")].code == gaps.SECONDARY
    assert shown[(2024, "m", "not_disadvantaged")].value is None
    assert shown[(2024, "m", "all")].value == pytest.approx(100 * 20 / 30)


def test_no_secondary_suppression_when_nothing_is_hidden_or_threshold_is_lower():
    figures = {("s", "all"): pct(20, 30), ("s", "disadvantaged"): pct(4, 6), ("s", "not_disadvantaged"): pct(16, 24)}
    shown = disclose(figures, viewer_sees_small_cohorts=False, partitions=PARTITIONS, threshold=6)
    assert all(f.value is not None for f in shown.values())  # 6 pupils is not fewer than 6
    shown = disclose(
        {**figures, ("s", "disadvantaged"): pct(1, 5)},
        viewer_sees_small_cohorts=False,
        partitions=PARTITIONS,
        threshold=0,
    )
    assert shown[("s", "disadvantaged")].value == pytest.approx(20.0)  # an unsuppressed role: threshold 0


# ----------------------------------------------------------------------- Wilson intervals
def test_wilson_interval_known_values():
    # Newcombe (1998), example: 81 of 263 → 95% Wilson interval 0.2553 to 0.3662.
    low, high = gaps.wilson_interval(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    # 8 of 10: centre (0.8 + 1.9208/10)/1.38415 = 0.71673, half 0.22658 → 0.4902 to 0.9433.
    low, high = gaps.wilson_interval(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    assert pct(8, 10).interval() == pytest.approx((49.02, 94.33), abs=0.01)


def test_gap_interval_and_significance():
    # Newcombe (1998) method 10: 56/70 − 48/80 = 0.2000, 95% interval 0.0524 to 0.3339.
    interval = gaps.gap_interval(PCT, pct(48, 80), pct(56, 70))
    assert interval == pytest.approx((5.24, 33.39), abs=0.01)
    assert gaps.significant(interval) is True
    # A small school: 3/6 (50%) vs 5/8 (62.5%): gap 12.5 but the interval spans 0 → not significant.
    assert gaps.significant(gaps.gap_interval(PCT, pct(3, 6), pct(5, 8))) is False
    assert gaps.gap_interval(SCORE, Figure(10, 1000.0, 100.0), Figure(10, 1050.0, 105.0)) is None


# ----------------------------------------------------------------------- priority, busters, RAG
def test_priority_reasons():
    # Within gap 30 vs England's 20: 10 ≥ margin 5 → wide gap; focus 45 < national focus 50 → low attainment;
    # all pupils 60 < an LA threshold of 65 → below the threshold; widening trend.
    widening = trends.trend(PCT, {2023: (pct(50, 100), pct(75, 100)), 2024: (pct(45, 100), pct(75, 100))}, band=1.0)
    reasons = judgements.priority_reasons(
        PCT,
        focus=pct(45, 100),
        within_gap=30,
        national_gap=20,
        like_for_like=5,
        threshold_figure=pct(60, 100),
        threshold=65,
        trend_=widening,
        is_stubborn=True,
        margin=5,
    )
    assert reasons == ["wide_gap", "stubborn", "low_attainment", "below_threshold", "widening"]
    # No LA threshold (the default): no threshold reason, whatever the figure.
    assert "below_threshold" not in judgements.priority_reasons(
        PCT,
        focus=pct(45, 100),
        within_gap=30,
        national_gap=20,
        like_for_like=5,
        threshold_figure=pct(60, 100),
        threshold=None,
        trend_=None,
        is_stubborn=False,
        margin=5,
    )
    assert (
        judgements.priority_reasons(
            PCT,
            focus=pct(70, 100),
            within_gap=22,
            national_gap=20,
            like_for_like=-20,
            threshold_figure=pct(80, 100),
            threshold=65,
            trend_=None,
            is_stubborn=False,
            margin=5,
        )
        == []
    )


def test_gap_busters():
    # Focus 72% ≥ national comparison 70% (gap vs national −2) with 20 pupils → buster.
    assert judgements.gap_buster_reasons(focus=pct(72, 100), vs_national=-2, trend_=None, min_cohort=10) == [
        "above_national"
    ]
    small = pct(4, 5)
    assert judgements.gap_buster_reasons(focus=small, vs_national=-10, trend_=None, min_cohort=10) == []


def test_cluster_rag_rules():
    rules = rag.DEFAULT_CLUSTER_RAG_RULES
    assert rag.rag_rating(6.0, TrendClass.NARROWING_BOTH_IMPROVING, rules) == "red"  # ≥ 5 wider
    assert rag.rag_rating(2.0, TrendClass.WIDENING, rules) == "red"  # wider and widening
    assert rag.rag_rating(-1.0, TrendClass.STABLE, rules) == "green"  # no wider than England's
    assert rag.rag_rating(-1.0, TrendClass.NARROWING_COMPARISON_FELL, rules) == "amber"
    assert rag.rag_rating(2.0, TrendClass.STABLE, rules) == "amber"
    assert rag.rag_rating(None, None, rules) == "none"
    # excess = vs national − England's gap = (70 − 40) − (70 − 50) = 10 = national focus 50 − here 40.
    assert rag.excess_over_national(PCT, pct(40, 100), pct(50, 100), pct(70, 100)) == pytest.approx(10)
    assert rag.describe_rule(rules[0]) == "Red: gap vs national is at least 5 points wider than England's gap"


def test_three_comparators():
    # Here: disadvantaged 50, others 70; England: disadvantaged 46, others 72.
    g = gaps.gaps(PCT, pct(50, 100), pct(70, 100), pct(46, 100), pct(72, 100))
    assert g.within == pytest.approx(20)  # 70 − 50
    assert g.vs_national == pytest.approx(22)  # 72 − 50 (DfE convention)
    assert g.like_for_like == pytest.approx(-4)  # 46 − 50: better than disadvantaged pupils nationally
