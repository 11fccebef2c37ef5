"""Thin views: parse the request, ask a selector (which scopes to the user), render.

Every gap page is built by one ``*_page`` function returning its context, including the tables it
exports, so the page and its CSV/XLSX exports show the same figures. Figures come from
``schools.selectors`` (a fixed number of queries) and ``schools.gaps``; nothing is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django_tables2 import RequestConfig

from gapmonitor.conf import conf

from . import charts, page_notes, selectors
from .comparators import basis_for
from .exports import FORMATS, ExportTable, export_response, from_table2, small_cohort_figures
from .filters import (
    AreaFilter,
    BusterOptionsForm,
    ClusterFilter,
    GapOptionsForm,
    PriorityOptionsForm,
    SchoolFilter,
)
from .findings import findings_for
from .gaps import Comparator, code_label
from .judgements import BusterReason, Reason, reason_explanations, single_year_min_cohort
from .models import OVERALL_GRADES_END, LocalThreshold, OfstedInspection
from .published import PUBLISHED
from .rag import DEFAULT_CLUSTER_RAG_RULES, RAG_LABELS, RAG_LETTERS, cluster_rag_rules, describe_rule
from .roles import LA_WIDE_ROLES, has_role
from .tables import (
    BusterTable,
    MeasureGapTable,
    OrgGapTable,
    PriorityTable,
    SchoolFiguresTable,
    figure_text,
    figure_with_count,
    mixes_years,
    national_missing_reasons,
    record,
)
from .trends import standing


# --------------------------------------------------------------------------- shared set-up
@dataclass
class Options:
    la: object
    groups: dict
    measures: list
    headline: list
    years: list
    form: GapOptionsForm
    focus: object
    comparison: object
    kind: str
    measure: object
    year: int | None
    significant_only: bool
    reasons: list
    user: object = None

    @property
    def comparator_label(self) -> str:
        return Comparator.label(self.kind, self.focus.name, self.comparison.name)

    def carry(self, url: str) -> str:
        """A link down that keeps the chosen group, comparator and measure (and a chosen year)."""
        query = {"group": self.focus.code, "comparator": self.kind, "measure": self.measure.code}
        if self.form.is_bound and self.form.data.get("year") and self.year:
            query["year"] = self.year
        return f"{url}?{urlencode(query)}"


def _options(request, la, form_class=GapOptionsForm) -> Options:
    groups = selectors.pupil_groups()
    measures = list(selectors.measures_by_code().values())
    years = selectors.years_with_results(la)
    focusable = selectors.focus_groups(groups)
    form = form_class(
        request.GET or None,
        groups=focusable,
        measures=measures,
        years=years,
        default_group=conf.default_group,
        default_measure=conf.default_measure,
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


def _status_summary(rows) -> list[str]:
    """ "2025: provisional" lines for the years shown, so the page says which figures may change."""
    seen = {}
    for row in rows:
        if row.year and row.status:
            current = seen.get(row.year)
            if current is None or ("provisional", "revised", "final").index(row.status) < (
                "provisional",
                "revised",
                "final",
            ).index(current):
                seen[row.year] = row.status
    return [f"{year} results: {status}" for year, status in sorted(seen.items())]


def _org_table(
    request, pairs, opts: Options, *, url, caption, prefix, table_class=OrgGapTable, extra=None, place="here"
):
    data = [
        record(row, opts.kind, name=str(org.name), url=opts.carry(url(org)), extra=(extra(org, row) if extra else None))
        for org, row in pairs
    ]
    if mixes_years(data):
        caption = f"{caption} (rows from different results years: see the Year column)"
        exclude = tuple(c for c in (table_class._meta.exclude or ()) if c != "year")
    else:
        exclude = tuple(table_class._meta.exclude or ()) + ("year",)
    table = table_class(
        data,
        focus_group=opts.focus,
        comparison_group=opts.comparison,
        caption=caption,
        kind=opts.kind,
        prefix=prefix,
        place=place,
        exclude=exclude,
    )
    RequestConfig(request, paginate=False).configure(table)
    return table


def _headline(request, rows, opts: Options, *, caption, place):
    data = [record(row, opts.kind) for row in rows]
    table = MeasureGapTable(
        data, focus_group=opts.focus, comparison_group=opts.comparison, caption=caption, prefix="headline-", place=place
    )
    RequestConfig(request, paginate=False).configure(table)
    return table


def _charts(rows, *, place, la_name=""):
    return [
        c
        for c in (
            charts.trend_chart(row, place=place, la_name=la_name, chart_id=f"chart-{row.measure.code}") for row in rows
        )
        if c
    ]


def _respond(request, template, context, table=None, fmt=None):
    """Render the page, or export one of its tables as CSV/XLSX."""
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
            for name in context["export_tables"]
        }
        return render(request, template, context)
    tables = context["export_tables"]
    if fmt not in FORMATS or table not in tables:
        raise Http404("No such export.")
    found = tables[table]
    export = (
        found
        if isinstance(found, ExportTable)
        else from_table2(found, title=f"{context['title']}: {found.caption}", notes=context.get("export_notes", ""))
    )
    if selectors.sees_small_cohorts(request.user) and not isinstance(found, ExportTable):
        export.small_cohorts = small_cohort_figures(row.record for row in found.rows)
    response = export_response(export, fmt, f"{context['title']}-{table}")
    if export.small_cohorts:
        from gapmonitor.audit import record_sensitive_export

        record_sensitive_export(
            request.user, path=request.get_full_path(), response=response, count=export.small_cohorts
        )
    return response


def _export_notes(opts: Options) -> str:
    return (
        f"Focus group {opts.focus.name}, compared with {opts.comparison.name.lower()}. Values are pooled "
        f"(Σ achievers ÷ Σ pupils). Gaps: positive = focus group behind. SUPP = fewer than "
        f"{conf.suppression_threshold} pupils; SUPP2 = hidden so a small group cannot be worked out."
    )


def _base_context(opts: Options, title: str, rows, place: str) -> dict:
    return {
        "title": title,
        "opts": opts,
        "form": opts.form,
        "place": place,
        "findings": findings_for(
            [r.for_comparator(opts.kind) for r in rows], place=place, significant_only=opts.significant_only
        ),
        "status_lines": _status_summary(rows),
        "comparators": Comparator,
        "export_notes": _export_notes(opts),
        "suppression_threshold": conf.suppression_threshold,
        "la_link": has_role(opts.user, *LA_WIDE_ROLES) if opts.user else False,
    }


# --------------------------------------------------------------------------- LA overview
@login_required
def la_overview(request, table=None, fmt=None):
    user = request.user
    code = request.GET.get("la")
    la = selectors.get_visible_la(user, code) if code else selectors.default_la(user)
    opts = _options(request, la)
    head = selectors.la_headline(
        user, la, measures=opts.headline, focus=opts.focus, groups=opts.groups, years=opts.years, year=opts.year
    )
    rows = head.rows
    schools = selectors.visible_schools(user).filter(la=la)
    area_filter = AreaFilter(request.GET, queryset=selectors.visible_areas(user).filter(la=la), prefix="area")
    cluster_filter = ClusterFilter(
        request.GET, queryset=selectors.visible_clusters(user).filter(la=la), user=user, la=la, prefix="cluster"
    )
    area_pairs = selectors.org_rows(
        user,
        "area",
        schools,
        area_filter.qs,
        measure=opts.measure,
        focus=opts.focus,
        groups=opts.groups,
        years=opts.years,
        year=opts.year,
    )
    cluster_pairs = selectors.org_rows(
        user,
        "cluster",
        schools,
        cluster_filter.qs.select_related("area"),
        measure=opts.measure,
        focus=opts.focus,
        groups=opts.groups,
        years=opts.years,
        year=opts.year,
    )
    measure_name = opts.measure.short_name or opts.measure.name
    published_names = [
        r.measure.short_name or r.measure.name for r in rows if head.sources.get(r.measure.code) == PUBLISHED
    ]
    headline = _headline(
        request,
        rows,
        opts,
        caption=f"Headline measures for {opts.focus.name.lower()} pupils in "
        f"{la.name}" + (" (the DfE's published LA figure where there is one)" if published_names else ""),
        place=la.name,
    )
    areas = _org_table(
        request,
        area_pairs,
        opts,
        url=lambda a: reverse("schools:area", args=[a.pk]),
        caption=f"Areas: {measure_name}",
        prefix="areas-",
    )
    clusters = _org_table(
        request,
        cluster_pairs,
        opts,
        url=lambda c: reverse("schools:cluster", args=[c.pk]),
        caption=f"Clusters: {measure_name}",
        prefix="clusters-",
    )
    benchmarks = _benchmark_table(la, head.pooled_rows, opts)
    published = page_notes.published_table(head, opts)
    context = _base_context(opts, f"{la.name} overview", rows, la.name)
    context.update(
        la=la,
        scope=la,
        scope_kind="la",
        headline=headline,
        benchmarks=benchmarks,
        charts=_charts(rows, place=la.name),
        area_table=areas,
        published=published,
        published_names=published_names,
        coverage_notes=page_notes.coverage_notes(la, rows, area_pairs + cluster_pairs, opts),
        cluster_table=clusters,
        area_filter=area_filter,
        cluster_filter=cluster_filter,
        export_tables={
            "headline": headline,
            "areas": areas,
            "clusters": clusters,
            **(
                {"published": page_notes.published_export(published, la, opts, notes=_export_notes(opts))}
                if published
                else {}
            ),
        },
        export_url="schools:la_overview_export",
        export_args=[],
    )
    return _respond(request, "schools/la_overview.html", context, table, fmt)


def _benchmark_table(la, rows, opts: Options) -> dict | None:
    """The LA's focus-group value and within gap beside its published, regional and neighbour benchmarks."""
    from .gaps import gap as gap_of

    sets = selectors.benchmark_sets(
        la, measures=[r.measure.code for r in rows], groups=[opts.focus.code, opts.comparison.code], years=opts.years
    )
    if not sets:
        return None
    body = []
    for row in rows:
        cells = [(figure_with_count(row.current.focus, row.measure), standing(row.measure, row.current.within))]
        for _label, _definition, figs in sets:
            focus = figs.get((row.year, row.measure.code, opts.focus.code))
            comparison = figs.get((row.year, row.measure.code, opts.comparison.code))
            cells.append(
                (figure_text(focus, row.measure), standing(row.measure, gap_of(row.measure, focus, comparison)))
            )
        cells.append((figure_text(row.current.national_focus, row.measure), standing(row.measure, row.national_gap)))
        body.append({"measure": row.measure.short_name or row.measure.name, "year": row.year, "cells": cells})
    return {
        "headers": [f"{la.name} (pooled)"] + [label for label, _d, _f in sets] + ["England"],
        "definitions": [definition for _l, definition, _f in sets],
        "rows": body,
    }


