"""The LA overview, area, cluster and school pages: headline measures, organisation tables, benchmarks."""

from __future__ import annotations

from .. import access, page_notes, selectors
from ..comparators import basis_for
from ..gaps import gap, gap_interval, gaps, significant
from ..models import OVERALL_GRADES_END, OfstedInspection
from ..published import PUBLISHED
from ..table_columns import figure_text, figure_with_count
from ..tables import SchoolFiguresTable, national_missing_reasons
from ..trends import standing
from .common import (
    Options,
    base_context,
    export_notes,
    headline_table,
    org_rows,
    org_table,
    school_table,
    trend_charts,
    url_of,
)


def _area_url(a) -> str:
    return url_of("schools:area", a.pk)


def _cluster_url(c) -> str:
    return url_of("schools:cluster", c.pk)


def _scope_rows(opts: Options, scope):
    return selectors.scope_rows(opts.user, scope, opts.query(opts.headline), la=opts.la)


_SCOPE_KINDS = (("school", "school"), ("cluster", "cluster"), ("area", "area"), ("localauthority", "la"))


def scope_context(opts: Options, title: str, rows, scope, headline) -> dict:
    """What a page about one scope (the LA, an area, a cluster or a school) starts from: the shared context
    (``base_context``) with the scope, its kind and its headline table (and ``school`` on a school's pages)."""
    kind = dict(_SCOPE_KINDS)[scope._meta.model_name]
    context = base_context(opts, title, rows, scope.name)
    context.update(la=opts.la, scope=scope, scope_kind=kind, headline=headline)
    if kind == "school":
        context["school"] = scope
    return context


def _headline_caption(opts: Options, place: str, at: str = "in") -> str:
    return f"Headline measures for {opts.focus.name.lower()} pupils {at} {place}"


# --------------------------------------------------------------------------- benchmarks
def benchmark_table(la, rows, opts: Options, sets) -> dict | None:
    """The LA's focus-group value and within gap beside each benchmark set (published, regional, neighbours:
    ``selectors.benchmark_sets``) and England. Each benchmark's gap is its comparison value minus its focus
    value (``gaps.gap``: positive = focus group behind)."""
    if not sets:
        return None
    body = []
    for row in rows:
        m = row.measure
        cells = [(figure_with_count(row.current.focus, m), standing(m, row.current.within))]
        for _label, _definition, figs in sets:
            focus = figs.get((row.year, m.code, opts.focus.code))
            comparison = figs.get((row.year, m.code, opts.comparison.code))
            cells.append((figure_text(focus, m), standing(m, gap(m, focus, comparison))))
        cells.append((figure_text(row.current.national_focus, m), standing(m, row.national_gap)))
        body.append({"measure": m.short_name or m.name, "year": row.year, "cells": cells})
    return {
        "headers": [f"{la.name} (pooled)"] + [label for label, _d, _f in sets] + ["England"],
        "definitions": [definition for _l, definition, _f in sets],
        "rows": body,
    }


def _benchmark_sets(opts: Options, rows) -> list:
    """``selectors.benchmark_sets`` for ``benchmark_table``: the rows' measures, the focus and comparison groups,
    and only the years the rows show (each row one year), not every year of the LA's trend."""
    return selectors.benchmark_sets(
        opts.la,
        measures=[r.measure.code for r in rows],
        groups=[opts.focus.code, opts.comparison.code],
        years=sorted({r.year for r in rows}),
    )


