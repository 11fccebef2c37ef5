"""The gap engine: pure functions over plain numbers.

Everything here works on :class:`Figure` values (counts plus a value) handed over
by ``schools.selectors``; nothing here touches the database. One definition of
each idea, used by pages, exports, the CLI, strategy targets and the RAG board:

* a **pooled** figure above school level is Σ numerator ÷ Σ cohort (never a mean of
  school percentages);
* a **gap** is comparison − focus, sign flipped for lower-is-better measures, so a
  positive gap always means the focus group is behind;
* **missing is never zero**: a figure without a value carries the reason (``code``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Iterable, Mapping

from django.conf import settings

# --------------------------------------------------------------------------- markers
SUPPRESSED = "SUPP"          # primary suppression: fewer pupils than the threshold
SECONDARY = "SUPP2"          # secondary suppression: would let a suppressed figure be worked out
SUPPRESSION_CODES = frozenset({SUPPRESSED, SECONDARY, "c"})
CODE_LABELS = {
    SUPPRESSED: "Suppressed: fewer than {threshold} pupils",
    SECONDARY: "Suppressed so that a small group cannot be worked out from the others",
    "c": "Suppressed by the publisher (small numbers)",
    "NE": "No entries",
    "x": "Not available",
    "z": "Not applicable",
    "low": "Below 0.5",
    "": "No data",
}

Z95 = 1.959963984540054  # two-sided 95% normal quantile


def code_label(code: str) -> str:
    return CODE_LABELS.get(code, f"No figure ({code})").format(threshold=suppression_threshold())


def suppression_threshold() -> int:
    return int(getattr(settings, "GAPMONITOR_SUPPRESSION_THRESHOLD", 6))


# --------------------------------------------------------------------------- figures
@dataclass(frozen=True)
class Figure:
    """A figure for one organisation × year × measure × group.

    ``cohort`` is the number of pupils in the group (Σ cohort above school level);
    ``numerator`` Σ achievers (percent), Σ points (average) or Σ(value × cohort) (rate);
    ``value`` percent 0–100, average points or rate; ``code`` why value is None.
    """

    cohort: int | None
    numerator: float | None
    value: float | None
    code: str = ""
    status: str = ""             # provisional / revised / final ("" when unknown)
    schools: int = 0             # schools pooled (0 for a benchmark)
    value_cohort: int | None = None  # pupils behind ``value`` (may be < cohort when some counts are unpublished)

    @property
    def has_value(self) -> bool:
        return self.value is not None

    @property
    def suppressed(self) -> bool:
        return self.code in SUPPRESSION_CODES

    @property
    def denominator(self) -> int | None:
        return self.value_cohort if self.value_cohort is not None else self.cohort

    def marker(self) -> str:
        """What a page or export shows instead of a missing value."""
        return self.code or "–"

    def interval(self, unit: str = "percent") -> tuple[float, float] | None:
        """95% Wilson interval for a percentage; None for averages/rates (no spread published)."""
        if unit != "percent" or self.value is None or not self.denominator:
            return None
        achievers = self.numerator if self.numerator is not None else self.value * self.denominator / 100
        low, high = wilson_interval(achievers, self.denominator)
        return 100 * low, 100 * high


MISSING = Figure(cohort=None, numerator=None, value=None, code="")


def pooled(figures: Iterable[Figure], unit: str = "percent") -> Figure:
    """Pool school figures: Σ numerator ÷ Σ cohort over the figures that have counts.

    Suppression hides a figure, it does not drop pupils: pass the *unsuppressed* figures.
    Percent values are ×100. Figures without counts (published value only) cannot be pooled
    and are left out of the value; their cohort still counts in ``cohort``.
    """
    cohort = numerator = value_cohort = 0
    schools = 0
    any_cohort = False
    statuses = set()
    for figure in figures:
        if figure is None:
            continue
        schools += 1
        if figure.status:
            statuses.add(figure.status)
        if figure.cohort is not None:
            any_cohort = True
            cohort += figure.cohort
            if figure.numerator is not None:
                numerator += figure.numerator
                value_cohort += figure.cohort
    if not value_cohort:
        return Figure(cohort=cohort if any_cohort else None, numerator=None, value=None,
                      code="NE" if any_cohort and cohort == 0 else "x", status=worst_status(statuses), schools=schools)
    scale = 100 if unit == "percent" else 1
    return Figure(cohort=cohort, numerator=numerator, value=scale * numerator / value_cohort, code="",
                  status=worst_status(statuses), schools=schools, value_cohort=value_cohort)


def averaged(figures: Iterable[Figure]) -> float | None:
    """The mean of school values — shown only as a labelled contrast to the pooled figure."""
    values = [f.value for f in figures if f is not None and f.value is not None]
    return sum(values) / len(values) if values else None


STATUS_ORDER = ("provisional", "revised", "final")


def worst_status(statuses: Iterable[str]) -> str:
    """The least final status among figures: one provisional figure makes the whole provisional."""
    statuses = set(statuses)
    for status in STATUS_ORDER:
        if status in statuses:
            return status
    return ""


# --------------------------------------------------------------------------- gaps
def _higher_is_better(measure) -> bool:
    return getattr(measure, "higher_is_better", True) if not isinstance(measure, bool) else measure


def gap(measure, focus: Figure | None, comparison: Figure | None) -> float | None:
    """comparison.value − focus.value, sign flipped for lower-is-better measures, so positive = focus
    group behind. None when either value is missing."""
    if focus is None or comparison is None or focus.value is None or comparison.value is None:
        return None
    difference = comparison.value - focus.value
    return difference if _higher_is_better(measure) else -difference


def improvement(measure, before: float | None, after: float | None) -> float | None:
    """How much a value improved (positive = better), whatever the measure's direction."""
    if before is None or after is None:
        return None
    return (after - before) if _higher_is_better(measure) else (before - after)


