"""Gap page views: parse the request, authorise through the access rules, call one dashboard function, render.

The views read the query string into :class:`~schools.dashboard.Options`, find the organisation the user may
see (a guessed URL for another school is a 404), and hand both to the page's function in ``schools.dashboard``,
which ranks, selects and lays out the figures and returns the template's context. Each page's exports come from
the same context, so a CSV/XLSX shows the figures the page shows.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django_tables2 import RequestConfig, Table

from gapmonitor.audit import record_sensitive_export
from gapmonitor.conf import conf

from . import access, dashboard, selectors, summaries
from .dashboard import Options
from .exports import FORMATS, ExportTable, export_response, from_table2, small_cohort_figures
from .figures import years_with_results
from .filters import (
    AreaFilter,
    BusterOptionsForm,
    ClusterFilter,
    GapOptionsForm,
    NationalOptionsForm,
    PriorityOptionsForm,
    SchoolFilter,
)
from .la_comparison import comparison_years
from .roles import LA_WIDE_ROLES, Role, has_role


# --------------------------------------------------------------------------- parse and respond
def _options(request, la, form_class=GapOptionsForm, *, la_figures: bool = True) -> Options:
    """The page's choices; ``la_figures`` False for a page that shows no LA figure, or a few measures' (see
    ``figures.years_with_results``)."""
    groups = selectors.pupil_groups()
    measures = list(selectors.measures_by_code().values())
    years = years_with_results(la, la_figures=la_figures)
    focusable = selectors.focus_groups(groups)
    phases = access.visible_phases(request.user) if not has_role(request.user, *LA_WIDE_ROLES) else []
    default_measure = summaries.default_measure(measures, phases, conf.default_measure)
    form = form_class(
        request.GET or None,
        groups=focusable,
        measures=measures,
        years=years,
        default_group=conf.default_group,
        default_measure=default_measure,
        measure_choices=summaries.measure_choices(measures, phases, years),
    )
    opts = form.options()
    focus = groups.get(opts["group"]) or groups[conf.default_group]
    by_code = {m.code: m for m in measures}
    return Options(
        la=la,
        groups=groups,
        measures=measures,
        headline=[m for m in measures if m.headline],
        years=years,
        form=form,
        focus=focus,
        comparison=focus.comparison,
        kind=opts["comparator"],
        measure=by_code.get(opts["measure"]) or by_code.get(conf.default_measure) or measures[0],
        year=opts["year"],
        significant_only=bool(opts["significant_only"]),
        reasons=opts.get("reasons", []),
        user=request.user,
    )


def _respond(request, template, context, table=None, fmt=None):
    """Render the page, or export one of its tables as CSV/XLSX. Sortable tables take their order from the
    query string first, so an export lists rows in the order the page showed them."""
    tables = context["export_tables"]
    for found in tables.values():
        if isinstance(found, Table):  # long lists come paged by the database (``schools.dashboard.ranking``)
            RequestConfig(request, paginate=False).configure(found)
    if fmt is None:
        query = request.GET.urlencode()
        context["export_links"] = {
            name: [
                (
                    f.upper(),
                    reverse(context["export_url"], args=[*context["export_args"], name, f])
                    + (f"?{query}" if query else ""),
                )
                for f in FORMATS
            ]
            for name in tables
        }
        return render(request, template, context)
    if fmt not in FORMATS or table not in tables:
        raise Http404("No such export.")
    found = tables[table]
    export = (
        found
        if isinstance(found, ExportTable)
        else from_table2(found, title=f"{context['title']}: {found.caption}", notes=context.get("export_notes", ""))
    )
    if access.sees_small_cohorts(request.user) and not isinstance(found, ExportTable):
        export.small_cohorts = small_cohort_figures(row.record for row in found.rows)
    response = export_response(export, fmt, f"{context['title']}-{table}")
    if export.small_cohorts:
        record_sensitive_export(
            request.user, path=request.get_full_path(), response=response, count=export.small_cohorts
        )
    return response


# --------------------------------------------------------------------------- LA, area, cluster, school
@login_required
def la_overview(request, table=None, fmt=None, detail=False):
    """The LA's summary, or (``detail``) its findings, headline table and charts, areas and clusters."""
    user = request.user
    code = request.GET.get("la")
    la = access.get_visible_la(user, code) if code else access.default_la(user)
    opts = _options(request, la)
    area_filter = AreaFilter(request.GET, queryset=access.visible_areas(user).filter(la=la), prefix="area")
    cluster_filter = ClusterFilter(
        request.GET, queryset=access.visible_clusters(user).filter(la=la), user=user, la=la, prefix="cluster"
    )
    summary = not detail and fmt is None
    context = dashboard.la_overview_page(opts, area_filter=area_filter, cluster_filter=cluster_filter, summary=summary)
    if summary:
        context |= dashboard.la_summary(opts, context["headline_rows"])
        return _respond(request, "schools/la_summary.html", context)
    return _respond(request, "schools/la_overview.html", context, table, fmt)


