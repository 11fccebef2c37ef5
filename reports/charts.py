"""Charts for documents, drawn on the server with matplotlib (no browser): SVG for the PDF (vector, sharp
at any zoom) and PNG at print resolution for Word. Years without results (2020, 2021) break the line,
never drop to zero. Every chart has alt text that states its figures."""

from __future__ import annotations

import matplotlib
from matplotlib.figure import Figure

from schools.gap_rows import GapRow
from schools.gaps import gap
from schools.house_style import results_year_label as year_text

from .document import CHART_STYLE, Chart

HERE, LA, ENGLAND = "#1d70b8", "#00703c", "#d4351c"


def _series(years: list[int], values: dict[int, float | None]) -> list[float | None]:
    return [values.get(y) for y in years]


def _year_span(rows: list[GapRow]) -> list[int]:
    present = sorted({y for row in rows for y in row.series})
    return list(range(present[0], present[-1] + 1)) if present else []


def _listing(name: str, years: list[int], values: list[float | None]) -> str:
    shown = [f"{y} {v:.1f}" for y, v in zip(years, values, strict=True) if v is not None]
    return f"{name}: " + (", ".join(shown) if shown else "no figures")


def gap_trend_chart(rows: list[GapRow], *, place: str, la_name: str = "", caption: str) -> Chart | None:
    """Small multiples, one per measure: the within gap here (and in the LA, for an area or school) against
    England's gap, by results year."""
    rows = [row for row in rows if row.series]
    years = _year_span(rows)
    if not rows or not years:
        return None
    columns = min(3, len(rows))
    lines = (len(rows) + columns - 1) // columns
    with matplotlib.rc_context(CHART_STYLE):
        # Fixed margins rather than a layout engine: constrained layout doubles the drawing time.
        height = 2.4 * lines
        figure = Figure(figsize=(7.2, height))
        figure.subplots_adjust(left=0.08, right=0.99, bottom=0.5 / height, top=1 - 0.5 / height, wspace=0.3, hspace=0.6)
        axes = figure.subplots(lines, columns, squeeze=False).flatten()
        alt = [
            f"Line charts of the gap between {rows[0].comparison_group.name.lower()} and "
            f"{rows[0].focus_group.name.lower()} pupils by results year; positive means "
            f"{rows[0].focus_group.name.lower()} pupils are behind."
        ]
        for ax, row in zip(axes, rows, strict=False):  # the grid may have spare axes
            here = _series(years, {y: g.within for y, g in row.series.items()})
            england = _series(
                years, {y: gap(row.measure, g.national_focus, g.national_comparison) for y, g in row.series.items()}
            )
            ax.plot(years, [_nan(v) for v in here], marker="o", color=HERE, label=place)
            parts = [_listing(place, years, here)]
            if row.la_series and la_name:
                la = _series(years, {y: g.within for y, g in row.la_series.items()})
                ax.plot(years, [_nan(v) for v in la], marker="s", linestyle="-.", color=LA, label=la_name)
                parts.append(_listing(la_name, years, la))
            ax.plot(years, [_nan(v) for v in england], marker="^", linestyle="--", color=ENGLAND, label="England")
            parts.append(_listing("England", years, england))
            name = row.measure.short_name or row.measure.name
            ax.set_title(name, fontsize=8.5, loc="left")
            ax.set_xticks(years, [year_text(y) for y in years], rotation=45 if len(years) > 5 else 0)
            ax.axhline(0, color="#b1b4b6", linewidth=0.6)
            ax.set_ylabel("gap (points)")
            ax.grid(axis="y", color="#e5e6e7", linewidth=0.5)
            alt.append(f"{name} — " + "; ".join(parts) + ".")
        for ax in axes[len(rows) :]:
            ax.set_visible(False)
        handles, labels = axes[0].get_legend_handles_labels()
        figure.legend(handles, labels, loc="upper center", ncols=len(labels), fontsize=7, frameon=False)
    return Chart(caption=caption, alt=" ".join(alt), figure=figure)


def _nan(value):
    return float("nan") if value is None else value