# --------------------------------------------------------------------------- area and cluster
@login_required
def area(request, pk, table=None, fmt=None):
    user = request.user
    the_area = selectors.get_visible_area(user, pk)
    la = the_area.la
    opts = _options(request, la)
    rows = selectors.scope_rows(
        user,
        the_area,
        measures=opts.headline,
        focus=opts.focus,
        groups=opts.groups,
        years=opts.years,
        year=opts.year,
        la=la,
    )
    schools = selectors.visible_schools(user).filter(area=the_area)
    clusters_qs = selectors.visible_clusters(user).filter(area=the_area)
    cluster_pairs = selectors.org_rows(
        user,
        "cluster",
        schools,
        clusters_qs,
        measure=opts.measure,
        focus=opts.focus,
        groups=opts.groups,
        years=opts.years,
        year=opts.year,
    )
    school_filter = SchoolFilter(request.GET, queryset=schools, user=user, la=la, prefix="school")
    school_pairs = selectors.org_rows(
        user,
        "school",
        school_filter.qs,
        school_filter.qs,
        measure=opts.measure,
        focus=opts.focus,
        groups=opts.groups,
        years=opts.years,
        year=opts.year,
    )
    measure_name = opts.measure.short_name or opts.measure.name
    headline = _headline(
        request,
        rows,
        opts,
        caption=f"Headline measures for {opts.focus.name.lower()} pupils in {the_area.name}",
        place=the_area.name,
    )
    clusters = _org_table(
        request,
        cluster_pairs,
        opts,
        url=lambda c: reverse("schools:cluster", args=[c.pk]),
        caption=f"Clusters in {the_area.name}: {measure_name}",
        prefix="clusters-",
    )
    school_table = _org_table(
        request,
        school_pairs,
        opts,
        url=lambda s: reverse("schools:school", args=[s.urn]),
        caption=f"Schools in {the_area.name}: {measure_name}",
        prefix="schools-",
    )
    context = _base_context(opts, f"{the_area.name} area", rows, the_area.name)
    context.update(
        la=la,
        scope=the_area,
        scope_kind="area",
        headline=headline,
        pooled_lines=page_notes.pooled_lines(rows, opts),
        coverage_notes=page_notes.coverage_notes(la, rows, cluster_pairs + school_pairs, opts),
        charts=_charts(rows, place=the_area.name, la_name=la.name),
        cluster_table=clusters,
        school_table=school_table,
        school_filter=school_filter,
        export_tables={"headline": headline, "clusters": clusters, "schools": school_table},
        export_url="schools:area_export",
        export_args=[the_area.pk],
    )
    return _respond(request, "schools/area.html", context, table, fmt)


