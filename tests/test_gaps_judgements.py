"""Judgements a headteacher can pick apart: gaps in both directions, series breaks, small groups, LA thresholds.

Every figure is worked by hand in the comments."""

import csv
import io
from datetime import date
from types import SimpleNamespace

import pytest

from schools import charts, trends
from schools.findings import findings_for, level_finding, trend_finding
from schools.gap_rows import build_row, pooled_view
from schools.gaps import Comparator, Figure
from schools.judgements import BusterReason, Reason, gap_buster_reasons
from schools.trends import TrendClass, classify, standing
from strategy.targets import status_of
from tests.gap_support import ABSENCE, DIS, KS2, OTHERS, pct
from tests.response_support import body


def figures(measure, by_year):
    """{year: (focus, comparison)} → the figure dict build_row reads."""
    out = {}
    for year, (focus, comparison) in by_year.items():
        out[(year, measure.code, "disadvantaged")] = focus
        out[(year, measure.code, "not_disadvantaged")] = comparison
    return out


def england(measure, years, dis=(5_000, 10_000), others=(7_000, 10_000)):
    """England: disadvantaged 50%, other pupils 70% (gap 20) unless told otherwise."""
    return figures(measure, {y: (pct(*dis), pct(*others)) for y in years})


# --------------------------------------------------------------------------- both directions
def test_a_reversed_gap_whose_lead_shrinks_is_not_widening_and_not_a_priority():
    # Disadvantaged pupils here ahead of other pupils nationally (70%): 33/40 = 82.5% (ahead 12.5) in 2023,
    # 31/40 = 77.5% in 2024, 30/40 = 75.0% (ahead 5.0) in 2025. Gap vs national −12.5 → −5.0: change +7.5,
    # still ahead → "lead shrank", never "widening".
    here = figures(
        KS2, {2023: (pct(33, 40), pct(60, 80)), 2024: (pct(31, 40), pct(60, 80)), 2025: (pct(30, 40), pct(60, 80))}
    )
    row = build_row(KS2, DIS, OTHERS, here, england(KS2, [2023, 2024, 2025]), years=[2023, 2024, 2025])
    assert row.kind == Comparator.NATIONAL and row.gap() == pytest.approx(-5.0)
    t = row.trend
    assert t.years == (2023, 2024, 2025)
    assert (t.gap_start, t.gap_end, t.change) == pytest.approx((-12.5, -5.0, 7.5))
    assert t.classification == TrendClass.LEAD_SHRANK and t.label == "Ahead — lead shrank"
    # Nothing to challenge: like for like 50 − 75 = −25, within gap 75 − 75 = 0 against England's 20.
    assert row.priority_reasons() == []
    # Nor to celebrate on one year: 30/40 against 70% has a 95% interval of −15.9 to +10.2 (spans 0).
    assert row.buster_reasons() == []
    words = trend_finding(row).text
    assert "their lead shrank by 7.5 percentage points, to 5" in words and "widen" not in words
    assert "(disadvantaged pupils: 33 of 40 in 2022/23; 30 of 40 in 2024/25)" in words


def test_one_vocabulary_for_both_directions():
    assert classify(7.0, -3, 4, 1.0, gap_start=-2.0) == TrendClass.WIDENING  # lead of 2 became a gap of 5
    assert classify(-6.0, 3, -3, 1.0, gap_start=-1.0) == TrendClass.LEAD_GREW  # ahead 1 → ahead 7
    assert classify(-6.0, 5, -1, 1.0, gap_start=4.0) == TrendClass.NARROWING_COMPARISON_FELL
    assert classify(-6.0, 7, 1, 1.0, gap_start=4.0) == TrendClass.NARROWING_BOTH_IMPROVING
    assert classify(0.5, 0, 0, 1.0, gap_start=-8.0) == TrendClass.STABLE
    assert standing(KS2, 11.0) == "behind 11.0" and standing(KS2, -4.2) == "ahead 4.2"
    assert standing(ABSENCE, 17.3) == "17.3 higher (worse)" and standing(ABSENCE, -2.0) == "2.0 lower (better)"


def test_absence_reads_as_rates_never_points_behind():
    # 40 of 126 disadvantaged pupils persistently absent (31.7%) against 144/1000 = 14.4% of other pupils nationally.
    here = figures(ABSENCE, {2025: (pct(40, 126), pct(30, 200))})
    national = england(ABSENCE, [2025], dis=(250, 1000), others=(144, 1000))
    text = level_finding(build_row(ABSENCE, DIS, OTHERS, here, national, years=[2025])).text
    assert "31.7% (40 of 126) against 14.4% for other pupils nationally" in text
    assert "behind" not in text and "percentage points" not in text


