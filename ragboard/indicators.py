"""Indicators shown beside judgements, computed from the gap engine and the visit records.

The DCSF quality standards (2009), Appendix 1, define the FSM gap as the LA's FSM pupils against the
*national* average of pupils not entitled to FSM ("to avoid local deprivation profile as a factor"); we use today's
disadvantaged / not disadvantaged groups. Indicators are triangulation for a human judgement,
never an input to the rules (the document gives them no thresholds).
"""

from __future__ import annotations

from dataclasses import dataclass

from schools.figures import benchmark_figures, figures, figures_by
from schools.gaps import gap
from schools.models import AcademicYear, Benchmark, LocalThreshold, Measure, School
from strategy.selectors import visit_reports_meeting_all_features

# The headline attainment measure for each dashboard phase.
PHASE_MEASURES = {"EY": "eyfs_gld", "PRI": "ks2_rwm_exp", "SEC": "ks4_em_94"}
# Schools below a threshold: the measure whose all-pupils figure is held against the LA's own threshold
# (schools.models.LocalThreshold; floor standards were abolished in 2019, so there is none by default).
THRESHOLD_MEASURES = {"PRI": "ks2_rwm_exp", "SEC": "ks4_p8"}
SCHOOL_PHASES = {"PRI": [School.Phase.PRIMARY], "SEC": [School.Phase.SECONDARY, School.Phase.ALL_THROUGH]}
LABELS = {
    "disadvantaged_gap": "Disadvantaged pupils in the LA against other pupils nationally",
    "schools_below_threshold": "Schools below the LA's threshold",
    "sip_reports_all_features": "SIP reports meeting all seven features (2.4)",
}


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    text: str
    definition: str = ""
    available: bool = True


def _years(as_of_year: int | None) -> list[int]:
    years = AcademicYear.objects.filter(results_published=True).values_list("results_year", flat=True)
    return [y for y in years if as_of_year is None or y <= as_of_year]


def _fmt(measure, value: float) -> str:
    return f"{value:.1f}%" if measure.is_percent else f"{value:.2f}"


def disadvantaged_gap(la, phase: str, *, as_of_year: int | None = None, years=None) -> Indicator:
    """National other pupils − the LA's disadvantaged pupils on the phase's headline measure, latest year with both."""
    label = LABELS["disadvantaged_gap"]
    measure = Measure.objects.filter(code=PHASE_MEASURES.get(phase)).first()
    if measure is None:
        return Indicator("disadvantaged_gap", label, "Not available for this phase.", available=False)
    years = list(years) if years is not None else _years(as_of_year)
    here = figures(la, measures=[measure.code], groups=["disadvantaged"], years=years)
    national = benchmark_figures(
        Benchmark.NATIONAL_CODE, measures=[measure.code], groups=["not_disadvantaged"], years=years
    )
    definition = (
        f"{measure.name}: national other (not disadvantaged) pupils minus the LA's disadvantaged pupils, "
        f"in {measure.unit_label}; positive = the LA's disadvantaged pupils are behind."
    )
    for year in sorted(years, reverse=True):
        focus = here.get((year, measure.code, "disadvantaged"))
        comparison = national.get((year, measure.code, "not_disadvantaged"))
        value = gap(measure, focus, comparison)
        if value is not None:
            text = (
                f"{AcademicYear.label_for(year)}: LA disadvantaged {_fmt(measure, focus.value)} "
                f"({focus.cohort} pupils) against national other pupils {_fmt(measure, comparison.value)}: "
                f"gap {value:+.1f} {measure.unit_label}."
            )
            return Indicator("disadvantaged_gap", label, text, definition)
    return Indicator("disadvantaged_gap", label, f"No figures for {measure.name} yet.", definition, available=False)


def schools_below_threshold(la, phase: str, *, as_of_year: int | None = None, years=None) -> Indicator:
    """How many of the LA's open schools of the phase have an all-pupils figure below the LA's own threshold
    for that year (two queries); not available while the LA has set none."""

    label = LABELS["schools_below_threshold"]
    if phase not in THRESHOLD_MEASURES:
        return Indicator(
            "schools_below_threshold", label, "Not available for Early Years (no school floor).", available=False
        )
    code = THRESHOLD_MEASURES[phase]
    measure = Measure.objects.filter(code=code).first()
    years = [y for y in (list(years) if years is not None else _years(as_of_year)) if measure and measure.valid_in(y)]
    if measure is None or not years:
        return Indicator("schools_below_threshold", label, "No figures yet.", available=False)
    schools = School.objects.filter(la=la, status=School.Status.OPEN, phase__in=SCHOOL_PHASES[phase])
    results = figures_by("school", schools, measures=[code], groups=["all"], years=years)
    school_ids = list(schools.values_list("pk", flat=True))
    for year in sorted(years, reverse=True):
        values = {sid: results.get((sid, year, code, "all")) for sid in school_ids}
        with_figure = {sid: f.value for sid, f in values.items() if f is not None and f.value is not None}
        if not with_figure:
            continue
        threshold = (
            LocalThreshold.objects.filter(
                la=la, measure=measure, pupil_group__code="all", results_year=year, active=True
            )
            .select_related("la", "measure", "pupil_group")
            .first()
        )
        if threshold is None:
            return Indicator(
                "schools_below_threshold",
                label,
                f"{la.name} has set no threshold for {measure.name} in {AcademicYear.label_for(year)} "
                "(floor standards were abolished in 2019; an LA may set its own in the admin).",
                available=False,
            )
        floor = float(threshold.value)
        below = sum(1 for v in with_figure.values() if (v < floor if measure.higher_is_better else v > floor))
        missing = len(school_ids) - len(with_figure)
        text = (
            f"{AcademicYear.label_for(year)}: {below} of {len(with_figure)} "
            f"{dict(School.Phase.choices)[SCHOOL_PHASES[phase][0]].lower()} "
            f"schools with a figure are below {_fmt(measure, floor)} on {measure.name} (all pupils)"
            + (f"; {missing} school(s) have no figure." if missing else ".")
        )
        definition = f"Open schools whose all-pupils figure is past the LA's threshold: {threshold.definition()}."
        return Indicator("schools_below_threshold", label, text, definition)
    return Indicator("schools_below_threshold", label, f"No school figures for {measure.name} yet.", available=False)


def sip_reports_all_features(la, phase: str = "", **_) -> Indicator:
    """The share of quality-assured SIP/visit reports that show all seven features (from Plans)."""
    label = LABELS["sip_reports_all_features"]
    meeting, assured = visit_reports_meeting_all_features(la)
    if not assured:
        return Indicator(
            "sip_reports_all_features", label, "No visit reports have been quality-assured yet.", available=False
        )
    return Indicator(
        "sip_reports_all_features",
        label,
        f"{meeting} of {assured} quality-assured reports ({100 * meeting / assured:.0f}%) show all seven features.",
        "Reports quality-assured against the seven features of a good visit report in the DCSF National "
        "Strategies' quality standards for LA self-evaluation (2009), standard 2.4.",
    )


INDICATORS = {
    "disadvantaged_gap": disadvantaged_gap,
    "schools_below_threshold": schools_below_threshold,
    "sip_reports_all_features": sip_reports_all_features,
}


def for_judgement(judgement) -> list[Indicator]:
    """The indicators the framework lists for the judgement's set, for its LA and phase."""
    la = judgement.round.la
    as_of_year = judgement.round.as_of.year
    years = _years(as_of_year)
    out = []
    for code in judgement.standard_set.indicators:
        function = INDICATORS.get(code)
        if function:
            out.append(function(la, judgement.phase, as_of_year=as_of_year, years=years))
    return out