@login_required
def cluster(request, pk, table=None, fmt=None):
    user = request.user
    the_cluster = selectors.get_visible_cluster(user, pk)
    la = the_cluster.la
    opts = _options(request, la)
    rows = selectors.scope_rows(
        user,
        the_cluster,
        measures=opts.headline,
        focus=opts.focus,
        groups=opts.groups,
        years=opts.years,
        year=opts.year,
        la=la,
    )
    schools = selectors.visible_schools(user).filter(cluster=the_cluster)
    school_pairs = selectors.org_rows(
        user,
        "school",
        schools,
        schools,
        measure=opts.measure,
        focus=opts.focus,
        groups=opts.groups,
        years=opts.years,
        year=opts.year,
    )
    measure_name = opts.measure.short_name or opts.measure.name
    headline = _headline(
        request,
        rows,
        opts,
        caption=f"Headline measures for {opts.focus.name.lower()} pupils in {the_cluster.name}",
        place=the_cluster.name,
    )
    school_table = _org_table(
        request,
        school_pairs,
        opts,
        url=lambda s: reverse("schools:school", args=[s.urn]),
        caption=f"Schools in {the_cluster.name}: {measure_name}",
        prefix="schools-",
    )
    context = _base_context(opts, the_cluster.name, rows, the_cluster.name)
    context.update(
        la=la,
        scope=the_cluster,
        scope_kind="cluster",
        headline=headline,
        pooled_lines=page_notes.pooled_lines(rows, opts),
        coverage_notes=page_notes.coverage_notes(la, rows, school_pairs, opts),
        area_link=bool(the_cluster.area_id) and selectors.visible_areas(user).filter(pk=the_cluster.area_id).exists(),
        charts=_charts(rows, place=the_cluster.name, la_name=la.name),
        school_table=school_table,
        export_tables={"headline": headline, "schools": school_table},
        export_url="schools:cluster_export",
        export_args=[the_cluster.pk],
    )
    return _respond(request, "schools/cluster.html", context, table, fmt)