# --------------------------------------------------------------------------- LA, area, cluster
def la_overview_page(opts: Options, *, area_filter, cluster_filter, summary: bool = False) -> dict:
    """The LA overview's detail: findings, headline table and charts, areas and clusters on the chosen measure.
    ``summary``: only what the summary (``summary.la_summary``) shows of it — the headline rows, benchmarks and
    notes; its area and cluster rows are not built, only the years they would show (for the coverage notes)."""
    user, la = opts.user, opts.la
    head = selectors.la_headline(user, la, opts.query(opts.headline))
    rows = head.rows
    schools = access.visible_schools(user).filter(la=la)
    if summary:
        return _la_summary_base(opts, head, schools, area_filter=area_filter, cluster_filter=cluster_filter)
    area_pairs = org_rows(opts, "area", schools, area_filter.qs)
    cluster_pairs = org_rows(opts, "cluster", schools, cluster_filter.qs.select_related("area"))
    published_names = [
        r.measure.short_name or r.measure.name for r in rows if head.sources.get(r.measure.code) == PUBLISHED
    ]
    headline = headline_table(
        rows,
        opts,
        caption=_headline_caption(opts, la.name)
        + (" (the DfE's published LA figure where there is one)" if published_names else ""),
        place=la.name,
    )
    areas = org_table(area_pairs, opts, url=_area_url, caption=f"Areas: {opts.measure_name}", prefix="areas-")
    clusters = org_table(
        cluster_pairs, opts, url=_cluster_url, caption=f"Clusters: {opts.measure_name}", prefix="clusters-"
    )
    sets = _benchmark_sets(opts, head.pooled_rows)
    published = page_notes.published_table(head, opts)
    export_tables = {"headline": headline, "areas": areas, "clusters": clusters}
    if published:
        export_tables["published"] = page_notes.published_export(published, la, opts, notes=export_notes(opts))
    context = scope_context(opts, f"{la.name} overview", rows, la, headline)
    context.update(
        headline_rows=rows,
        benchmarks=benchmark_table(la, head.pooled_rows, opts, sets),
        charts=trend_charts(rows, place=la.name),
        area_table=areas,
        published=published,
        published_names=published_names,
        coverage_notes=page_notes.coverage_notes(la, rows, area_pairs + cluster_pairs, opts),
        cluster_table=clusters,
        area_filter=area_filter,
        cluster_filter=cluster_filter,
        export_tables=export_tables,
        export_url="schools:la_overview_export",
        export_args=[],
    )
    return context


def _la_summary_base(opts: Options, head, schools, *, area_filter, cluster_filter) -> dict:
    """``la_overview_page``'s context for the summary: what its template shows, from the same rows and notes."""
    la, rows = opts.la, head.rows
    query = opts.query()
    org_years = selectors.org_row_years("area", schools, area_filter.qs, query)
    org_years += selectors.org_row_years("cluster", schools, cluster_filter.qs, query)
    published_names = [
        r.measure.short_name or r.measure.name for r in rows if head.sources.get(r.measure.code) == PUBLISHED
    ]
    caption = _headline_caption(opts, la.name)
    caption += " (the DfE's published LA figure where there is one)" if published_names else ""
    headline = headline_table(rows, opts, caption=caption, place=la.name)
    sets = _benchmark_sets(opts, head.pooled_rows)
    context = scope_context(opts, f"{la.name} overview", rows, la, headline)
    context.update(
        headline_rows=rows,
        benchmarks=benchmark_table(la, head.pooled_rows, opts, sets),
        published_names=published_names,
        coverage_notes=page_notes.coverage_notes(la, rows, [], opts, org_years=org_years),
        area_filter=area_filter,
        cluster_filter=cluster_filter,
        export_tables={"headline": headline},
        export_url="schools:la_overview_export",
        export_args=[],
    )
    return context


def area_page(opts: Options, the_area, *, school_filter) -> dict:
    user, la = opts.user, opts.la
    rows = _scope_rows(opts, the_area)
    schools = access.visible_schools(user).filter(area=the_area)
    cluster_pairs = org_rows(opts, "cluster", schools, access.visible_clusters(user).filter(area=the_area))
    headline = headline_table(rows, opts, caption=_headline_caption(opts, the_area.name), place=the_area.name)
    in_area = f"in {the_area.name}: {opts.measure_name}"
    clusters = org_table(cluster_pairs, opts, url=_cluster_url, caption=f"Clusters {in_area}", prefix="clusters-")
    schools_shown, school_years = school_table(opts, school_filter.qs, caption=f"Schools {in_area}")
    context = scope_context(opts, f"{the_area.name} area", rows, the_area, headline)
    context.update(
        pooled_lines=page_notes.pooled_lines(rows, opts),
        coverage_notes=page_notes.coverage_notes(la, rows, cluster_pairs, opts, org_years=school_years),
        charts=trend_charts(rows, place=the_area.name, la_name=la.name),
        cluster_table=clusters,
        school_table=schools_shown,
        school_filter=school_filter,
        export_tables={"headline": headline, "clusters": clusters, "schools": schools_shown},
        export_url="schools:area_export",
        export_args=[the_area.pk],
    )
    return context


