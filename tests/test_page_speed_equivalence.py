"""The faster ways the gap pages work things out give what the straightforward ways gave (issue #16).

- ``trends.window_years`` (answered from a memo of its arguments) equals the plain rule, for measures with
  series breaks, first and last years and pandemic years, over many calendars and end years;
- ``build_row``'s trends, stubborn test and pooled view (each worked out on first read) equal ``trend``,
  ``stubborn`` and ``pooled_view`` called directly on the same figures, over random figures;
- the coverage notes' counts (``coverage_counts.coverage``, an indexed look-up per school) equal a count of the
  results themselves, and the LA summary's area and cluster years (``selectors.org_row_years``, from the pooled
  table's keys) equal the years of the rows the detail page builds;
- the pooled figures read by measure and group id over the years' range (within a request that has read every
  measure and group) equal those read by code, and the LA summary's flags read as tuples equal those read as
  kept judgements and their schools.
"""

import random
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from gapmonitor.conf import conf
from schools import access, request_memo, selectors, trends
from schools.coverage_counts import coverage
from schools.dashboard.summary import school_flags
from schools.figures import figures_by, years_by_org, years_with_results
from schools.gap_rows import build_row, pooled_view
from schools.gaps import MISSING, Comparator, Figure, gaps
from schools.models import Area, Cluster, Measure, Result, School
from schools.published import key_stage_phases
from tests.gap_support import DIS, OTHERS, percent_measure


def _plain_window(measure, calendar, end_year, size):
    """``window_years`` as it was written before it was remembered."""
    years = sorted({y for y in calendar if y <= end_year} | {end_year})
    return tuple([y for y in years if trends.published(measure, y) and trends.comparable(measure, y, end_year)][-size:])


MEASURES = [
    percent_measure("ks2_rwm_exp", "KS2", "KS2"),
    percent_measure("persistent_absence", "PA", "PA", first_year=2006, series_breaks=[{"year": 2016, "note": "x"}]),
    percent_measure("ks4_em_95", "EM", "EM", first_year=2017, series_breaks=[2019, {"year": 2023}]),
    SimpleNamespace(code="suspension_rate", first_year=None, last_year=2022, series_breaks=None),
    SimpleNamespace(code="no_fields"),
]


def test_window_years_equals_the_plain_rule():
    rng = random.Random(16)
    for _ in range(400):
        measure = rng.choice(MEASURES)
        calendar = rng.sample(range(2012, 2027), rng.randint(0, 10))
        end_year = rng.randint(2012, 2026)
        size = rng.randint(1, 5)
        assert trends.window_years(measure, calendar, end_year, size) == _plain_window(
            measure, calendar, end_year, size
        ), (measure.code, calendar, end_year, size)


def _figure(rng):
    if rng.random() < 0.15:
        return None
    cohort = rng.randint(0, 60)
    if cohort == 0 or rng.random() < 0.05:
        return Figure(cohort=cohort or None, numerator=None, value=None, code="x", status="final")
    achievers = rng.randint(0, cohort)
    return Figure(cohort=cohort, numerator=achievers, value=100 * achievers / cohort, status="final")


def test_rows_work_out_trends_stubborn_and_pooled_as_called_directly():
    rng = random.Random(7)
    measures = MEASURES[:3]
    for _ in range(150):
        measure = rng.choice(measures)
        calendar = sorted(rng.sample(range(2014, 2026), rng.randint(1, 9)))
        here, national = {}, {}
        for year in calendar:
            for code in (DIS.code, OTHERS.code, "all"):
                if (found := _figure(rng)) is not None:
                    here[(year, measure.code, code)] = found
                national[(year, measure.code, code)] = _figure(rng)
        year = rng.choice([None, *calendar])
        row = build_row(measure, DIS, OTHERS, here, national, years=calendar, year=year)
        if not row.year:
            assert dict(row.trends) == {} and row.stubborn is False and row.pooled is None
            continue
        series = {
            y: gaps(
                measure,
                here.get((y, measure.code, DIS.code)),
                here.get((y, measure.code, OTHERS.code)),
                national.get((y, measure.code, DIS.code)),
                national.get((y, measure.code, OTHERS.code)),
            )
            for y in calendar
            if (y, measure.code, DIS.code) in here or (y, measure.code, OTHERS.code) in here
        }
        for kind in Comparator.CHOICES:
            pairs = {y: (g.focus, g.comparator_figure(kind)) for y, g in series.items()}
            assert row.trends.get(kind) == trends.trend(measure, pairs, end_year=row.year, years=calendar)
        within = {y: (g.focus, g.comparator_figure(Comparator.WITHIN)) for y, g in series.items()}
        england = {y: (g.national_focus, g.national_comparison) for y, g in series.items()}
        assert row.stubborn == trends.stubborn(measure, within, england, end_year=row.year, calendar=calendar)
        all_pupils = {y: here.get((y, measure.code, "all")) or MISSING for y in series}
        expected = pooled_view(measure, series, all_pupils, end_year=row.year, calendar=calendar)
        assert (row.pooled is None) == (expected is None)
        if expected is not None:
            assert row.pooled == expected
        assert len(row.trends) == len(Comparator.CHOICES) and set(row.trends) == set(Comparator.CHOICES)