# --------------------------------------------------------------------------- school
@login_required
def school_list(request):
    user = request.user
    schools = selectors.visible_schools(user).filter(status="open").order_by("name")
    la = None
    try:
        la = selectors.working_la(user)
    except Http404:
        pass
    school_filter = SchoolFilter(request.GET, queryset=schools, user=user, la=la)
    return render(request, "schools/school_list.html", {"schools": school_filter.qs, "filter": school_filter})


def _ofsted(school) -> dict:
    """The latest inspection on each scale, with its graded areas: the graded (1–4) and report-card scales
    are not comparable, and report cards have no overall grade."""
    latest = {}
    for inspection in school.inspections.prefetch_related("judgements"):
        latest.setdefault(inspection.framework, inspection)
    graded, card = latest.get(OfstedInspection.Framework.GRADED), latest.get(OfstedInspection.Framework.REPORT_CARD)
    return {
        "graded": graded,
        "graded_judgements": sorted(graded.judgements.all(), key=lambda j: j.order) if graded else [],
        "report_card": card,
        "report_card_judgements": sorted(card.judgements.all(), key=lambda j: j.order) if card else [],
        "overall_grades_end": OVERALL_GRADES_END,
    }


def _school_figure_tables(school, opts: Options, measures, years, here, national, la_figures, basis=None):
    """One table per measure the school has: every group × year with its gaps."""
    from .gaps import gaps as gap_figures

    groups = opts.groups
    out = []
    for code, measure in measures.items():
        data = []
        for year in years:
            for group in groups.values():
                figure = here.get((year, code, group.code))
                if figure is None:
                    continue
                comparison = groups.get(group.comparison.code) if group.comparison_id and group.is_focus else None
                comp_fig = here.get((year, code, comparison.code)) if comparison else None
                g = gap_figures(
                    measure,
                    figure,
                    comp_fig,
                    national.get((year, code, group.code)),
                    national.get((year, code, comparison.code)) if comparison else None,
                )
                from .gaps import gap_interval, significant

                data.append(
                    {
                        "measure": measure,
                        "year": year,
                        "group": group.name,
                        "cohort": figure.cohort,
                        "focus": figure,
                        "focus_ci": figure.interval(measure.unit) if figure.value is not None else None,
                        "comparison_name": comparison.name if comparison else "–",
                        "comparison": comp_fig,
                        "within": g.within if comparison else None,
                        "vs_national": g.vs_national if comparison else None,
                        "like": g.like_for_like if comparison else None,
                        "within_sig": significant(gap_interval(measure, figure, comp_fig)) if comparison else None,
                        "vs_national_sig": significant(gap_interval(measure, figure, g.national_comparison))
                        if comparison
                        else None,
                        "like_sig": significant(gap_interval(measure, figure, g.national_focus))
                        if comparison
                        else None,
                        "la_focus": la_figures.get((year, code, group.code)),
                        "national_focus": g.national_focus,
                        "status": (figure.status or "").capitalize() or "–",
                        "missing_reasons": national_missing_reasons(
                            basis.missing
                            if basis is not None
                            and basis.own_type
                            and comparison
                            and g.national_comparison.value is None
                            else ""
                        ),
                    }
                )
        if data:
            out.append(
                (
                    measure,
                    SchoolFiguresTable(
                        data, caption=f"{measure.name}: every group and year at {school.name}", prefix=f"{code}-"
                    ),
                )
            )
    return out