def test_a_school_is_never_both_a_priority_and_a_gap_buster():
    # England: disadvantaged 55%, others 60% (gap 5). Here in 2025: disadvantaged 170/200 = 85%, others
    # 290/290 = 100%: within gap 15, 10 wider than England's, 95% interval 10.5 to 20.6 (above 5) → wide gap.
    # Against other pupils nationally the disadvantaged are 25 ahead (interval −29.3 to −19.4): on its own a
    # gap buster. One judgement: the reason for challenge wins.
    here = figures(KS2, {2025: (pct(170, 200), pct(290, 290))})
    national = england(KS2, [2025], dis=(55_000, 100_000), others=(60_000, 100_000))
    row = build_row(KS2, DIS, OTHERS, here, national, years=[2025])
    assert gap_buster_reasons(focus=row.current.focus, vs_national=row.current.vs_national, trend_=None) == [
        BusterReason.ABOVE_NATIONAL
    ]
    judgement = row.judgement()
    assert judgement.priority == (Reason.WIDE_GAP,) and judgement.buster == ()
    assert judgement.basis == "2024/25 alone (200 pupils)"
    assert row.buster_reasons() == []


# --------------------------------------------------------------------------- small groups
def test_nine_disadvantaged_pupils_are_never_ranked_or_celebrated_on_a_single_year():
    # 2025 only: 1 of 9 (11.1%) against others here 40/45 and 50% nationally. The conditions for challenge
    # hold (like for like 38.9 behind, within gap 77.8 vs England's 20), but 9 < 30 pupils and there is no
    # second year to pool: no judgement.
    national = england(KS2, [2023, 2024, 2025])
    one_year = build_row(
        KS2, DIS, OTHERS, figures(KS2, {2025: (pct(1, 9), pct(40, 45))}), national, years=[2023, 2024, 2025]
    )
    assert one_year.rankable and not one_year.single_year and one_year.pooled is None
    assert one_year.judgement().priority == () and one_year.judgement().basis == ""
    # 9 of 9 (100%, 30 ahead of other pupils nationally) is not celebrated either.
    top = build_row(
        KS2, DIS, OTHERS, figures(KS2, {2025: (pct(9, 9), pct(30, 45))}), national, years=[2023, 2024, 2025]
    )
    assert top.buster_reasons() == [] and top.priority_reasons() == []


def test_small_groups_are_judged_on_the_three_year_pooled_figure():
    national = england(KS2, [2023, 2024, 2025])
    # 1/9, 2/9, 1/9 → pooled 4/27 = 14.8% (others 120/135 = 88.9%): like for like 50 − 14.8 = 35.2 behind and a
    # within gap of 74.1, 54.1 wider than England's 20 → challenged, on the pooled figure.
    low = figures(KS2, {2023: (pct(1, 9), pct(40, 45)), 2024: (pct(2, 9), pct(40, 45)), 2025: (pct(1, 9), pct(40, 45))})
    row = build_row(KS2, DIS, OTHERS, low, national, years=[2023, 2024, 2025])
    assert row.pooled.years == (2023, 2024, 2025)
    assert row.pooled.figures.focus.value == pytest.approx(100 * 4 / 27)
    assert row.pooled.figures.like_for_like == pytest.approx(50 - 100 * 4 / 27)
    judgement = row.judgement()
    assert judgement.priority == (Reason.WIDE_GAP, Reason.LOW_ATTAINMENT)
    assert judgement.basis == "2022/23 to 2024/25 pooled (27 pupils)"
    # 3/9, 4/9, then 9/9 in 2025: one year at 100% but pooled 16/27 = 59.3%, 10.7 behind other pupils
    # nationally (others here 30/45 each year: within gap 66.7 − 59.3 = 7.4, narrower than England's) → neither.
    rising = figures(
        KS2, {2023: (pct(3, 9), pct(30, 45)), 2024: (pct(4, 9), pct(30, 45)), 2025: (pct(9, 9), pct(30, 45))}
    )
    row = build_row(KS2, DIS, OTHERS, rising, national, years=[2023, 2024, 2025])
    assert row.pooled.figures.vs_national == pytest.approx(70 - 100 * 16 / 27)
    assert row.judgement().buster == () and row.judgement().priority == ()