class Comparator:
    """The three ways to state a gap. Every gap cell names the one it uses."""

    WITHIN = "within"        # focus here vs comparison group here
    NATIONAL = "national"    # focus here vs comparison group nationally (DfE convention)
    LIKE = "like"            # focus here vs focus group nationally (like for like)
    CHOICES = (WITHIN, NATIONAL, LIKE)

    @staticmethod
    def label(kind: str, focus_name: str, comparison_name: str, place: str = "here") -> str:
        if kind == Comparator.WITHIN:
            return f"{focus_name} vs {comparison_name.lower()} ({place})"
        if kind == Comparator.NATIONAL:
            return f"{focus_name} ({place}) vs {comparison_name.lower()} nationally"
        return f"{focus_name} ({place}) vs {focus_name.lower()} nationally"

    @staticmethod
    def short(kind: str) -> str:
        return {"within": "within", "national": "vs national other pupils", "like": "vs national same group"}[kind]


@dataclass(frozen=True)
class GapFigures:
    """A focus figure with its three gaps, labelled."""

    focus: Figure
    comparison: Figure
    national_focus: Figure
    national_comparison: Figure
    within: float | None
    vs_national: float | None
    like_for_like: float | None

    def get(self, kind: str) -> float | None:
        return {Comparator.WITHIN: self.within, Comparator.NATIONAL: self.vs_national,
                Comparator.LIKE: self.like_for_like}[kind]

    def comparator_figure(self, kind: str) -> Figure:
        return {Comparator.WITHIN: self.comparison, Comparator.NATIONAL: self.national_comparison,
                Comparator.LIKE: self.national_focus}[kind]


def gaps(measure, focus: Figure | None, comparison: Figure | None, national_focus: Figure | None,
         national_comparison: Figure | None) -> GapFigures:
    """All three gaps for one focus figure."""
    focus, comparison = focus or MISSING, comparison or MISSING
    national_focus, national_comparison = national_focus or MISSING, national_comparison or MISSING
    return GapFigures(
        focus=focus, comparison=comparison, national_focus=national_focus, national_comparison=national_comparison,
        within=gap(measure, focus, comparison), vs_national=gap(measure, focus, national_comparison),
        like_for_like=gap(measure, focus, national_focus),
    )