def cluster_page(opts: Options, the_cluster) -> dict:
    user, la = opts.user, opts.la
    rows = _scope_rows(opts, the_cluster)
    schools = access.visible_schools(user).filter(cluster=the_cluster)
    headline = headline_table(rows, opts, caption=_headline_caption(opts, the_cluster.name), place=the_cluster.name)
    schools_shown, school_years = school_table(
        opts, schools, caption=f"Schools in {the_cluster.name}: {opts.measure_name}"
    )
    context = scope_context(opts, the_cluster.name, rows, the_cluster, headline)
    context.update(
        pooled_lines=page_notes.pooled_lines(rows, opts),
        coverage_notes=page_notes.coverage_notes(la, rows, [], opts, org_years=school_years),
        area_link=bool(the_cluster.area_id) and access.visible_areas(user).filter(pk=the_cluster.area_id).exists(),
        charts=trend_charts(rows, place=the_cluster.name, la_name=la.name),
        school_table=schools_shown,
        export_tables={"headline": headline, "schools": schools_shown},
        export_url="schools:cluster_export",
        export_args=[the_cluster.pk],
    )
    return context


# --------------------------------------------------------------------------- school
def ofsted(school) -> dict:
    """The latest inspection on each scale, with its graded areas: the graded (1–4) and report-card scales
    are not comparable, and report cards have no overall grade."""
    latest: dict[str, OfstedInspection] = {}
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


def group_figures(measure, group, comparison, figure, comp_fig, national: dict, key) -> dict:
    """One group × year of one measure: its value, its three gaps and whether each is significant (the 95%
    interval of the difference excludes 0: ``gaps.significant``). ``comparison`` is None for a group with
    nothing to compare with; its gaps are then None. ``key`` is (year, measure code)."""
    year, code = key
    g = gaps(
        measure,
        figure,
        comp_fig,
        national.get((year, code, group.code)),
        national.get((year, code, comparison.code)) if comparison else None,
    )

    def sig(against):
        return significant(gap_interval(measure, figure, against)) if comparison else None

    return {
        "comparison_name": comparison.name if comparison else "–",
        "comparison": comp_fig,
        "within": g.within if comparison else None,
        "vs_national": g.vs_national if comparison else None,
        "like": g.like_for_like if comparison else None,
        "within_sig": sig(comp_fig),
        "vs_national_sig": sig(g.national_comparison),
        "like_sig": sig(g.national_focus),
        "national_focus": g.national_focus,
        "national_comparison": g.national_comparison,
    }


def school_figure_tables(school, opts: Options, measures, years, here, national, la_figures, basis=None):
    """One table per measure the school has: every group × year with its gaps and their significance."""
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
                figs = group_figures(measure, group, comparison, figure, comp_fig, national, (year, code))
                national_missing = (
                    basis is not None and basis.own_type and comparison and figs["national_comparison"].value is None
                )
                figs.pop("national_comparison")
                data.append(
                    {
                        "measure": measure,
                        "year": year,
                        "group": group.name,
                        "cohort": figure.cohort,
                        "focus": figure,
                        "focus_ci": figure.interval(measure.unit) if figure.value is not None else None,
                        **figs,
                        "la_focus": la_figures.get((year, code, group.code)),
                        "status": (figure.status or "").capitalize() or "–",
                        "missing_reasons": national_missing_reasons(basis.missing if national_missing else ""),
                    }
                )
        if data:
            caption = f"{measure.name}: every group and year at {school.name}"
            out.append((measure, SchoolFiguresTable(data, caption=caption, prefix=f"{code}-")))
    return out


def school_groups_page(opts: Options, school) -> dict:
    """One pupil group across the school's headline measures: findings, the headline table and its charts
    (the summary is ``dashboard.summary.school_page``; one measure across groups, ``school_measure_page``)."""
    la = opts.la
    rows = _scope_rows(opts, school)
    basis = basis_for(school)
    headline = headline_table(rows, opts, caption=_headline_caption(opts, school.name, "at"), place=school.name)
    context = scope_context(opts, f"{school.name}: {opts.focus.name.lower()} pupils", rows, school, headline)
    context.update(
        charts=trend_charts(rows, place=school.name, la_name=la.name),
        export_tables={"headline": headline},
        national_basis=basis,
        national_missing=any(row.national_note for row in rows),
        export_url="schools:school_export",
        export_args=[school.urn],
    )
    return context


def school_figure_exports(opts: Options, school) -> dict:
    """Every measure's group × year table, by export name ("figures-ks2_rwm_exp")."""
    measures, years, here, national, la_figures = selectors.school_figures_all(opts.user, school, groups=opts.groups)
    tables = school_figure_tables(school, opts, measures, years, here, national, la_figures, basis_for(school))
    return {f"figures-{m.code}": t for m, t in tables}
