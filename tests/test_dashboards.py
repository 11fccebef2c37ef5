"""Gap pages: render for the demo LA, a fixed number of queries at two sizes, scoping, suppression, exports.
They run with every cache on, as in production (tests/conftest.py)."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from schools import demo as demo_module
from schools.models import Measure, PupilGroup, Result, School
from tests.response_support import body


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _pages(ctx):
    """One URL per page kind for a demo context (same organisations at both sizes)."""
    school = ctx.schools[0]
    return {
        "overview": "/overview/",
        "overview_detail": "/overview/detail/",
        "area": f"/areas/{ctx.areas[0].pk}/",
        "cluster": f"/clusters/{ctx.clusters[0].pk}/",
        "school": f"/schools/{school.urn}/",
        "school_groups": f"/schools/{school.urn}/groups/",
        "school_measure": f"/schools/{school.urn}/measures/ks2_rwm_exp/",
        "school_list": "/schools/",
        "priority": "/priority/",
        "gap_busters": "/gap-busters/",
        "cluster_rag": "/cluster-rag/",
        "overview_export": "/overview/export/clusters.csv",
        "area_export": f"/areas/{ctx.areas[0].pk}/export/schools.xlsx",
        "school_export": f"/schools/{school.urn}/export/headline.csv",
        "priority_export": "/priority/export/priority.csv",
        "rag_export": "/cluster-rag/export/rag.xlsx",
    }


def _count(client, url):
    # The first read after a write judges the LA's schools and keeps the judgements (schools.stored_judgements):
    # its INSERTs come in batches that SQLite's 999-parameter limit makes grow with the schools. Count the read
    # that follows, as every later visitor meets it.
    body(client.get(url))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        body(response)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.mark.django_db
def test_same_number_of_queries_for_8_and_30_schools(settings):
    small = demo_module.generate(schools=8, years=5, seed=3)
    officer = _client(small.users["officer"])
    counts_small = {name: _count(officer, url) for name, url in _pages(small).items()}
    big = demo_module.generate(schools=30, years=5, seed=3)
    assert len(big.schools) == 30 and len(big.clusters) > len(small.clusters)
    officer = _client(big.users["officer"])
    counts_big = {name: _count(officer, url) for name, url in _pages(big).items()}
    assert counts_small == counts_big, {
        k: (counts_small[k], counts_big[k]) for k in counts_big if counts_small[k] != counts_big[k]
    }
    # Budgets: a handful of GROUP BY queries per page, whatever the number of schools.
    print("query counts:", counts_big)
    assert max(counts_big.values()) <= 30, counts_big


@pytest.mark.django_db
def test_pages_render_for_the_demo_la(role_client, demo):
    officer = role_client("officer")
    for name, url in _pages(demo).items():
        response = officer.get(url)
        assert response.status_code == 200, name
    summary = officer.get("/overview/").content.decode()
    assert "Demoshire against England" in summary and "Schools to challenge" in summary
    assert "Targets on and off track" in summary and 'href="/overview/detail/' in summary
    page = officer.get("/overview/detail/").content.decode()
    assert "Findings" in page and "Headline measures" in page
    # Gap columns have short headers; the key in the caption names each comparator in full.
    assert "Gap vs England: Disadvantaged (Demoshire) vs not disadvantaged (other pupils) nationally" in page
    assert "vendor/plotly.min.js" in page and "js/charts.js" in page
    assert 'type="application/json"' in page and "<caption>" in page and 'scope="col"' in page
    assert "Data status:" in page and "2024/25 results: final" in page  # final by November 2026
    switched = officer.get("/overview/detail/?comparator=within").content.decode()
    assert "Gap here: Disadvantaged vs not disadvantaged (other pupils) (here)" in switched
    school_page = officer.get(f"/schools/{demo.schools[0].urn}/").content.decode()
    assert "Ofsted: latest graded inspection (1–4 scale)" in school_page and "report card" in school_page
    assert "pupils against England" in school_page and "What is due" in school_page
    measure_page = officer.get(f"/schools/{demo.schools[0].urn}/measures/ks2_rwm_exp/").content.decode()
    assert "Every group and year" in measure_page


def test_no_inline_script(role_client, demo):
    page = role_client("officer").get("/overview/").content.decode()
    import re

    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_anonymous_redirected_to_login(client, demo):
    for url in ["/overview/", f"/schools/{demo.schools[0].urn}/", "/priority/", "/cluster-rag/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ----------------------------------------------------------------------- scoping
def test_headteacher_sees_only_their_school(role_client, demo):
    head = role_client("head")
    own = demo.users["head"].profile.school
    other = next(s for s in demo.schools if s.pk != own.pk)
    assert head.get(f"/schools/{own.urn}/").status_code == 200
    assert head.get(f"/schools/{other.urn}/").status_code == 404
    assert head.get(f"/schools/{other.urn}/export/headline.csv").status_code == 404
    assert head.get(f"/areas/{own.area_id}/").status_code == 404
    assert head.get(f"/clusters/{own.cluster_id}/").status_code == 404
    assert head.get("/overview/").status_code == 404
    priority = head.get("/priority/?measure=ks2_rwm_exp").content.decode()
    for school in demo.schools:
        if school.pk != own.pk:
            assert f"/schools/{school.urn}/" not in priority


def test_adviser_sees_only_assigned_schools(role_client, demo):
    adviser = role_client("adviser")
    assigned = set(demo.users["adviser"].profile.schools.values_list("urn", flat=True))
    assert assigned
    for school in demo.schools:
        expected = 200 if school.urn in assigned else 404
        assert adviser.get(f"/schools/{school.urn}/").status_code == expected
    busters = adviser.get("/gap-busters/?measure=ks2_rwm_exp").content.decode()
    for school in demo.schools:
        if school.urn not in assigned:
            assert f"/schools/{school.urn}/" not in busters


# ----------------------------------------------------------------------- suppression on pages
@pytest.fixture
def small_cohort(demo):
    """The head's school gets 3 disadvantaged pupils (1 reaching KS2 RWM, 33.3%) in the latest year;
    all pupils and other pupils are set so that all = disadvantaged + others (3 + 27 = 30)."""
    school = demo.users["head"].profile.school
    measure = Measure.objects.get(code="ks2_rwm_exp")
    year = max(demo.years)
    groups = {g.code: g for g in PupilGroup.objects.filter(code__in=["all", "disadvantaged", "not_disadvantaged"])}
    for code, (cohort, achievers) in {"disadvantaged": (3, 1), "not_disadvantaged": (27, 21), "all": (30, 22)}.items():
        Result.objects.update_or_create(
            school=school,
            results_year=year,
            measure=measure,
            pupil_group=groups[code],
            defaults=dict(cohort=cohort, achievers=achievers, value=round(100 * achievers / cohort), value_code=""),
        )
    return school, year


def test_small_cohorts_suppressed_for_headteacher_not_for_officer(role_client, small_cohort):
    school, year = small_cohort
    url = f"/schools/{school.urn}/export/figures-ks2_rwm_exp.csv"
    rows = list(csv.reader(io.StringIO(role_client("head").get(url).content.decode())))
    header = rows[2]
    year_i, group_i, value_i = header.index("Year"), header.index("Group"), header.index("Value")
    latest = {r[group_i]: r for r in rows[3:] if r[year_i] == str(year)}
    assert latest["Disadvantaged"][value_i] == "SUPP"  # 3 pupils < 6
    assert latest["Not disadvantaged (other pupils)"][value_i] == "SUPP2"  # 30 − 27 would give 3 back
    assert float(latest["All pupils"][value_i]) == pytest.approx(73.33, abs=0.01)  # 22/30 stays
    rows = list(csv.reader(io.StringIO(role_client("officer").get(url).content.decode())))
    latest = {r[group_i]: r for r in rows[3:] if r[year_i] == str(year)}
    assert float(latest["Disadvantaged"][value_i]) == pytest.approx(33.33, abs=0.01)  # 1/3


def test_suppressed_school_not_ranked_but_counted_in_cluster(role_client, small_cohort):
    school, year = small_cohort
    officer = role_client("officer")
    cluster_rows = list(
        csv.reader(
            io.StringIO(officer.get(f"/overview/export/clusters.csv?measure=ks2_rwm_exp&year={year}").content.decode())
        )
    )
    header = cluster_rows[2]
    mine = next(r for r in cluster_rows[3:] if r[0] == school.cluster.name)
    # The cluster's disadvantaged cohort includes the 3 pupils of the suppressed school.
    expected = sum(
        Result.objects.filter(
            school__cluster=school.cluster,
            results_year=year,
            measure__code="ks2_rwm_exp",
            pupil_group__code="disadvantaged",
        ).values_list("cohort", flat=True)
    )
    assert int(float(mine[header.index("Pupils")])) == expected
    adviser_view = role_client("head").get(f"/priority/?measure=ks2_rwm_exp&year={year}").content.decode()
    assert f"/schools/{school.urn}/" not in adviser_view  # suppressed: never ranked
    assert "not ranked" in adviser_view
    # An LA officer sees the small group's figure, but it is not ranked or celebrated either.
    officer_view = officer.get(f"/priority/?measure=ks2_rwm_exp&year={year}").content.decode()
    assert f'/schools/{school.urn}/"' not in officer_view.split("<caption>")[1]
    busters = officer.get(f"/gap-busters/?measure=ks2_rwm_exp&year={year}").content.decode()
    assert f'/schools/{school.urn}/"' not in busters.split("<caption>")[1]


def _csv(client, url):
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    return rows[2], rows[3:]


def test_figures_follow_an_edit_and_a_move(role_client, demo):
    officer = role_client("officer")
    school = next(
        s
        for s in demo.schools
        if s.phase == "primary" and s.cluster_id and School.objects.filter(cluster_id=s.cluster_id).count() > 1
    )
    year = max(Result.objects.filter(school=school, measure__code="ks2_rwm_exp").values_list("results_year", flat=True))
    url = f"/schools/{school.urn}/export/figures-ks2_rwm_exp.csv"
    result = Result.objects.get(school=school, results_year=year, measure__code="ks2_rwm_exp", pupil_group__code="all")
    result.achievers = result.cohort // 4
    result.save()  # as the admin does
    header, rows = _csv(officer, url)
    mine = next(r for r in rows if r[header.index("Year")] == str(year) and r[header.index("Group")] == "All pupils")
    assert float(mine[header.index("Value")]) == pytest.approx(100 * (result.cohort // 4) / result.cohort, abs=0.01)

    clusters = f"/overview/export/clusters.csv?measure=ks2_rwm_exp&year={year}"
    old = school.cluster
    header, rows = _csv(officer, clusters)
    pupils = header.index("Pupils")
    before = int(float(next(r for r in rows if r[0] == old.name)[pupils]))
    moved = Result.objects.get(
        school=school, results_year=year, measure__code="ks2_rwm_exp", pupil_group__code="disadvantaged"
    ).cohort
    assert moved > 0
    school.cluster = next(c for c in demo.clusters if c.pk != old.pk)
    school.save()
    header, rows = _csv(officer, clusters)
    assert int(float(next(r for r in rows if r[0] == old.name)[pupils])) == before - moved


# ----------------------------------------------------------------------- exports
def test_export_csv_and_xlsx_keep_numbers_markers_and_definitions(role_client, demo):
    school = [s for s in demo.schools if s.phase == "primary"][1]
    School.objects.filter(pk=school.pk).update(name='=HYPERLINK("http://evil")')
    officer = role_client("officer")
    response = officer.get(f"/areas/{school.area_id}/export/schools.csv?measure=ks2_rwm_exp")
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0].startswith("Definition:")  # definitions row
    assert rows[2][0] == "Name"  # headers row
    names = [r[0] for r in rows[3:]]
    assert '\'=HYPERLINK("http://evil")' in names  # neutralised, not a formula
    response = officer.get(f"/areas/{school.area_id}/export/schools.xlsx?measure=ks2_rwm_exp")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = values[2]
    focus_i = header.index("Disadvantaged")
    numbers = [r[focus_i] for r in values[3:] if isinstance(r[focus_i], (int, float))]
    assert numbers, "figures are exported as numbers"
    assert all(not str(r[0]).startswith("=") for r in values[3:])
    assert officer.get("/overview/export/nope.csv").status_code == 404
    assert officer.get("/overview/export/clusters.pdf").status_code == 404


def test_overview_shows_region_and_statistical_neighbour_average(role_client, demo):
    from schools.models import Benchmark, StatisticalNeighbour

    year = max(demo.years)
    measure = Measure.objects.get(code="ks2_rwm_exp")
    dis = PupilGroup.objects.get(code="disadvantaged")
    # The demo has its own region and neighbours; replace them with figures worked out by hand.
    StatisticalNeighbour.objects.filter(la_code=demo.la.code).delete()
    Benchmark.objects.filter(geography_code=demo.la.region_code).delete()
    # Two neighbours with disadvantaged KS2 RWM of 40% and 50% → neighbour average (40 + 50) ÷ 2 = 45.
    for rank, (code, value) in enumerate([("801", 40), ("802", 50)], start=1):
        StatisticalNeighbour.objects.create(la_code=demo.la.code, neighbour_code=code, rank=rank)
        Benchmark.objects.create(
            geography_code=code, kind="la", results_year=year, measure=measure, pupil_group=dis, value=value
        )
    Benchmark.objects.create(
        geography_code=demo.la.region_code,
        kind="region",
        results_year=year,
        measure=measure,
        pupil_group=dis,
        value=47.5,
    )
    page = role_client("officer").get(f"/overview/?year={year}").content.decode()
    assert "Statistical neighbours (average of 2)" in page and "45.0%" in page
    assert "South East" in page and "47.5%" in page


def test_priority_export_spells_out_each_reason_with_thresholds(role_client, demo, settings):
    settings.GAPMONITOR_PRIORITY_WIDE_GAP_MARGIN = 7.5
    settings.GAPMONITOR_STUBBORN_YEARS = 3
    rows = list(
        csv.reader(
            io.StringIO(body(role_client("officer").get("/priority/export/priority.csv?measure=ks2_rwm_exp")).decode())
        )
    )
    definitions = " ".join(rows[1])
    assert "by at least 7.5 percentage points" in definitions
    assert "in each of the last 3 published, comparable years" in definitions
    assert "{" not in definitions


def test_links_down_keep_the_chosen_group_comparator_and_measure(role_client, demo):
    html = (
        role_client("officer")
        .get("/overview/detail/?group=fsm&comparator=within&measure=ks2_rwm_high")
        .content.decode()
    )
    area = demo.areas[0]
    assert f'href="/areas/{area.pk}/?group=fsm&amp;comparator=within&amp;measure=ks2_rwm_high"' in html


def test_each_filter_form_carries_the_other_filters_but_not_its_own_fields(role_client, demo):
    """A filter form resubmits the page's other choices as hidden fields and never its own: a hidden copy of its
    own field would come last in the query string and win over the value just typed."""
    query = "area-area_name=North&cluster-name=East&year=2024"
    page = role_client("officer").get(f"/overview/detail/?{query}").content.decode()
    found = re.findall(r'<input type="hidden"\s+name="([^"]+)"\s+value="([^"]*)">', page)
    hidden = [(name, value) for name, value in found if name != "csrfmiddlewaretoken"]
    # The area form keeps the cluster and year choices; the cluster form keeps the area and year choices.
    assert sorted(hidden) == [("area-area_name", "North"), ("cluster-name", "East"), ("year", "2024"), ("year", "2024")]
