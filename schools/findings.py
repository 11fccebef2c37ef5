"""Plain-English findings generated from GapRows, so every page leads with what the figures say.

Findings are sentences a user can copy into a report. Each says whether its change is bigger than the
95% margin (``significant``); the "significant only" filter hides the ones that are not.
"""

from __future__ import annotations

from dataclasses import dataclass

from .gap_rows import GapRow
from .gaps import Comparator
from .house_style import results_year_label as _year
from .trends import TrendClass


@dataclass(frozen=True)
class Finding:
    text: str
    significant: bool | None  # None: no interval can be worked out (average scores, published values only)
    kind: str = "trend"  # trend / level
    measure_code: str = ""
    cohort: int = 0  # pupils in the focus group behind it (the latest year)

    @property
    def note(self) -> str:
        if self.significant is False:
            return "not significant: within the 95% margin of error"
        if self.significant is None:
            # Percentages compared with a national figure published without pupil counts, and average
            # scores, have no 95% interval: say the test was not made, never that the measure lacks one.
            return "significance not judged: no 95% interval can be worked out for this comparison"
        return ""


def number(value: float | None, places: int = 1) -> str:
    """1.0 → "1", 2.35 → "2.4"; missing → "no figure"."""
    if value is None:
        return "no figure"
    rounded = round(value, places)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.{places}f}"


def _units(measure, amount: float) -> str:
    word = "point" if round(abs(amount), 1) == 1 else "points"
    return f"{number(abs(amount))} {'percentage ' if measure.is_percent else ''}{word}"


