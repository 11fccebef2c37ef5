"""Plain-English findings generated from GapRows, so every page leads with what the figures say.

Findings are sentences a user can copy into a report. Each says whether its change is bigger than the
95% margin (``significant``); the "significant only" filter hides the ones that are not.
"""
from __future__ import annotations

from dataclasses import dataclass

from .gaps import Comparator, GapRow, TrendClass


@dataclass(frozen=True)
class Finding:
    text: str
    significant: bool | None  # None: no interval can be worked out (average scores, published values only)
    kind: str = "trend"       # trend / level
    measure_code: str = ""

    @property
    def note(self) -> str:
        if self.significant is False:
            return "not significant: within the 95% margin of error"
        if self.significant is None:
            return "no confidence interval for this measure"
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
    """"Disadvantaged pupils", "Other pupils", "Boys"…"""
    short = {"disadvantaged": "Disadvantaged pupils", "not_disadvantaged": "other pupils",
             "fsm": "FSM pupils", "not_fsm": "non-FSM pupils", "all": "all pupils"}
    return short.get(group.code, group.name)


def trend_finding(row: GapRow, place: str = "") -> Finding | None:
    t = row.trend
    if t is None:
        return None
    m, first, last = row.measure, row.series[t.start_year], row.series[t.end_year]
    focus, comparison = _group_phrase(row.focus_group), _group_phrase(row.comparison_group)
    where = f" in {place}" if place else ""
    if t.classification == TrendClass.STABLE:
        outcome = f"the gap stayed at about {number(t.gap_end)}"
    elif t.narrowing:
        outcome = f"the gap narrowed by {_units(m, t.change)}, to {number(t.gap_end)}"
        if t.classification == TrendClass.NARROWING_COMPARISON_FELL:
            outcome += f" — but only because {comparison} did worse, which is not a success on its own"
    else:
        outcome = f"the gap widened by {_units(m, t.change)}, to {number(t.gap_end)}"
    text = (
        f"{_possessive(focus)} {m.short_name or m.name}{where} {_moved(m, first.focus.value, last.focus.value)} "
        f"since {t.start_year} while {_possessive(comparison)} "
        f"{_moved(m, first.comparison.value, last.comparison.value)}: {outcome}."
    )
    return Finding(text=text, significant=t.significant, kind="trend", measure_code=m.code)


def level_finding(row: GapRow, place: str = "") -> Finding | None:
    """Where the focus group stands against other pupils nationally (the DfE convention), named."""
    vs = row.current.vs_national
    if vs is None or row.year is None:
        return None
    m = row.measure
    england = row.national_gap
    where = f" in {place}" if place else ""
    if vs <= 0:
        text = (f"{_group_phrase(row.focus_group)}{where} were at or above {_group_phrase(row.comparison_group)} "
                f"nationally in {m.short_name or m.name} in {row.year} (gap vs national {number(vs)}): gap busting.")
    else:
        compare = ""
        if england is not None:
            wider = vs - england
            compare = (f", {_units(m, wider)} {'wider' if wider > 0 else 'narrower'} than England's own gap of "
                       f"{number(england)}") if round(wider, 1) else f", the same as England's own gap"
        text = (f"In {row.year}{where}, {_group_phrase(row.focus_group).lower()} were {_units(m, vs)} behind "
                f"{_group_phrase(row.comparison_group)} nationally in {m.short_name or m.name}{compare}.")
    return Finding(text=text, significant=row.significant(Comparator.NATIONAL), kind="level", measure_code=m.code)


def findings_for(rows: list[GapRow], *, place: str = "", significant_only: bool = False,
                 limit: int | None = 8) -> list[Finding]:
    """Findings for a page: the trend of each measure first, then where each stands."""
    found = [f for f in (trend_finding(r, place) for r in rows) if f]
    found += [f for f in (level_finding(r, place) for r in rows) if f]
    if significant_only:
        found = [f for f in found if f.significant is not False]
    return found[:limit] if limit else found