def test_findings_lead_with_what_is_significant_then_the_bigger_group():
    national = england(KS2, [2025])
    # A: 4/9 (44.4%), 25.6 behind other pupils nationally but not significant; B: 120/300 (40%), 30 behind,
    # significant. B leads although A was listed first.
    small = build_row(KS2, DIS, OTHERS, figures(KS2, {2025: (pct(4, 9), pct(30, 45))}), national, years=[2025])
    big = build_row(KS2, DIS, OTHERS, figures(KS2, {2025: (pct(120, 300), pct(400, 500))}), national, years=[2025])
    found = findings_for([small, big], place="")
    assert [f.significant for f in found] == [True, False]
    assert "disadvantaged pupils (40%, 120 of 300) were 30 percentage points behind" in found[0].text
    assert "(44.4%, 4 of 9)" in found[1].text


# --------------------------------------------------------------------------- series breaks
def test_a_window_with_too_few_years_is_no_trend_never_a_longer_window():
    # A small school with figures for 2018, 2019 and 2025 only. The last three published, comparable years up to
    # 2025 are 2023, 2024 and 2025; only 2025 has figures → no trend (never a trend "since 2018").
    calendar = [2018, 2019, 2022, 2023, 2024, 2025]
    here = figures(
        KS2, {2018: (pct(5, 10), pct(30, 40)), 2019: (pct(6, 10), pct(30, 40)), 2025: (pct(2, 10), pct(30, 40))}
    )
    row = build_row(KS2, DIS, OTHERS, here, england(KS2, calendar), years=calendar)
    assert all(t is None for t in row.trends.values()) and trend_finding(row) is None
    # With 2023 as well, the trend runs 2023 → 2025 (2024 skipped: no figures, never a zero).
    here.update(figures(KS2, {2023: (pct(4, 10), pct(30, 40))}))
    row = build_row(KS2, DIS, OTHERS, here, england(KS2, calendar), years=calendar)
    assert row.trend.years == (2023, 2025)
    # 2020 and 2021 are not published years for KS2, but persistent absence was published for 2020/21.
    assert trends.window_years(KS2, [2019, 2020, 2021, 2022], 2022, 3) == (2019, 2022)
    assert trends.window_years(ABSENCE, [2019, 2020, 2021, 2022], 2022, 3) == (2019, 2021, 2022)


@pytest.mark.django_db
def test_series_breaks_are_data():
    from schools.models import Measure

    eyfs, att8 = Measure.objects.get(code="eyfs_gld"), Measure.objects.get(code="ks4_att8")
    assert trends.comparable_from(eyfs, 2019) == 2013 and trends.comparable_from(eyfs, 2022) == 2022
    assert trends.comparable_from(att8, 2016) == 2016 and trends.comparable_from(att8, 2019) == 2017
    assert trends.comparable_from(att8, 2022) == 2022
    assert trends.comparable(Measure.objects.get(code="ks2_rwm_exp"), 2019, 2022)  # KS2: one series from 2016
    # Chart lines (schools and support engagements) are drawn per run of comparable years.
    assert trends.segments(eyfs, [2018, 2019, 2022, 2023]) == [[2018, 2019], [2022, 2023]]
    assert trends.segments(att8, [2016, 2017, 2019, 2022]) == [[2016], [2017, 2019], [2022]]
    assert "not comparable" in trends.break_note(eyfs, 2022)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code,focus,comparison",
    [
        ("eyfs_gld", (lambda y: pct(10 + y % 10, 20)), (lambda y: pct(30, 40))),
        (
            "ks4_att8",
            (lambda y: Figure(cohort=50, numerator=50.0 * (38 + y % 10), value=38.0 + y % 10)),
            (lambda y: Figure(cohort=100, numerator=5000.0, value=50.0)),
        ),
    ],
)
def test_2019_and_2022_are_never_compared(code, focus, comparison):
    from schools.models import Measure

    measure = Measure.objects.get(code=code)
    national = england(measure, [2018, 2019, 2022, 2023])
    here = figures(measure, {y: (focus(y), comparison(y)) for y in (2018, 2019, 2022)})
    row = build_row(measure, DIS, OTHERS, here, national, years=[2018, 2019, 2022])
    # 2022 is the only year of its series: no trend on any comparator, no "since" sentence, no stubborn run,
    # no pooled figure — never a trend "since 2018" or "since 2019".
    assert row.year == 2022 and all(t is None for t in row.trends.values())
    assert trend_finding(row) is None and row.stubborn is False and row.pooled is None
    # The chart leaves a gap before 2022 (x = 2021.5, no value) and says why.
    chart = charts.trend_chart(row, place="here")
    focus_trace = chart.figure["data"][0]
    assert focus_trace["x"] == [2018, 2019, 2020, 2021, 2021.5, 2022]
    assert focus_trace["y"][4] is None
    assert chart.notes[0].startswith("Series break in 2021/22: figures from 2021/22 are not comparable")
    assert ["Series break", "not comparable with 2021/22 on"] == chart.rows[4][:2]
    # With 2023 in, the trend runs 2022 → 2023 only.
    here.update(figures(measure, {2023: (focus(2023), comparison(2023))}))
    row = build_row(measure, DIS, OTHERS, here, national, years=[2018, 2019, 2022, 2023])
    assert row.trend.years == (2022, 2023) and "since 2021/22" in trend_finding(row).text
    assert pooled_view(measure, row.series, {}, end_year=2022, calendar=[2018, 2019, 2022]) is None


