"""Judgements on a gap: who needs challenge (priority reasons) and who is celebrated (gap busters).

Rules, stated once (the README repeats them in plain words):

* a judgement is made **on the comparator shown beside it** and in the words of ``schools.trends``;
* a school is **never both** a priority and a gap buster for the same measure, group and year: a reason for
  challenge takes precedence;
* **small groups fairly**: a focus group of at least ``single_year_min_cohort()`` pupils (default 30) is judged
  on the year alone, and only on differences whose 95% interval excludes 0 (averages, which publish no
  spread, on size alone); a smaller group is judged only on its **3-year pooled figure** (Σ achievers ÷
  Σ pupils over the last three published, comparable years, at least two with figures), never on one year,
  and trends and stubborn runs of such small groups are not used;
* **no abolished standards**: floor and coasting standards ended in 2019; an LA may set its own thresholds
  (``LocalThreshold``), none by default.

No database here: the figures are handed in, and the thresholds are arguments or, left out, the LA's
settings (``gapmonitor.conf``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from statistics import mean
from typing import TYPE_CHECKING

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
from .rag import excess_over_national, rag_rating
from .trends import Trend, TrendClass, published, stubborn, trend, window_years

if TYPE_CHECKING:  # the engine reads these models' fields only; it never queries them
    from .comparators import NationalBasis
    from .models import LocalThreshold, Measure, PupilGroup

POOLED_YEARS = 3


def single_year_min_cohort() -> int:
    """Pupils a focus group needs in a year to be judged on that year alone."""
    return max(conf.suppression_threshold, conf.single_year_min_cohort)


def buster_min_cohort() -> int:
    """Pupils a focus group needs to count towards a gap buster (never fewer than the suppression threshold)."""
    return max(conf.suppression_threshold, conf.gap_buster_min_cohort)


# --------------------------------------------------------------------------- reasons
class Reason:
    WIDE_GAP = "wide_gap"
    STUBBORN = "stubborn"
    LOW_ATTAINMENT = "low_attainment"
    BELOW_THRESHOLD = "below_threshold"
    WIDENING = "widening"
    LABELS = {
        WIDE_GAP: "Gap wider than England's",
        STUBBORN: "Stubborn gap",
        LOW_ATTAINMENT: "Group below national",
        BELOW_THRESHOLD: "Below the LA threshold",
        WIDENING: "Gap widening",
    }
    EXPLANATIONS = {
        WIDE_GAP: "The gap here (focus vs comparison group in the school) is wider than England's gap by at least "
        "{margin:g} {unit}, and its 95% interval lies above England's gap.",
        STUBBORN: "Wider than England's gap in each of the last {years} published, comparable years and not narrowing.",
        LOW_ATTAINMENT: "The focus group's result is below the same group nationally (95% interval below it).",
        BELOW_THRESHOLD: "{thresholds}",
        WIDENING: "The focus group fell further behind over the trend window by at least the stable band, "
        "more than the 95% margin.",
    }
    ORDER = (WIDE_GAP, STUBBORN, LOW_ATTAINMENT, BELOW_THRESHOLD, WIDENING)
    BASIS = (
        "Each reason needs a focus group of at least {size} pupils in the year and a significant difference; "
        "a smaller group is judged only on its 3-year pooled figure (trend and stubborn reasons not used)."
    )


class BusterReason:
    ABOVE_NATIONAL = "above_national"
    NARROWED_BOTH_IMPROVING = "narrowed_both_improving"
    LABELS = {
        ABOVE_NATIONAL: "Above other pupils nationally",
        NARROWED_BOTH_IMPROVING: "Gap narrowed, both groups improving",
    }


def reason_explanations(unit_label: str, thresholds: Iterable = ()) -> dict[str, str]:
    """Each priority reason in words, with this deployment's thresholds (and the LA's own) filled in."""
    defined = "; ".join(t.definition() for t in thresholds)
    threshold_text = (
        f"The school's figure is past a threshold the LA set: {defined}."
        if defined
        else "The LA has set no threshold for this measure (none by default: floor and coasting "
        "standards were abolished in 2019)."
    )
    return {
        key: Reason.EXPLANATIONS[key].format(
            margin=conf.priority_wide_gap_margin, unit=unit_label, years=conf.stubborn_years, thresholds=threshold_text
        )
        for key in Reason.ORDER
    }


def _past(measure, value: float | None, threshold: float) -> bool:
    if value is None:
        return False
    return value < threshold if getattr(measure, "higher_is_better", True) else value > threshold


def priority_reasons(
    measure,
    *,
    focus: Figure | None,
    within_gap: float | None,
    national_gap: float | None,
    like_for_like: float | None,
    trend_: Trend | None,
    is_stubborn: bool,
    threshold_figure: Figure | None = None,
    threshold: float | None = None,
    margin: float | None = None,
) -> list[str]:
    """Why a school needs challenge on this measure, as Reason codes (the conditions alone; the evidence a
    judgement needs is checked by ``GapRow.judgement``)."""
    if focus is None or focus.value is None:
        return []
    margin = conf.priority_wide_gap_margin if margin is None else margin
    reasons = []
    if within_gap is not None and national_gap is not None and within_gap - national_gap >= margin:
        reasons.append(Reason.WIDE_GAP)
    if is_stubborn:
        reasons.append(Reason.STUBBORN)
    if like_for_like is not None and like_for_like > 0:
        reasons.append(Reason.LOW_ATTAINMENT)
    if threshold is not None and threshold_figure is not None and _past(measure, threshold_figure.value, threshold):
        reasons.append(Reason.BELOW_THRESHOLD)
    if trend_ is not None and trend_.classification == TrendClass.WIDENING:
        reasons.append(Reason.WIDENING)
    return reasons


def gap_buster_reasons(
    *, focus: Figure | None, vs_national: float | None, trend_: Trend | None, min_cohort: int | None = None
) -> list[str]:
    """Why a school is a gap buster (the conditions alone): the focus group above the comparison group
    nationally, or the gap narrowed with both groups improving; only with a focus cohort large enough."""
    min_cohort = buster_min_cohort() if min_cohort is None else min_cohort
    if focus is None or focus.value is None or focus.cohort is None or focus.cohort < min_cohort:
        return []
    reasons = []
    if vs_national is not None and vs_national <= 0:
        reasons.append(BusterReason.ABOVE_NATIONAL)
    if trend_ is not None and trend_.classification == TrendClass.NARROWING_BOTH_IMPROVING:
        reasons.append(BusterReason.NARROWED_BOTH_IMPROVING)
    return reasons


# --------------------------------------------------------------------------- the 3-year pooled view
@dataclass(frozen=True)
class PooledView:
    """Focus, comparison and national figures pooled over a window of comparable years."""

    years: tuple[int, ...]
    figures: GapFigures
    all_pupils: Figure

    @property
    def label(self) -> str:
        span = f"{self.years[0]}–{self.years[-1]}" if len(self.years) > 1 else str(self.years[0])
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
@dataclass(frozen=True)
class Judgement:
    priority: tuple[str, ...] = ()
    buster: tuple[str, ...] = ()
    basis: str = ""  # "2025 alone (40 pupils)", "2023–2025 pooled (27 pupils)" or "" (not judged)


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
    trends: dict
    stubborn: bool
    all_pupils: Figure
    threshold: LocalThreshold | None = None
    la_series: dict | None = None
    kind: str = Comparator.NATIONAL
    pooled: PooledView | None = None
    years: tuple = field(default=())
    national_basis: NationalBasis | None = None  # which national figures (None: England)

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
        if not self.rankable:
            return Judgement()
        m = self.measure
        if self.single_year:
            g, all_pupils, trend_, stubborn_ = self.current, self.all_pupils, self.trend, self.stubborn
            basis = f"{self.year} alone ({g.focus.cohort} pupils)"
            evidence = {
                Reason.WIDE_GAP: _interval_above(gap_interval(m, g.focus, g.comparison), _england(m, g)),
                Reason.LOW_ATTAINMENT: significant(gap_interval(m, g.focus, g.national_focus)) is not False,
                Reason.BELOW_THRESHOLD: _clearly_past(m, self._threshold_figure(g, all_pupils), self.threshold),
                Reason.WIDENING: trend_ is not None and trend_.significant is not False,
                BusterReason.ABOVE_NATIONAL: _interval_below_zero(gap_interval(m, g.focus, g.national_comparison)),
                BusterReason.NARROWED_BOTH_IMPROVING: trend_ is not None and trend_.significant is not False,
            }
        elif self.pooled is not None:
            g, all_pupils, trend_, stubborn_ = self.pooled.figures, self.pooled.all_pupils, None, False
            basis = self.pooled.label
            evidence = {}
        else:
            return Judgement()
        threshold = float(self.threshold.value) if self.threshold is not None else None
        priority = [
            r
            for r in priority_reasons(
                m,
                focus=g.focus,
                within_gap=g.within,
                national_gap=_england(m, g),
                like_for_like=g.like_for_like,
                trend_=trend_,
                is_stubborn=stubborn_,
                threshold_figure=self._threshold_figure(g, all_pupils),
                threshold=threshold,
            )
            if evidence.get(r, True)
        ]
        if priority:
            return Judgement(priority=tuple(priority), basis=basis)
        buster = [
            r
            for r in gap_buster_reasons(focus=g.focus, vs_national=g.vs_national, trend_=trend_)
            if evidence.get(r, True)
        ]
        return Judgement(buster=tuple(buster), basis=basis if buster else "")

    def _threshold_figure(self, g: GapFigures, all_pupils: Figure) -> Figure | None:
        if self.threshold is None:
            return None
        code = getattr(getattr(self.threshold, "pupil_group", None), "code", "all")
        return g.focus if code == getattr(self.focus_group, "code", None) else all_pupils if code == "all" else None

    def priority_reasons(self) -> list[str]:
        return list(self.judgement().priority)

    def buster_reasons(self) -> list[str]:
        return list(self.judgement().buster)

    def rag(self) -> str:
        national = self.trends.get(Comparator.NATIONAL)
        return rag_rating(self.excess, national.classification if national else None)


def _england(measure, g: GapFigures) -> float | None:
    return gap(measure, g.national_focus, g.national_comparison)


def _interval_above(interval, line: float | None) -> bool:
    """The whole 95% interval above ``line`` (True when there is no interval: averages are judged on size)."""
    return interval is None or (line is not None and interval[0] > line)


def _interval_below_zero(interval) -> bool:
    return interval is None or interval[1] < 0


def _clearly_past(measure, figure: Figure | None, threshold) -> bool:
    """Past the threshold beyond the 95% interval of the figure (no interval: the value alone)."""
    if figure is None or threshold is None:
        return False
    ci = figure.interval(getattr(measure, "unit", "percent"))
    if ci is None:
        return True
    edge = ci[1] if getattr(measure, "higher_is_better", True) else ci[0]
    return _past(measure, edge, float(threshold.value))


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
        candidates = [y for y in present if year is None or y <= year]
        year = candidates[-1] if candidates else None
    current = series[year] if year is not None and year in series else gaps(measure, None, None, None, None)
    trends, is_stubborn, view = {}, False, None
    if year:
        pairs = {
            kind_: {y: (g.focus, g.comparator_figure(kind_)) for y, g in series.items()} for kind_ in Comparator.CHOICES
        }
        trends = {kind_: trend(measure, pairs[kind_], end_year=year, years=calendar) for kind_ in Comparator.CHOICES}
        national_pairs = {y: (g.national_focus, g.national_comparison) for y, g in series.items()}
        is_stubborn = stubborn(measure, pairs[Comparator.WITHIN], national_pairs, end_year=year, calendar=calendar)
        view = pooled_view(measure, series, all_series, end_year=year, calendar=calendar)
    return GapRow(
        measure=measure,
        focus_group=focus_group,
        comparison_group=comparison_group,
        year=year,
        current=current,
        series=series,
        trends=trends,
        stubborn=is_stubborn,
        all_pupils=all_series.get(year, MISSING) if year is not None else MISSING,
        threshold=threshold,
        la_series=la_series if la is not None else None,
        kind=kind,
        pooled=view,
        years=tuple(y for y in calendar if published(measure, y)),
        national_basis=national_basis,
    )
