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

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gapmonitor.conf import conf

from .gaps import Figure, GapFigures, gap, gap_interval, significant
from .house_style import results_year_label
from .trends import Trend, TrendClass

if TYPE_CHECKING:  # the judgement reads a row's fields only; it never builds one
    from .gap_rows import GapRow


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
    judgement needs is checked by ``judge``)."""
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


# --------------------------------------------------------------------------- judging a row
@dataclass(frozen=True)
class Judgement:
    priority: tuple[str, ...] = ()
    buster: tuple[str, ...] = ()
    # What the judgement rests on: "2024/25 alone (40 pupils)", "2022/23 to 2024/25 pooled (27 pupils)", or ""
    # when the row could not be judged at all (too small this year and too few comparable years to pool).
    basis: str = ""

    @property
    def judged(self) -> bool:
        return bool(self.basis)


def judge(row: GapRow) -> Judgement:
    """A row's priority reasons, or (when there are none) gap-buster reasons, and the figures they rest on."""
    if not row.rankable:
        return Judgement()
    m = row.measure
    if row.single_year:
        g, all_pupils, trend_, stubborn_ = row.current, row.all_pupils, row.trend, row.stubborn
        basis = f"{results_year_label(row.year)} alone ({g.focus.cohort} pupils)"
        evidence = {
            Reason.WIDE_GAP: _interval_above(gap_interval(m, g.focus, g.comparison), _england(m, g)),
            Reason.LOW_ATTAINMENT: significant(gap_interval(m, g.focus, g.national_focus)) is not False,
            Reason.BELOW_THRESHOLD: _clearly_past(m, threshold_figure(row, g, all_pupils), row.threshold),
            Reason.WIDENING: trend_ is not None and trend_.significant is not False,
            BusterReason.ABOVE_NATIONAL: _interval_below_zero(gap_interval(m, g.focus, g.national_comparison)),
            BusterReason.NARROWED_BOTH_IMPROVING: trend_ is not None and trend_.significant is not False,
        }
    elif row.pooled is not None:
        g, all_pupils, trend_, stubborn_ = row.pooled.figures, row.pooled.all_pupils, None, False
        basis = row.pooled.label
        evidence = {}
    else:
        return Judgement()
    threshold = float(row.threshold.value) if row.threshold is not None else None
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
            threshold_figure=threshold_figure(row, g, all_pupils),
            threshold=threshold,
        )
        if evidence.get(r, True)
    ]
    if priority:
        return Judgement(priority=tuple(priority), basis=basis)
    buster = [
        r for r in gap_buster_reasons(focus=g.focus, vs_national=g.vs_national, trend_=trend_) if evidence.get(r, True)
    ]
    return Judgement(buster=tuple(buster), basis=basis)


def threshold_figure(row: GapRow, g: GapFigures, all_pupils: Figure) -> Figure | None:
    """The figure an LA threshold is read against: the focus group's, or all pupils' (None for another group)."""
    if row.threshold is None:
        return None
    code = getattr(getattr(row.threshold, "pupil_group", None), "code", "all")
    return g.focus if code == getattr(row.focus_group, "code", None) else all_pupils if code == "all" else None


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