@pytest.mark.django_db
@pytest.mark.parametrize("code,type_", [("eyfs_gld", "reach"), ("ks4_em_95", "close_gap")])
def test_a_target_never_crosses_a_series_break(code, type_):
    from schools.models import LocalAuthority, Measure, PupilGroup, Result, School
    from strategy.models import Target

    la = LocalAuthority.objects.create(code="995", name="Breakshire")
    school = School.objects.create(urn=995001, la=la, name="Break Primary")
    measure = Measure.objects.get(code=code)
    dis, other = PupilGroup.objects.get(code="disadvantaged"), PupilGroup.objects.get(code="not_disadvantaged")
    for year, (d, o) in {2019: (10, 30), 2022: (15, 31), 2023: (16, 32)}.items():
        Result.objects.create(
            school=school, results_year=year, measure=measure, pupil_group=dis, cohort=40, achievers=d
        )
        Result.objects.create(
            school=school, results_year=year, measure=measure, pupil_group=other, cohort=40, achievers=o
        )
    target = Target.objects.create(
        la=la,
        school=school,
        type=type_,
        measure=measure,
        focus_group=dis,
        baseline_year=2019,
        target_year=2024,
        target_value=10,
    )
    status = status_of(target, show_small_cohorts=True)
    # Baseline 2019 (10/40 = 25%) sits before the 2022 break: 2022 and 2023 are not compared with it.
    assert status.code == "no_data"
    assert (
        "The series breaks in 2021/22" in status.explanation and "Set a new baseline from 2021/22" in status.explanation
    )
    later = {row.year: row for row in status.rows}
    assert later[2022].comparable is False and later[2022].quantity is None and later[2022].expected is None


# --------------------------------------------------------------------------- LA thresholds, on the pages
@pytest.fixture
def thresholdshire(db):
    """Two schools, KS2 RWM 2025; England: disadvantaged 50%, other pupils 70%.

    A: disadvantaged 12/40 = 30%, others 28/60, all pupils 40/100 = 40%.
    B: disadvantaged 36/40 = 90%, others 54/60, all pupils 90/100 = 90%.
    """
    from schools.models import Benchmark, LocalAuthority, Measure, PupilGroup, Result, School
    from schools.roles import Role

    from .strategy_support import make_user

    la = LocalAuthority.objects.create(code="996", name="Thresholdshire")
    measure = Measure.objects.get(code="ks2_rwm_exp")
    groups = {g.code: g for g in PupilGroup.objects.filter(code__in=["disadvantaged", "not_disadvantaged", "all"])}
    schools = {}
    for urn, name, counts in (
        (996001, "A Primary", ((12, 40), (28, 60), (40, 100))),
        (996002, "B Primary", ((36, 40), (54, 60), (90, 100))),
    ):
        schools[name[0]] = school = School.objects.create(urn=urn, la=la, name=name)
        for code, (achievers, cohort) in zip(("disadvantaged", "not_disadvantaged", "all"), counts, strict=True):
            Result.objects.create(
                school=school,
                results_year=2025,
                measure=measure,
                pupil_group=groups[code],
                cohort=cohort,
                achievers=achievers,
            )
    for code, achievers in (("disadvantaged", 50_000), ("not_disadvantaged", 70_000)):
        Benchmark.objects.create(
            geography_code=Benchmark.NATIONAL_CODE,
            kind="national",
            results_year=2025,
            measure=measure,
            pupil_group=groups[code],
            cohort=100_000,
            achievers=achievers,
        )
    officer = make_user("officer996", Role.LA_OFFICER, la)
    return SimpleNamespace(la=la, measure=measure, all=groups["all"], officer=officer, **schools)


def _export(client, page, table):
    rows = list(csv.reader(io.StringIO(body(client.get(f"/{page}/export/{table}.csv?measure=ks2_rwm_exp")).decode())))
    header = rows[2]
    return " ".join(rows[1]), {r[header.index("Name")]: dict(zip(header, r, strict=True)) for r in rows[3:]}