@pytest.mark.django_db
def test_coverage_counts_each_open_school_with_a_result(demo):
    la = demo.la
    School.objects.filter(pk=School.objects.filter(la=la).order_by("urn").first().pk).update(status="closed")
    codes = ["ks2_rwm_exp", "eyfs_gld", "ks4_att8", "persistent_absence"]
    measures = list(Measure.objects.filter(code__in=codes).select_related("key_stage"))
    years = [2019, 2023, 2024, 2025]
    found = coverage(la, measures=measures, years=years)

    open_schools = list(School.objects.filter(la=la, status="open"))
    with_results = set(Result.objects.values_list("school_id", "results_year", "measure__code"))
    expected = {}
    for measure in measures:
        phases = key_stage_phases(measure.key_stage.code) or {s.phase for s in open_schools}
        of_phases = [s for s in open_schools if s.phase in phases]
        for year in years:
            count = sum((s.pk, year, measure.code) in with_results for s in of_phases)
            if count:
                expected[(year, measure.code)] = (count, len(of_phases))
    assert len(expected) >= 8, "the demo LA has results of several years and phases to cover"
    assert {key: (c.with_figures, c.open_schools) for key, c in found.items()} == expected


@pytest.mark.django_db
@pytest.mark.parametrize("year", [None, 2023, 2019])
def test_summary_years_of_area_and_cluster_rows_are_the_rows_years(demo, year):
    la, officer = demo.la, demo.users["officer"]
    groups = selectors.pupil_groups()
    focus = groups[conf.default_group]
    schools = School.objects.filter(la=la)
    for code in ("ks2_rwm_exp", "ks4_att8"):
        query = selectors.RowQuery(
            measures=[Measure.objects.get(code=code)],
            focus=focus,
            groups=groups,
            years=years_with_results(la),
            year=year,
        )
        for level, organisations in (("area", Area.objects.filter(la=la)), ("cluster", Cluster.objects.filter(la=la))):
            rows = selectors.org_rows(officer, level, schools, organisations, query)
            assert rows, (level, code)
            built = [row.year for _org, row in rows if row.year is not None]
            assert selectors.org_row_years(level, schools, organisations, query) == built, (level, code, year)


def _in_a_request(read):
    """``read()`` inside a request's memo, once the request has read every measure and group (as a page's options
    do), with the SQL it ran."""
    request_memo.start()
    try:
        selectors.measures_by_code(), selectors.pupil_groups()
        with CaptureQueriesContext(connection) as queries:
            found = read()
    finally:
        request_memo.finish()
    return found, [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize("years", [[2019, 2022, 2023, 2024, 2025], [2019, 2024], [2022], []])
def test_pooled_reads_by_id_equal_reads_by_code(demo, years):
    la = demo.la
    schools = School.objects.filter(la=la)
    asked = dict(measures=["ks2_rwm_exp", "eyfs_gld", "ks4_att8"], groups=["disadvantaged", "all"], years=years)
    for level in ("school", "cluster", "area", "la"):
        by_code = figures_by(level, schools, **asked), years_by_org(level, schools, **asked)
        by_id, sql = _in_a_request(
            lambda level=level: (figures_by(level, schools, **asked), years_by_org(level, schools, **asked))
        )
        assert by_id == by_code, (level, years)
        assert bool(by_code[0]) == bool(years), level
        # by id, and the years by their range: no join to the measures or groups, no list of years
        assert all("schools_measure" not in q and "schools_pupilgroup" not in q for q in sql), sql
        assert all('results_year" IN' not in q for q in sql), sql


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["officer", "adviser"])
def test_the_summarys_flags_from_tuples_equal_those_from_judgements(demo, username):
    from schools.views import _options

    request = RequestFactory().get("/overview/")
    request.user = demo.users[username]
    opts = _options(request, access.working_la(request.user))
    schools = access.visible_schools(request.user).filter(la=opts.la)
    for year in (None, 2023):
        full, slim = school_flags(opts, schools, year=year), school_flags(opts, schools, year=year, slim=True)
        assert any(entry.flags for entry in full), "the demo LA has schools to challenge"
        assert [(e.school.pk, e.school.name, e.school.urn, e.school.get_absolute_url()) for e in slim] == [
            (e.school.pk, e.school.name, e.school.urn, e.school.get_absolute_url()) for e in full
        ]
        assert [(e.words, e.measures_with_figures, e.measures_judged) for e in slim] == [
            (e.words, e.measures_with_figures, e.measures_judged) for e in full
        ]
