"""Sections shared by the briefing and the school profile, built from disclosed GapRows."""

from __future__ import annotations

from schools.findings import findings_for, number
from schools.gaps import gap
from schools.house_style import results_year_label as year_text
from schools.trends import TrendClass

from . import charts
from .document import Bullets, Heading, Paragraph, Table, cohort_text, gap_text, suppression_note, value_text


def comparison_phrase(group) -> str:
    """ "other pupils" for the usual comparison groups, else the group's name."""
    return (
        "other pupils"
        if group.code in ("not_disadvantaged", "not_fsm", "all") or "other pupils" in group.name
        else group.name.lower()
    )


def summary(rows, *, place: str) -> list:
    found = findings_for(rows, place=place, limit=8)
    items = [f.text + (f" ({f.note})" if f.note else "") for f in found]
    if items:
        return [Heading("Summary"), Bullets(items)]
    if rows:
        # Rows but no sentence: the focus group's figures are suppressed or missing, not absent from the files.
        focus = rows[0].focus_group.name.lower()
        why = f"No sentence can be written for {focus} pupils: their figures are suppressed (SUPP) or missing."
        return [Heading("Summary"), Paragraph(f"{why} The table below shows what there is.")]
    return [Heading("Summary"), Paragraph("There are no figures for this year yet.")]


def headline_table(rows, *, place: str, year: int) -> Table:
    focus = rows[0].focus_group.name if rows else "Focus group"
    comparison = rows[0].comparison_group.name if rows else "comparison group"
    body = []
    for row in rows:
        current = row.current
        body.append(
            [
                row.measure.short_name or row.measure.name,
                year_text(row.year),
                cohort_text(current.focus),
                value_text(current.focus, row.measure),
                value_text(current.comparison, row.measure),
                gap_text(current.within),
                gap_text(row.national_gap),
                row.trend.label if row.trend else "Not enough years",
            ]
        )
    return Table(
        caption=f"Headline measures for {focus.lower()} pupils in {place}, {year_text(year)}",
        headers=[
            "Measure",
            "Year",
            "Pupils in group",
            focus,
            comparison_phrase(rows[0].comparison_group).capitalize() if rows else comparison,
            "Gap here",
            "England's gap",
            "Trend",
        ],
        rows=body,
        note=(
            f"Gap = {comparison.lower()} − {focus.lower()} pupils (points); positive means {focus.lower()} pupils "
            f"are behind. England's gap is the same difference nationally. " + suppression_note()
        ),
    )


def over_time(rows, *, place: str, la_name: str = "") -> list:
    years = sorted({y for row in rows for y in row.series})
    if not years:
        return []
    chart = charts.gap_trend_chart(
        rows, place=place, la_name=la_name, caption=f"The gap by results year in {place} and in England"
    )
    table = Table(
        caption=f"The gap in {place} by results year (England's gap in brackets)",
        headers=["Measure"] + [year_text(y) for y in years],
        rows=[
            [row.measure.short_name or row.measure.name]
            + [
                f"{gap_text(row.series[y].within)} ({gap_text(_england(row, y))})" if y in row.series else "–"
                for y in years
            ]
            for row in rows
        ],
        note="Years with no published results (2019/20 and 2020/21) are left out, never counted as zero.",
    )
    return [Heading("Over time"), chart, table]


def _england(row, year):
    g = row.series[year]
    return gap(row.measure, g.national_focus, g.national_comparison)


def why(rows) -> list:
    """What narrowed or widened, split into the change for each group (the decomposition)."""
    items = []
    for row in rows:
        t = row.trend
        if t is None:
            continue
        name = row.measure.short_name or row.measure.name
        unit = "percentage points" if row.measure.is_percent else "points"
        items.append(
            f"{name}, {year_text(t.start_year)} to {year_text(t.end_year)}: "
            f"the gap went from {number(t.gap_start)} to {number(t.gap_end)} "
            f"{unit} ({t.label.lower()}). {row.focus_group.name} pupils' result changed by "
            f"{gap_text(t.focus_change)} and {comparison_phrase(row.comparison_group)}' by "
            f"{gap_text(t.comparison_change)} "
            f"(positive = better). {TrendClass.EXPLANATIONS[t.classification]}"
            + (" The change is within the 95% margin of error." if t.significant is False else "")
        )
    if not items:
        return [Heading("What narrowed and why"), Paragraph("Not enough published years to show a trend yet.")]
    return [Heading("What narrowed and why"), Bullets(items)]


def targets(statuses) -> list:
    """(target, status) pairs as a table; status is computed from the results with small cohorts hidden."""
    if not statuses:
        return [Heading("Targets"), Paragraph("No targets are set at this level.")]
    body = [[str(target), status.label, status.explanation] for target, status in statuses]
    counts = {}
    for _target, status in statuses:
        counts[status.label] = counts.get(status.label, 0) + 1
    summary_text = ", ".join(f"{n} {label.lower()}" for label, n in counts.items())
    return [
        Heading("Targets"),
        Paragraph(f"{len(statuses)} targets: {summary_text}."),
        Table(caption="Targets and whether each is on track", headers=["Target", "Status", "Why"], rows=body),
    ]
