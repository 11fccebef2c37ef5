"""Each target type's computed status, worked by hand from the figures in strategy_support."""

import re

import pytest

from strategy.models import Target
from strategy.targets import evaluate, status_of

from .strategy_support import build_alpha


@pytest.fixture
def alpha(db):
    return build_alpha()


def make(alpha, type_, baseline_year, target_year, target_value=None, baseline_value=None):
    la, school, measure, dis, _other = alpha
    return Target.objects.create(
        la=la,
        school=school,
        type=type_,
        measure=measure,
        focus_group=dis,
        baseline_year=baseline_year,
        target_year=target_year,
        target_value=target_value,
        baseline_value=baseline_value,
    )


T = Target.Type


@pytest.mark.parametrize(
    "type_,baseline_year,target_year,n,code,expected,goal",
    [
        # reach 70 by 2026 from 50 (2022): line expects 50 + 20×2/4 = 60 in 2024; latest 60 ≥ 60 → on track
        (T.REACH, 2022, 2026, 70, "on_track", 60.0, 70.0),
        # reach 58: latest 60 ≥ 58 but on 20 pupils (< 30), so it must hold on the 3-year pooled figure:
        # (10 + 11 + 12) ÷ 60 = 55 < 58 → not met; the line expects 50 + 8×2/4 = 54, 60 ≥ 54 → on track
        (T.REACH, 2022, 2026, 58, "on_track", 54.0, 58.0),
        # reach 80 by 2026: line expects 50 + 30×2/4 = 65; 60 < 65 → off track
        (T.REACH, 2022, 2026, 80, "off_track", 65.0, 80.0),
        # improve by 8 by 2024: goal 58, latest 60 on 20 pupils; pooled 55 < 58 and 2024 is the target year → off track
        (T.CHANGE, 2022, 2024, 8, "off_track", 58.0, 58.0),
        # improve by 16 by 2026: goal 66; line expects 50 + 16×2/4 = 58; 60 ≥ 58 → on track
        (T.CHANGE, 2022, 2026, 16, "on_track", 58.0, 66.0),
        # improve by 12 by 2024: goal 62; 2024 is the target year and 60 < 62 → off track (missed)
        (T.CHANGE, 2022, 2024, 12, "off_track", 62.0, 62.0),
        # close the gap to 20 by 2026 from 30: line expects 30 − 10×2/4 = 25; gap 22.5 ≤ 25 → on track
        (T.CLOSE_GAP, 2022, 2026, 20, "on_track", 25.0, 20.0),
        # close to 15 by 2025: line expects 30 − 15×2/3 = 20; 22.5 > 20 → off track
        (T.CLOSE_GAP, 2022, 2025, 15, "off_track", 20.0, 15.0),
        # close to 23 by 2026: 22.5 ≤ 23 on 20 pupils; pooled gap (32 + 32 + 33)/120 − 33/60 = 80.83 − 55 = 25.83 > 23
        # → not met; the line expects 30 − 7×2/4 = 26.5 and 22.5 ≤ 26.5 → on track
        (T.CLOSE_GAP, 2022, 2026, 23, "on_track", 26.5, 23.0),
        # gap no wider than national by 2026: excess 30−20 = 10 → 0; line expects 10 − 10×2/4 = 5;
        # latest excess 22.5 − 20 = 2.5 ≤ 5 → on track
        (T.GAP_NATIONAL, 2022, 2026, None, "on_track", 5.0, 0.0),
        # in line with national disadvantaged by 2025: shortfall 60−50 = 10 → 0; line expects 10 − 10×2/3 = 3.33;
        # latest shortfall 62 − 60 = 2 ≤ 3.33 → on track
        (T.IN_LINE_NATIONAL, 2022, 2025, None, "on_track", 10 - 20 / 3, 0.0),
        # ... by 2024: the target year's shortfall is 2 > 0 → off track
        (T.IN_LINE_NATIONAL, 2022, 2024, None, "off_track", 0.0, 0.0),
        # 3 points a year faster to 2025: goal 30 − 3×3 = 21; line expects 30 − 3×2 = 24 in 2024; 22.5 ≤ 24 → on track
        # (disadvantaged +10, others +2.5 over two years: 7.5 faster ≥ 6)
        (T.FASTER, 2022, 2025, 3, "on_track", 24.0, 21.0),
        # 4 points a year faster: goal 30 − 12 = 18; line expects 30 − 8 = 22; 22.5 > 22 → off track
        (T.FASTER, 2022, 2025, 4, "off_track", 22.0, 18.0),
    ],
)
def test_status_of_each_type(alpha, type_, baseline_year, target_year, n, code, expected, goal):
    target = make(alpha, type_, baseline_year, target_year, n)
    status = status_of(target, show_small_cohorts=True)
    assert status.code == code, status.explanation
    assert status.latest_year == 2024
    assert status.expected == pytest.approx(expected)
    assert status.goal == pytest.approx(goal)
    # The words quote the latest year first, and the goal the status was judged against.
    assert status.explanation.startswith("2023/24: "), status.explanation
    quoted = re.search(r"goal by \d{4}/\d\d: [≤≥] (\d+(?:\.\d+)?)", status.explanation)
    assert quoted and float(quoted.group(1)) == pytest.approx(goal), status.explanation
    assert "2023/24" in status.explanation