@login_required
def school_detail(request, urn, table=None, fmt=None):
    user = request.user
    school = selectors.get_visible_school(user, urn)
    la = school.la
    opts = _options(request, la)
    rows = selectors.scope_rows(
        user,
        school,
        measures=opts.headline,
        focus=opts.focus,
        groups=opts.groups,
        years=opts.years,
        year=opts.year,
        la=la,
    )
    measures, years, here, national, la_figures = selectors.school_figures_all(user, school, groups=opts.groups)
    basis = basis_for(school)
    figure_tables = _school_figure_tables(school, opts, measures, years, here, national, la_figures, basis)
    headline = _headline(
        request,
        rows,
        opts,
        caption=f"Headline measures for {opts.focus.name.lower()} pupils at {school.name}",
        place=school.name,
    )
    context = _base_context(opts, school.name, rows, school.name)
    export_tables = {"headline": headline}
    export_tables.update({f"figures-{m.code}": t for m, t in figure_tables})
    context.update(
        la=la,
        school=school,
        scope=school,
        scope_kind="school",
        headline=headline,
        school_context=page_notes.school_context(selectors.school_context(user, school, groups=opts.groups)),
        charts=_charts(rows, place=school.name, la_name=la.name),
        figure_tables=figure_tables,
        ofsted=_ofsted(school),
        export_tables=export_tables,
        national_basis=basis,
        national_missing=any(row.national_note for row in rows),
        export_url="schools:school_export",
        export_args=[school.urn],
    )
    return _respond(request, "schools/school_detail.html", context, table, fmt)


