"""Target status, computed from the imported results — never typed in.

Each target type tracks one quantity a year, with a direction and a goal:

=================  ============================================  ==========  =====================================
type               quantity for year y                           better      goal
=================  ============================================  ==========  =====================================
reach              focus group's value                           measure's   target value
change             focus group's value                           measure's   baseline ± N (the better way)
close_gap          gap (comparison − focus, positive = behind)   lower       N
gap_national       gap here − national gap                       lower       margin (target value, default 0)
in_line_national   shortfall: national same group − focus here   lower       allowed shortfall (default 0)
faster             gap                                           lower       baseline gap − N × years
=================  ============================================  ==========  =====================================

(``faster``: the focus group improving N points faster than its comparison group in a year is the gap
narrowing by N that year, so the goal line falls by N a year.)

Status, from the latest year after the baseline up to the target year that has a figure:

* **met** — the latest quantity is at or beyond the goal, on a focus group of at least 30 pupils
  (``schools.judgements.single_year_min_cohort``); a smaller group's target is met only when its 3-year
  pooled figure (Σ achievers ÷ Σ pupils over the last three comparable years) reaches the goal too;
* **off track** — the target year's figure is in and the goal was missed, or the latest quantity is behind a
  straight line from the baseline (baseline year) to the goal (target year);
* **on track** — the latest quantity is on or ahead of that straight line;
* **no data yet** — no baseline figure, or no figure since the baseline year (or, for roles that must not
  see them, the figures are hidden by ``schools.disclosure.disclose``: a small group, or one from which a
  small group could be worked out).

Only years comparable with the baseline count (``Measure.series_breaks``): a target whose later figures are
all on the far side of a series break has no status ("no data yet", saying why), never a trajectory across it.

Figures are read only through ``schools.figures.figures_by/benchmark_figures``, disclosed through
``schools.disclosure.disclose``, and gaps through ``schools.gaps.gap``: this module never pools anything.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from gapmonitor.conf import conf
from schools.disclosure import disclose, needed_groups, partitions_of
from schools.figures import figures_by, national_figures_by_basis, national_for
from schools.gap_rows import pooled_view
from schools.gaps import Figure, gap, gaps
from schools.judgements import single_year_min_cohort
from schools.models import Benchmark, School
from schools.selectors import pupil_groups
from schools.trends import break_note, comparable, comparable_from

from .models import Target, year_label

EPSILON = 1e-9
LABELS = {"met": "Met", "on_track": "On track", "off_track": "Off track", "no_data": "No data yet"}


@dataclass
class YearRow:
    """One year of the figures behind a target's status."""

    year: int
    focus: Figure | None = None
    comparison: Figure | None = None
    national: float | None = None  # national focus value or national gap, as the type needs
    gap: float | None = None
    quantity: float | None = None
    expected: float | None = None  # the straight-line trajectory for this year
    suppressed: bool = False
    comparable: bool = True  # in the same comparable series as the baseline year

    @property
    def label(self) -> str:
        return year_label(self.year)


@dataclass
class TargetStatus:
    code: str
    explanation: str
    quantity_name: str = ""
    lower_is_better: bool = False
    baseline: float | None = None
    goal: float | None = None
    latest_year: int | None = None
    latest: float | None = None
    expected: float | None = None
    rows: list[YearRow] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELS[self.code]

    @property
    def css(self) -> str:
        return {"met": "rag-green", "on_track": "rag-amber-green", "off_track": "rag-red"}.get(self.code, "rag-none")

    def __str__(self):
        return self.label


