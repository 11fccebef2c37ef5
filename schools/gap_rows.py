"""Gap rows: one organisation × measure × focus group with its figures, trends and pooled view — what a page row,
an export row and the CLI share. The judgement on a row (priority or gap buster) is ``schools.judgements``.

No database here: ``build_row`` is handed the figures, keyed (*prefix, year, measure_code, group_code).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from statistics import mean
from typing import TYPE_CHECKING, TypeVar

from gapmonitor.conf import conf

from .gaps import (
    MISSING,
    Comparator,
    Figure,
    GapFigures,
    gap,
    gap_interval,
    gaps,
    pooled,
    significant,
)
from .house_style import results_year_label
from .judgements import Judgement, judge, single_year_min_cohort
from .rag import excess_over_national, rag_rating
from .trends import Trend, published, stubborn, trend, window_years

if TYPE_CHECKING:  # rows read these models' fields only; they never query them
    from .comparators import NationalBasis
    from .models import LocalThreshold, Measure, PupilGroup

POOLED_YEARS = 3
T = TypeVar("T")


# --------------------------------------------------------------------------- the 3-year pooled view
@dataclass(frozen=True)
class PooledView:
    """Focus, comparison and national figures pooled over a window of comparable years."""

    years: tuple[int, ...]
    figures: GapFigures
    all_pupils: Figure

    @property
    def label(self) -> str:
        first, last = results_year_label(self.years[0]), results_year_label(self.years[-1])
        span = f"{first} to {last}" if len(self.years) > 1 else first
        return f"{span} pooled ({self.figures.focus.cohort} pupils)"


def _national(figures: list[Figure], unit: str) -> Figure:
    """National figures pooled from counts; from published values alone, their mean (no counts to weigh)."""
    together = pooled(figures, unit)
    if together.value is not None:
        return together
    values = [f.value for f in figures if f is not None and f.value is not None]
    return Figure(cohort=None, numerator=None, value=mean(values)) if values else MISSING


def pooled_view(
    measure,
    series: Mapping[int, GapFigures],
    all_pupils: Mapping[int, Figure],
    *,
    end_year: int,
    calendar: Iterable[int],
    size: int = POOLED_YEARS,
) -> PooledView | None:
    """Σ numerator ÷ Σ pupils over the last ``size`` published, comparable years up to ``end_year`` with counts;
    None with fewer than two such years."""
    unit = getattr(measure, "unit", "percent")
    years = [
        y
        for y in window_years(measure, calendar, end_year, size)
        if y in series and series[y].focus.numerator is not None and series[y].focus.cohort
    ]
    if len(years) < 2:
        return None
    parts = [series[y] for y in years]
    figures = gaps(
        measure,
        pooled([p.focus for p in parts], unit),
        pooled([p.comparison for p in parts], unit),
        _national([p.national_focus for p in parts], unit),
        _national([p.national_comparison for p in parts], unit),
    )
    return PooledView(years=tuple(years), figures=figures, all_pupils=pooled([all_pupils.get(y) for y in years], unit))


# --------------------------------------------------------------------------- rows for pages, exports and the CLI
class Trends(Mapping):
    """A row's trend for each comparator (``Comparator.CHOICES``), each worked out the first time it is read: a
    page shows one comparator's trend (the RAG board, a table of 50 schools), so the other two are not computed
    for it. The same trends as computing them all at once, from the same figures."""

    def __init__(self, make):
        self._make = make
        self._made: dict[str, Trend | None] = {}

    def __getitem__(self, kind: str) -> Trend | None:
        if kind not in self._made:
            if kind not in Comparator.CHOICES:
                raise KeyError(kind)
            self._made[kind] = self._make(kind)
        return self._made[kind]

    def __iter__(self):
        return iter(Comparator.CHOICES)

    def __len__(self) -> int:
        return len(Comparator.CHOICES)

    def __repr__(self) -> str:
        return repr(dict(self))


@dataclass(frozen=True)
class GapRow:
    """One organisation × measure × focus group: the figures a page row, an export row and the CLI share.
    ``kind`` is the comparator whose gap and trend the row shows."""

    measure: Measure
    focus_group: PupilGroup
    comparison_group: PupilGroup
    year: int | None
    current: GapFigures
    series: dict
    trends: Mapping[str, Trend | None]
    all_pupils: Figure
    threshold: LocalThreshold | None = None
    la_series: dict | None = None
    kind: str = Comparator.NATIONAL
    years: tuple = field(default=())
    national_basis: NationalBasis | None = None  # which national figures (None: England)
    # The stubborn-gap test and the 3-year pooled view, each worked out the first time it is read (``_once``):
    # a RAG cell or a ranked list reads neither.
    stubborn_of: Callable[[], bool] = field(default=lambda: False, repr=False, compare=False)
    pooled_of: Callable[[], PooledView | None] = field(default=lambda: None, repr=False, compare=False)

    @property
    def stubborn(self) -> bool:
        return self.stubborn_of()

    @property
    def pooled(self) -> PooledView | None:
        return self.pooled_of()

    @property
    def trend(self) -> Trend | None:
        return self.trends.get(self.kind)

    def for_comparator(self, kind: str) -> GapRow:
        return replace(self, kind=kind) if kind in Comparator.CHOICES else self

    def with_threshold(self, threshold: LocalThreshold | None) -> GapRow:
        return replace(self, threshold=threshold)

    def gap(self, kind: str | None = None) -> float | None:
        return self.current.get(kind or self.kind)

    def gap_interval(self, kind: str | None = None) -> tuple[float, float] | None:
        kind = kind or self.kind
        return gap_interval(self.measure, self.current.focus, self.current.comparator_figure(kind))

    def significant(self, kind: str | None = None) -> bool | None:
        return significant(self.gap_interval(kind))

    def label(self, kind: str | None = None, place: str = "here") -> str:
        return Comparator.label(kind or self.kind, self.focus_group.name, self.comparison_group.name, place)

    @property
    def national_gap(self) -> float | None:
        return gap(self.measure, self.current.national_focus, self.current.national_comparison)

    @property
    def excess(self) -> float | None:
        return excess_over_national(
            self.measure, self.current.focus, self.current.national_focus, self.current.national_comparison
        )

    @property
    def national_note(self) -> str:
        """Why there is no national gap, when the school is compared only with its own type of school."""
        basis = self.national_basis
        if basis is None or not basis.own_type or self.current.national_comparison.value is not None:
            return ""
        return basis.missing

    @property
    def suppressed(self) -> bool:
        return self.current.focus.suppressed

    @property
    def rankable(self) -> bool:
        """Only figures from groups big enough to publish are ranked or celebrated — whoever is looking:
        an LA officer sees small cohorts' figures, but a ranking of them would single out a few pupils."""
        focus = self.current.focus
        return not focus.suppressed and focus.value is not None and (focus.cohort or 0) >= conf.suppression_threshold

    @property
    def status(self) -> str:
        return self.current.focus.status

    @property
    def single_year(self) -> bool:
        """Big enough to be judged on this year alone."""
        return (self.current.focus.cohort or 0) >= single_year_min_cohort()

    def judgement(self) -> Judgement:
        """Priority reasons, or (when there are none) gap-buster reasons, and the figures they rest on."""
        return judge(self)

    def priority_reasons(self) -> list[str]:
        return list(self.judgement().priority)

    def buster_reasons(self) -> list[str]:
        return list(self.judgement().buster)

    def rag(self) -> str:
        national = self.trends.get(Comparator.NATIONAL)
        return rag_rating(self.excess, national.classification if national else None)