# --------------------------------------------------------------------------- priority, busters, RAG
def _school_pairs(request, opts: Options, thresholds=None):
    """(school, row) on the chosen comparator, each row with the LA's threshold for its year (if any)."""
    user = request.user
    schools = selectors.visible_schools(user).filter(la=opts.la)
    pairs = selectors.org_rows(
        user,
        "school",
        schools,
        schools,
        measure=opts.measure,
        focus=opts.focus,
        groups=opts.groups,
        years=opts.years,
        year=opts.year,
    )
    thresholds = _thresholds(opts) if thresholds is None else thresholds
    return [(school, row.for_comparator(opts.kind).with_threshold(thresholds.get(row.year))) for school, row in pairs]


def _thresholds(opts: Options) -> dict:
    """The LA's own active thresholds for the measure, by year, for all pupils or the focus group (one query)."""
    found = (
        LocalThreshold.objects.filter(
            la=opts.la, measure=opts.measure, active=True, pupil_group__code__in=["all", opts.focus.code]
        )
        .select_related("la", "measure", "pupil_group")
        .order_by("results_year", "pupil_group__code")
    )
    return {t.results_year: t for t in found}


def _judged_on() -> str:
    return (
        f"Judged on the year alone for groups of at least {single_year_min_cohort()} pupils (significant "
        f"differences only); smaller groups on their 3-year pooled figure."
    )


@login_required
def priority(request, table=None, fmt=None):
    la = selectors.working_la(request.user)
    opts = _options(request, la, PriorityOptionsForm)
    thresholds = _thresholds(opts)
    pairs = _school_pairs(request, opts, thresholds)
    ranked, unranked, basis = [], 0, {}
    for school, row in pairs:
        if not row.rankable:
            unranked += 1  # small, suppressed or missing: never ranked
            continue
        judgement = row.judgement()
        reasons = list(judgement.priority)
        if reasons and all(r in reasons for r in opts.reasons):
            ranked.append((school, row, reasons))
            basis[school.pk] = judgement.basis
    ranked.sort(key=lambda item: (-len(item[2]), -(item[1].current.vs_national or 0), item[0].name))
    rank = {school.pk: index for index, (school, _row, _reasons) in enumerate(ranked, start=1)}
    reasons_of = {school.pk: reasons for school, _row, reasons in ranked}
    measure_name = opts.measure.short_name or opts.measure.name
    table_ = _org_table(
        request,
        [(s, r) for s, r, _ in ranked],
        opts,
        url=lambda s: reverse("schools:school", args=[s.urn]),
        caption=f"Priority schools: {opts.focus.name.lower()} pupils, {measure_name}",
        prefix="priority-",
        table_class=PriorityTable,
        extra=lambda s, r: {
            "rank": rank[s.pk],
            "cluster": s.cluster.name if s.cluster else "–",
            "reasons": "; ".join(Reason.LABELS[x] for x in reasons_of[s.pk]),
            "basis": basis[s.pk],
        },
    )
    shown_year = opts.year or max((r.year for _s, r in pairs if r.year), default=None)
    in_force = [thresholds[shown_year]] if shown_year in thresholds else []
    explanations = reason_explanations(opts.measure.unit_label, in_force)
    table_.explain_reasons(explanations)
    context = _base_context(opts, "Priority schools", [r for _s, r, _ in ranked], la.name)
    context["findings"] = []
    context.update(
        la=la,
        table=table_,
        unranked=unranked,
        judged_on=_judged_on(),
        reason_help=[(Reason.LABELS[k], text) for k, text in explanations.items()],
        export_tables={"priority": table_},
        export_url="schools:priority_export",
        export_args=[],
        ranked_count=len(ranked),
    )
    context["findings_text"] = _priority_findings(ranked, opts)
    return _respond(request, "schools/priority.html", context, table, fmt)


