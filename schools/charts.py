"""Plotly trend charts, rendered to JSON and drawn by static/js/charts.js (no inline script: CSP).

Every chart comes with a fallback table of the same figures so the page reads without JavaScript.
Years without results (2020, 2021) are gaps in the lines, never zeros.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import plotly.io as pio
from django.utils.text import slugify

from .gaps import GapRow
from .tables import figure_text

COLOURS = {"focus": "#1d70b8", "comparison": "#505a5f", "national_focus": "#d4351c", "national_comparison": "#f47738",
           "la_focus": "#00703c"}
DASHES = {"focus": "solid", "comparison": "solid", "national_focus": "dash", "national_comparison": "dot",
          "la_focus": "dashdot"}


@dataclass
class Chart:
    id: str
    title: str
    figure: dict          # plotly JSON (data + layout)
    headers: list[str]    # fallback table
    rows: list[list[str]]

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
    traces = []
    headers = ["Year"] + [name for _key, name, _get in lines]
    if row.la_series is not None:
        headers.append(f"{focus_name} ({la_name or 'LA'})")
    table_rows = []
    for year in years:
        gapfigs = series[year]
        cells = [str(year)]
        for _key, _name, get in lines:
            cells.append(figure_text(get(gapfigs), measure) if gapfigs else "no results")
        if row.la_series is not None:
            la = la_series.get(year)
            cells.append(figure_text(la.focus, measure) if la else "no results")
        table_rows.append(cells)
    for key, name, get in lines:
        values = [get(series[y]).value if series[y] else None for y in years]
        trace = dict(x=years, y=values, name=name, mode="lines+markers", connectgaps=False,
                     line=dict(color=COLOURS[key], dash=DASHES[key]))
        if key == "focus" and measure.is_percent:
            intervals = [series[y].focus.interval() if series[y] and series[y].focus.value is not None else None
                         for y in years]
            trace["error_y"] = dict(
                type="data", symmetric=False, visible=True,
                array=[(ci[1] - v) if ci and v is not None else None for ci, v in zip(intervals, values)],
                arrayminus=[(v - ci[0]) if ci and v is not None else None for ci, v in zip(intervals, values)],
            )
        traces.append({**trace, "type": "scatter"})
    if row.la_series is not None:
        values = [la_series[y].focus.value if la_series.get(y) else None for y in years]
        traces.append(dict(x=years, y=values, name=f"{focus_name} ({la_name or 'LA'})", mode="lines+markers",
                           connectgaps=False, line=dict(color=COLOURS["la_focus"], dash=DASHES["la_focus"]),
                           type="scatter"))
    unit = "%" if measure.is_percent else "points"
    title = f"{measure.short_name or measure.name}: {focus_name.lower()} and {comparison_name.lower()}"
    # Plain dicts in plotly's JSON form (what go.Figure(...).to_json() gave, template included): building
    # validated plotly objects took a quarter of a dashboard's time.
    layout = dict(
        template=_template(), title=dict(text=title), xaxis=dict(title=dict(text="Results year"), dtick=1),
        yaxis=dict(title=dict(text=unit)), margin=dict(l=50, r=20, t=50, b=40), legend=dict(orientation="h", y=-0.2),
        height=360,
    )
    return Chart(id=chart_id or f"chart-{slugify(measure.code)}", title=title,
                 figure={"data": traces, "layout": layout}, headers=headers, rows=table_rows)


@lru_cache(maxsize=1)
def _template_json() -> str:
    return json.dumps(pio.templates[pio.templates.default].to_plotly_json())


def _template() -> dict:
    """plotly's default template as JSON data (a fresh copy: callers may change the figure)."""
    return json.loads(_template_json())
