"""The priority list's CSV of every school, streamed from the kept judgements (``dashboard.ranked_export``), is
the file the list's built table gives (``priority_page(every=True)`` → ``exports.to_csv``): the same title,
definitions, headers, rows and values, the Year column when the rows' years differ, the small-cohort warning
and file name for an officer — over every focus group, comparator and reason filter of the demo LA, for a
viewer who sees small cohorts and one who does not."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from gapmonitor.audit import SensitiveExport
from schools import access, aggregates, dashboard
from schools.exports import export_response, from_table2, small_cohort_figures
from schools.models import Result

pytestmark = pytest.mark.django_db

OPTIONS = [
    "",
    "?comparator=within",
    "?comparator=like",
    "?group=boys",
    "?group=sen_support&measure=ks2_read_avg",
    "?reasons=wide_gap",
    "?measure=ks2_mat_avg&year=2023",
    "?measure=persistent_absence",
    "?group=eal",
    "?group=ehcp",
    "?group=cla",
]


def _built(client, query: str):
    """The file as the built table gives it (the list's XLSX path, written as CSV)."""
    from schools.filters import PriorityOptionsForm
    from schools.views import _options

    request = RequestFactory().get("/priority/" + query)
    request.user = client.user
    opts = _options(request, access.working_la(request.user), PriorityOptionsForm)
    context = dashboard.priority_page(opts, every=True)
    table = context["export_tables"]["priority"]
    export = from_table2(table, title=f"{context['title']}: {table.caption}", notes=context.get("export_notes", ""))
    if access.sees_small_cohorts(request.user):
        export.small_cohorts = small_cohort_figures(row.record for row in table.rows)
    return export_response(export, "csv", f"{context['title']}-priority")


@pytest.mark.parametrize("username", ["officer", "adviser"])
def test_the_streamed_csv_is_the_built_tables(role_client, demo, username):
    # One school without the latest year's results: its row ends a year earlier (the Year column appears).
    Result.objects.filter(school=demo.schools[1], results_year=max(demo.years)).delete()
    # Four other pupils in every school's latest KS2 RWM year: figures an officer sees and an export warns of.
    latest = Result.objects.filter(
        school__la=demo.la,
        results_year=max(demo.years),
        measure__code="ks2_rwm_exp",
        pupil_group__code="not_disadvantaged",
    )
    latest.update(cohort=4, achievers=3, value=75)
    aggregates.refresh_la(demo.la)
    client = role_client(username)
    client.user = demo.users[username]
    rows = sensitive = 0
    for query in OPTIONS:
        streamed = client.get(reverse("schools:priority_export", args=["priority", "csv"]) + query)
        assert streamed.streaming, query
        body = b"".join(streamed.streaming_content).decode()
        old = _built(client, query)
        assert body == old.content.decode(), query
        assert streamed["Content-Disposition"] == old["Content-Disposition"], query
        rows += body.count("\n") - 3
        sensitive += body.startswith('"Sensitive: ')
    assert rows > 10  # the lists were not all empty
    assert (sensitive > 0) == (username == "officer")  # an officer's lists show some small groups, recorded
    assert SensitiveExport.objects.filter(user=demo.users[username]).count() == sensitive


def _judged_rows_and_comparators(demo):
    """(row, comparator) for every school's judged row: three measures, every focus group, both disclosure views,
    every comparator."""
    from schools import selectors, stored_judgements
    from schools.figures import years_with_results
    from schools.gaps import Comparator

    groups = selectors.pupil_groups()
    measures = [selectors.measures_by_code()[c] for c in ("ks2_rwm_exp", "ks2_read_avg", "persistent_absence")]
    for focus in selectors.focus_groups(groups):
        rows = stored_judgements.judged_rows_by_view(
            demo.la,
            measures,
            focus,
            asked_year=0,
            views=(True, False),
            groups=groups,
            years=years_with_results(demo.la),
        )
        for by_measure in rows.values():
            for pairs in by_measure.values():
                for _school, row in pairs:
                    for kind in Comparator.CHOICES:
                        yield row, kind


def test_kept_cells_are_those_of_the_full_record(demo):
    """``ranked_cells.export_record`` reads what ``tables.record`` gives the figure columns: every school, three
    measures, every focus group, both disclosure views, every comparator."""
    from schools import ranked_cells

    compared = 0
    for row, kind in _judged_rows_and_comparators(demo):
        assert ranked_cells.cells_of(row, kind) == ranked_cells.cells_of(row, kind, full=True)
        compared += 1
    assert compared > 500


def test_kept_shown_figures_are_those_of_the_full_record(demo):
    """A ranked list's page draws its rows from the kept ``shown`` (``ranked_cells.shown_record``), stored as
    JSON: read back, it is what ``tables.record`` gives those columns (every Figure, gap, significance and
    interval unrounded) — every school, three measures, every focus group, both views, every comparator."""
    import json

    from schools import ranked_cells
    from schools.tables import record

    compared = 0
    for row, kind in _judged_rows_and_comparators(demo):
        kept = json.loads(json.dumps(ranked_cells.shown_of(row, kind)))
        shown = ranked_cells.shown_record(kept, row.measure)
        full = record(row, kind)
        assert shown == {name: full[name] for name in shown}
        compared += 1
    assert compared > 500