def _priority_findings(ranked, opts: Options) -> list[str]:
    if not ranked:
        return [
            f"No school has a priority reason for {opts.focus.name.lower()} pupils in "
            f"{opts.measure.short_name or opts.measure.name} with these filters."
        ]
    counts = {code: sum(code in reasons for _s, _r, reasons in ranked) for code in Reason.ORDER}
    words = "; ".join(f"{Reason.LABELS[c]}: {n}" for c, n in counts.items() if n)
    top = ranked[0]
    return [
        f"{len(ranked)} schools need challenge on {opts.measure.short_name or opts.measure.name} for "
        f"{opts.focus.name.lower()} pupils ({words}).",
        f"{top[0].name} leads the list with {len(top[2])} reasons.",
    ]


@login_required
def gap_busters(request, table=None, fmt=None):
    la = selectors.working_la(request.user)
    opts = _options(request, la, BusterOptionsForm)

    def story_url(school):
        """One click to start a success story about this school's gap (the strategy app's form)."""
        query = urlencode({"school": school.urn, "measure": opts.measure.code, "group": opts.focus.code})
        return f"{reverse('strategy:story_create')}?{query}"

    pairs = _school_pairs(request, opts)
    busters, basis = [], {}
    for school, row in pairs:
        if not row.rankable:
            continue
        judgement = row.judgement()  # never a buster while it has a reason for challenge
        reasons = list(judgement.buster)
        if reasons and all(r in reasons for r in opts.reasons):
            busters.append((school, row, reasons))
            basis[school.pk] = judgement.basis
    busters.sort(
        key=lambda item: (item[1].current.vs_national if item[1].current.vs_national is not None else 1e9, item[0].name)
    )
    reasons_of = {s.pk: reasons for s, _r, reasons in busters}
    measure_name = opts.measure.short_name or opts.measure.name
    table_ = _org_table(
        request,
        [(s, r) for s, r, _ in busters],
        opts,
        url=lambda s: reverse("schools:school", args=[s.urn]),
        caption=f"Gap busters: {opts.focus.name.lower()} pupils, {measure_name}",
        prefix="busters-",
        table_class=BusterTable,
        extra=lambda s, r: {
            "cluster": s.cluster.name if s.cluster else "–",
            "reasons": "; ".join(BusterReason.LABELS[x] for x in reasons_of[s.pk]),
            "basis": basis[s.pk],
            "story_url": story_url(s),
        },
    )
    context = _base_context(opts, "Gap busters", [r for _s, r, _ in busters], la.name)
    context["findings"] = []
    context["findings_text"] = (
        [
            f"{len(busters)} schools are gap busters for {opts.focus.name.lower()} pupils in {measure_name}: "
            f"{', '.join(s.name for s, _r, _x in busters[:3])}{' and others' if len(busters) > 3 else ''}."
        ]
        if busters
        else [f"No gap busters yet for {opts.focus.name.lower()} pupils in {measure_name}."]
    )
    context.update(
        la=la,
        table=table_,
        judged_on=_judged_on(),
        export_tables={"busters": table_},
        export_url="schools:gap_busters_export",
        export_args=[],
        buster_help=list(BusterReason.LABELS.values()),
    )
    return _respond(request, "schools/gap_busters.html", context, table, fmt)


def _excess_words(excess: float | None) -> str:
    """How the cluster's gap vs national compares with England's own gap, in words."""
    if excess is None:
        return ""
    if round(excess, 1) == 0:
        return "gap the same as England's"
    return f"gap {abs(excess):.1f} {'wider' if excess > 0 else 'narrower'} than England's"


