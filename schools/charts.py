"""Plotly trend charts, rendered to JSON and drawn by static/js/charts.js (no inline script: CSP).

Every chart comes with a fallback table of the same figures so the page reads without JavaScript.
Years without results (2020, 2021) are gaps in the lines, never zeros; a series break (``Measure.series_breaks``)
is a gap too, marked on the chart and in its table, so no line joins years that cannot be compared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import plotly.io as pio
from django.utils.text import slugify

from .gap_rows import GapRow
from .gaps import SUPPRESSION_CODES
from .house_style import results_year_label
from .table_columns import figure_with_count
from .trends import break_note, breaks_within

COLOURS = {
    "focus": "#1d70b8",
    "comparison": "#505a5f",
    "national_focus": "#d4351c",
    "national_comparison": "#f47738",
    "la_focus": "#00703c",
}
DASHES = {
    "focus": "solid",
    "comparison": "solid",
    "national_focus": "dash",
    "national_comparison": "dot",
    "la_focus": "dashdot",
}


@dataclass
class Chart:
    id: str
    title: str
    figure: dict  # plotly JSON (data + layout)
    headers: list[str]  # fallback table
    rows: list[list[str]]
    notes: list[str] = None  # series breaks, in words

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"


def _years(row: GapRow) -> list[int]:
    years = sorted(row.series)
    return list(range(years[0], years[-1] + 1)) if years else []


def trend_chart(row: GapRow, *, place: str = "here", chart_id: str = "", la_name: str = "") -> Chart | None:
    """Focus and comparison group here and nationally (and the LA for a school) over the years."""
    if not row.series:
        return None
    measure = row.measure
    years = _years(row)
    focus_name, comparison_name = row.focus_group.name, row.comparison_group.name
    lines = [
        ("focus", f"{focus_name} ({place})", lambda g: g.focus),
        ("comparison", f"{comparison_name} ({place})", lambda g: g.comparison),
        ("national_focus", f"{focus_name} (England)", lambda g: g.national_focus),
        ("national_comparison", f"{comparison_name} (England)", lambda g: g.national_comparison),
    ]
    series = {year: row.series.get(year) for year in years}
    la_series = row.la_series or {}
    plotted = [get(figures) for figures in series.values() if figures for _key, _name, get in lines]
    plotted += [figures.focus for figures in la_series.values() if figures]
    if not any(f is not None and (f.value is not None or f.code in SUPPRESSION_CODES) for f in plotted):
        return None  # nothing was published (NP) or loaded for any line: no empty chart
    traces = []
    headers = ["Year"] + [name for _key, name, _get in lines]
    if row.la_series is not None:
        headers.append(f"{focus_name} ({la_name or 'LA'})")
    table_rows = []
    breaks = breaks_within(measure, [y for y in years if series[y]])
    notes = [
        f"Series break in {results_year_label(b)}: figures from {results_year_label(b)} are not comparable with "
        "earlier years" + (f" ({break_note(measure, b)})" if break_note(measure, b) else "") + "."
        for b in breaks
    ]
    for year in years:
        if year in breaks:
            table_rows.append(
                ["Series break"] + [f"not comparable with {results_year_label(year)} on"] + [""] * (len(headers) - 2)
            )
        gapfigs = series[year]
        cells = [results_year_label(year)]
        for _key, _name, get in lines:
            cells.append(figure_with_count(get(gapfigs), measure) if gapfigs else "no results")
        if row.la_series is not None:
            la = la_series.get(year)
            cells.append(figure_with_count(la.focus, measure) if la else "no results")
        table_rows.append(cells)
    # A break is a missing point half a year before it: plotly leaves a gap there (connectgaps=False).
    xs = sorted(years + [b - 0.5 for b in breaks])

    def at(values_by_year):
        return [values_by_year.get(x) for x in xs]

    for key, name, get in lines:
        by_year = {y: get(series[y]).value if series[y] else None for y in years}
        values = at(by_year)
        trace = dict(
            x=xs,
            y=values,
            name=name,
            mode="lines+markers",
            connectgaps=False,
            line=dict(color=COLOURS[key], dash=DASHES[key]),
        )
        if key == "focus" and measure.is_percent:
            intervals = [
                series[x].focus.interval() if series.get(x) and series[x].focus.value is not None else None for x in xs
            ]
            bounds = list(zip(intervals, values, strict=True))
            trace["error_y"] = dict(
                type="data",
                symmetric=False,
                visible=True,
                array=[(ci[1] - v) if ci and v is not None else None for ci, v in bounds],
                arrayminus=[(v - ci[0]) if ci and v is not None else None for ci, v in bounds],
            )
        traces.append({**trace, "type": "scatter"})
    if row.la_series is not None:
        values = at({y: la_series[y].focus.value if la_series.get(y) else None for y in years})
        traces.append(
            dict(
                x=xs,
                y=values,
                name=f"{focus_name} ({la_name or 'LA'})",
                mode="lines+markers",
                connectgaps=False,
                line=dict(color=COLOURS["la_focus"], dash=DASHES["la_focus"]),
                type="scatter",
            )
        )
    unit = "%" if measure.is_percent else "points"
    title = f"{measure.short_name or measure.name}: {focus_name.lower()} and {comparison_name.lower()}"
    # Plain dicts in plotly's JSON form (what go.Figure(...).to_json() gave, template included): building
    # validated plotly objects took a quarter of a dashboard's time.
    layout = dict(
        template=_template(),
        title=dict(text=title),
        xaxis=dict(
            title=dict(text="Results year"),
            tickmode="array",
            tickvals=years,
            ticktext=[results_year_label(y) for y in years],
        ),
        yaxis=dict(title=dict(text=unit)),
        margin=dict(l=50, r=20, t=50, b=40),
        legend=dict(orientation="h", y=-0.2),
        height=360,
        shapes=[
            dict(
                type="line",
                xref="x",
                yref="paper",
                x0=b - 0.5,
                x1=b - 0.5,
                y0=0,
                y1=1,
                line=dict(color="#0b0c0c", dash="dot", width=1),
            )
            for b in breaks
        ],
        annotations=[
            dict(
                x=b - 0.5,
                xref="x",
                y=1,
                yref="paper",
                text=f"Series break ({results_year_label(b)}): not comparable",
                showarrow=False,
                xanchor="left",
                yanchor="bottom",
                font=dict(size=11),
            )
            for b in breaks
        ],
    )
    return Chart(
        id=chart_id or f"chart-{slugify(measure.code)}",
        title=title,
        figure={"data": traces, "layout": layout},
        headers=headers,
        rows=table_rows,
        notes=notes,
    )


@lru_cache(maxsize=1)
def _template_json() -> str:
    return json.dumps(pio.templates[pio.templates.default].to_plotly_json())


def _template() -> dict:
    """plotly's default template as JSON data (a fresh copy: callers may change the figure)."""
    return json.loads(_template_json())