@login_required
def area(request, pk, table=None, fmt=None):
    user = request.user
    the_area = access.get_visible_area(user, pk)
    opts = _options(request, the_area.la, la_figures=False)  # its LA line reads the headline measures alone
    schools = access.visible_schools(user).filter(area=the_area)
    school_filter = SchoolFilter(request.GET, queryset=schools, user=user, la=the_area.la, prefix="school")
    context = dashboard.area_page(opts, the_area, school_filter=school_filter)
    return _respond(request, "schools/area.html", context, table, fmt)


@login_required
def cluster(request, pk, table=None, fmt=None):
    the_cluster = access.get_visible_cluster(request.user, pk)
    opts = _options(request, the_cluster.la, la_figures=False)  # its LA line reads the headline measures alone
    return _respond(request, "schools/cluster.html", dashboard.cluster_page(opts, the_cluster), table, fmt)


@login_required
def school_list(request):
    """The schools a user may see with their flags: an adviser's landing page."""
    user = request.user
    schools = access.visible_schools(user).filter(status="open").order_by("name")
    la = None
    try:
        la = access.working_la(user)
    except Http404:
        pass
    school_filter = SchoolFilter(request.GET, queryset=schools, user=user, la=la)
    listed = list(school_filter.qs)
    context = dashboard.school_list_page(_options(request, la) if la else None, listed)
    context |= {
        "schools": listed,
        "filter": school_filter,
        "filtered": any(request.GET.get(name) for name in school_filter.form.fields),
        "adviser": has_role(user, Role.ADVISER),
        "la_wide": has_role(user, *LA_WIDE_ROLES),
    }
    return render(request, "schools/school_list.html", context)


@login_required
def school_detail(request, urn, table=None, fmt=None):
    """The school's summary; its exports cover every table of its detail pages."""
    school = access.get_visible_school(request.user, urn)
    opts = _options(request, school.la)
    context = dashboard.school_page(opts, school, exporting=fmt is not None)
    return _respond(request, "schools/school_detail.html", context, table, fmt)


@login_required
def school_groups(request, urn):
    school = access.get_visible_school(request.user, urn)
    opts = _options(request, school.la)
    return _respond(request, "schools/school_groups.html", dashboard.school_groups_page(opts, school))


@login_required
def school_measure(request, urn, code):
    school = access.get_visible_school(request.user, urn)
    measure = selectors.measures_by_code([code]).get(code)
    if measure is None:
        raise Http404("No such measure.")
    opts = _options(request, school.la)
    return _respond(request, "schools/school_measure.html", dashboard.school_measure_page(opts, school, measure))


# --------------------------------------------------------------------------- priority, busters, RAG
@login_required
def priority(request, table=None, fmt=None):
    opts = _options(request, access.working_la(request.user), PriorityOptionsForm, la_figures=False)
    if fmt == "csv" and table == "priority":  # every school, streamed from the kept judgements
        response, small = dashboard.priority_csv(opts, sees_small=access.sees_small_cohorts(request.user))
        if small:
            record_sensitive_export(request.user, path=request.get_full_path(), response=response, count=small)
        return response
    context = dashboard.priority_page(opts, page=request.GET.get("priority-page"), every=fmt is not None)
    return _respond(request, "schools/priority.html", context, table, fmt)


@login_required
def gap_busters(request, table=None, fmt=None):
    opts = _options(request, access.working_la(request.user), BusterOptionsForm, la_figures=False)
    context = dashboard.gap_busters_page(opts, page=request.GET.get("busters-page"), every=fmt is not None)
    return _respond(request, "schools/gap_busters.html", context, table, fmt)


@login_required
def cluster_rag(request, table=None, fmt=None):
    opts = _options(request, access.working_la(request.user), la_figures=False)
    context = dashboard.cluster_rag_page(opts, page=request.GET.get("page"), every=fmt is not None)
    return _respond(request, "schools/cluster_rag.html", context, table, fmt)


# --------------------------------------------------------------------------- across LAs
@login_required
def national(request, table=None, fmt=None):
    """Every LA's gaps side by side: national officers only (everyone else: 404, no hint the page exists)."""
    user = request.user
    if not access.can_compare_las(user):
        raise Http404("No such page.")
    groups = selectors.pupil_groups()
    measures = selectors.headline_measures()
    if not measures:
        raise Http404("No headline measures.")
    codes = [m.code for m in measures]
    years = comparison_years(user)
    form = NationalOptionsForm(
        request.GET or None,
        measures=measures,
        groups=selectors.focus_groups(groups),
        years=years,
        default_measure=conf.default_measure if conf.default_measure in codes else codes[0],
        default_group=conf.default_group,
    )
    opts = form.options()
    focus = groups.get(opts["group"]) or groups[conf.default_group]
    measure = next((m for m in measures if m.code == opts["measure"]), measures[0])
    context = dashboard.national_page(
        user,
        measures=measures,
        measure=measure,
        focus=focus,
        groups=groups,
        years=years,
        year=opts["year"],
        form=form,
        exporting=fmt is not None,
    )
    return _respond(request, "schools/national.html", context, table, fmt)


__all__ = [
    "la_overview",
    "area",
    "cluster",
    "school_list",
    "school_detail",
    "school_groups",
    "school_measure",
    "priority",
    "gap_busters",
    "cluster_rag",
    "national",
]
