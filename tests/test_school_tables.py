"""An area's or cluster's table of schools is read from the judgements kept for the page's choices when they are
kept (``dashboard.common.school_table``), and is then the very table built from the schools' rows: the same
page, export and order, for a viewer who sees small cohorts and one who does not, on every comparator and
sort order."""

import re

import pytest
from django.urls import reverse

from schools import access, stored_judgements
from schools.dashboard import common
from schools.models import JudgementSet, Result

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "?comparator=within",
    "?comparator=like",
    "?schools-sort=-trend",
    "?schools-sort=chosen",
    "?schools-sort=-cohort&comparator=within",
    "?schools-sort=focus",
    "?schools-sort=name",
]


def _pages(client, url: str, monkeypatch):
    """The page and its schools export, and whether the page built its schools' rows (``org_rows`` of schools)
    rather than reading them from kept judgements."""
    built = []
    org_rows = common.org_rows

    def spy(opts, kind, *args):
        built.append(kind)
        return org_rows(opts, kind, *args)

    monkeypatch.setattr(common, "org_rows", spy)
    page = client.get(url)
    assert page.status_code == 200, url
    path, query = (url.split("?", 1) + [""])[:2]
    export = client.get(f"{path}export/schools.csv" + (f"?{query}" if query else ""))
    monkeypatch.setattr(common, "org_rows", org_rows)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page.content.decode())  # new each request
    return html, export.content.decode(), "school" in built


def _both_ways(client, url: str, monkeypatch):
    kept = _pages(client, url, monkeypatch)
    JudgementSet.objects.all().delete()
    built = _pages(client, url, monkeypatch)
    return kept, built


@pytest.mark.parametrize("query", QUERIES)
def test_area_schools_from_kept_judgements_are_the_built_table(role_client, demo, query, monkeypatch):
    # One school without the latest year's results, so its row ends a year earlier (the Year column appears).
    Result.objects.filter(school=demo.schools[1], results_year=max(demo.years)).delete()
    stored_judgements.warm([demo.la])
    primary = next(school for school in demo.schools if school.phase == "primary")  # the default measure is KS2
    kept, built = _both_ways(
        role_client("officer"), reverse("schools:area", args=[primary.area.pk]) + query, monkeypatch
    )
    assert not kept[2] and built[2]  # the first read the kept judgements, the second built the rows
    assert kept[:2] == built[:2]
    assert f">{primary.name}</a></th>" in kept[0]


def test_area_and_cluster_schools_for_a_viewer_who_does_not_see_small_cohorts(role_client, demo, monkeypatch):
    adviser = demo.users["adviser"]
    assert not access.sees_small_cohorts(adviser)
    primary = next(school for school in demo.schools if school.phase == "primary")
    adviser.profile.area = primary.area  # an adviser covering an area sees it, its clusters and their schools
    adviser.profile.save()
    client = role_client("adviser")
    pages = [reverse("schools:area", args=[primary.area.pk]), reverse("schools:cluster", args=[primary.cluster.pk])]
    for url in pages:
        for query in ("", "?comparator=within", "?schools-sort=-chosen"):
            stored_judgements.warm([demo.la])
            kept, built = _both_ways(client, url + query, monkeypatch)
            assert not kept[2] and built[2]
            assert kept[:2] == built[:2]
            assert f">{primary.name}</a></th>" in kept[0]