# --------------------------------------------------------------------------- formatting
def _fmt(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return "no figure"
    text = f"{value:+.1f}" if signed else f"{value:.1f}"
    return text.replace("-", "−")


def _unit(target: Target, gap_like: bool) -> str:
    if gap_like:
        return " percentage points" if target.measure.is_percent else " points"
    return "%" if target.measure.is_percent else ""


# --------------------------------------------------------------------------- fetching
def _scope_key(target: Target):
    return target.scope_level, target.scope.pk


# scope level → how to pick the schools whose results pool into each organisation of that level
_SCHOOLS_OF = {"school": "pk__in", "cluster": "cluster__in", "area": "area__in", "la": "la__in"}


def _years(target: Target) -> list[int]:
    return list(range(target.baseline_year, target.target_year + 1))


def _fetch_years(target: Target) -> list[int]:
    """The target's years and the four before, so a 3-year pooled figure can skip 2020 and 2021."""
    return list(range(target.baseline_year - 4, target.target_year + 1))


def _fetch(targets: list[Target], *, show_small_cohorts: bool):
    """One pooled query per scope level (school, cluster, area, LA) and one national query, whatever the
    number of targets or schools; figures disclosed for the viewer."""
    by_level: dict = defaultdict(list)
    for target in targets:
        by_level[target.scope_level].append(target)
    scope_figures: dict = defaultdict(dict)
    partitions = partitions_of(pupil_groups()) if not show_small_cohorts else []
    for level, group in by_level.items():
        measures = {t.measure.code for t in group}
        groups = {t.focus_group.code for t in group} | {t.comparison.code for t in group if t.comparison}
        years = set().union(*(_fetch_years(t) for t in group))
        schools = School.objects.filter(**{_SCHOOLS_OF[level]: {t.scope.pk for t in group}})
        if not show_small_cohorts:
            groups = needed_groups(groups, partitions)
        found = figures_by(level, schools, measures=measures, groups=groups, years=years)
        found = disclose(found, viewer_sees_small_cohorts=show_small_cohorts, partitions=partitions)
        for (org_id, *key), figure in found.items():
            scope_figures[(level, org_id)][tuple(key)] = figure
    national_targets = [t for t in targets if t.type in (Target.Type.GAP_NATIONAL, Target.Type.IN_LINE_NATIONAL)]
    national = {}
    if national_targets:
        # A special school's or AP's target is measured against its own type of school nationally.
        national = national_figures_by_basis(
            measures={t.measure.code for t in national_targets},
            groups={t.focus_group.code for t in national_targets}
            | {t.comparison.code for t in national_targets if t.comparison},
            years=set().union(*(_fetch_years(t) for t in national_targets)),
        )
    return scope_figures, national


def _national_for(target: Target, by_basis: dict) -> dict:
    """The national figures a target is measured against (see ``schools.comparators``)."""
    if not by_basis:
        return {}
    if target.scope_level == "school":
        return national_for(target.scope, by_basis)[1]
    return by_basis[Benchmark.NATIONAL_CODE]


def evaluate(targets, *, show_small_cohorts: bool) -> dict[int, TargetStatus]:
    """Statuses for many targets, keyed by target pk. ``show_small_cohorts`` is required: pass
    ``schools.access.sees_small_cohorts(user)`` for the person who will read the statuses."""
    targets = list(targets)
    if not targets:
        return {}
    scope_figures, national = _fetch(targets, show_small_cohorts=show_small_cohorts)
    show = show_small_cohorts
    return {
        t.pk: _evaluate_one(t, scope_figures[_scope_key(t)], _national_for(t, national), show_small_cohorts=show)
        for t in targets
    }


def status_of(target: Target, *, show_small_cohorts: bool) -> TargetStatus:
    """One target's computed status (met / on track / off track / no data yet) with the figures used, in words.
    ``show_small_cohorts``: ``schools.access.sees_small_cohorts(user)`` for the reader."""
    return evaluate([target], show_small_cohorts=show_small_cohorts)[target.pk]


# --------------------------------------------------------------------------- the rules
def _quantity_rows(target: Target, figures: dict, national: dict, *, show_small_cohorts: bool) -> list[YearRow]:
    measure, T = target.measure, Target.Type
    focus_code = target.focus_group.code
    comparison_code = target.comparison.code if target.comparison else None
    rows = []
    for year in _years(target):
        row = YearRow(year=year, comparable=comparable(measure, target.baseline_year, year))
        row.focus = figures.get((year, measure.code, focus_code))
        if comparison_code:
            row.comparison = figures.get((year, measure.code, comparison_code))
        used = [row.focus] + ([row.comparison] if target.type in Target.GAP_TYPES else [])
        row.suppressed = not show_small_cohorts and any(f is not None and f.suppressed for f in used)
        row.gap = gap(measure, row.focus, row.comparison) if comparison_code else None
        if target.type in (T.REACH, T.CHANGE):
            row.quantity = row.focus.value if row.focus else None
        elif target.type in (T.CLOSE_GAP, T.FASTER):
            row.quantity = row.gap
        elif target.type == T.GAP_NATIONAL:
            national_gap = gap(
                measure,
                national.get((year, measure.code, focus_code)),
                national.get((year, measure.code, comparison_code)),
            )
            row.national = national_gap
            row.quantity = None if row.gap is None or national_gap is None else row.gap - national_gap
        elif target.type == T.IN_LINE_NATIONAL:
            national_focus = national.get((year, measure.code, focus_code))
            row.national = national_focus.value if national_focus else None
            row.quantity = gap(measure, row.focus, national_focus)  # national − here, positive = behind
        if not row.comparable:
            row.quantity = None  # on the far side of a series break: never compared with the baseline
        rows.append(row)
    return rows


def _pooled_quantity(target: Target, figures: dict, national: dict, end_year: int):
    """The type's quantity on the 3-year pooled figure ending at ``end_year`` (None without two years)."""
    measure, T = target.measure, Target.Type
    focus_code = target.focus_group.code
    comparison_code = target.comparison.code if target.comparison else None
    series = {
        year: gaps(
            measure,
            figures.get((year, measure.code, focus_code)),
            figures.get((year, measure.code, comparison_code)) if comparison_code else None,
            national.get((year, measure.code, focus_code)),
            national.get((year, measure.code, comparison_code)) if comparison_code else None,
        )
        for year in _fetch_years(target)
        if year <= end_year and (year, measure.code, focus_code) in figures
    }
    view = pooled_view(measure, series, {}, end_year=end_year, calendar=_fetch_years(target))
    if view is None:
        return None, None
    g = view.figures
    if target.type in (T.REACH, T.CHANGE):
        return g.focus.value, view
    if target.type in (T.CLOSE_GAP, T.FASTER):
        return g.within, view
    if target.type == T.GAP_NATIONAL:
        england = gap(measure, g.national_focus, g.national_comparison)
        return (None if g.within is None or england is None else g.within - england), view
    return g.like_for_like, view


def _baseline_quantity(target: Target, baseline_row: YearRow) -> float | None:
    """The baseline as the type's quantity: the typed baseline value when given, else the imported figure."""
    if target.baseline_value is None:
        return baseline_row.quantity
    typed = float(target.baseline_value)
    T = Target.Type
    if target.type == T.GAP_NATIONAL:
        return None if baseline_row.national is None else typed - baseline_row.national
    if target.type == T.IN_LINE_NATIONAL:
        if baseline_row.national is None:
            return None
        return gap(
            target.measure,
            Figure(cohort=None, numerator=None, value=typed),
            Figure(cohort=None, numerator=None, value=baseline_row.national),
        )
    return typed


def _goal(target: Target, baseline: float) -> float:
    T, n = Target.Type, float(target.target_value) if target.target_value is not None else 0.0
    if target.type == T.CHANGE:
        return baseline + n if target.measure.higher_is_better else baseline - n
    if target.type == T.FASTER:
        return baseline - n * (target.target_year - target.baseline_year)
    return n


def _describe_quantity(target: Target) -> tuple[str, bool]:
    """(name of the tracked quantity, lower is better)."""
    T = Target.Type
    group, comparison = target.focus_group.name, target.comparison.name if target.comparison else ""
    if target.type in (T.REACH, T.CHANGE):
        return f"{group} {target.measure.short_name or target.measure.name}", not target.measure.higher_is_better
    if target.type in (T.CLOSE_GAP, T.FASTER):
        return f"gap between {group} and {comparison}", True
    if target.type == T.GAP_NATIONAL:
        return "gap here minus the national gap", True
    return f"shortfall of {group} here against the same group nationally", True


def _meets(value: float, goal: float, lower_is_better: bool) -> bool:
    return value <= goal + EPSILON if lower_is_better else value >= goal - EPSILON


def _evaluate_one(target: Target, figures: dict, national: dict, *, show_small_cohorts: bool) -> TargetStatus:
    rows = _quantity_rows(target, figures, national, show_small_cohorts=show_small_cohorts)
    name, lower = _describe_quantity(target)
    gap_like = target.type != Target.Type.REACH and target.type != Target.Type.CHANGE
    unit = _unit(target, gap_like)
    status = TargetStatus(code="no_data", explanation="", quantity_name=name, lower_is_better=lower, rows=rows)
    baseline_row = rows[0]
    baseline = _baseline_quantity(target, baseline_row)
    base_label = year_label(target.baseline_year)
    withheld = (
        f"cover fewer than {conf.suppression_threshold} pupils, or would let such a group be worked out, "
        "so they are not shown and the status is withheld."
    )
    if baseline is None and baseline_row.suppressed:
        status.explanation = f"The baseline figures ({base_label}) {withheld}"
        return status
    if baseline is None:
        status.explanation = f"No baseline figure for the {name} in {base_label}, so progress cannot be judged yet."
        return status
    goal = _goal(target, baseline)
    status.baseline, status.goal = baseline, goal
    span = target.target_year - target.baseline_year
    for row in rows:
        row.expected = (
            baseline + (goal - baseline) * (row.year - target.baseline_year) / span if row.comparable else None
        )
    later = [row for row in rows[1:] if row.quantity is not None or row.suppressed]
    beyond = [row for row in rows[1:] if not row.comparable]
    if not later and beyond:
        start = comparable_from(target.measure, beyond[0].year) or beyond[0].year
        note = break_note(target.measure, start)
        status.explanation = (
            f"The series breaks in {year_label(start)}{f' ({note})' if note else ''}: figures from then cannot be "
            f"compared with the baseline ({base_label}), so progress cannot be judged. Set a new baseline from "
            f"{year_label(start)}."
        )
        return status
    if not later:
        status.explanation = (
            f"Baseline {base_label}: {name} {_fmt(baseline)}{unit}; goal by {year_label(target.target_year)}: "
            f"{'≤' if lower else '≥'} {_fmt(goal)}{unit}. No results for a later year yet."
        )
        return status
    latest = later[-1]
    if latest.suppressed:
        status.explanation = f"The latest figures ({latest.label}) {withheld}"
        return status
    status.latest_year, status.latest, status.expected = latest.year, latest.quantity, latest.expected
    sign = "≤" if lower else "≥"
    facts = (
        f"{latest.label}: {name} {_fmt(latest.quantity)}{unit} (baseline {base_label}: {_fmt(baseline)}{unit}; "
        f"goal by {year_label(target.target_year)}: {sign} {_fmt(goal)}{unit})."
    )
    small = latest.focus is not None and (latest.focus.cohort or 0) < single_year_min_cohort()
    pooled_note = ""
    if _meets(latest.quantity, goal, lower) and small:
        quantity, view = _pooled_quantity(target, figures, national, latest.year)
        if quantity is not None and _meets(quantity, goal, lower):
            status.code = "met"
            status.explanation = (
                f"{facts} The goal is reached, on the 3-year pooled figure too ({view.label}: {_fmt(quantity)}{unit})."
            )
            return status
        pooled_note = (
            f" The latest year reaches the goal on {latest.focus.cohort} pupils, fewer than "
            f"{single_year_min_cohort()}, so it is not called met on one year"
            + (
                f"; the 3-year pooled figure ({view.label}) is {_fmt(quantity)}{unit}."
                if quantity is not None
                else "; there is no 3-year pooled figure yet."
            )
        )
    if _meets(latest.quantity, goal, lower) and not small:
        status.code = "met"
        status.explanation = f"{facts} The goal is reached."
    elif pooled_note and latest.year < target.target_year:
        status.code = "on_track"
        status.explanation = facts + pooled_note
    elif latest.year >= target.target_year:
        status.code = "off_track"
        status.explanation = facts + (pooled_note or " The target year's figure misses the goal.")
    elif _meets(latest.quantity, latest.expected, lower):
        status.code = "on_track"
        status.explanation = (
            f"{facts} A straight line from baseline to goal expects {sign} {_fmt(latest.expected)}{unit} "
            f"by {latest.label}: on or ahead of it."
        )
    else:
        status.code = "off_track"
        status.explanation = (
            f"{facts} A straight line from baseline to goal expects {sign} {_fmt(latest.expected)}{unit} "
            f"by {latest.label}: behind it."
        )
    return status