def test_latest_value_and_explanation_quote_the_figures(alpha):
    status = status_of(make(alpha, T.CLOSE_GAP, 2022, 2026, 20), show_small_cohorts=True)
    # gap 2024 = 82.5 − 60 = 22.5; baseline 2022 = 80 − 50 = 30
    assert status.latest == pytest.approx(22.5)
    assert status.baseline == pytest.approx(30.0)
    assert "22.5" in status.explanation and "30.0" in status.explanation and "25.0" in status.explanation
    assert status.label == "On track"


def test_typed_baseline_wins_over_the_imported_figure(alpha):
    # baseline typed as 52: line to 70 by 2026 expects 52 + 18×2/4 = 61 in 2024; latest 60 < 61 → off track
    status = status_of(make(alpha, T.REACH, 2022, 2026, 70, baseline_value=52), show_small_cohorts=True)
    assert status.code == "off_track"
    assert status.expected == pytest.approx(61.0)


def test_typed_gap_baseline_for_gap_vs_national(alpha):
    # typed baseline gap 26 in 2022, national gap 20 → excess 6 → 0 by 2026; line expects 6 − 3 = 3 in 2024;
    # latest excess 2.5 ≤ 3 → on track
    status = status_of(make(alpha, T.GAP_NATIONAL, 2022, 2026, baseline_value=26), show_small_cohorts=True)
    assert status.code == "on_track"
    assert status.baseline == pytest.approx(6.0)


def test_no_data_yet(alpha):
    # no results after the 2024 baseline
    status = status_of(make(alpha, T.REACH, 2024, 2026, 70), show_small_cohorts=True)
    assert status.code == "no_data" and status.label == "No data yet"
    assert "No results for a later year" in status.explanation
    # no baseline figure at all (2019 has no results)
    status = status_of(make(alpha, T.REACH, 2019, 2026, 70), show_small_cohorts=True)
    assert status.code == "no_data"
    assert "No baseline figure" in status.explanation


def test_small_cohorts_withhold_the_status_for_roles_that_must_not_see_them(alpha):
    la, school, measure, dis, other = alpha
    tiny = School.objects.create(urn=901002, la=la, name="Tiny Primary", phase="primary")
    # 2022: 1/4 = 25%; 2024: 3/4 = 75% → reach 50 is met on the 3-year pooled figure too ((1 + 3) ÷ 8 = 50%),
    # but a cohort of 4 < 6 is suppressed for most roles
    for year, achievers in ((2022, 1), (2024, 3)):
        Result.objects.create(
            school=tiny, results_year=year, measure=measure, pupil_group=dis, cohort=4, achievers=achievers
        )
    target = Target.objects.create(
        la=la,
        school=tiny,
        type=T.REACH,
        measure=measure,
        focus_group=dis,
        baseline_year=2022,
        target_year=2025,
        target_value=50,
    )
    assert status_of(target, show_small_cohorts=True).code == "met"
    hidden = status_of(target, show_small_cohorts=False)
    assert hidden.code == "no_data"
    assert "75" not in hidden.explanation


