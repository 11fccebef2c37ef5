"""A school's pooled rows are read the quick way — straight from its results, one row per result, no GROUP BY
(``schools.pooling.school_rows``) — and the clusters', areas' and LAs' are kept on write; both must equal the
plain GROUP BY of the results (``schools.pooling.pooled_query``, what ``check_figures`` recomputes) for every kind
of figure: counts (percent), points (average), a value only (rate), markers, no cohort, provisional and revised
figures, schools outside any cluster or area; nothing is kept for a school."""

from decimal import Decimal

import pytest
from django.db.models import Q

from schools import aggregate_checks, aggregates
from schools.imports.committing import import_file
from schools.models import Area, Cluster, LocalAuthority, Measure, PooledFigure, PupilGroup, Result, School
from schools.pooling import COLUMNS, KEPT_LEVELS, LEVELS, SELECTED_KEY, SUMS, pooled_query, school_rows

pytestmark = pytest.mark.django_db

HEADER = "urn,results_year,measure,pupil_group,cohort,achievers,points,value,status\n"
FILE = (
    HEADER
    # Riverside (North): 9 of 18 and 14 of 30 reach the standard; one average of 20 pupils, 2,100 points.
    + "400001,2024,ks2_rwm_exp,disadvantaged,18,9,,,final\n"
    + "400002,2024,ks2_rwm_exp,disadvantaged,30,14,,,provisional\n"
    + "400001,2024,ks2_read_avg,disadvantaged,20,,2100,,final\n"
    # Hilltop (South): a suppressed figure (a marker, no number) and a value-only rate.
    + "400003,2024,ks2_rwm_exp,disadvantaged,8,SUPP,,,revised\n"
    + "400003,2024,suspension_rate,all,120,,,4.5,final\n"
    # No cluster, no area: a value without its cohort, and a percentage given only as a value.
    + "400004,2024,suspension_rate,all,,,,2.25,final\n"
    + "400004,2023,ks2_rwm_exp,disadvantaged,25,,,64,final\n"
)


@pytest.fixture
def schools(db):
    la = LocalAuthority.objects.create(code="996", name="Rollupshire")
    north, south = Area.objects.create(la=la, name="North"), Area.objects.create(la=la, name="South")
    riverside = Cluster.objects.create(la=la, name="Riverside", area=north)
    hilltop = Cluster.objects.create(la=la, name="Hilltop", area=south)
    places = [(riverside, north), (riverside, north), (hilltop, south), (None, None)]
    return [
        School.objects.create(urn=400001 + i, la=la, name=f"School {i}", cluster=cluster, area=area)
        for i, (cluster, area) in enumerate(places)
    ]


def _school_rows(orgs: Q | None = None) -> dict:
    fields = ("org_id", "results_year", "measure_id", "pupil_group_id", *SUMS)
    return {("school", *row[:4]): row[4:] for row in school_rows(orgs or Q()).values_list(*fields)}


def _kept() -> dict:
    kept = {row[:5]: row[5:] for row in PooledFigure.objects.filter(level__in=KEPT_LEVELS).values_list(*COLUMNS)}
    return kept | _school_rows()


def _grouped() -> dict:
    return {row[:5]: row[5:] for level in LEVELS for row in pooled_query(level).values_list(*SELECTED_KEY, *SUMS)}


def _assert_equal(kept: dict, grouped: dict) -> None:
    assert kept.keys() == grouped.keys()
    for key, sums in kept.items():
        for name, a, b in zip(SUMS, sums, grouped[key], strict=True):
            if isinstance(a, float) or isinstance(b, float):
                assert a == pytest.approx(b, rel=1e-12), (key, name)
            elif name == "marker":
                assert (a or "") == (b or ""), (key, name)
            else:
                assert a == b, (key, name)


def test_kept_rows_equal_the_group_by_of_the_results(schools):
    import_file(data=FILE.encode(), file_name="results.csv", format="long")
    assert Result.objects.count() == 7
    _assert_equal(_kept(), _grouped())
    assert aggregate_checks.differences() == (0, [])

    rwm = Measure.objects.get(code="ks2_rwm_exp")
    disadvantaged = PupilGroup.objects.get(code="disadvantaged")
    riverside = PooledFigure.objects.get(
        level="cluster", org_id=schools[0].cluster_id, results_year=2024, measure=rwm, pupil_group=disadvantaged
    )
    # 23 of 48 (not the mean of 50 % and 46.7 %); one of the two provisional.
    assert (riverside.total_cohort, riverside.numerator, riverside.rows, riverside.provisional) == (48, 23.0, 2, 1)
    la = PooledFigure.objects.get(
        level="la", org_id=schools[0].la_id, results_year=2024, measure=rwm, pupil_group=disadvantaged
    )
    # The suppressed 8 pupils count in the cohort but not in the numerator's cohort; their marker is kept.
    assert (la.total_cohort, la.counted, la.numerator, la.value_cohort) == (56, 3, 23.0, 48)
    assert (la.marker, la.revised, la.provisional) == ("SUPP", 1, 1)
    # A percentage given only as a value: 64 % of 25 pupils is 16 achievers.
    (school,) = _school_rows(Q(org_id=schools[3].pk, results_year=2023, measure=rwm)).values()
    total_cohort, counted, rows, numerator, value_cohort, published, *_rest = school
    assert (total_cohort, counted, rows, numerator, value_cohort) == (25, 1, 1, 16.0, 25)
    assert Decimal(published) == Decimal("64.00")
    assert not PooledFigure.objects.exclude(level__in=KEPT_LEVELS + ("published",)).exists()


def test_rebuild_and_a_measure_repooled_equal_the_group_by_too(schools):
    import_file(data=FILE.encode(), file_name="results.csv", format="long")
    PooledFigure.objects.all().delete()
    aggregates.rebuild()
    _assert_equal(_kept(), _grouped())
    PooledFigure.objects.filter(measure__code="ks2_rwm_exp").delete()
    aggregates.repool_measure(Measure.objects.get(code="ks2_rwm_exp").pk)
    _assert_equal(_kept(), _grouped())


def test_an_import_that_overwrites_a_result_changes_its_school_row_and_the_cluster_above(schools):
    import_file(data=FILE.encode(), file_name="results.csv", format="long")
    again = HEADER + "400001,2024,ks2_rwm_exp,disadvantaged,18,10,,,final\n"
    import_file(data=again.encode(), file_name="again.csv", format="long")
    _assert_equal(_kept(), _grouped())
    (school,) = _school_rows(Q(org_id=schools[0].pk, results_year=2024, measure__code="ks2_rwm_exp")).values()
    assert (school[0], school[3]) == (18, 10.0)
    riverside = PooledFigure.objects.get(
        level="cluster", org_id=schools[0].cluster_id, results_year=2024, measure__code="ks2_rwm_exp"
    )
    # 10 of 18 and 14 of 30: 24 of 48.
    assert (riverside.total_cohort, riverside.numerator) == (48, 24.0)


def test_a_school_moved_out_of_its_cluster_leaves_the_cluster_its_other_school(schools):
    import_file(data=FILE.encode(), file_name="results.csv", format="long")
    moved = schools[1]
    moved.cluster, moved.area = None, None
    moved.save()
    _assert_equal(_kept(), _grouped())
    riverside = PooledFigure.objects.get(
        level="cluster", org_id=schools[0].cluster_id, results_year=2024, measure__code="ks2_rwm_exp"
    )
    assert (riverside.total_cohort, riverside.numerator) == (18, 9.0)
