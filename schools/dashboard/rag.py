"""The cluster RAG board: one cell per cluster × headline measure, rated by the LA's rules (``schools.rag``).

The page shows the clusters 50 at a time, in name order (only the clusters on the page are pooled and rated, so
a page costs the same whatever the number of clusters); its exports rate every cluster."""

from __future__ import annotations

from django.core.paginator import Paginator

from .. import access, selectors
from ..exports import ExportTable
from ..rag import DEFAULT_CLUSTER_RAG_RULES, RAG_LABELS, RAG_LETTERS, cluster_rag_rules, describe_rule
from ..table_columns import figure_with_count
from .common import Options, base_context, url_of

_EXPORT_PARTS = (
    ("rating", "rating", "Red / amber / green by the rules in the title row"),
    (
        "excess",
        "gap vs national minus England's gap",
        "Points by which the cluster's gap vs other pupils nationally is wider than England's gap",
    ),
    ("trend", "trend", "Trend of the gap vs other pupils nationally (comparable years only)"),
)


def excess_words(excess: float | None) -> str:
    """How the cluster's gap vs national compares with England's own gap, in words."""
    if excess is None:
        return ""
    if round(excess, 1) == 0:
        return "gap the same as England's"
    return f"gap {abs(excess):.1f} {'wider' if excess > 0 else 'narrower'} than England's"


def rag_cell(row, measure) -> dict:
    """One cell of the board: the rating (``GapRow.rag``) and what the cell shows; "none" without a row."""
    rating = row.rag() if row else "none"
    return {
        "rating": rating,
        "label": RAG_LABELS[rating],
        "letter": RAG_LETTERS[rating],
        "row": row,
        "excess": row.excess if row else None,
        "vs_national": row.current.vs_national if row else None,
        "excess_text": excess_words(row.excess) if row else "",
        "trend": row.trend.label if row and row.trend else "No trend",
        "value": figure_with_count(row.current.focus, measure) if row else "–",
    }


def rag_grid(clusters, measures, by_measure: dict) -> list[dict]:
    """One grid row per cluster, one cell per measure; ``by_measure`` maps a measure code to (cluster, row)."""
    cells = {(m.code, c.pk): row for m in measures for c, row in by_measure.get(m.code, ())}
    return [
        {
            "cluster": c,
            "url": url_of("schools:cluster", c.pk),
            "cells": [rag_cell(cells.get((m.code, c.pk)), m) for m in measures],
        }
        for c in clusters
    ]


def rag_counts(grid) -> dict[str, int]:
    return {rating: sum(cell["rating"] == rating for g in grid for cell in g["cells"]) for rating in RAG_LABELS}


def rag_export(grid, measures, opts: Options) -> ExportTable:
    def cell_values(m, cell):
        excess = round(cell["excess"], 2) if cell["excess"] is not None else "–"
        return ((f"{m.code}_rating", cell["label"]), (f"{m.code}_excess", excess), (f"{m.code}_trend", cell["trend"]))

    return ExportTable(
        title=f"Cluster RAG board: {opts.focus.name.lower()} pupils",
        notes="Rating: " + " | ".join(describe_rule(r) for r in cluster_rag_rules()),
        columns=[("cluster", "Cluster", "Cluster / pyramid")]
        + [
            (f"{m.code}_{part}", f"{m.short_name or m.name}: {label}", definition)
            for m in measures
            for part, label, definition in _EXPORT_PARTS
        ],
        rows=[
            {
                "cluster": g["cluster"].name,
                **{
                    key: value
                    for m, cell in zip(measures, g["cells"], strict=True)
                    for key, value in cell_values(m, cell)
                },
            }
            for g in grid
        ],
    )


CLUSTERS_PER_PAGE = 50


def rag_findings(grid, measures, rows, *, shown: str) -> list[str]:
    """The ratings counted over the clusters ``shown`` describes ("70 clusters", "clusters 51 to 70 of 70")."""
    counts = rag_counts(grid)
    out = [
        f"Across {shown} and {len(measures)} headline measures: {counts['red']} red, "
        f"{counts['amber']} amber, {counts['green']} green, {counts['none']} without a rating."
    ]
    cell_years = sorted({row.year for row in rows if row.year})
    if len(cell_years) > 1:
        out.append(
            f"The cells come from different results years ({', '.join(map(str, cell_years))}): each shows the "
            f"latest year the cluster has figures for. Choose a results year to compare like with like."
        )
    return out


def cluster_rag_page(opts: Options, *, page=1, every: bool = False) -> dict:
    """The board's context: the clusters on ``page`` (50 a page), or with ``every`` (an export) all of them."""
    user, la = opts.user, opts.la
    paginator = Paginator(access.visible_clusters(user).filter(la=la).order_by("name", "pk"), CLUSTERS_PER_PAGE)
    shown_page = None if every else paginator.get_page(page)
    clusters = list(paginator.object_list if shown_page is None else shown_page.object_list)
    schools = access.visible_schools(user).filter(la=la, cluster__in=[c.pk for c in clusters])
    by_measure = selectors.org_rows_by_measure(
        user, "cluster", schools, clusters, opts.query(opts.headline, all_pupils=False)
    )
    measures = [m for m in opts.headline if by_measure.get(m.code)]
    grid = rag_grid(clusters, measures, by_measure)
    rows = [row for m in measures for _c, row in by_measure[m.code]]
    context = base_context(opts, "Cluster RAG board", rows, la.name, findings=False)
    context.update(
        la=la,
        findings_text=rag_findings(grid, measures, rows, shown=_shown_words(shown_page, len(clusters))),
        page=shown_page if shown_page is not None and shown_page.paginator.num_pages > 1 else None,
        measures=measures,
        grid=grid,
        legend=[
            (rule["rating"], RAG_LABELS[rule["rating"]], RAG_LETTERS[rule["rating"]], describe_rule(rule))
            for rule in cluster_rag_rules()
        ],
        export_tables={"rag": rag_export(grid, measures, opts)},
        export_url="schools:cluster_rag_export",
        export_args=[],
        default_rules=cluster_rag_rules() == DEFAULT_CLUSTER_RAG_RULES,
    )
    return context


def _shown_words(page, count: int) -> str:
    """Which clusters the board's counts are over, in words."""
    if page is None or page.paginator.num_pages == 1:
        return f"{count} clusters"
    return f"clusters {page.start_index()} to {page.end_index()} of {page.paginator.count} (this page)"