# --------------------------------------------------------------------------- confidence
def wilson_interval(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """95% Wilson score interval for a proportion (as fractions 0–1)."""
    if not n:
        raise ValueError("Wilson interval needs at least one pupil.")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def gap_interval(measure, focus: Figure | None, comparison: Figure | None) -> tuple[float, float] | None:
    """95% interval for a percentage-point gap (Newcombe's hybrid score method from two Wilson intervals).

    None when either figure has no value or no counts (averages and rates: no spread published).
    """
    if getattr(measure, "unit", "percent") != "percent":
        return None
    if focus is None or comparison is None:
        return None
    focus_ci, comparison_ci = focus.interval(), comparison.interval()
    if focus_ci is None or comparison_ci is None:
        return None
    p1, (l1, u1) = comparison.value, comparison_ci
    p2, (l2, u2) = focus.value, focus_ci
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    if not _higher_is_better(measure):
        low, high = -high, -low
    return low, high


def significant(interval: tuple[float, float] | None) -> bool | None:
    """True when the interval excludes 0; None when there is no interval to judge by."""
    if interval is None:
        return None
    low, high = interval
    return low > 0 or high < 0


def change_interval_half_width(*figures: Figure) -> float | None:
    """Half-width of a 95% interval for a sum/difference of independent percentages (e.g. a change in gap):
    the root of the summed squared Wilson half-widths. None when any figure has no interval."""
    total = 0.0
    for figure in figures:
        ci = figure.interval() if figure is not None else None
        if ci is None:
            return None
        total += ((ci[1] - ci[0]) / 2) ** 2
    return math.sqrt(total)


# --------------------------------------------------------------------------- trends
class TrendClass:
    NARROWING_BOTH_IMPROVING = "narrowing_both_improving"
    NARROWING_COMPARISON_FELL = "narrowing_comparison_fell"
    STABLE = "stable"
    WIDENING = "widening"
    LABELS = {
        NARROWING_BOTH_IMPROVING: "Narrowing — both groups improving",
        NARROWING_COMPARISON_FELL: "Narrowing — comparison group fell",
        STABLE: "Stable",
        WIDENING: "Widening",
    }
    EXPLANATIONS = {
        NARROWING_BOTH_IMPROVING: "The gap closed and the focus group improved faster than the comparison group.",
        NARROWING_COMPARISON_FELL: (
            "The gap closed only because the comparison group did worse: not a success on its own "
            "(narrowing the gaps is not enough on its own)."
        ),
        STABLE: "The gap changed by less than the stable band.",
        WIDENING: "The gap grew: the focus group fell further behind.",
    }

    @classmethod
    def label(cls, code: str | None) -> str:
        return cls.LABELS.get(code, "Not enough years") if code else "Not enough years"


def stable_band() -> float:
    return float(getattr(settings, "GAPMONITOR_TREND_STABLE_BAND", 1.0))


def stubborn_years() -> int:
    return int(getattr(settings, "GAPMONITOR_STUBBORN_YEARS", 3))


def trend_window() -> int:
    return int(getattr(settings, "GAPMONITOR_TREND_WINDOW", 3))


@dataclass(frozen=True)
class Trend:
    """How a gap moved over a window of published years, and why."""

    start_year: int
    end_year: int
    years: tuple[int, ...]
    gap_start: float
    gap_end: float
    change: float              # gap_end − gap_start (negative = narrowing)
    focus_change: float        # improvement of the focus group (positive = better)
    comparison_change: float   # improvement of the comparison group (positive = better)
    classification: str
    change_half_width: float | None = None  # 95% half-width of ``change`` (percent measures)

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


def classify(change: float, focus_change: float, comparison_change: float, band: float | None = None) -> str:
    """Narrowing (both improving / comparison fell), stable (|change| < band), or widening."""
    band = stable_band() if band is None else band
    if abs(change) < band:
        return TrendClass.STABLE
    if change > 0:
        return TrendClass.WIDENING
    return TrendClass.NARROWING_COMPARISON_FELL if comparison_change < 0 else TrendClass.NARROWING_BOTH_IMPROVING


def trend(measure, series: Mapping[int, tuple[Figure | None, Figure | None]], *, window: int | None = None,
          band: float | None = None, end_year: int | None = None) -> Trend | None:
    """Trend over the last ``window`` years that HAVE both figures (years with no data, e.g. 2020 and 2021,
    are skipped, never read as zero). ``series`` maps year → (focus, comparison). None with fewer than 2 years."""
    window = trend_window() if window is None else window
    usable = sorted(
        year for year, (focus, comparison) in series.items()
        if (end_year is None or year <= end_year) and gap(measure, focus, comparison) is not None
    )[-window:]
    if len(usable) < 2:
        return None
    first, last = usable[0], usable[-1]
    f0, c0 = series[first]
    f1, c1 = series[last]
    gap_start, gap_end = gap(measure, f0, c0), gap(measure, f1, c1)
    change = gap_end - gap_start
    focus_change = improvement(measure, f0.value, f1.value)
    comparison_change = improvement(measure, c0.value, c1.value)
    half = change_interval_half_width(f0, c0, f1, c1) if getattr(measure, "unit", "percent") == "percent" else None
    return Trend(
        start_year=first, end_year=last, years=tuple(usable), gap_start=gap_start, gap_end=gap_end, change=change,
        focus_change=focus_change, comparison_change=comparison_change,
        classification=classify(change, focus_change, comparison_change, band), change_half_width=half,
    )


def stubborn(measure, series: Mapping[int, tuple[Figure | None, Figure | None]],
             national: Mapping[int, tuple[Figure | None, Figure | None]], *, years: int | None = None,
             end_year: int | None = None) -> bool:
    """Stubborn gap: wider than the national gap in each of the last N published years (with data here)
    and not narrowing over them. False when there are fewer than N years to judge."""
    years = stubborn_years() if years is None else years
    usable = sorted(
        year for year, (focus, comparison) in series.items()
        if (end_year is None or year <= end_year) and gap(measure, focus, comparison) is not None
    )[-years:]
    if len(usable) < years:
        return False
    for year in usable:
        here = gap(measure, *series[year])
        england = gap(measure, *national.get(year, (None, None)))
        if england is None or here <= england:
            return False
    movement = trend(measure, {y: series[y] for y in usable}, window=years)
    return movement is not None and not movement.narrowing


# --------------------------------------------------------------------------- suppression
def _primary(figure: Figure, threshold: int) -> Figure:
    if figure.cohort is not None and 0 < figure.cohort < threshold:
        return Figure(cohort=None, numerator=None, value=None, code=SUPPRESSED, status=figure.status,
                      schools=figure.schools)
    return figure


def suppress(figures: Mapping[tuple, Figure], *, threshold: int | None = None,
             partitions: Iterable[tuple[str, tuple[str, ...]]] = ()) -> dict[tuple, Figure]:
    """Hide small cohorts (primary) and one more figure where a hidden one could be worked out (secondary).

    Keys end with the group code. ``partitions`` lists (whole, parts): e.g. ("all", ("disadvantaged",
    "not_disadvantaged")). When exactly one part is hidden but the whole and the other parts are shown,
    the hidden part = whole − others, so the smallest other part is hidden too (marker SUPP2).
    Call this on figures for display only: pooled aggregates are computed from unsuppressed counts.
    """
    threshold = suppression_threshold() if threshold is None else threshold
    out = {key: _primary(figure, threshold) for key, figure in figures.items()}
    partitions = list(partitions)
    if not partitions:
        return out
    prefixes = {key[:-1] for key in out}
    changed = True
    while changed:
        changed = False
        for prefix in prefixes:
            for whole, parts in partitions:
                whole_figure = out.get(prefix + (whole,))
                if whole_figure is None or whole_figure.value is None:
                    continue
                present = [p for p in parts if prefix + (p,) in out]
                if len(present) != len(parts):
                    continue  # a part is not published at all: nothing to subtract from
                hidden = [p for p in parts if out[prefix + (p,)].suppressed]
                shown = [p for p in parts if out[prefix + (p,)].value is not None]
                if len(hidden) == 1 and shown and len(hidden) + len(shown) == len(parts):
                    victim = min(shown, key=lambda p: (figures[prefix + (p,)].cohort or 0, p))
                    old = out[prefix + (victim,)]
                    out[prefix + (victim,)] = Figure(cohort=None, numerator=None, value=None, code=SECONDARY,
                                                     status=old.status, schools=old.schools)
                    changed = True
    return out


# --------------------------------------------------------------------------- priority and celebration
class Reason:
    WIDE_GAP = "wide_gap"
    STUBBORN = "stubborn"
    LOW_ATTAINMENT = "low_attainment"
    BELOW_FLOOR = "below_floor"
    WIDENING = "widening"
    LABELS = {
        WIDE_GAP: "Gap wider than England's",
        STUBBORN: "Stubborn gap",
        LOW_ATTAINMENT: "Group below national",
        BELOW_FLOOR: "Below the floor",
        WIDENING: "Gap widening",
    }
    EXPLANATIONS = {
        WIDE_GAP: "The gap here (focus vs comparison group in the school) is wider than England's gap by at least "
                  "{margin:g} {unit}.",
        STUBBORN: "Wider than England's gap in each of the last {years} published years and not narrowing.",
        LOW_ATTAINMENT: "The focus group's result is below the same group nationally.",
        BELOW_FLOOR: "All pupils' result is below the floor set for that year.",
        WIDENING: "The gap widened over the trend window by at least the stable band.",
    }
    ORDER = (WIDE_GAP, STUBBORN, LOW_ATTAINMENT, BELOW_FLOOR, WIDENING)


def reason_explanations(unit_label: str) -> dict[str, str]:
    """Each priority reason in words, with this deployment's thresholds filled in."""
    return {
        key: Reason.EXPLANATIONS[key].format(margin=wide_gap_margin(), unit=unit_label, years=stubborn_years())
        for key in Reason.ORDER
    }


def wide_gap_margin() -> float:
    return float(getattr(settings, "GAPMONITOR_PRIORITY_WIDE_GAP_MARGIN", 5.0))


def floor_for(measure_code: str, year: int) -> float | None:
    """The floor (all pupils) for a measure and year from settings: a number, or {year: number}."""
    floors = getattr(settings, "GAPMONITOR_FLOOR_THRESHOLDS", DEFAULT_FLOORS)
    floor = floors.get(measure_code)
    if isinstance(floor, Mapping):
        eligible = [y for y in floor if y <= year]
        return floor[max(eligible)] if eligible else None
    return floor


# KS2 floor standard (65% reaching the expected standard in RWM, 2016–2019) and the older KS2 L4 floors.
DEFAULT_FLOORS = {"ks2_rwm_exp": {2016: 65.0}, "ks2_l4_em": {2008: 55.0, 2011: 60.0}, "ks2_l4_rwm": {2012: 60.0, 2014: 65.0},
                  "ks4_5acem": {2008: 30.0, 2011: 35.0, 2012: 40.0}}


def priority_reasons(measure, *, focus: Figure | None, within_gap: float | None, national_gap: float | None,
                     like_for_like: float | None, all_pupils: Figure | None, floor: float | None,
                     trend_: Trend | None, is_stubborn: bool, margin: float | None = None) -> list[str]:
    """Why a school needs challenge on this measure, as Reason codes (empty: no reason)."""
    if focus is None or focus.value is None:
        return []
    margin = wide_gap_margin() if margin is None else margin
    reasons = []
    if within_gap is not None and national_gap is not None and within_gap - national_gap >= margin:
        reasons.append(Reason.WIDE_GAP)
    if is_stubborn:
        reasons.append(Reason.STUBBORN)
    if like_for_like is not None and like_for_like > 0:
        reasons.append(Reason.LOW_ATTAINMENT)
    if floor is not None and all_pupils is not None and all_pupils.value is not None:
        below = all_pupils.value < floor if _higher_is_better(measure) else all_pupils.value > floor
        if below:
            reasons.append(Reason.BELOW_FLOOR)
    if trend_ is not None and trend_.classification == TrendClass.WIDENING:
        reasons.append(Reason.WIDENING)
    return reasons


def buster_min_cohort() -> int:
    return max(suppression_threshold(), int(getattr(settings, "GAPMONITOR_GAP_BUSTER_MIN_COHORT", 10)))


class BusterReason:
    ABOVE_NATIONAL = "above_national"
    NARROWED_BOTH_IMPROVING = "narrowed_both_improving"
    LABELS = {
        ABOVE_NATIONAL: "At or above national for other pupils",
        NARROWED_BOTH_IMPROVING: "Gap narrowed, both groups improving",
    }


def gap_buster_reasons(*, focus: Figure | None, vs_national: float | None, trend_: Trend | None,
                       min_cohort: int | None = None) -> list[str]:
    """Why a school is a gap buster: the focus group at/above national for the comparison group, or the gap
    narrowed with both groups improving; only with a focus cohort large enough to count."""
    min_cohort = buster_min_cohort() if min_cohort is None else min_cohort
    if focus is None or focus.value is None or focus.cohort is None or focus.cohort < min_cohort:
        return []
    reasons = []
    if vs_national is not None and vs_national <= 0:
        reasons.append(BusterReason.ABOVE_NATIONAL)
    if trend_ is not None and trend_.classification == TrendClass.NARROWING_BOTH_IMPROVING:
        reasons.append(BusterReason.NARROWED_BOTH_IMPROVING)
    return reasons


# --------------------------------------------------------------------------- cluster RAG
# Rules are data: first match wins. ``excess`` is how much wider the cluster's gap vs national is than
# England's own gap (points); ``trends`` limits the rule to those classifications (None: any, incl. no trend).
DEFAULT_CLUSTER_RAG_RULES = [
    {"rating": "red", "min_excess": 5.0, "trends": None},
    {"rating": "red", "min_excess": 0.0, "exclusive_min": True, "trends": [TrendClass.WIDENING]},
    {"rating": "green", "max_excess": 0.0,
     "trends": [TrendClass.NARROWING_BOTH_IMPROVING, TrendClass.STABLE, None]},
    {"rating": "amber", "trends": None},
]
RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "none": "No rating"}
RAG_LETTERS = {"red": "R", "amber": "A", "green": "G", "none": "–"}