def test_la_thresholds_switched_on_and_off(thresholdshire, client):
    from schools.models import LocalThreshold

    client.force_login(thresholdshire.officer)
    # None by default: A is a priority only because its disadvantaged pupils are below those nationally
    # (30% against 50%; 95% interval of 12/40 is 18.1% to 45.6%).
    definitions, rows = _export(client, "priority", "priority")
    assert rows["A Primary"]["Reasons"] == "Group below national"
    assert "The LA has set no threshold for this measure" in definitions and "floor" not in rows["A Primary"]["Reasons"]
    # The LA sets 65% for all pupils in 2025: A's 40/100 (interval 30.9% to 49.8%) is clearly below, B's 90% is not.
    threshold = LocalThreshold.objects.create(
        la=thresholdshire.la,
        name="Thresholdshire KS2 ambition",
        adopted_on=date(2024, 9, 1),
        measure=thresholdshire.measure,
        pupil_group=thresholdshire.all,
        results_year=2025,
        value=65,
    )
    definitions, rows = _export(client, "priority", "priority")
    assert rows["A Primary"]["Reasons"] == "Group below national; Below the LA threshold"
    assert "B Primary" not in rows
    assert (
        "Thresholdshire KS2 ambition (set by Thresholdshire, adopted 1 Sep 2024): KS2 RWM expected for "
        "all pupils below 65% in 2024/25"
    ) in definitions
    # Switched off in the admin: the reason goes again.
    threshold.active = False
    threshold.save()
    definitions, rows = _export(client, "priority", "priority")
    assert rows["A Primary"]["Reasons"] == "Group below national"
    assert "Thresholdshire KS2 ambition" not in definitions


def test_priority_and_gap_busters_pages_never_share_a_school(thresholdshire, client):
    client.force_login(thresholdshire.officer)
    _definitions, priority = _export(client, "priority", "priority")
    _definitions, busters = _export(client, "gap-busters", "busters")
    # B: 36/40 = 90%, 20 ahead of other pupils nationally (interval entirely above) → a gap buster, on 2025 alone.
    assert set(priority) == {"A Primary"} and set(busters) == {"B Primary"}
    assert busters["B Primary"]["Judged on"] == "2024/25 alone (40 pupils)"
    assert busters["B Primary"]["Gap vs England"] == "-20.0"


@pytest.mark.django_db
def test_a_support_engagement_chart_never_joins_eyfs_2019_to_2022():
    from schools.models import LocalAuthority, Measure, PupilGroup, Result, School
    from strategy.charts import engagement_chart
    from strategy.models import SupportEngagement, Target

    la = LocalAuthority.objects.create(code="994", name="Chartshire")
    partner = School.objects.create(urn=994001, la=la, name="Partner Primary")
    helper = School.objects.create(urn=994002, la=la, name="Helper Primary")
    eyfs = Measure.objects.get(code="eyfs_gld")
    dis, other = PupilGroup.objects.get(code="disadvantaged"), PupilGroup.objects.get(code="not_disadvantaged")
    # Gaps: 2019 30/40 − 10/20 = 75 − 50 = 25; 2022 30/40 − 12/20 = 15; 2023 30/40 − 13/20 = 10.
    for year, achievers in ((2019, 10), (2022, 12), (2023, 13)):
        Result.objects.create(
            school=partner, results_year=year, measure=eyfs, pupil_group=dis, cohort=20, achievers=achievers
        )
        Result.objects.create(
            school=partner, results_year=year, measure=eyfs, pupil_group=other, cohort=40, achievers=30
        )
    engagement = SupportEngagement.objects.create(
        supporting_school=helper,
        partner_school=partner,
        leader_name="Sam Patel",
        leader_designation="nle",
        start_date=date(2021, 9, 1),
        end_date=date(2022, 7, 20),
        status="completed",
    )
    objective = Target.objects.create(
        la=la,
        school=partner,
        engagement=engagement,
        type="close_gap",
        measure=eyfs,
        focus_group=dis,
        baseline_year=2022,
        target_year=2024,
        target_value=5,
    )
    chart = engagement_chart(engagement, [objective], show_small_cohorts=True)
    lines = list(chart["figure"]["data"])
    # Two runs, never one line from 2018/19 to 2021/22.
    assert [trace["x"] for trace in lines] == [["2018/19"], ["2021/22", "2022/23"]]
    assert [trace["y"] for trace in lines] == [[25.0], [15.0, 10.0]]
    assert chart["notes"][0].startswith("EYFS GLD: disadvantaged gap: series break in 2021/22")
