"""The pooled figures kept on write are worked out the quick way at school level — a school's rows from its
results one row per result, no GROUP BY, only the measures an import wrote — and must equal the plain GROUP BY of
the results (``schools.pooling.pooled_query``, what ``check_figures`` recomputes) for every kind of figure: counts
(percent), points (average), a value only (rate), markers, no cohort, provisional and revised figures, schools
outside any cluster or area; an import of one measure leaves the others' rows as they were."""

from decimal import Decimal

import pytest

from schools import aggregate_checks, aggregates
from schools.imports.committing import import_file
from schools.models import Area, Cluster, LocalAuthority, Measure, PooledFigure, PupilGroup, Result, School
from schools.pooling import COLUMNS, LEVELS, SELECTED_KEY, SUMS, pooled_query

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


def _kept() -> dict:
    return {row[:5]: row[5:] for row in PooledFigure.objects.filter(level__in=LEVELS).values_list(*COLUMNS)}


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
    school = PooledFigure.objects.get(
        level="school", org_id=schools[3].pk, results_year=2023, measure=rwm, pupil_group=disadvantaged
    )
    assert (school.total_cohort, school.numerator, school.published) == (25, 16.0, Decimal("64.00"))


def test_rebuild_and_a_measure_repooled_equal_the_group_by_too(schools):
    import_file(data=FILE.encode(), file_name="results.csv", format="long")
    PooledFigure.objects.all().delete()
    aggregates.rebuild()
    _assert_equal(_kept(), _grouped())
    PooledFigure.objects.filter(measure__code="ks2_rwm_exp").delete()
    aggregates.repool_measure(Measure.objects.get(code="ks2_rwm_exp").pk)
    _assert_equal(_kept(), _grouped())


def test_an_import_of_one_measure_repools_only_its_school_rows_and_leaves_the_others_right(schools):
    import_file(data=FILE.encode(), file_name="results.csv", format="long")
    rates = set(
        PooledFigure.objects.filter(level="school", measure__code="suspension_rate").values_list("pk", flat=True)
    )
    again = HEADER + "400001,2024,ks2_rwm_exp,disadvantaged,18,10,,,final\n"
    import_file(data=again.encode(), file_name="again.csv", format="long")
    assert (
        set(PooledFigure.objects.filter(level="school", measure__code="suspension_rate").values_list("pk", flat=True))
        == rates
    )
    _assert_equal(_kept(), _grouped())
    school = PooledFigure.objects.get(
        level="school", org_id=schools[0].pk, results_year=2024, measure__code="ks2_rwm_exp"
    )
    assert (school.total_cohort, school.numerator) == (18, 10.0)


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