def cluster_rag_rules() -> list[dict]:
    return list(getattr(settings, "GAPMONITOR_CLUSTER_RAG_RULES", DEFAULT_CLUSTER_RAG_RULES))


def rag_rating(excess: float | None, trend_class: str | None, rules: list[dict] | None = None) -> str:
    """Red / amber / green for a cluster cell; "none" when there is no gap to rate."""
    if excess is None:
        return "none"
    for rule in cluster_rag_rules() if rules is None else rules:
        low, high = rule.get("min_excess"), rule.get("max_excess")
        if low is not None and (excess <= low if rule.get("exclusive_min") else excess < low):
            continue
        if high is not None and excess > high:
            continue
        trends = rule.get("trends")
        if trends is not None and trend_class not in trends:
            continue
        return rule["rating"]
    return "none"


def describe_rule(rule: dict) -> str:
    """The legend line for one rule, in words."""
    parts = []
    low, high = rule.get("min_excess"), rule.get("max_excess")
    if low is not None:
        word = "more than" if rule.get("exclusive_min") else "at least"
        parts.append(f"gap vs national is {word} {low:g} points wider than England's gap")
    if high is not None:
        parts.append("gap vs national is no wider than England's gap" if high == 0
                     else f"gap vs national is at most {high:g} points wider than England's gap")
    trends = rule.get("trends")
    if trends is not None:
        named = [TrendClass.label(t) if t else "no trend yet" for t in trends]
        parts.append("trend is " + " or ".join(n.lower() for n in named))
    condition = " and ".join(parts) if parts else "otherwise"
    return f"{RAG_LABELS.get(rule['rating'], rule['rating'])}: {condition}"


