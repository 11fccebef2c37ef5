"""One-screen summaries for each role's landing page, assembled from figures the selectors have already
disclosed (``schools.selectors.scope_rows`` / ``org_rows_by_measure`` pass every figure through
``schools.disclosure.disclose`` for the viewer): nothing here reads a result the viewer may not see.

* a school: where its focus group (disadvantaged pupils by default) stands against England on each measure
  it has, in the style of Ofsted's inspection data summary report (IDSR): one sentence per measure, significant
  findings first, each linking to the measure's own page (every group and year);
* an adviser's schools: each school's flags (the priority reasons on the headline measures);
* an LA: the schools to challenge across the headline measures.

The strategy app adds what is due (actions, visits, targets) through its own template tags
(``strategy.summaries``), so this module never imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .findings import SIGNIFICANCE_ORDER, level_finding, trend_finding
from .gap_rows import GapRow
from .gaps import Comparator
from .judgements import Reason
from .models import Measure, School
from .table_columns import figure_with_count
from .trends import TrendClass, standing

# Key stages by phase, in the order a user of that phase reads them; other measures follow.
PHASE_KEY_STAGES = {
    School.Phase.NURSERY: ("eyfs",),
    School.Phase.PRIMARY: ("eyfs", "phonics", "ks1", "ks2", "attendance"),
    School.Phase.MIDDLE: ("ks2", "attendance", "ks4"),
    School.Phase.SECONDARY: ("ks4", "attendance", "ks5"),
    School.Phase.ALL_THROUGH: ("eyfs", "phonics", "ks2", "ks4", "attendance", "ks5"),
    School.Phase.POST16: ("ks5",),
}
SUMMARY_LINES = 6
SHOWN_SCHOOLS = 5


@dataclass(frozen=True)
class SummaryLine:
    """One sentence of a summary and the page that holds its evidence."""

    text: str
    significant: bool | None
    url: str
    measure_code: str = ""

    @property
    def tag(self) -> str:
        return {True: "Significant", False: "Not significant"}.get(self.significant, "")


def phase_measures(measures: list[Measure], phases, years: list[int] | None = None) -> list[Measure]:
    """The measures in the order a user of these phases reads them: their own key stages first, then the rest.
    A measure none of ``years`` falls in (e.g. KS2 level 4+, last published in 2015, when the LA's results start
    in 2018) is left out; ``years=None`` keeps every measure."""
    order: list[str] = []
    for phase in phases:
        for stage in PHASE_KEY_STAGES.get(phase, ()):
            if stage not in order:
                order.append(stage)
    kept = [m for m in measures if years is None or any(m.valid_in(y) for y in years)]

    def rank(m: Measure) -> int:
        code = m.key_stage.code
        return order.index(code) if code in order else len(order)

    return sorted(kept, key=rank)  # stable: keeps the measures' own order within a key stage


def default_measure(measures: list[Measure], phases, fallback: str) -> str:
    """The measure a page opens on: ``fallback`` (the deployment's default, KS2 RWM) unless the user's schools
    are all of phases without it (a secondary head opens on the first headline measure of their own phase)."""
    own_stages = {s for p in phases for s in PHASE_KEY_STAGES.get(p, ())}
    by_code = {m.code: m for m in measures}
    if not own_stages or (fallback in by_code and by_code[fallback].key_stage.code in own_stages):
        return fallback
    own = [m for m in phase_measures(measures, phases) if m.headline and m.key_stage.code in own_stages]
    return own[0].code if own else fallback


def measure_choices(measures: list[Measure], phases, years: list[int]) -> list:
    """Choices for a measure picker: "Your phase" measures first (an optgroup), then the others."""
    ordered = phase_measures(measures, phases, years)
    own_stages = {s for p in phases for s in PHASE_KEY_STAGES.get(p, ())}
    own = [(m.code, m.short_name or m.name) for m in ordered if m.key_stage.code in own_stages]
    other = [(m.code, m.short_name or m.name) for m in ordered if m.key_stage.code not in own_stages]
    if not own or not other:
        return own or other
    return [("Measures for your phase", own), ("Other measures", other)]


def summary_lines(rows: list[GapRow], *, measure_url, limit: int = SUMMARY_LINES) -> list[SummaryLine]:
    """IDSR-style sentences for a school, area, cluster or LA: where the focus group stands against England on
    each measure (the DfE comparator: the comparison group nationally), then the significant trends;
    significant first, then by the number of pupils. ``measure_url(code)`` is the page with the measure's evidence."""
    rows = [r.for_comparator(Comparator.WITHIN if r.national_note else Comparator.NATIONAL) for r in rows]
    levels = [f for f in (level_finding(r) for r in rows if r.year) if f]
    trends = [f for f in (trend_finding(r) for r in rows) if f and f.significant]
    found = sorted(levels, key=lambda f: (SIGNIFICANCE_ORDER[f.significant], -f.cohort)) + trends
    return [SummaryLine(f.text, f.significant, measure_url(f.measure_code), f.measure_code) for f in found[:limit]]


def overview_row(row: GapRow) -> dict:
    """One measure of a scope's overview table against England: the focus group (with its pupils), the
    comparison group nationally, the gap between them, England's own gap, and the trend of that gap."""
    kind = Comparator.WITHIN if row.national_note else Comparator.NATIONAL
    row = row.for_comparator(kind)
    current, m = row.current, row.measure
    trend = row.trend
    return {
        "code": m.code,
        "measure": m.short_name or m.name,
        "year": row.year,
        "focus": figure_with_count(current.focus, m),
        "england": figure_with_count(current.national_comparison, m) if kind == Comparator.NATIONAL else "–",
        "gap": standing(m, current.get(kind)) if current.get(kind) is not None else (row.national_note or "–"),
        "england_gap": standing(m, row.national_gap) if row.national_gap is not None else "–",
        "significant": row.significant(kind),
        "trend": (trend.label + (" (ns)" if trend.significant is False else "")) if trend else TrendClass.label(None),
    }


@dataclass
class SchoolFlags:
    """A school and its reasons for challenge on each headline measure."""

    school: School
    flags: list[tuple[Measure, list[str]]] = field(default_factory=list)
    measures_with_figures: int = 0
    measures_judged: int = 0  # measures with a figure the priority rules could weigh (see ``judgeable``)

    @property
    def flag_count(self) -> int:
        return sum(len(reasons) for _m, reasons in self.flags)

    @property
    def words(self) -> list[str]:
        """ "KS2 RWM expected: gap wider than England's, stubborn gap" for each flagged measure."""
        return [
            f"{m.short_name or m.name}: " + ", ".join(_lower_first(Reason.LABELS[r]) for r in reasons)
            for m, reasons in self.flags
        ]


def _lower_first(text: str) -> str:
    """ "Gap wider than England's" → "gap wider than England's" (proper names keep their capital)."""
    return text[:1].lower() + text[1:]


def flags_from_judgements(kept, sets, measures: list[Measure]) -> list[SchoolFlags]:
    """Each school's priority reasons per headline measure (gap against other pupils nationally), read from the
    judgements kept for the priority list (``stored_judgements``: the same engine, the LA's own thresholds and
    disclosure, judged once per write rather than on every page); schools with the most reasons first, then by
    name. ``kept`` holds the judgements of ``sets``, one set per measure of ``measures``, in that order."""
    schools = {}
    rows = []
    for judgement in kept:
        schools[judgement.school_id] = judgement.school
        rows.append((judgement.school_id, judgement.judgement_set_id, judgement.basis, judgement.priority))
    return flags_from_rows(rows, sets, measures, schools)


def flags_from_rows(rows, sets, measures: list[Measure], schools: dict) -> list[SchoolFlags]:
    """``flags_from_judgements`` from the judgements as (school_id, judgement_set_id, basis, priority) tuples,
    each school from ``schools`` by id: an LA's summary reads 3,000 judgements, and needs no object for each."""
    measure_of = {s.pk: m for s, m in zip(sets, measures, strict=True)}
    out: dict[int, SchoolFlags] = {}
    for school_id, set_id, basis, priority in rows:
        entry = out.get(school_id)
        if entry is None:
            entry = out[school_id] = SchoolFlags(schools[school_id])
        entry.measures_with_figures += 1
        if basis:
            entry.measures_judged += 1
        if priority.strip():
            entry.flags.append((measure_of[set_id], priority.split()))
    order = {m.code: n for n, m in enumerate(measures)}
    for entry in out.values():
        entry.flags.sort(key=lambda flag: order[flag[0].code])
    return sorted(out.values(), key=lambda e: (-e.flag_count, e.school.name, e.school.urn))


def judgeable(row: GapRow) -> bool:
    """Whether the priority rules can weigh the row at all: a published-size group of 30 or more pupils this
    year, or a smaller one with at least two comparable years to pool. A school of 12 disadvantaged pupils with
    one year loaded has no reason for challenge because it cannot be judged, not because it is fine."""
    return row.judgement().judged


def judged_count(flags: list[SchoolFlags]) -> int:
    """How many schools the priority rules could weigh on at least one measure."""
    return sum(1 for entry in flags if entry.measures_judged)


def with_no_figures(flags: list[SchoolFlags], schools) -> list[SchoolFlags]:
    """``flags`` plus the schools that have no headline figures at all (listed last, so none is left out)."""
    seen = {e.school.pk for e in flags}
    return flags + [SchoolFlags(s) for s in schools if s.pk not in seen]


def flag_counts(flagged: list[SchoolFlags], measures: list[Measure]) -> list[tuple[Measure, int]]:
    """How many of the flagged schools have a reason on each measure (measures with none left out)."""
    counts = {m.code: 0 for m in measures}
    for entry in flagged:
        for measure, _reasons in entry.flags:
            counts[measure.code] += 1
    return [(m, counts[m.code]) for m in measures if counts[m.code]]


def scope_phrase(*, la_wide: bool, headteacher: bool, la_name: str, count: int) -> str:
    """What a list ranks, in the words of what the user sees: "Schools in Demoshire" for an LA-wide role, "Your
    6 schools" for an adviser, "Your school" for a head (never the whole LA when the list holds only theirs)."""
    if la_wide:
        return f"Schools in {la_name}"
    if headteacher or count == 1:
        return "Your school"
    return f"Your {count} schools"
