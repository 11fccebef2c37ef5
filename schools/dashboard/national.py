"""The all-LA page: every LA's gap for one measure, against England and its statistical neighbours, with the
definition and sign of each column; its exports (this measure, and every headline measure)."""

from __future__ import annotations

from ..exports import ExportTable
from ..gaps import Figure
from ..house_style import results_year_label
from ..la_comparison import LaGap, la_gaps

POSITIVE = "positive = the {focus} group behind (sign flipped for lower-is-better measures)"


def columns(focus_name: str, comparison_name: str) -> list[tuple[str, str, str]]:
    """(key, header, definition) of each column, on the page and in the exports."""
    focus, comparison = focus_name.lower(), comparison_name.lower()
    sign = POSITIVE.format(focus=focus)
    return [
        ("la", "Local authority", "The LA's name and DfE code."),
        ("region", "Region", "The LA's region."),
        ("measure", "Measure", "The measure."),
        (
            "source",
            "Figures",
            "The LA's published figure (DfE LA tables or LAIT) where it has one for both groups; "
            "else pooled from its schools' rows (sum of achievers ÷ sum of pupils).",
        ),
        ("focus", focus_name, f"The LA's figure for the {focus} group."),
        ("focus_cohort", f"{focus_name}: pupils", f"The pupils of the {focus} group the figure counts."),
        ("comparison", comparison_name, f"The LA's figure for the {comparison} group."),
        ("gap", "Gap in the LA", f"The {comparison} group's figure minus the {focus} group's in the LA; {sign}."),
        (
            "gap_national",
            "Gap to the comparison group nationally",
            f"England's {comparison} group minus the LA's {focus} group (the DfE's convention for "
            f"disadvantaged pupils); {sign}.",
        ),
        (
            "vs_england",
            "Gap minus England's gap",
            "The LA's gap minus England's gap for the same groups; positive = the LA's gap is wider than England's.",
        ),
        (
            "neighbours_gap",
            "Statistical neighbours' gap",
            "The mean gap of the LA's statistical neighbours held here (the DfE's children's services "
            f"statistical neighbours), each worked out as the LA's own; {sign}.",
        ),
        ("neighbours", "Neighbours counted", "How many of the LA's neighbours have a gap for this measure."),
        (
            "vs_neighbours",
            "Gap minus neighbours' gap",
            "The LA's gap minus its neighbours' mean gap; positive = the LA's gap is wider than its neighbours'.",
        ),
    ]


def _value(figure: Figure):
    """A figure's value, else its marker (SUPP for a suppressed group, x / NE when missing)."""
    if figure.value is not None:
        return round(figure.value, 1)
    return figure.code or "x"


def _round(value: float | None):
    return None if value is None else round(value, 1)


def record(row: LaGap) -> dict:
    """One LA's row, as the page and the exports show it."""
    return {
        "la": f"{row.la.name} ({row.la.code})",
        "region": row.la.region_name or row.la.region_code,
        "measure": row.measure.short_name or row.measure.name,
        "source": row.source_label,
        "focus": _value(row.focus),
        "focus_cohort": None if row.focus.suppressed else row.focus.cohort,
        "comparison": _value(row.comparison),
        "gap": _round(row.gap),
        "gap_national": _round(row.gap_vs_national_comparison),
        "vs_england": _round(row.vs_england),
        "neighbours_gap": _round(row.neighbours_gap),
        "neighbours": row.neighbours,
        "vs_neighbours": _round(row.vs_neighbours),
    }


def national_page(user, *, measures, measure, focus, groups, years, year, form, exporting: bool = False) -> dict:
    """The context of the all-LA page for ``measure`` (its exports: this measure, and every one of ``measures``,
    worked out only when ``exporting``)."""
    measures = measures if exporting else [measure]
    found = la_gaps(user, measures=measures, focus=focus, groups=groups, years=years, year=year)
    cols = columns(focus.name, focus.comparison.name)
    label = results_year_label(found.year) if found.year else "no results yet"
    title = "Every LA's gaps"
    caption = f"{measure.short_name or measure.name}: {focus.name.lower()} pupils, {label}"
    rows = [record(row) for row in found.rows.get(measure.code, [])]
    every = [record(row) for m in measures for row in found.rows.get(m.code, [])]
    notes = f"{focus.name} against {focus.comparison.name.lower()}, {label}"
    return {
        "title": title,
        "caption": caption,
        "form": form,
        "columns": cols,
        "rows": rows,
        "headers": [header for _key, header, _definition in cols],
        "cells": [[row[key] for key, _header, _definition in cols] for row in rows],
        "year": found.year,
        "year_label": label,
        "england_gap": _round(found.england_gap.get(measure.code)),
        "measure": measure,
        "focus": focus,
        "published_count": sum(1 for row in found.rows.get(measure.code, []) if row.source == "published"),
        "export_tables": {
            "gaps": ExportTable(title=f"{title}: {caption}", columns=cols, rows=rows),
            "every-measure": ExportTable(
                title=f"{title}: every headline measure", columns=cols, rows=every, notes=notes
            ),
        },
        "export_url": "schools:national_export",
        "export_args": [],
    }