def test_many_targets_in_a_fixed_number_of_queries(alpha, django_assert_max_num_queries):
    la, school, measure, dis, _other = alpha
    targets = [make(alpha, T.CLOSE_GAP, 2022, 2026, n) for n in (10, 15, 20, 25)]
    targets += [make(alpha, T.GAP_NATIONAL, 2022, 2026)]
    for number in range(2, 7):  # five more schools with a target each, and one LA-wide target
        other_school = School.objects.create(urn=901100 + number, la=la, name=f"School {number}")
        Target.objects.create(
            la=la,
            school=other_school,
            type=T.REACH,
            measure=measure,
            focus_group=dis,
            baseline_year=2022,
            target_year=2026,
            target_value=70,
        )
    Target.objects.create(
        la=la, type=T.REACH, measure=measure, focus_group=dis, baseline_year=2022, target_year=2026, target_value=70
    )
    targets = list(
        Target.objects.select_related(
            "school", "la", "area", "cluster", "measure", "focus_group", "focus_group__comparison", "comparison_group"
        ).order_by("pk")
    )
    # one pooled query per scope level (schools, LA) and one national query
    with django_assert_max_num_queries(3):
        statuses = evaluate(targets, show_small_cohorts=True)
    # the LA pools only Alpha's results (the other schools have none): reach 70 from 50 → 60 expected, 60 → on track
    assert statuses[targets[-1].pk].code == "on_track"
    assert statuses[targets[-2].pk].code == "no_data"
    # gap 30 → N by 2026, 2024 line = 30 − (30 − N)/2: N=10 → 20 (22.5 behind), N=15 → 22.5 (on the line),
    # N=20 → 25 (ahead), N=25 → 22.5 ≤ 25 in 2024 alone, but on 20 pupils the pooled gap 25.83 > 25: on track
    assert [statuses[t.pk].code for t in targets[:4]] == ["off_track", "on_track", "on_track", "on_track"]


from schools.models import Result, School  # noqa: E402


def test_cluster_and_area_targets_pool_their_schools(alpha):
    from schools.models import Area, Cluster

    la, school, measure, dis, _other = alpha
    area = Area.objects.create(la=la, name="North")
    cluster = Cluster.objects.create(la=la, area=area, name="Alpha pyramid")
    second = School.objects.create(urn=901050, la=la, name="Second Primary", cluster=cluster, area=area)
    School.objects.filter(pk=school.pk).update(cluster=cluster, area=area)
    # Second Primary, disadvantaged: 2022 0/30 = 0%, 2024 30/30 = 100%.
    # Pooled with Alpha: 2022 (10 + 0)/(20 + 30) = 20%; 2024 (12 + 30)/(20 + 30) = 84%
    # (a mean of school percentages would wrongly give 25% and 80%)
    for year, achievers in ((2022, 0), (2024, 30)):
        Result.objects.create(
            school=second, results_year=year, measure=measure, pupil_group=dis, cohort=30, achievers=achievers
        )
    cluster_target = Target.objects.create(
        la=la,
        cluster=cluster,
        type=T.REACH,
        measure=measure,
        focus_group=dis,
        baseline_year=2022,
        target_year=2026,
        target_value=85,
    )
    area_target = Target.objects.create(
        la=la,
        area=area,
        type=T.CHANGE,
        measure=measure,
        focus_group=dis,
        baseline_year=2022,
        target_year=2024,
        target_value=60,
    )
    statuses = evaluate(Target.objects.all(), show_small_cohorts=True)
    # reach 85 from 20: the line expects 20 + 65×2/4 = 52.5 in 2024; 84 ≥ 52.5 → on track
    assert statuses[cluster_target.pk].code == "on_track"
    assert statuses[cluster_target.pk].baseline == pytest.approx(20.0)
    assert statuses[cluster_target.pk].latest == pytest.approx(84.0)
    # +60 from 20 → 80 by 2024: 84 ≥ 80 → met (with means it would be 25 → 85 and 80: off track)
    assert statuses[area_target.pk].code == "met"
    assert statuses[area_target.pk].goal == pytest.approx(80.0)