@login_required
def cluster_rag(request, table=None, fmt=None):
    user = request.user
    la = selectors.working_la(user)
    opts = _options(request, la)
    clusters = list(selectors.visible_clusters(user).filter(la=la).order_by("name"))
    schools = selectors.visible_schools(user).filter(la=la)
    by_measure = selectors.org_rows_by_measure(
        user,
        "cluster",
        schools,
        clusters,
        measures=opts.headline,
        focus=opts.focus,
        groups=opts.groups,
        years=opts.years,
        year=opts.year,
    )
    measures = [m for m in opts.headline if by_measure.get(m.code)]
    cells = {(m.code, c.pk): row for m in measures for c, row in by_measure[m.code]}
    grid = []
    for c in clusters:
        row_cells = []
        for m in measures:
            row = cells.get((m.code, c.pk))
            rating = row.rag() if row else "none"
            row_cells.append(
                {
                    "rating": rating,
                    "label": RAG_LABELS[rating],
                    "letter": RAG_LETTERS[rating],
                    "row": row,
                    "excess": row.excess if row else None,
                    "vs_national": row.current.vs_national if row else None,
                    "excess_text": _excess_words(row.excess) if row else "",
                    "trend": row.trend.label if row and row.trend else "No trend",
                    "value": figure_with_count(row.current.focus, m) if row else "–",
                }
            )
        grid.append({"cluster": c, "url": reverse("schools:cluster", args=[c.pk]), "cells": row_cells})
    export = ExportTable(
        title=f"Cluster RAG board: {opts.focus.name.lower()} pupils",
        notes="Rating: " + " | ".join(describe_rule(r) for r in cluster_rag_rules()),
        columns=[("cluster", "Cluster", "Cluster / pyramid")]
        + [
            (f"{m.code}_{part}", f"{m.short_name or m.name}: {label}", definition)
            for m in measures
            for part, label, definition in (
                ("rating", "rating", "Red / amber / green by the rules in the title row"),
                (
                    "excess",
                    "gap vs national minus England's gap",
                    "Points by which the cluster's gap vs other pupils nationally is wider than England's gap",
                ),
                ("trend", "trend", "Trend of the gap vs other pupils nationally (comparable years only)"),
            )
        ],
        rows=[
            {
                "cluster": g["cluster"].name,
                **{
                    key: value
                    for m, cell in zip(measures, g["cells"])
                    for key, value in (
                        (f"{m.code}_rating", cell["label"]),
                        (f"{m.code}_excess", round(cell["excess"], 2) if cell["excess"] is not None else "–"),
                        (f"{m.code}_trend", cell["trend"]),
                    )
                },
            }
            for g in grid
        ],
    )
    all_rows = [row for m in measures for _c, row in by_measure[m.code]]
    context = _base_context(opts, "Cluster RAG board", all_rows, la.name)
    counts = {rating: sum(cell["rating"] == rating for g in grid for cell in g["cells"]) for rating in RAG_LABELS}
    context["findings"] = []
    context["findings_text"] = [
        f"Across {len(clusters)} clusters and {len(measures)} headline measures: {counts['red']} red, "
        f"{counts['amber']} amber, {counts['green']} green, {counts['none']} without a rating."
    ]
    cell_years = sorted({row.year for row in all_rows if row.year})
    if len(cell_years) > 1:
        context["findings_text"].append(
            f"The cells come from different results years ({', '.join(map(str, cell_years))}): each shows the "
            f"latest year the cluster has figures for. Choose a results year to compare like with like."
        )
    context.update(
        la=la,
        measures=measures,
        grid=grid,
        legend=[
            (rule["rating"], RAG_LABELS[rule["rating"]], RAG_LETTERS[rule["rating"]], describe_rule(rule))
            for rule in cluster_rag_rules()
        ],
        export_tables={"rag": export},
        export_url="schools:cluster_rag_export",
        export_args=[],
        default_rules=cluster_rag_rules() == DEFAULT_CLUSTER_RAG_RULES,
    )
    return _respond(request, "schools/cluster_rag.html", context, table, fmt)


__all__ = [
    "la_overview",
    "area",
    "cluster",
    "school_list",
    "school_detail",
    "priority",
    "gap_busters",
    "cluster_rag",
    "code_label",
]