def _once(make: Callable[[], T]) -> Callable[[], T]:
    """``make``, called the first time only (its answer kept): a row's figures never change once built."""
    made: list = []

    def once() -> T:
        if not made:
            made.append(make())
        return made[0]

    return once


def row_year(present: list[int], year: int | None) -> int | None:
    """The year a row shows: the latest of ``present`` (the years, in order, with a focus or comparison figure)
    up to ``year`` (None: the latest of all); None when there is none."""
    candidates = [y for y in present if year is None or y <= year]
    return candidates[-1] if candidates else None


def build_row(
    measure,
    focus_group,
    comparison_group,
    here: Mapping,
    national: Mapping,
    *,
    years: Iterable[int],
    year: int | None = None,
    prefix: tuple = (),
    la: Mapping | None = None,
    kind: str = Comparator.NATIONAL,
    threshold: LocalThreshold | None = None,
    national_basis: NationalBasis | None = None,
) -> GapRow:
    """Assemble a GapRow from figure dicts keyed (*prefix, year, measure_code, group_code).

    ``year`` defaults to the latest year with a focus figure (value or marker); trends end at that year and
    use only published years comparable with it (``years`` is the calendar)."""
    code, fcode, ccode = measure.code, focus_group.code, comparison_group.code
    calendar = tuple(sorted(years))
    series: dict[int, GapFigures] = {}
    la_series: dict[int, GapFigures] = {}
    all_series: dict[int, Figure] = {}
    present = []
    for y in calendar:
        focus = here.get(prefix + (y, code, fcode))
        comparison = here.get(prefix + (y, code, ccode))
        if focus is None and comparison is None:
            continue
        present.append(y)
        series[y] = gaps(measure, focus, comparison, national.get((y, code, fcode)), national.get((y, code, ccode)))
        all_series[y] = here.get(prefix + (y, code, "all")) or MISSING
        if la is not None:
            la_series[y] = gaps(
                measure,
                la.get((y, code, fcode)),
                la.get((y, code, ccode)),
                national.get((y, code, fcode)),
                national.get((y, code, ccode)),
            )
    if year is None or year not in series:
        year = row_year(present, year)
    current = series[year] if year is not None and year in series else gaps(measure, None, None, None, None)
    trends: Mapping[str, Trend | None] = {}
    is_stubborn: Callable[[], bool] = lambda: False  # noqa: E731
    view: Callable[[], PooledView | None] = lambda: None  # noqa: E731
    if year:
        end = year

        def pairs(kind_: str) -> dict:
            return {y: (g.focus, g.comparator_figure(kind_)) for y, g in series.items()}

        trends = Trends(lambda kind_: trend(measure, pairs(kind_), end_year=end, years=calendar))
        national_pairs = {y: (g.national_focus, g.national_comparison) for y, g in series.items()}
        is_stubborn = _once(
            lambda: stubborn(measure, pairs(Comparator.WITHIN), national_pairs, end_year=end, calendar=calendar)
        )
        view = _once(lambda: pooled_view(measure, series, all_series, end_year=end, calendar=calendar))
    return GapRow(
        measure=measure,
        focus_group=focus_group,
        comparison_group=comparison_group,
        year=year,
        current=current,
        series=series,
        trends=trends,
        stubborn_of=is_stubborn,
        all_pupils=all_series.get(year, MISSING) if year is not None else MISSING,
        threshold=threshold,
        la_series=la_series if la is not None else None,
        kind=kind,
        pooled_of=view,
        years=tuple(y for y in calendar if published(measure, y)),
        national_basis=national_basis,
    )
