"""How a gap moved: comparable years, one vocabulary for gaps in both directions, trends and stubborn gaps.

Functions over :class:`~schools.gaps.Figure` values, like the rest of the gap engine: no database. The stable
band, the window and a stubborn run's length are arguments; left out, they are the LA's settings
(``gapmonitor.conf``).

* **Series breaks are data** (``Measure.series_breaks``): a trend, a "since" sentence, a stubborn-gap run, a
  target trajectory and a chart line only join years of the same comparable series.
* **The window** is the last N *published, comparable* years up to the year shown; with fewer than two of
  them having figures there is no trend (the window never stretches further back).
* **Both directions**: a gap is positive when the focus group is behind and negative when it is ahead; a
  shrinking lead is its own class ("Ahead — lead shrank"), never "widening".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace

from gapmonitor.conf import conf

from .gaps import Figure, change_interval_half_width, gap, improvement
from .reference_data import PUBLISHED_IN_PANDEMIC, UNPUBLISHED_YEARS


# --------------------------------------------------------------------------- comparable years
def series_breaks(measure) -> tuple[int, ...]:
    """Years from which a comparable series starts (the measure's first year and each recorded break)."""
    starts = set()
    for item in getattr(measure, "series_breaks", None) or ():
        starts.add(int(item["year"]) if isinstance(item, Mapping) else int(item))
    first = getattr(measure, "first_year", None)
    if first:
        starts.add(int(first))
    return tuple(sorted(starts))


def comparable_from(measure, year: int) -> int | None:
    """The first year of the series ``year`` belongs to (None: no recorded start before it)."""
    starts = [start for start in series_breaks(measure) if start <= year]
    return starts[-1] if starts else None


def comparable(measure, year_a: int, year_b: int) -> bool:
    return comparable_from(measure, year_a) == comparable_from(measure, year_b)


def break_note(measure, year: int) -> str:
    """Why the series breaks at ``year`` ("" when no reason is recorded)."""
    for item in getattr(measure, "series_breaks", None) or ():
        if isinstance(item, Mapping) and int(item.get("year", 0)) == year:
            return str(item.get("note", ""))
    return ""


def breaks_within(measure, years: Iterable[int]) -> list[int]:
    """The break years that fall strictly inside the span of ``years`` (where a line must not join)."""
    years = sorted(years)
    if len(years) < 2:
        return []
    return [start for start in series_breaks(measure) if years[0] < start <= years[-1]]


def segments(measure, years: Iterable[int]) -> list[list[int]]:
    """``years`` split into runs of comparable years (in order)."""
    out: list[list[int]] = []
    for year in sorted(years):
        if out and comparable(measure, out[-1][-1], year):
            out[-1].append(year)
        else:
            out.append([year])
    return out


def published(measure, year: int) -> bool:
    """A year in which the measure was published (within its first and last years; 2020 and 2021 only for the
    measures the DfE published then)."""
    first, last = getattr(measure, "first_year", None), getattr(measure, "last_year", None)
    if year in UNPUBLISHED_YEARS and year not in PUBLISHED_IN_PANDEMIC.get(getattr(measure, "code", ""), ()):
        return False
    return (first is None or year >= first) and (last is None or year <= last)


def window_years(measure, calendar: Iterable[int], end_year: int, size: int) -> tuple[int, ...]:
    """The last ``size`` published years comparable with ``end_year``, up to it (whether or not a place has
    figures for them)."""
    first, last = getattr(measure, "first_year", None), getattr(measure, "last_year", None)
    code = getattr(measure, "code", "")
    return _window(code, first, last, series_breaks(measure), frozenset(calendar), end_year, size)


@lru_cache(maxsize=4096)
def _window(code: str, first, last, starts: tuple, calendar, end_year: int, size: int) -> tuple[int, ...]:
    """``window_years`` from everything it depends on (the measure's code, first and last years and series
    starts, the calendar): a pure function of its arguments, so remembering its answers can never go stale. A
    page asks it for every row × comparator × year, with a handful of distinct arguments."""
    span = SimpleNamespace(code=code, first_year=first, last_year=last)
    series_start = max((start for start in starts if start <= end_year), default=None)

    def same_series(year: int) -> bool:
        return max((start for start in starts if start <= year), default=None) == series_start

    years = sorted({y for y in calendar if y <= end_year} | {end_year})
    return tuple([y for y in years if published(span, y) and same_series(y)][-size:])


# --------------------------------------------------------------------------- words for a gap
def standing(measure, value: float | None, places: int = 1) -> str:
    """A signed gap in words: "behind 11.0" / "ahead 4.2" (higher-is-better measures) or "11.0 higher (worse)" /
    "4.2 lower (better)" for rates where lower is better (absence, suspensions)."""
    if value is None:
        return "–"
    amount = f"{abs(value):.{places}f}"
    if round(value, places) == 0:
        return "level"
    if getattr(measure, "higher_is_better", True):
        return f"behind {amount}" if value > 0 else f"ahead {amount}"
    return f"{amount} higher (worse)" if value > 0 else f"{amount} lower (better)"


# --------------------------------------------------------------------------- trends
class TrendClass:
    NARROWING_BOTH_IMPROVING = "narrowing_both_improving"
    NARROWING_COMPARISON_FELL = "narrowing_comparison_fell"
    STABLE = "stable"
    WIDENING = "widening"
    LEAD_GREW = "lead_grew"
    LEAD_SHRANK = "lead_shrank"
    LABELS = {
        NARROWING_BOTH_IMPROVING: "Narrowing — both groups improving",
        NARROWING_COMPARISON_FELL: "Narrowing — comparison group fell",
        STABLE: "Stable",
        WIDENING: "Widening",
        LEAD_GREW: "Ahead — lead grew",
        LEAD_SHRANK: "Ahead — lead shrank",
    }
    EXPLANATIONS = {
        NARROWING_BOTH_IMPROVING: "The focus group was behind and the gap closed, the focus group improving faster "
        "than the comparison group.",
        NARROWING_COMPARISON_FELL: (
            "The focus group was behind and the gap closed only because the comparison group did worse: not a "
            "success on its own (narrowing the gaps is not enough on its own)."
        ),
        STABLE: "The gap (either way) changed by less than the stable band.",
        WIDENING: "The focus group fell further behind (or lost its lead and is now behind).",
        LEAD_GREW: "The focus group was ahead (or level) and its lead grew.",
        LEAD_SHRANK: "The focus group is still ahead (or level) but its lead shrank.",
    }

    @classmethod
    def label(cls, code: str | None) -> str:
        return cls.LABELS.get(code, "No trend") if code else "No trend"


@dataclass(frozen=True)
class Trend:
    """How a gap moved over a window of published, comparable years, and why."""

    start_year: int
    end_year: int
    years: tuple[int, ...]
    gap_start: float
    gap_end: float
    change: float  # gap_end − gap_start (negative = moved in the focus group's favour)
    focus_change: float  # improvement of the focus group (positive = better)
    comparison_change: float  # improvement of the comparison group (positive = better)
    classification: str
    change_half_width: float | None = None  # 95% half-width of ``change`` (percent measures)
    first: tuple = (None, None)  # (focus, comparison) figures in the first year
    last: tuple = (None, None)  # … and in the last year

    @property
    def label(self) -> str:
        return TrendClass.label(self.classification)

    @property
    def narrowing(self) -> bool:
        return self.classification in (TrendClass.NARROWING_BOTH_IMPROVING, TrendClass.NARROWING_COMPARISON_FELL)

    @property
    def significant(self) -> bool | None:
        """Is the change in gap bigger than its 95% margin? None when no margin can be worked out."""
        if self.change_half_width is None:
            return None
        return abs(self.change) > self.change_half_width


def classify(
    change: float,
    focus_change: float,
    comparison_change: float,
    band: float | None = None,
    *,
    gap_start: float | None = None,
) -> str:
    """One vocabulary for both directions (``gap_start`` > 0: the focus group started behind).

    |change| < band → stable; moved against the focus group → lead shrank while it stays ahead (or level),
    else widening; moved in its favour → lead grew when it started ahead (or level), else narrowing (both
    improving, or only because the comparison group fell)."""
    band = conf.trend_stable_band if band is None else band
    if abs(change) < band:
        return TrendClass.STABLE
    started_ahead = gap_start is not None and gap_start <= 0
    if change > 0:
        if gap_start is not None and gap_start < 0 and gap_start + change <= 0:
            return TrendClass.LEAD_SHRANK
        return TrendClass.WIDENING
    if started_ahead:
        return TrendClass.LEAD_GREW
    return TrendClass.NARROWING_COMPARISON_FELL if comparison_change < 0 else TrendClass.NARROWING_BOTH_IMPROVING


def _end_year(measure, series, end_year):
    if end_year is not None:
        return end_year
    present = [y for y, (focus, comparison) in series.items() if gap(measure, focus, comparison) is not None]
    return max(present) if present else None


def trend(
    measure,
    series: Mapping[int, tuple[Figure | None, Figure | None]],
    *,
    window: int | None = None,
    band: float | None = None,
    end_year: int | None = None,
    years: Iterable[int] | None = None,
) -> Trend | None:
    """Trend over the last ``window`` published, comparable years up to ``end_year``.

    ``series`` maps year → (focus, comparison); ``years`` is the calendar of published years (default: the
    series' own years). Years in the window without both figures are skipped, never read as zero; fewer than
    two with figures → None ("no trend"), never a longer window."""
    window = conf.trend_window if window is None else window
    end_year = _end_year(measure, series, end_year)
    if end_year is None:
        return None
    calendar = set(series) if years is None else set(years)
    usable = [
        y
        for y in window_years(measure, calendar, end_year, window)
        if y in series and gap(measure, *series[y]) is not None
    ]
    if len(usable) < 2:
        return None
    first, last = usable[0], usable[-1]
    f0, c0 = series[first]
    f1, c1 = series[last]
    gap_start, gap_end = gap(measure, f0, c0), gap(measure, f1, c1)
    # Every usable year has a gap, so both its figures and their values are present.
    assert f0 is not None and c0 is not None and f1 is not None and c1 is not None
    assert gap_start is not None and gap_end is not None
    change = gap_end - gap_start
    focus_change = improvement(measure, f0.value, f1.value)
    comparison_change = improvement(measure, c0.value, c1.value)
    assert focus_change is not None and comparison_change is not None
    half = change_interval_half_width(f0, c0, f1, c1) if getattr(measure, "unit", "percent") == "percent" else None
    return Trend(
        start_year=first,
        end_year=last,
        years=tuple(usable),
        gap_start=gap_start,
        gap_end=gap_end,
        change=change,
        focus_change=focus_change,
        comparison_change=comparison_change,
        classification=classify(change, focus_change, comparison_change, band, gap_start=gap_start),
        change_half_width=half,
        first=(f0, c0),
        last=(f1, c1),
    )


def stubborn(
    measure,
    series: Mapping[int, tuple[Figure | None, Figure | None]],
    national: Mapping[int, tuple[Figure | None, Figure | None]],
    *,
    years: int | None = None,
    end_year: int | None = None,
    calendar: Iterable[int] | None = None,
) -> bool:
    """Stubborn gap: wider than England's gap in each of the last N published, comparable years and not
    narrowing over them. False when any of those years has no figure here (a run never crosses a break)."""
    years = conf.stubborn_years if years is None else years
    end_year = _end_year(measure, series, end_year)
    if end_year is None:
        return False
    window = window_years(measure, set(series) if calendar is None else set(calendar), end_year, years)
    usable = [y for y in window if y in series and gap(measure, *series[y]) is not None]
    if len(usable) < years:
        return False
    for year in usable:
        here = gap(measure, *series[year])
        england = gap(measure, *national.get(year, (None, None)))
        if england is None or here is None or here <= england:
            return False
    movement = trend(measure, {y: series[y] for y in usable}, window=years)
    return movement is not None and movement.classification in (TrendClass.STABLE, TrendClass.WIDENING)
