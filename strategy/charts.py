"""The support engagement chart: the partner school's gaps before, during and after the engagement.

Built with plotly in Python and handed to the page as figure JSON (drawn by a static script — the CSP allows
no inline script); the same rows are given as a table, so the page reads without JavaScript. A line never joins
years on either side of a series break (``Measure.series_breaks``): each comparable run is its own trace."""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go

from schools.disclosure import disclose, disclosure_groups_for, partitions_of
from schools.figures import figures
from schools.gaps import MISSING, gap
from schools.models import Measure, PupilGroup
from schools.selectors import pupil_groups
from schools.trends import break_note, breaks_within, segments

from .models import SupportEngagement, year_label
from .services import academic_results_year

PHASE_LABELS = {"before": "Before", "during": "During", "after": "After"}
PHASE_SYMBOLS = {"before": "circle-open", "during": "circle", "after": "diamond"}
YEARS_BEFORE = 3
YEARS_AFTER = 3


def _series_keys(engagement: SupportEngagement, objectives) -> list[tuple[Measure, PupilGroup, PupilGroup]]:
    """(measure, focus, comparison) for each objective; headline measures for disadvantaged pupils if none."""
    keys, seen = [], set()
    for target in objectives:
        if target.comparison and (target.measure_id, target.focus_group_id) not in seen:
            seen.add((target.measure_id, target.focus_group_id))
            keys.append((target.measure, target.focus_group, target.comparison))
    if keys:
        return keys
    group = PupilGroup.objects.select_related("comparison").get(code="disadvantaged")
    return [(m, group, group.comparison) for m in Measure.objects.filter(headline=True, last_year__isnull=True)]


def engagement_chart(engagement: SupportEngagement, objectives, *, show_small_cohorts: bool) -> dict:
    """{"figure": plotly JSON-able dict or None, "rows": table rows, "years": [...], "series": [...]}."""
    first = academic_results_year(engagement.start_date) - YEARS_BEFORE
    end = engagement.end_date or date.today()
    last = min(academic_results_year(end) + YEARS_AFTER, academic_results_year(date.today()))
    years = list(range(first, last + 1))
    keys = _series_keys(engagement, objectives)
    groups = pupil_groups()
    codes = disclosure_groups_for(
        {g.code for _, g, _ in keys} | {c.code for _, _, c in keys},
        groups,
        viewer_sees_small_cohorts=show_small_cohorts,
    )
    found = figures(engagement.partner_school, measures={m.code for m, _, _ in keys}, groups=codes, years=years)
    shown = disclose(found, viewer_sees_small_cohorts=show_small_cohorts, partitions=partitions_of(groups))
    series, rows = [], []
    for measure, group, comparison in keys:
        points = []
        for year in years:
            focus = found.get((year, measure.code, group.code))
            other = found.get((year, measure.code, comparison.code))
            value = gap(measure, focus, other)
            if value is None:
                continue
            hidden = any(
                shown.get((year, measure.code, code), MISSING).suppressed for code in (group.code, comparison.code)
            )
            phase = engagement.phase_of(year)
            points.append((year, None if hidden else round(value, 1), phase))
            rows.append(
                {
                    "measure": measure.short_name or measure.name,
                    "group": group.name,
                    "comparison": comparison.name,
                    "year": year,
                    "year_label": year_label(year),
                    "phase": PHASE_LABELS[phase],
                    "gap": None if hidden else round(value, 1),
                    "suppressed": hidden,
                    "unit": measure.unit_label,
                }
            )
        if points:
            runs = segments(measure, [year for year, _v, _p in points])
            series.append(
                {
                    "name": f"{measure.short_name or measure.name}: {group.name.lower()} gap",
                    "points": points,
                    "runs": [[p for p in points if p[0] in run] for run in runs],
                    "breaks": [
                        (b, break_note(measure, b)) for b in breaks_within(measure, [year for year, _v, _p in points])
                    ],
                }
            )
    figure = _figure(engagement, series) if any(p[1] is not None for s in series for p in s["points"]) else None
    notes = sorted(
        {
            f"{item['name']}: series break in {year_label(b)}"
            + (f" ({note})" if note else "")
            + "; figures either side are not compared."
            for item in series
            for b, note in item["breaks"]
        }
    )
    return {"figure": figure, "rows": rows, "years": years, "series": series, "notes": notes}


def _figure(engagement: SupportEngagement, series) -> dict:
    fig = go.Figure()
    for index, item in enumerate(series):
        for number, run in enumerate(item["runs"]):
            fig.add_trace(
                go.Scatter(
                    x=[year_label(year) for year, _v, _p in run],
                    y=[value for _y, value, _p in run],
                    mode="lines+markers",
                    name=item["name"],
                    legendgroup=f"series-{index}",
                    showlegend=number == 0,
                    marker=dict(size=10, symbol=[PHASE_SYMBOLS[p] for _y, _v, p in run]),
                    text=[PHASE_LABELS[p] for _y, _v, p in run],
                    hovertemplate="%{x}: gap %{y:.1f} (%{text} the engagement)<extra>%{fullData.name}</extra>",
                )
            )
        for year, _note in item["breaks"]:
            fig.add_shape(
                type="line",
                xref="x",
                yref="paper",
                x0=year_label(year),
                x1=year_label(year),
                y0=0,
                y1=1,
                line=dict(dash="dot", color="#0b0c0c", width=1),
            )
            fig.add_annotation(
                x=year_label(year),
                xref="x",
                y=1,
                yref="paper",
                text="Series break: not comparable",
                showarrow=False,
                xanchor="left",
                yanchor="bottom",
            )
    during = [year_label(y) for item in series for y, _v, p in item["points"] if p == "during"]
    if during:
        fig.add_vrect(
            x0=min(during),
            x1=max(during),
            fillcolor="#dddddd",
            opacity=0.35,
            line_width=0,
            annotation_text="During the engagement",
            annotation_position="top left",
        )
    fig.add_hline(y=0, line_dash="dot", line_color="#505a5f")
    fig.update_layout(
        title=f"{engagement.partner_school.name}: gaps before, during and after support",
        xaxis_title="Academic year",
        yaxis_title="Gap (positive = focus group behind)",
        xaxis=dict(type="category", categoryorder="category ascending"),
        margin=dict(l=60, r=20, t=60, b=60),
        legend=dict(orientation="h", y=-0.25),
        template="plotly_white",
    )
    return json.loads(fig.to_json())
