"""Query counts of the gap pages stay fixed whatever the number of schools (≤ 20 per page).

Timings live in ``make bench`` (bench/results.md); this only guards the query counts, which do not depend
on the machine: the same pages are counted with 12 schools and again after the LA grows to 40 — without the
figure cache (every GROUP BY runs) and with it, as the site runs (``GAPMONITOR_FIGURE_CACHE``).
"""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools import demo as demo_module
from schools import figure_cache
from schools.figures import figures
from schools.models import Area, School

MAX_QUERIES = 20


def _pages(la):
    area = Area.objects.filter(la=la, schools__isnull=False).order_by("name").first()
    school = School.objects.filter(la=la, phase="primary", results__isnull=False).order_by("urn").first()
    return {
        "overview": reverse("schools:la_overview"),
        "area": reverse("schools:area", args=[area.pk]),
        "school": reverse("schools:school", args=[school.urn]),
        "priority": reverse("schools:priority"),
        "cluster_rag": reverse("schools:cluster_rag"),
        "priority_csv": reverse("schools:priority_export", args=["priority", "csv"]),
    }


def _counts(client, pages) -> dict[str, int]:
    counts = {}
    for name, url in pages.items():
        client.get(url)  # first request: session, caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(queries)
    return counts


@pytest.mark.django_db
@pytest.mark.parametrize("cached", [False, True], ids=["no-cache", "figure-cache"])
def test_page_query_counts_do_not_grow_with_schools(demo, cached):
    figure_cache.clear()
    with override_settings(GAPMONITOR_FIGURE_CACHE=cached):
        client = Client()
        client.force_login(demo.users["officer"])
        small = _counts(client, _pages(demo.la))
        assert School.objects.filter(la=demo.la).count() == 12

        grown = demo_module.generate(schools=40, years=5, seed=3)  # a new demo batch: the data version changes
        assert School.objects.filter(la=grown.la).count() == 40
        large = _counts(client, _pages(grown.la))
    figure_cache.clear()

    for name in small:
        # The area and school pages may show a different area/school after growing, but never more queries.
        assert large[name] == small[name], (name, small[name], large[name])
        if cached:
            assert small[name] <= MAX_QUERIES, (name, small[name])


@pytest.mark.django_db
def test_figure_cache_sees_an_import(demo):
    """A cached LA figure changes once a new batch writes results (the data version moves)."""
    from schools.models import ImportBatch, Result

    figure_cache.clear()
    with override_settings(GAPMONITOR_FIGURE_CACHE=True):
        key = (2025, "ks2_rwm_exp", "all")
        before = figures(demo.la, measures=["ks2_rwm_exp"], groups=["all"], years=[2025])[key]
        again = figures(demo.la, measures=["ks2_rwm_exp"], groups=["all"], years=[2025])[key]
        assert again == before
        row = (
            Result.objects.filter(
                school__la=demo.la, results_year=2025, measure__code="ks2_rwm_exp", pupil_group__code="all"
            )
            .order_by("pk")
            .first()
        )
        # An import that adds one pupil who reached the standard to one school: pooled Σ achievers + 1, Σ cohort + 1.
        batch = ImportBatch.objects.create(
            format=ImportBatch.Format.LONG, status=ImportBatch.Status.COMMITTED, file_name="one.csv"
        )
        Result.objects.filter(pk=row.pk).update(cohort=row.cohort + 1, achievers=row.achievers + 1, batch=batch)
        figure_cache.forget_version()
        after = figures(demo.la, measures=["ks2_rwm_exp"], groups=["all"], years=[2025])[key]
    figure_cache.clear()
    assert after.cohort == before.cohort + 1
    assert after.numerator == before.numerator + 1


@pytest.mark.django_db
def test_an_edited_result_changes_the_data_version(demo):
    """An ORM edit in any process (e.g. the admin in another worker) adds a history row, which changes
    the data version every process checks before serving cached figures."""
    from schools import figure_cache
    from schools.models import Result

    figure_cache.forget_version()
    before = figure_cache.data_version()
    result = Result.objects.filter(school__la=demo.la).first()
    result.cohort += 1
    result.save()
    figure_cache.forget_version()
    assert figure_cache.data_version() != before
