"""England's benchmarks read as tuples (``figures._benchmark_figures``, what ``national_figures`` reads within a
request) give the same figures, with the same Python types, as the ORM's dict rows (``_figures_from_rows``):
achievers, average points and values, a published value without counts, a marker, provisional rows; by
geography and pooled across geographies."""

from decimal import Decimal

import pytest

from schools import aggregates, figures
from schools.models import Benchmark, Measure, PupilGroup

pytestmark = pytest.mark.django_db

ENGLAND, OTHER = Benchmark.NATIONAL_CODE, "E92000002"


def _benchmarks(key):
    percent = Measure.objects.filter(unit=Measure.Unit.PERCENT).order_by("pk").first()
    average = Measure.objects.filter(unit=Measure.Unit.AVERAGE).order_by("pk").first()
    g = list(PupilGroup.objects.order_by("pk")[:4])
    rows = [
        dict(measure=percent, pupil_group=g[0], cohort=1000, achievers=421),
        dict(measure=percent, pupil_group=g[3], cohort=3, achievers=2, status="provisional"),
        dict(measure=percent, pupil_group=g[1], cohort=None, value=Decimal("42.40")),
        dict(measure=percent, pupil_group=g[2], cohort=None, value=None, value_code="SUPP"),
        dict(measure=average, pupil_group=g[0], cohort=800, value=Decimal("104.37")),
        dict(measure=average, pupil_group=g[1], cohort=200, points=Decimal("20876.50")),
    ]
    for code in (ENGLAND, OTHER):
        for year in (2023, 2024):
            for row in rows:
                Benchmark.objects.create(geography_code=code, kind="national", results_year=year, **row)
    queryset = (
        Benchmark.objects.filter(geography_code__in=[ENGLAND, OTHER])
        .values(*key, "results_year", "measure__code", "pupil_group__code", "measure__unit")
        .annotate(**aggregates.pooled_sums())
        .order_by()
    )
    return queryset, (percent.code, g[0].code)


@pytest.mark.parametrize("key", [("geography_code",), ()])
def test_tuples_give_the_orm_figures_and_types(key):
    queryset, (percent, group) = _benchmarks(key)
    expected = figures._figures_from_rows(queryset, key)
    got = figures._benchmark_figures(queryset, key)
    assert len(expected) == (24 if key else 12)
    assert got == expected
    for k, figure in expected.items():
        for name in ("cohort", "numerator", "value", "value_cohort", "schools", "code", "status"):
            assert type(getattr(got[k], name)) is type(getattr(figure, name)), (k, name)
    pooled = got[(*((ENGLAND,) if key else ()), 2024, percent, group)]
    assert pooled.value == pytest.approx(42.1)
    assert pooled.cohort == (1000 if key else 2000)


def test_no_benchmarks_no_figures():
    queryset = Benchmark.objects.filter(geography_code="nowhere").values("results_year")
    assert figures._benchmark_figures(queryset.annotate(**aggregates.pooled_sums()), ()) == {}
