"""The gap engine: functions over plain numbers.

Everything here works on :class:`Figure` values (counts plus a value) handed over
by ``schools.figures``; nothing here touches the database. The one setting read here
is the suppression threshold (``gapmonitor.conf``), for the words of a suppression marker. One definition of
each idea, used by pages, exports, the CLI, strategy targets and the RAG board:

* a **pooled** figure above school level is Σ numerator ÷ Σ cohort (never a mean of
  school percentages);
* a **gap** is comparison − focus, sign flipped for lower-is-better measures, so a
  positive gap always means the focus group is behind;
* **missing is never zero**: a figure without a value carries the reason (``code``).

It holds the markers a missing figure carries and their labels (with the suppression threshold they
quote), :class:`Figure`, pooling and averaging, gaps between groups (:class:`Comparator`,
:class:`GapFigures`), and the Wilson intervals behind "significant" and a change's margin.

Hiding small cohorts is ``schools.disclosure.disclose``; how a gap moved (comparable years, trend classes)
is ``schools.trends``; who needs challenge or is celebrated, ``schools.judgements``; the rows pages share,
``schools.gap_rows``; cluster RAG ratings, ``schools.rag``. Those modules import this one, never the other way
round.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from gapmonitor.conf import conf

# --------------------------------------------------------------------------- markers
SUPPRESSED = "SUPP"  # primary suppression: fewer pupils than the threshold
SECONDARY = "SUPP2"  # secondary suppression: would let a suppressed figure be worked out
SUPPRESSION_CODES = frozenset({SUPPRESSED, SECONDARY, "c"})
CODE_LABELS = {
    # The DfE's own files write SUPP too, for groups it withholds (e.g. 18 other pupils beside 4 disadvantaged).
    SUPPRESSED: "Suppressed: fewer than {threshold} pupils, or withheld by the DfE in its published file",
    SECONDARY: "Suppressed so that a small group cannot be worked out from the others",
    "c": "Suppressed by the publisher (small numbers)",
    "NE": "No entries",
    "NP": "Not published by the DfE for this year",
    "x": "Not available",
    "z": "Not applicable",
    "low": "Below 0.5",
    "": "No data",
}

Z95 = 1.959963984540054  # two-sided 95% normal quantile


def code_label(code: str) -> str:
    return CODE_LABELS.get(code, f"No figure ({code})").format(threshold=conf.suppression_threshold)


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
    status: str = ""  # provisional / revised / final ("" when unknown)
    schools: int = 0  # schools pooled (0 for a benchmark)
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
        """95% Wilson interval for a percentage; None for averages/rates (no spread published). Worked out once
        per figure (a table row asks for it once per gap it tests) and kept beside the fields, which it does
        not change: equality, hashing and ``replace`` look at the fields only."""
        if unit != "percent" or self.value is None or not self.denominator:
            return None
        found = self.__dict__.get("_interval")
        if found is None:
            achievers = self.numerator if self.numerator is not None else self.value * self.denominator / 100
            low, high = wilson_interval(achievers, self.denominator)
            found = self.__dict__["_interval"] = (100 * low, 100 * high)
        return found


MISSING = Figure(cohort=None, numerator=None, value=None, code="")


def _frozen(cls, **fields):
    """An instance of the frozen dataclass ``cls`` with every one of its fields given, made without its
    ``__init__`` (one ``object.__setattr__`` per field): a page makes thousands of figures and gaps (a cluster
    RAG board ~7,000 figures), and this takes a third of the time. The instance is the same: equal, hashed and
    frozen alike."""
    made = object.__new__(cls)
    made.__dict__.update(fields)
    return made


def make_figure(cohort, numerator, value, code, status, schools, value_cohort) -> Figure:
    """``Figure(...)`` with every field given (``_frozen``): what a pooled read makes of each row."""
    return _frozen(
        Figure,
        cohort=cohort,
        numerator=numerator,
        value=value,
        code=code,
        status=status,
        schools=schools,
        value_cohort=value_cohort,
    )


def pooled(figures: Iterable[Figure | None], unit: str = "percent") -> Figure:
    """Pool school figures: Σ numerator ÷ Σ cohort over the figures that have counts.

    Suppression hides a figure, it does not drop pupils: pass the *unsuppressed* figures.
    Percent values are ×100. Figures without counts (published value only) cannot be pooled
    and are left out of the value; their cohort still counts in ``cohort``.
    """
    cohort = value_cohort = 0
    numerator: float = 0
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
        return Figure(
            cohort=cohort if any_cohort else None,
            numerator=None,
            value=None,
            code="NE" if any_cohort and cohort == 0 else "x",
            status=worst_status(statuses),
            schools=schools,
        )
    scale = 100 if unit == "percent" else 1
    return Figure(
        cohort=cohort,
        numerator=numerator,
        value=scale * numerator / value_cohort,
        code="",
        status=worst_status(statuses),
        schools=schools,
        value_cohort=value_cohort,
    )


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

    WITHIN = "within"  # focus here vs comparison group here
    NATIONAL = "national"  # focus here vs comparison group nationally (DfE convention)
    LIKE = "like"  # focus here vs focus group nationally (like for like)
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
        return {
            Comparator.WITHIN: self.within,
            Comparator.NATIONAL: self.vs_national,
            Comparator.LIKE: self.like_for_like,
        }[kind]

    def comparator_figure(self, kind: str) -> Figure:
        return {
            Comparator.WITHIN: self.comparison,
            Comparator.NATIONAL: self.national_comparison,
            Comparator.LIKE: self.national_focus,
        }[kind]


def gaps(
    measure,
    focus: Figure | None,
    comparison: Figure | None,
    national_focus: Figure | None,
    national_comparison: Figure | None,
) -> GapFigures:
    """All three gaps for one focus figure."""
    focus, comparison = focus or MISSING, comparison or MISSING
    national_focus, national_comparison = national_focus or MISSING, national_comparison or MISSING
    # ``gap`` three times over, with the measure's direction read once (a page builds a row's gaps for every
    # year), made by ``_frozen``.
    value = focus.value
    within = vs_national = like_for_like = None
    if value is not None:
        sign = 1 if _higher_is_better(measure) else -1
        if comparison.value is not None:
            within = sign * (comparison.value - value)
        if national_comparison.value is not None:
            vs_national = sign * (national_comparison.value - value)
        if national_focus.value is not None:
            like_for_like = sign * (national_focus.value - value)
    return _frozen(
        GapFigures,
        focus=focus,
        comparison=comparison,
        national_focus=national_focus,
        national_comparison=national_comparison,
        within=within,
        vs_national=vs_national,
        like_for_like=like_for_like,
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
    p1, p2 = comparison.value, focus.value
    if focus_ci is None or comparison_ci is None or p1 is None or p2 is None:
        return None
    (l1, u1), (l2, u2) = comparison_ci, focus_ci
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


def change_interval_half_width(*figures: Figure | None) -> float | None:
    """Half-width of a 95% interval for a sum/difference of independent percentages (e.g. a change in gap):
    the root of the summed squared Wilson half-widths. None when any figure has no interval."""
    total = 0.0
    for figure in figures:
        ci = figure.interval() if figure is not None else None
        if ci is None:
            return None
        total += ((ci[1] - ci[0]) / 2) ** 2
    return math.sqrt(total)