def excess_over_national(measure, focus: Figure | None, national_focus: Figure | None,
                         national_comparison: Figure | None) -> float | None:
    """How much wider the gap vs national (here-focus vs England-comparison) is than England's gap.
    Equal to England-focus − here-focus (sign-adjusted): positive = focus group here behind its peers nationally."""
    vs_national = gap(measure, focus, national_comparison)
    england = gap(measure, national_focus, national_comparison)
    if vs_national is None or england is None:
        return None
    return vs_national - england


# --------------------------------------------------------------------------- rows for pages, exports and the CLI
@dataclass(frozen=True)
class GapRow:
    """One organisation × measure × focus group: the figures a page row, an export row and the CLI share."""

    measure: object
    focus_group: object
    comparison_group: object
    year: int | None
    current: GapFigures
    series: dict
    trend: Trend | None
    stubborn: bool
    all_pupils: Figure
    floor: float | None = None
    la_series: dict | None = None
    national_basis: object = None  # schools.comparators.NationalBasis: which national figures (None: England)

    def gap(self, kind: str = Comparator.NATIONAL) -> float | None:
        return self.current.get(kind)

    def gap_interval(self, kind: str = Comparator.NATIONAL) -> tuple[float, float] | None:
        return gap_interval(self.measure, self.current.focus, self.current.comparator_figure(kind))

    def significant(self, kind: str = Comparator.NATIONAL) -> bool | None:
        return significant(self.gap_interval(kind))

    def label(self, kind: str, place: str = "here") -> str:
        return Comparator.label(kind, self.focus_group.name, self.comparison_group.name, place)

    @property
    def national_gap(self) -> float | None:
        return gap(self.measure, self.current.national_focus, self.current.national_comparison)

    @property
    def excess(self) -> float | None:
        return excess_over_national(self.measure, self.current.focus, self.current.national_focus,
                                    self.current.national_comparison)

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
        return not focus.suppressed and focus.value is not None and (focus.cohort or 0) >= suppression_threshold()

    @property
    def status(self) -> str:
        return self.current.focus.status

    def priority_reasons(self) -> list[str]:
        return priority_reasons(
            self.measure, focus=self.current.focus, within_gap=self.current.within, national_gap=self.national_gap,
            like_for_like=self.current.like_for_like, all_pupils=self.all_pupils, floor=self.floor,
            trend_=self.trend, is_stubborn=self.stubborn,
        )

    def buster_reasons(self) -> list[str]:
        return gap_buster_reasons(focus=self.current.focus, vs_national=self.current.vs_national, trend_=self.trend)

    def rag(self) -> str:
        return rag_rating(self.excess, self.trend.classification if self.trend else None)


