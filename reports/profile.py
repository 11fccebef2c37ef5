"""The school gap profile: the head's landing page as a document an adviser takes to a visit and a head
gives governors — the school's context, its disadvantaged gaps on the headline measures over time, every
group's gap this year, its targets and recent visits."""

from __future__ import annotations

from django.utils import timezone

from schools import selectors
from schools.house_style import results_year_label as year_text
from schools.house_style import uk_date
from strategy import selectors as strategy_selectors
from strategy.models import year_label
from strategy.targets import evaluate

from . import figures, sections
from .briefing import FOCUS_GROUP
from .document import (
    Bullets,
    Document,
    Heading,
    Paragraph,
    cohort_text,
    gap_text,
    method_paragraph,
    suppression_note,
    table_section,
    value_text,
)


def _context(school) -> list:
    kind = f", {school.school_type}" if school.school_type else ""
    facts = [
        f"URN {school.urn}; {school.get_phase_display().lower()}{kind}.",
        f"Local authority: {school.la.name}"
        + (f"; area: {school.area.name}" if school.area_id else "")
        + (f"; cluster: {school.cluster.name}" if school.cluster_id else "")
        + ".",
    ]
    if school.number_on_roll:
        facts.append(f"Pupils on roll: {school.number_on_roll}.")
    if school.fsm_percent is not None:
        facts.append(f"Pupils eligible for free school meals: {float(school.fsm_percent):.1f}%.")
    inspection = school.latest_inspection
    if inspection is not None:
        facts.append(
            f"Latest Ofsted inspection: {uk_date(inspection.inspection_date)}, {inspection.summary} "
            f"(graded judgements and report cards are different scales and are not compared)."
        )
    return [Heading("The school"), Bullets(facts)]


def _every_group(school, groups, years, year) -> list:
    rows = figures.every_group_rows(
        school, measures=selectors.headline_measures(), groups=groups, years=years, year=year
    )
    # A group the school's files hold no figure for (the DfE's school tables carry no children-in-need or
    # ethnic-group figures) is left out rather than printed as a row of dashes; suppressed figures stay.
    rows = [
        r for r in rows if r.current.focus is not None and (r.current.focus.value is not None or r.current.focus.code)
    ]
    if not rows:
        return []
    body = [
        [
            r.measure.short_name or r.measure.name,
            r.focus_group.name,
            cohort_text(r.current.focus),
            value_text(r.current.focus, r.measure),
            value_text(r.current.comparison, r.measure),
            gap_text(r.current.within),
            gap_text(r.national_gap),
        ]
        for r in rows
    ]
    return table_section(
        f"Every group in {year_text(year)}",
        caption=f"Each pupil group against its comparison group at {school.name}, {year_text(year)}",
        headers=["Measure", "Group", "Pupils", "Group result", "Comparison result", "Gap", "England's gap"],
        rows=body,
        note=suppression_note() + " Groups with no figure for this school are left out.",
    )


def _targets_and_visits(school, user) -> list:
    targets = list(strategy_selectors.targets_for_scope(user, school))
    statuses = evaluate(targets, show_small_cohorts=False)
    blocks = sections.targets([(t, statuses[t.pk]) for t in targets])
    visits = list(strategy_selectors.visible_visits(user).filter(school=school)[:5])
    blocks.append(Heading("Recent visits"))
    if visits:
        blocks.append(
            Bullets(
                [
                    f"{uk_date(v.visit_date)}: {v.get_visit_type_display()}"
                    f"{' (acknowledged)' if v.acknowledged_at else ''}."
                    for v in visits
                ]
            )
        )
    else:
        blocks.append(Paragraph("No visit reports recorded."))
    return blocks


def build_profile(school, *, user, year: int | None = None) -> Document:
    """The profile of a school the user may see (callers scope it with ``get_visible_school``)."""
    groups = selectors.pupil_groups()
    focus = groups[FOCUS_GROUP]
    years, year = figures.years_up_to(school.la, year)
    if year is None:
        raise ValueError(f"{school.la.name} has no results yet.")
    rows = figures.scope_rows(
        school, measures=selectors.headline_measures(), focus=focus, groups=groups, years=years, year=year, la=school.la
    )
    place = school.name
    document = Document(
        title=f"{school.name}: gap profile, {year_label(year)}",
        subtitle=f"School gap profile · {school.la.name} · results year {year} ({year_label(year)}) · produced "
        f"{uk_date(timezone.localdate())}",
        footer=f"{school.name} gap profile {year_label(year)} · groups under the suppression threshold are not shown",
    )
    document.add(*_context(school))
    document.add(*sections.summary(rows, place=place))
    document.add(
        Heading(f"The headline gaps in {year_text(year)}"), sections.headline_table(rows, place=place, year=year)
    )
    document.add(*sections.over_time(rows, place=place, la_name=school.la.name))
    document.add(*sections.why(rows))
    document.add(*_every_group(school, groups, years, year))
    document.add(*_targets_and_visits(school, user))
    document.add(Heading("How the figures are made"), method_paragraph(focus.name, focus.comparison.name))
    return document
