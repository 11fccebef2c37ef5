"""The gap engine's interface as other apps use it: Figure, gap, figures, benchmark_figures."""

import pytest

from schools.figures import benchmark_figures, figures
from schools.gaps import Figure, gap
from schools.models import Area, Benchmark, Cluster, LocalAuthority, Measure, PupilGroup, Result, School


class _M:
    def __init__(self, higher_is_better=True, unit="percent"):
        self.higher_is_better, self.unit = higher_is_better, unit


def test_gap_is_comparison_minus_focus():
    # 75 − 53 = 22 points; positive = focus behind.
    assert gap(_M(), Figure(100, 53, 53.0), Figure(100, 75, 75.0)) == pytest.approx(22.0)


def test_gap_flips_sign_for_lower_is_better():
    # Persistent absence: focus 30%, comparison 12% → 12 − 30 = −18, flipped → +18 (focus behind).
    assert gap(_M(higher_is_better=False), Figure(10, 3, 30.0), Figure(100, 12, 12.0)) == pytest.approx(18.0)


def test_gap_none_when_either_missing():
    assert gap(_M(), Figure(3, None, None, "SUPP"), Figure(100, 75, 75.0)) is None
    assert gap(_M(), None, Figure(100, 75, 75.0)) is None


@pytest.fixture
def tiny_la(db):
    """Two schools in one cluster/area; KS2 RWM for disadvantaged pupils.

    School A: 1 of 2 disadvantaged pupils reach it (50%); school B: 30 of 40 (75%).
    Pooled: (1 + 30) ÷ (2 + 40) = 31/42 = 73.81%; the mean of school percentages would be 62.5%.
    """
    la = LocalAuthority.objects.create(code="998", name="Tinyshire")
    area = Area.objects.create(la=la, name="Middle")
    cluster = Cluster.objects.create(la=la, area=area, name="Pyramid")
    measure = Measure.objects.get(code="ks2_rwm_exp")
    dis = PupilGroup.objects.get(code="disadvantaged")
    a = School.objects.create(urn=900001, la=la, name="A", area=area, cluster=cluster)
    b = School.objects.create(urn=900002, la=la, name="B", area=area, cluster=cluster)
    Result.objects.create(
        school=a, results_year=2024, measure=measure, pupil_group=dis, cohort=2, achievers=1, value=50, status="final"
    )
    Result.objects.create(
        school=b,
        results_year=2024,
        measure=measure,
        pupil_group=dis,
        cohort=40,
        achievers=30,
        value=75,
        status="provisional",
    )
    Benchmark.objects.create(
        geography_code=Benchmark.NATIONAL_CODE,
        kind="national",
        results_year=2024,
        measure=measure,
        pupil_group=dis,
        cohort=200_000,
        achievers=92_000,
        value=46,
    )
    return dict(la=la, area=area, cluster=cluster, a=a, b=b)


def test_figures_pool_counts_at_every_level(tiny_la, django_assert_num_queries):
    key = (2024, "ks2_rwm_exp", "disadvantaged")
    for scope in (tiny_la["la"], tiny_la["area"], tiny_la["cluster"]):
        with django_assert_num_queries(1):
            result = figures(scope, measures=["ks2_rwm_exp"], groups=["disadvantaged"], years=[2024])
        figure = result[key]
        assert figure.cohort == 42 and figure.numerator == 31
        assert figure.value == pytest.approx(100 * 31 / 42)  # 73.81, not the 62.5 mean of 50 and 75
        assert figure.status == "provisional"  # one provisional school makes the pooled figure provisional
    school = figures(tiny_la["a"], measures=["ks2_rwm_exp"], groups=["disadvantaged"], years=[2024])[key]
    assert (school.cohort, school.numerator, school.value) == (2, 1, 50.0)


def test_benchmark_figures(tiny_la):
    national = benchmark_figures(
        Benchmark.NATIONAL_CODE, measures=["ks2_rwm_exp"], groups=["disadvantaged"], years=[2024]
    )
    # 92,000 ÷ 200,000 = 46%
    assert national[(2024, "ks2_rwm_exp", "disadvantaged")].value == pytest.approx(46.0)


def test_missing_figure_keeps_its_code(tiny_la):
    measure, dis = Measure.objects.get(code="ks2_rwm_exp"), PupilGroup.objects.get(code="disadvantaged")
    Result.objects.create(school=tiny_la["a"], results_year=2023, measure=measure, pupil_group=dis, value_code="SUPP")
    figure = figures(tiny_la["a"], measures=["ks2_rwm_exp"], groups=["disadvantaged"], years=[2023])[
        (2023, "ks2_rwm_exp", "disadvantaged")
    ]
    assert figure.value is None and figure.code == "SUPP" and figure.cohort is None