def build_row(measure, focus_group, comparison_group, here: Mapping, national: Mapping, *, years: Iterable[int],
              year: int | None = None, prefix: tuple = (), la: Mapping | None = None,
              national_basis=None) -> GapRow:
    """Assemble a GapRow from figure dicts keyed (*prefix, year, measure_code, group_code).

    ``year`` defaults to the latest year with a focus figure (value or marker); the trend ends at that year.
    """
    code, fcode, ccode = measure.code, focus_group.code, comparison_group.code
    series, la_series = {}, {} if la is not None else None
    present = []
    for y in sorted(years):
        focus = here.get(prefix + (y, code, fcode))
        comparison = here.get(prefix + (y, code, ccode))
        if focus is None and comparison is None:
            continue
        present.append(y)
        series[y] = gaps(measure, focus, comparison, national.get((y, code, fcode)), national.get((y, code, ccode)))
        if la is not None:
            la_series[y] = gaps(measure, la.get((y, code, fcode)), la.get((y, code, ccode)),
                                national.get((y, code, fcode)), national.get((y, code, ccode)))
    if year is None or year not in series:
        candidates = [y for y in present if year is None or y <= year]
        year = candidates[-1] if candidates else None
    current = series.get(year) or gaps(measure, None, None, None, None)
    pairs = {y: (g.focus, g.comparison) for y, g in series.items()}
    national_pairs = {y: (g.national_focus, g.national_comparison) for y, g in series.items()}
    return GapRow(
        measure=measure, focus_group=focus_group, comparison_group=comparison_group, year=year, current=current,
        series=series, trend=trend(measure, pairs, end_year=year) if year else None,
        stubborn=stubborn(measure, pairs, national_pairs, end_year=year) if year else False,
        all_pupils=here.get(prefix + (year, code, "all")) or MISSING,
        floor=floor_for(code, year) if year else None, la_series=la_series, national_basis=national_basis,
    )
