"""The members' gap briefing: a few pages an elected member reads in ten minutes — the LA's (or an area's)
disadvantaged gaps on the headline measures against England, the region and statistical neighbours, over
time; what narrowed and why; the targets; what the LA did; gap busters and their stories; the method."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from schools import access, selectors
from schools.findings import number
from schools.gaps import gap
from schools.house_style import results_year_label as year_text
from schools.house_style import uk_date
from schools.judgements import BusterReason
from schools.models import Benchmark, StatisticalNeighbour
from schools.summaries import judgeable
from strategy import selectors as strategy_selectors
from strategy.models import Action, Plan, SuccessStory, SupportEngagement, Target, year_label
from strategy.targets import evaluate

from . import figures, sections
from .document import Bullets, Document, Heading, Paragraph, Table, gap_text, method_paragraph, table_section

FOCUS_GROUP = "disadvantaged"


def _academic_year(year: int) -> tuple[date, date]:
    return date(year - 1, 9, 1), date(year, 8, 31)


def _count(n: int, one: str, many: str) -> str:
    return f"{n or 'No'} {one if n == 1 else many}"


def _engagements(n: int) -> str:
    return "school-to-school support " + ("engagement has" if n == 1 else "engagements have")


def _in_scope(queryset, la, area, *, school_field: str = "school"):
    queryset = queryset.filter(**{f"{school_field}__la": la})
    return queryset.filter(**{f"{school_field}__area": area}) if area else queryset


def neighbour_rank(la, rows, *, year: int) -> dict[str, str]:
    """The LA's place among its statistical neighbours on each measure's published gap (1 = narrowest),
    with its quartile, in words that say which gaps were ranked. Only neighbours with both groups' published
    figures count."""
    codes = list(StatisticalNeighbour.objects.filter(la_code=la.code).values_list("neighbour_code", flat=True))
    if not codes or not rows:
        return {}
    focus, comparison = rows[0].focus_group.code, rows[0].comparison_group.code
    published = Benchmark.objects.filter(
        geography_code__in=[*codes, la.code],
        results_year=year,
        value__isnull=False,
        measure__code__in=[r.measure.code for r in rows],
        pupil_group__code__in=[focus, comparison],
    ).values_list("geography_code", "measure__code", "pupil_group__code", "value")
    values: dict = {}
    for geography, measure, group, value in published:
        values[(geography, measure, group)] = float(value)

    def published_gap(code, row):
        f, c = values.get((code, row.measure.code, focus)), values.get((code, row.measure.code, comparison))
        if f is None or c is None:
            return None
        return (c - f) if row.measure.higher_is_better else (f - c)

    out = {}
    for row in rows:
        # Like with like: the LA's own published gap against its neighbours' published gaps; the gap pooled from
        # the LA's schools (which leaves out suppressed schools' pupils) only where the LA has none published.
        own, basis = published_gap(la.code, row), "on the published gaps"
        if own is None:
            own = row.current.within if row.year == year else None
            basis = f"{la.name}'s gap pooled from its schools, the neighbours' as published"
        if own is None:
            continue
        others = [g for g in (published_gap(code, row) for code in codes) if g is not None]
        if not others:
            continue
        rank = 1 + sum(other < own for other in others)
        total = len(others) + 1
        quartile = min(4, 1 + (4 * (rank - 1)) // total)
        out[row.measure.code] = (
            f"{rank} of {total} (quartile {quartile}; 1 = narrowest gap) among {la.name} and its statistical "
            f"neighbours, {basis}"
        )
    return out


def _benchmarks(la, area, rows, year: int) -> list:
    if area is not None:
        body = [
            [
                r.measure.short_name or r.measure.name,
                gap_text(r.current.within),
                gap_text(
                    gap(r.measure, r.la_series[r.year].focus, r.la_series[r.year].comparison)
                    if r.la_series and r.year in r.la_series
                    else None
                ),
                gap_text(r.national_gap),
            ]
            for r in rows
        ]
        return table_section(
            f"Against {la.name} and England",
            caption=f"The gap in {area.name}, {la.name} and England, {year_text(year)}",
            headers=["Measure", area.name, la.name, "England"],
            rows=body,
        )
    if not rows:
        return []
    pair = [rows[0].focus_group.code, rows[0].comparison_group.code]
    sets = selectors.benchmark_sets(la, measures=[r.measure.code for r in rows], groups=pair, years=[year])
    ranks = neighbour_rank(la, rows, year=year)
    headers = ["Measure", la.name] + [label for label, _d, _f in sets] + ["England"]
    body = []
    for r in rows:
        cells = [r.measure.short_name or r.measure.name, gap_text(r.current.within)]
        for _label, _definition, figs in sets:
            cells.append(
                gap_text(
                    gap(
                        r.measure,
                        figs.get((year, r.measure.code, r.focus_group.code)),
                        figs.get((year, r.measure.code, r.comparison_group.code)),
                    )
                )
            )
        cells.append(gap_text(r.national_gap))
        body.append(cells)
    blocks = table_section(
        "Against England and other benchmarks",
        caption=f"The gap in {la.name} against other benchmarks, {year_text(year)}",
        headers=headers,
        rows=body,
        note=" ".join(d for _l, d, _f in sets),
    )
    if ranks:
        blocks.append(
            Bullets(
                [
                    f"{r.measure.short_name or r.measure.name}: {ranks[r.measure.code]}."
                    for r in rows
                    if r.measure.code in ranks
                ]
            )
        )
    elif not sets:
        blocks.append(Paragraph("No regional or statistical-neighbour figures have been imported for this year."))
    return blocks


def _targets(la, area, user) -> list:
    scope = area or la
    if user is not None:
        targets = strategy_selectors.targets_for_scope(user, scope)
    else:
        targets = Target.objects.filter(la=la, area=area, cluster__isnull=True, school__isnull=True)
    targets = list(
        targets.select_related(
            "measure", "focus_group", "focus_group__comparison", "comparison_group", "la", "area", "cluster", "school"
        )
    )
    statuses = evaluate(targets, show_small_cohorts=False)
    return sections.targets([(t, statuses[t.pk]) for t in targets])


def _what_we_did(la, area, year: int) -> list:
    """Plan actions completed and school-to-school support from the start of the results year to today:
    what was done while those pupils were taught, and since."""
    start, _end = _academic_year(year)
    end = max(timezone.localdate(), _end)
    since = f"since {start:%B %Y}"
    plans = Plan.objects.filter(la=la)
    if area is not None:
        plans = plans.filter(area=area) | plans.filter(school__area=area) | plans.filter(cluster__area=area)
    actions = list(
        Action.objects.filter(plan__in=plans, completed_on__range=(start, end))
        .select_related("plan")
        .order_by("completed_on", "pk")
    )
    engagements = list(
        _in_scope(SupportEngagement.objects.all(), la, area, school_field="partner_school")
        .filter(start_date__lte=end)
        .exclude(end_date__lt=start)
        .select_related("supporting_school", "partner_school")
        .order_by("start_date", "pk")
    )
    blocks = [
        Heading("What we did"),
        Paragraph(
            f"{_count(len(actions), 'plan action has', 'plan actions have')} been completed {since}, "
            f"and {len(engagements) or 'no'} {_engagements(len(engagements))} run."
        ),
    ]
    if actions:
        blocks.append(
            Table(
                caption=f"Plan actions completed {since}",
                headers=["Completed", "Plan", "Strand", "Action"],
                rows=[
                    [uk_date(a.completed_on), a.plan.title, a.get_strand_display(), a.key_action[:160]]
                    for a in actions[:15]
                ],
                note=f"The first 15 of {len(actions)}." if len(actions) > 15 else "",
            )
        )
    if engagements:
        blocks.append(
            Table(
                caption="School-to-school support",
                headers=["Supporting school", "Leader", "Partner school", "Status"],
                rows=[
                    [
                        e.supporting_school.name,
                        f"{e.leader_name} ({e.get_leader_designation_display()})",
                        e.partner_school.name,
                        e.get_status_display(),
                    ]
                    for e in engagements
                ],
            )
        )
    return blocks


def _no_busters(judged: int, schools: int, year: int) -> str:
    """Why the list is empty: no school busted the gap, or too few could be judged to say so."""
    when = year_text(year)
    if judged == 0:
        return (
            f"No school could be judged as a gap buster on a headline measure in {when}: each has no figure, a "
            "group too small to publish, or fewer than 30 pupils with fewer than two comparable years to pool."
        )
    which = (
        "The one school that could be judged was not"
        if judged == 1
        else f"None of the {judged} schools that could be judged was"
    )
    return (
        f"{which} a gap buster on a headline measure in {when} ({schools - judged} of {schools} could not be judged)."
    )


def _gap_busters(la, area, measures, focus, groups, years, year, user) -> list:
    schools = access.visible_schools(user) if user is not None else la.schools.all()
    schools = schools.filter(la=la, **({"area": area} if area else {}))
    by_measure = figures.org_rows(
        "school", schools, schools, measures=measures, focus=focus, groups=groups, years=years, year=year
    )
    items, judged = [], set()
    for measure in measures:
        for school, row in by_measure.get(measure.code, []):
            if row.year == year and judgeable(row):
                judged.add(school.pk)
            if row.year == year and row.rankable and row.buster_reasons():
                reasons = "; ".join(BusterReason.LABELS[r].lower() for r in row.buster_reasons())
                t = row.trend
                moved = (
                    f"the gap in the school went from {number(t.gap_start)} to {number(t.gap_end)} between "
                    f"{year_text(t.start_year)} and {year_text(t.end_year)}"
                    if t
                    else f"gap vs other pupils nationally {gap_text(row.current.vs_national)}"
                )
                items.append(f"{school.name} — {measure.short_name or measure.name}: {reasons} ({moved}).")
    stories = list(
        _in_scope(SuccessStory.objects.filter(published=True, to_year__lte=year), la, area)
        .select_related("school", "measure")
        .order_by("-to_year", "school__name")[:5]
    )
    blocks = [
        Heading("Gap busters"),
        Bullets(items) if items else Paragraph(_no_busters(len(judged), schools.count(), year)),
    ]
    for story in stories:
        blocks += [
            Heading(
                story.title if story.school.name in story.title else f"{story.school.name}: {story.title}", level=3
            ),
            Paragraph(
                f"{story.measure.short_name or story.measure.name}, {year_text(story.from_year)} to "
                f"{year_text(story.to_year)}. "
                f"What the school did: {story.what_we_did}"
            ),
        ] + ([Paragraph(f"Impact: {story.impact}")] if story.impact else [])
    return blocks


def build_briefing(la, *, area=None, year: int | None = None, user=None) -> Document:
    """The briefing for ``la`` (or one of its areas) and a results year (default: the latest).
    ``user`` scopes plans, targets and schools as on the pages (None: the whole LA, for the command line)."""
    groups = selectors.pupil_groups()
    focus = groups[FOCUS_GROUP]
    measures = selectors.headline_measures()
    years, year = figures.years_up_to(la, year)
    if year is None:
        raise ValueError(f"{la.name} has no results yet.")
    scope = area or la
    place = scope.name
    rows = figures.scope_rows(
        scope, measures=measures, focus=focus, groups=groups, years=years, year=year, la=la if area else None
    )
    title = f"{place}: the gaps for disadvantaged pupils, {year_label(year)}"
    document = Document(
        title=title,
        subtitle=(
            f"Members' briefing · {la.name}{' · ' + area.name + ' area' if area else ''} · results year "
            f"{year_label(year)} · produced {uk_date(timezone.localdate())}"
        ),
        footer=f"{place} gap briefing {year_label(year)} · groups under the suppression threshold are not shown",
    )
    document.add(
        Paragraph(
            f"This briefing sets out how disadvantaged pupils in {place} did in {year_label(year)} against other "
            f"pupils, here and in England, on the headline measures; how the gaps moved and why; whether our targets "
            f"are on track; what we did; and the schools that are busting the gap."
        )
    )
    document.add(*sections.summary(rows, place=place))
    document.add(
        Heading(f"The headline gaps in {year_text(year)}"), sections.headline_table(rows, place=place, year=year)
    )
    document.add(*_benchmarks(la, area, rows, year))
    document.add(*sections.over_time(rows, place=place, la_name=la.name if area else ""))
    document.add(*sections.why(rows))
    document.add(*_targets(la, area, user))
    document.add(*_what_we_did(la, area, year))
    document.add(*_gap_busters(la, area, measures, focus, groups, years, year, user))
    document.add(Heading("How the figures are made"), method_paragraph(focus.name, focus.comparison.name))
    return document
