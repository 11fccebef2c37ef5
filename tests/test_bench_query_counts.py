"""Query counts of the gap pages stay fixed whatever the number of schools (≤ 20 per page).

Timings live in ``make bench`` (bench/results.md); this only guards the query counts, which do not depend
on the machine: the same pages are counted with 12 schools and again after the LA grows to 40. There is no
per-process cache: every figure is read from the pooled figures kept on write (``schools.aggregates``).
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools import demo as demo_module
from schools.figures import figures
from schools.models import Area, Cluster, School

MAX_QUERIES = 20


def _pages(la):
    area = Area.objects.filter(la=la, schools__isnull=False).order_by("name").first()
    school = School.objects.filter(la=la, phase="primary", results__isnull=False).order_by("urn").first()
    cluster = Cluster.objects.filter(la=la, schools__isnull=False).order_by("name").first()
    return {
        "overview": reverse("schools:la_overview"),
        "overview_detail": reverse("schools:la_overview_detail"),
        "area": reverse("schools:area", args=[area.pk]),
        "cluster": reverse("schools:cluster", args=[cluster.pk]),
        "school": reverse("schools:school", args=[school.urn]),
        "priority": reverse("schools:priority"),
        "cluster_rag": reverse("schools:cluster_rag"),
        "priority_csv": reverse("schools:priority_export", args=["priority", "csv"]),
    }


def _get(client, url):
    """The response, read to its end: a streamed export (the priority CSV) runs its queries as it is read, and
    its request ends only then."""
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def _counts(client, pages) -> dict[str, int]:
    counts = {}
    for name, url in pages.items():
        _get(client, url)  # first request: session, caches
        with CaptureQueriesContext(connection) as queries:
            response = _get(client, url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(queries)
    return counts


@pytest.mark.django_db
def test_page_query_counts_do_not_grow_with_schools(demo):
    client = Client()
    client.force_login(demo.users["officer"])
    small = _counts(client, _pages(demo.la))
    assert School.objects.filter(la=demo.la).count() == 12

    grown = demo_module.generate(schools=40, years=5, seed=3)
    assert School.objects.filter(la=grown.la).count() == 40
    large = _counts(client, _pages(grown.la))

    for name in small:
        # The area and school pages may show a different area/school after growing, but never more queries.
        assert large[name] == small[name], (name, small[name], large[name])
        assert small[name] <= MAX_QUERIES, (name, small[name])


@pytest.mark.django_db
def test_an_import_reaches_the_next_page_read(demo):
    """An import that adds one pupil who reached the standard to one school: the LA's pooled Σ achievers and
    Σ cohort each go up by one on the next read (the pooled figures are refreshed with the import's write)."""
    from schools import aggregates
    from schools.models import ImportBatch, Result

    key = (2025, "ks2_rwm_exp", "all")
    before = figures(demo.la, measures=["ks2_rwm_exp"], groups=["all"], years=[2025])[key]
    row = (
        Result.objects.filter(
            school__la=demo.la, results_year=2025, measure__code="ks2_rwm_exp", pupil_group__code="all"
        )
        .order_by("pk")
        .first()
    )
    batch = ImportBatch.objects.create(
        format=ImportBatch.Format.LONG, status=ImportBatch.Status.COMMITTED, file_name="one.csv"
    )
    Result.objects.filter(pk=row.pk).update(cohort=row.cohort + 1, achievers=row.achievers + 1, batch=batch)
    aggregates.touch_batch(batch).refresh()  # the batch's results re-pooled, as a rollback re-pools them
    after = figures(demo.la, measures=["ks2_rwm_exp"], groups=["all"], years=[2025])[key]
    assert after.cohort == before.cohort + 1
    assert after.numerator == before.numerator + 1


def _more_las(count: int) -> None:
    """``count`` more LAs, each with a school, its results, its published figure and a statistical neighbour."""
    from schools.models import Benchmark, LocalAuthority, Measure, PupilGroup, Result, StatisticalNeighbour

    measure = Measure.objects.get(code="ks2_rwm_exp")
    groups = list(PupilGroup.objects.filter(code__in=["disadvantaged", "not_disadvantaged", "all"]))
    for index in range(count):
        code = str(700 + index)
        la = LocalAuthority.objects.create(code=code, name=f"Countshire {code}")
        school = School.objects.create(urn=700_000 + index, la=la, name=f"Count Primary {index}", phase="primary")
        for group in groups:
            Result.objects.create(
                school=school, results_year=2025, measure=measure, pupil_group=group, cohort=20, achievers=12
            )
            Benchmark.objects.create(
                geography_code=code, kind="la", results_year=2025, measure=measure, pupil_group=group, value=60
            )
        StatisticalNeighbour.objects.create(la_code=code, neighbour_code="999", rank=1)


@pytest.mark.django_db
def test_the_all_la_page_query_count_does_not_grow_with_las(demo):
    """The national officer's all-LA page and its export: the same queries with one LA and with six."""
    client = Client()
    client.force_login(demo.users["national"])
    pages = {
        "national": reverse("schools:national"),
        "national_csv": reverse("schools:national_export", args=["every-measure", "csv"]),
    }
    one = _counts(client, pages)
    _more_las(5)
    six = _counts(client, pages)
    assert one == six
    assert max(one.values()) <= MAX_QUERIES, one
