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


def test_kept_rows_read_as_tuples_give_the_orm_figures():
    """The kept pooled rows read as tuples (``figures._pooled``, ``_whole_table``) give the figures the ORM's rows
    give, with the same types: counts, a published value without counts, a marker, several rows without counts."""
    from django.db.models import Q

    from schools.models import PooledFigure

    percent = Measure.objects.filter(unit=Measure.Unit.PERCENT).order_by("pk").first()
    g = list(PupilGroup.objects.order_by("pk")[:4])
    sums = dict(total_cohort=None, counted=0, numerator=None, value_cohort=None, marker="", provisional=0, revised=0)
    rows = [
        dict(sums, pupil_group=g[0], rows=3, total_cohort=90, counted=3, numerator=40.0, value_cohort=90, published=42),
        dict(sums, pupil_group=g[1], rows=1, published=Decimal("42.40"), provisional=1),
        dict(sums, pupil_group=g[2], rows=1, marker="SUPP"),
        dict(sums, pupil_group=g[3], rows=2, published=Decimal("7.25"), revised=1),
    ]
    for org_id in (1, 2):
        for row in rows:
            PooledFigure.objects.create(level="area", org_id=org_id, results_year=2024, measure=percent, **row)
    fields = ("results_year", "measure__code", "pupil_group__code", "measure__unit", *aggregates.SUMS)
    kept = PooledFigure.objects.filter(level="area").order_by()
    expected = figures._figures_from_rows(kept.values("org_id", *fields), ("org_id",))
    got = figures._pooled("area", Q(org_id__in=[1, 2]), measures=None, groups=None, years=None, keyed=True)
    assert got == expected and len(got) == 8
    for k, figure in expected.items():
        for name in ("cohort", "numerator", "value", "value_cohort", "schools", "code", "status"):
            assert type(getattr(got[k], name)) is type(getattr(figure, name)), (k, name)
    assert got[(1, 2024, percent.code, g[1].code)].value == 42.4
    whole = figures._whole_table("area", 2)
    in_area = {key[1:]: figure for key, figure in got.items() if key[0] == 2}
    assert {key: figures._figure(*sums) for key, sums in whole.items()} == in_area