def _moved(measure, before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return "has no comparable figure"
    delta = after - before
    if round(delta, 1) == 0:
        return "did not change"
    return f"{'rose' if delta > 0 else 'fell'} {_units(measure, delta)}"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _group_phrase(group) -> str:
    """ "Disadvantaged pupils", "Other pupils", "Boys"…"""
    short = {
        "disadvantaged": "Disadvantaged pupils",
        "not_disadvantaged": "other pupils",
        "fsm": "FSM pupils",
        "not_fsm": "non-FSM pupils",
        "all": "all pupils",
    }
    return short.get(group.code, group.name)


def _comparator_phrase(row: GapRow) -> str:
    """Who the focus group is compared with on the row's comparator."""
    if row.kind == Comparator.NATIONAL:
        return f"{_group_phrase(row.comparison_group)} nationally"
    if row.kind == Comparator.LIKE:
        return f"{_group_phrase(row.focus_group).lower()} nationally"
    return _group_phrase(row.comparison_group)


def _theirs(row: GapRow, comparison: str) -> str:
    """ "other pupils'" here; "that of other pupils nationally" for a national comparator."""
    return _possessive(comparison) if row.kind == Comparator.WITHIN else f"that of {comparison}"


def pupil_count(figure, measure) -> str:
    """ "4 of 9" (percentages with counts) or "9 pupils"; "" when the count is unknown (e.g. a published value)."""
    if figure is None or figure.value is None or not figure.cohort:
        return ""
    denominator = figure.denominator or figure.cohort
    if getattr(measure, "is_percent", False) and figure.numerator is not None:
        return f"{round(figure.numerator):,} of {denominator:,}"
    return f"{denominator:,} pupils"


def _outcome(m, t) -> str:
    """How the gap moved, in the words of the trend class (both directions)."""
    size, end = _units(m, t.change), number(abs(t.gap_end))
    if t.classification == TrendClass.STABLE:
        if round(t.gap_end, 1) == 0:
            return "the two stayed level"
        return f"the gap stayed at about {end}" if t.gap_end > 0 else f"they stayed about {end} ahead"
    if t.classification == TrendClass.LEAD_GREW:
        return f"their lead grew by {size}, to {end}"
    if t.classification == TrendClass.LEAD_SHRANK:
        if round(t.gap_end, 1):
            return f"their lead shrank by {size}, to {end}"
        return f"their lead of {number(-t.gap_start)} is gone"
    if t.classification == TrendClass.WIDENING:
        if t.gap_start < 0:
            return f"their lead of {number(-t.gap_start)} turned into a gap of {end}"
        return f"the gap widened by {size}, to {end}"
    outcome = (
        f"the gap narrowed by {size}, to {end}"
        if t.gap_end > 0
        else f"the gap of {number(t.gap_start)} closed: they are now {end} ahead"
        if round(t.gap_end, 1)
        else f"the gap of {number(t.gap_start)} closed"
    )
    if t.classification == TrendClass.NARROWING_COMPARISON_FELL:
        outcome += " — but only because the comparison group did worse, which is not a success on its own"
    return outcome


def trend_finding(row: GapRow, place: str = "") -> Finding | None:
    """The trend on the row's comparator, over comparable years only ("since" never crosses a series break)."""
    t = row.trend
    if t is None:
        return None
    m = row.measure
    (f0, c0), (f1, c1) = t.first, t.last
    focus, comparison = _group_phrase(row.focus_group), _comparator_phrase(row)
    where = f" in {place}" if place else ""
    counts = [
        f"{pupil_count(f, m)} in {_year(y)}" for f, y in ((f0, t.start_year), (f1, t.end_year)) if pupil_count(f, m)
    ]
    pupils = f" ({focus.lower()}: {'; '.join(counts)})" if counts else ""
    text = (
        f"{_possessive(focus)} {m.short_name or m.name}{where} {_moved(m, f0.value, f1.value)} "
        f"since {_year(t.start_year)} while {_theirs(row, comparison)} "
        f"{_moved(m, c0.value, c1.value)}: {_outcome(m, t)}{pupils}."
    )
    return Finding(text=text, significant=t.significant, kind="trend", measure_code=m.code, cohort=f1.cohort or 0)


def _value(m, figure) -> str:
    return f"{number(figure.value)}{'%' if m.is_percent else ''}"


def level_finding(row: GapRow, place: str = "") -> Finding | None:
    """Where the focus group stands against other pupils nationally (the DfE convention), named. Absence and
    suspensions read as rates ("31.7% vs 14.4%"), never as points behind."""
    vs = row.current.vs_national
    if vs is None and row.national_note:
        return _within_finding(row, place)
    if vs is None or row.year is None:
        return None
    m, focus_figure = row.measure, row.current.focus
    england = row.national_gap
    where = f" in {place}" if place else ""
    count = pupil_count(focus_figure, m)
    pupils = f" ({count})" if count else ""
    share = f", {count}" if count else ""
    name = m.short_name or m.name
    if not m.higher_is_better:
        other = row.current.national_comparison
        text = (
            f"In {_year(row.year)}{where}, {_possessive(_group_phrase(row.focus_group).lower())} {name.lower()} was "
            f"{_value(m, focus_figure)}{pupils} against {_value(m, other)} for "
            f"{_group_phrase(row.comparison_group)} nationally"
            + (
                f" (England's {_group_phrase(row.focus_group).lower()}: {_value(m, row.current.national_focus)})"
                if row.current.national_focus.value is not None
                else ""
            )
            + "."
        )
    elif vs <= 0:
        text = (
            f"{_group_phrase(row.focus_group)}{where} ({_value(m, focus_figure)}{share}) were "
            f"{'level with' if round(vs, 1) == 0 else f'{_units(m, vs)} ahead of'} "
            f"{_group_phrase(row.comparison_group)} nationally in {name} in {_year(row.year)}."
        )
    else:
        compare = ""
        if england is not None:
            wider = vs - england
            compare = (
                (
                    f", {_units(m, wider)} {'wider' if wider > 0 else 'narrower'} than England's own gap of "
                    f"{number(england)}"
                )
                if round(wider, 1)
                else ", the same as England's own gap"
            )
        text = (
            f"In {_year(row.year)}{where}, {_group_phrase(row.focus_group).lower()} ({_value(m, focus_figure)}{share}) "
            f"were {_units(m, vs)} behind {_group_phrase(row.comparison_group)} nationally in {name}{compare}."
        )
    return _level_finding(row, text, Comparator.NATIONAL)


def _within_finding(row: GapRow, place: str = "") -> Finding | None:
    """A school compared only with its own type of school, with no national figure for that type (special
    schools, AP): where the focus group stands against the comparison group in the same school, and why."""
    gap_here = row.current.within
    if gap_here is None or row.year is None:
        return None
    m, focus_figure = row.measure, row.current.focus
    count = pupil_count(focus_figure, m)
    where = f" in {place}" if place else ""
    if m.higher_is_better:
        direction = "behind" if gap_here > 0 else "ahead of"
    else:
        direction = "higher (worse) than" if gap_here > 0 else "lower (better) than"
    standing_words = "level with" if round(gap_here, 1) == 0 else f"{_units(m, abs(gap_here))} {direction}"
    text = (
        f"In {_year(row.year)}{where}, {_group_phrase(row.focus_group).lower()} ({_value(m, focus_figure)}"
        f"{', ' + count if count else ''}) were {standing_words} {_group_phrase(row.comparison_group)} in the "
        f"same school in {m.short_name or m.name}. {row.national_note}"
    )
    return _level_finding(row, text, Comparator.WITHIN)


def _level_finding(row: GapRow, text: str, comparator: str) -> Finding:
    """Where a group stands in a year, significant on the comparator the words use."""
    cohort = row.current.focus.cohort if row.current.focus is not None else None
    return Finding(
        text=text,
        significant=row.significant(comparator),
        kind="level",
        measure_code=row.measure.code,
        cohort=cohort or 0,
    )


SIGNIFICANCE_ORDER = {True: 0, None: 1, False: 2}


def findings_for(
    rows: list[GapRow], *, place: str = "", significant_only: bool = False, limit: int | None = 8
) -> list[Finding]:
    """Findings for a page, leading with what is significant, then by the number of pupils behind them
    (the trend of a measure before where it stands when both weigh the same)."""
    # Schools with no national figure for their type are judged on the gap within the school.
    rows = [r.for_comparator(Comparator.WITHIN) if r.national_note else r for r in rows]
    found = [f for f in (trend_finding(r, place) for r in rows) if f]
    found += [f for f in (level_finding(r, place) for r in rows) if f]
    found.sort(key=lambda f: (SIGNIFICANCE_ORDER[f.significant], -f.cohort))
    if significant_only:
        found = [f for f in found if f.significant is not False]
    return found[:limit] if limit else found
