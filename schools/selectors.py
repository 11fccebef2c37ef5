"""Reads of organisations, reference data and dashboard rows. Each builds its rows with
``schools.gap_rows.build_row`` from a fixed number of queries; the pooled figures come from ``schools.figures``.
"""

from dataclasses import dataclass
from statistics import mean

from django.db.models import Q

from . import reference_reads
from .access import disclosure_groups, sees_small_cohorts
from .disclosure import disclose, disclosure_groups_for, partitions_of
from .figures import (
    benchmarks_where,
    figures,
    figures_by,
    for_user,
    known_figures,
    la_figures_for,
    national_figures,
    national_figures_by_basis,
    national_for,
    published_figures,
    years_by_org,
)
from .gap_rows import GapRow, build_row, row_year
from .gaps import Figure
from .models import LocalThreshold, Measure, PupilGroup, Result, School, SchoolContext, StatisticalNeighbour
from .published import published_first, side_by_side


def measures_by_code(codes=None) -> dict[str, Measure]:
    if codes is None:  # every measure: read once a request
        return reference_reads.measures()
    return _measures_by_code(codes)


def _measures_by_code(codes) -> dict[str, Measure]:
    measures = Measure.objects.select_related("key_stage")
    if codes is not None:
        measures = measures.filter(code__in=list(codes))
    return {m.code: m for m in measures}


def headline_measures() -> list[Measure]:
    return list(Measure.objects.filter(headline=True).select_related("key_stage"))


def pupil_groups() -> dict[str, PupilGroup]:
    """Every pupil group by code, with its comparison group (one query; once a request)."""
    return reference_reads.pupil_groups()


def focus_groups(groups: dict[str, PupilGroup]) -> list[PupilGroup]:
    return [g for g in groups.values() if g.is_focus and g.comparison_id]


@dataclass(frozen=True)
class RowQuery:
    """The gap rows a page asks for: these measures for one focus group (against its comparison group), over the
    years calendar, ending at ``year`` (None: each row's latest year). ``groups``: every pupil group by code,
    which disclosure needs to find the partitions a figure belongs to."""

    measures: list[Measure]
    focus: PupilGroup
    groups: dict[str, PupilGroup]
    years: list[int]
    year: int | None = None
    all_pupils: bool = True

    @property
    def codes(self) -> list[str]:
        """The groups a row is built from: the focus group, its comparison group and (``all_pupils``) all pupils,
        whose figure only judgements and pooled views read — a table's or RAG cell's row does without, and
        reads a third fewer figures. Disclosure fetches what it needs on top (``disclosure_groups``)."""
        codes = [self.focus.code, self.focus.comparison.code]
        return codes + ["all"] if self.all_pupils and "all" not in codes else codes

    @property
    def measure_codes(self) -> list[str]:
        return [m.code for m in self.measures]

    def row(self, measure: Measure, here, national, **extra) -> GapRow:
        """The measure's row from figures ``here`` and ``national`` (``build_row``'s other arguments in ``extra``)."""
        return build_row(
            measure, self.focus, self.focus.comparison, here, national, years=self.years, year=self.year, **extra
        )


def scope_rows(user, scope, query: RowQuery, *, la=None) -> list[GapRow]:
    """One GapRow per measure for a scope (LA, area, cluster or school), with its national and (when ``la``
    is given) LA lines, whatever the size of the scope: for roles that see small cohorts, three queries (two
    without ``la``, four when the scope is the LA itself); up to eight for the others, whose figures also need
    what they can subtract (``known_figures``, for the scope and for the LA)."""
    codes, measure_codes, years, groups = query.codes, query.measure_codes, query.years, query.groups
    fetched = disclosure_groups(user, codes, groups)
    known = (
        None
        if isinstance(scope, School)
        else known_figures(user, scope, measures=measure_codes, groups=groups, codes=fetched, years=years)
    )
    here = for_user(user, figures(scope, measures=measure_codes, groups=fetched, years=years), groups, known=known)
    basis = None
    if isinstance(scope, School):
        basis, national = national_for(
            scope, national_figures_by_basis(measures=measure_codes, groups=codes, years=years)
        )
    else:
        national = national_figures(measures=measure_codes, groups=codes, years=years)
    la_figures = (
        la_figures_for(user, la, measures=measure_codes, groups=groups, codes=codes, years=years)
        if la is not None
        else None
    )
    rows = [query.row(m, here, national, la=la_figures, national_basis=basis) for m in query.measures]
    return [row for row in rows if row.series]


def org_rows_by_measure(
    user, level: str, schools, organisations, query: RowQuery
) -> dict[str, list[tuple[object, GapRow]]]:
    """{measure_code: [(organisation, GapRow), …]} for each school / cluster / area among ``organisations``,
    pooled from ``schools`` (a scoped queryset). Two queries plus the organisations' own, whatever the
    number of organisations or measures."""
    if level == "school":
        return school_rows_by_measure(schools, organisations, query, sees_small=sees_small_cohorts(user))
    return _rows_against_nationals(level, query, _org_figures(user, level, schools, query), organisations)


def _org_figures(user, level: str, schools, query: RowQuery) -> dict:
    """The pooled figures of every cluster / area among ``schools`` on the query's measures, as ``user`` sees
    them (one query, plus the schools' own for roles that do not see small cohorts)."""
    codes, measure_codes, years, groups = query.codes, query.measure_codes, query.years, query.groups
    fetched = disclosure_groups(user, codes, groups)
    known = known_figures(user, schools, measures=measure_codes, groups=groups, codes=fetched, years=years, level=level)
    return for_user(
        user, figures_by(level, schools, measures=measure_codes, groups=fetched, years=years), groups, known=known
    )


def org_row_years(level: str, schools, organisations, query: RowQuery) -> list[int]:
    """The year of each row ``org_rows`` would give for the query's one measure (organisations without one left
    out), without building the rows: all a summary needs of tables it does not show (which years its coverage
    notes are about). A row's year rests only on which years have a focus or comparison figure, and disclosure
    keeps every key, so the keys alone answer (one query, whoever asks)."""
    (measure,) = query.measures
    focus, comparison = query.focus.code, query.focus.comparison.code
    present = years_by_org(level, schools, measures=[measure.code], groups=[focus, comparison], years=query.years)
    out = []
    for organisation in organisations:
        year = row_year(sorted(present.get(organisation.pk, ())), query.year)
        if year is not None:
            out.append(year)
    return out


def school_rows_by_measure(schools, organisations, query: RowQuery, *, sees_small: bool) -> dict:
    """``org_rows_by_measure`` for schools, as any viewer who does (``sees_small``) or does not see small
    cohorts sees them: a school's figures are disclosed on their own (there is nothing a viewer could subtract
    them from), so every such viewer sees the same rows. Each school against its own type of school nationally."""
    codes, measure_codes, years, groups = query.codes, query.measure_codes, query.years, query.groups
    fetched = disclosure_groups_for(codes, groups, viewer_sees_small_cohorts=sees_small)
    here = disclose(
        figures_by("school", schools, measures=measure_codes, groups=fetched, years=years),
        viewer_sees_small_cohorts=sees_small,
        partitions=partitions_of(groups),
    )
    return _rows_against_nationals("school", query, here, organisations)


def rows_by_organisation(
    level: str, organisations, pooled_figures, *, measures, focus: PupilGroup, years: list[int], year
) -> dict[str, list[tuple[object, GapRow]]]:
    """{measure_code: [(organisation, GapRow), …]} from figures already pooled and disclosed, keyed
    (organisation_id, year, measure_code, group_code). One query; rows with no figures left out."""
    query = RowQuery(measures=list(measures), focus=focus, groups={}, years=list(years), year=year)
    return _rows_against_nationals(level, query, pooled_figures, organisations)


def nationals_for(level: str, organisations, *, measures, groups, years) -> dict:
    """{organisation pk: (basis, national figures)}: each school against national figures for its own type of
    school (``national_for``), other levels against England (one query)."""
    if level == "school":
        by_basis = national_figures_by_basis(measures=measures, groups=groups, years=years)
        return {school.pk: national_for(school, by_basis) for school in organisations}
    england = national_figures(measures=measures, groups=groups, years=years)
    return {org.pk: (None, england) for org in organisations}


def _rows_against_nationals(level: str, query: RowQuery, here: dict, organisations) -> dict:
    """The query's rows for each organisation from figures ``here``, against its national figures
    (``nationals_for``)."""
    codes, years = query.codes, query.years
    organisations = list(organisations)
    nationals = nationals_for(level, organisations, measures=query.measure_codes, groups=codes, years=years)
    out = {}
    for measure in query.measures:
        rows = []
        for organisation in organisations:
            basis, national = nationals[organisation.pk]
            row = query.row(measure, here, national, prefix=(organisation.pk,), national_basis=basis)
            if row.series:
                rows.append((organisation, row))
        out[measure.code] = rows
    return out


def org_rows(user, level: str, schools, organisations, query: RowQuery) -> list[tuple[object, GapRow]]:
    """(organisation, GapRow) for the query's one measure (see ``org_rows_by_measure``)."""
    (measure,) = query.measures
    return org_rows_by_measure(user, level, schools, organisations, query)[measure.code]


def local_thresholds(la, measures, focus: PupilGroup) -> dict[tuple[str, int], LocalThreshold]:
    """The LA's own active thresholds on these measures for all pupils or the focus group, keyed (measure code,
    results year), one query: what the priority list and the schools' flags both judge against (a threshold
    for the focus group wins over one for all pupils in the same year, as ``judgements.threshold_figure`` reads
    either)."""
    found = (
        LocalThreshold.objects.filter(
            la=la, measure__in=list(measures), active=True, pupil_group__code__in=["all", focus.code]
        )
        .select_related("la", "measure", "pupil_group")
        .order_by("results_year", "pupil_group__code")
    )
    ordered = sorted(found, key=lambda t: (t.results_year, t.pupil_group.code != "all"))
    return {(t.measure.code, t.results_year): t for t in ordered}


def school_figures_all(user, school, *, groups: dict[str, PupilGroup]):
    """Every figure a school has (all measures × groups × years), suppressed for this user, with the
    national figures for its type of school (``national_for``) and LA figures for the same keys. Four queries
    (measures, the school, national, LA; fewer when the page read them already); six for roles that do not see
    small cohorts (``known_figures`` for the LA)."""
    measures = measures_by_code()
    codes = list(groups)
    own = figures(school, measures=measures, groups=codes, years=None)
    years = sorted({key[0] for key in own})
    here = for_user(user, own, groups)
    _basis, national = national_for(school, national_figures_by_basis(measures=measures, groups=codes, years=years))
    la_figures = la_figures_for(user, school.la, measures=measures, groups=groups, codes=codes, years=years)
    return measures, years, here, national, la_figures


def school_measures(school) -> list[Measure]:
    """The measures a school has any result for, in the measures' own order (one query)."""
    return list(
        Measure.objects.filter(pk__in=Result.objects.filter(school=school).values("measure_id")).select_related(
            "key_stage"
        )
    )


def benchmark_sets(la, *, measures, groups, years) -> list[tuple[str, str, dict]]:
    """Other benchmarks for an LA as (label, definition, figures): the LA's published figures, its region,
    and its statistical neighbours' average (the simple mean of the neighbours' published values, the DfE
    convention). Two queries (the region and the neighbours are read together); sets with no figures are left
    out."""
    measures, groups, years = list(measures), list(groups), list(years)
    out = []
    found = published_figures([la.pk], measures=measures, groups=groups, years=years)
    published = {key[1:]: figure for key, figure in found.items()}  # as published: 42% stays 42
    if published:
        out.append((f"{la.name} (published)", "The LA's own published figure (DfE LA tables).", published))
    neighbours = StatisticalNeighbour.objects.filter(la_code=la.code).values("neighbour_code")
    wanted = Q(geography_code__in=neighbours) | (Q(geography_code=la.region_code) if la.region_code else Q(pk__in=[]))
    by_geography, as_published = benchmarks_where(wanted, measures=measures, groups=groups, years=years)
    region = {key[1:]: f for key, f in by_geography.items() if key[0] == la.region_code}
    if region:
        out.append((la.region_name or la.region_code, "The region's published figure.", region))
    # Each neighbour has one benchmark row per key, so its "pooled" figure carries the value as published.
    collected: dict[tuple, list[float]] = {}
    codes = set()
    for (code, *key), value in as_published.items():
        if code != la.region_code:
            codes.add(code)
            collected.setdefault(tuple(key), []).append(value)
    if collected:
        average = {
            key: Figure(cohort=None, numerator=None, value=mean(values), schools=len(values))
            for key, values in collected.items()
        }
        out.append(
            (
                f"Statistical neighbours (average of {len(codes)})",
                "The simple mean of the statistical neighbours' published values.",
                average,
            )
        )
    return out


def published_la_figures(user, la, *, measures, groups: dict[str, PupilGroup], codes, years) -> dict:
    """The LA's own published figures (the LA rows of the DfE files, or LAIT), keyed (year, measure, group),
    as this user may see them. One query (the pooled-figure table's published rows)."""
    found = published_figures([la.pk], measures=measures, groups=codes, years=years)
    return for_user(user, {key[1:]: figure for key, figure in found.items()}, groups)


@dataclass
class LaHeadline:
    """The LA overview's headline: rows from the published figure where there is one (``sources`` says which),
    the pooled rows beside them, and each measure's published-vs-pooled comparison."""

    rows: list[GapRow]
    pooled_rows: list[GapRow]
    sources: dict[str, str]
    comparisons: list


def la_headline(user, la, query: RowQuery) -> LaHeadline:
    """Headline rows for an LA. Three queries whatever the number of schools."""
    focus, comparison, codes, measure_codes = query.focus, query.focus.comparison, query.codes, query.measure_codes
    years, year, groups = query.years, query.year, query.groups
    pooled = for_user(user, figures(la, measures=measure_codes, groups=codes, years=years), groups)
    published = published_la_figures(user, la, measures=measure_codes, groups=groups, codes=codes, years=years)
    national = national_figures(measures=measure_codes, groups=codes, years=years)
    merged, sources = published_first(
        pooled, published, measures=measure_codes, years=years, required=(focus.code, comparison.code)
    )
    pooled_rows, rows, comparisons = [], [], []
    for m in query.measures:
        pooled_row = build_row(m, focus, comparison, pooled, national, years=years, year=year)
        if not pooled_row.series:
            continue
        pooled_rows.append(pooled_row)
        rows.append(build_row(m, focus, comparison, merged, national, years=years, year=year))
        comparisons.append(side_by_side(m, pooled_row.year, pooled, published, focus.code, comparison.code))
    return LaHeadline(rows=rows, pooled_rows=pooled_rows, sources=sources, comparisons=comparisons)


def school_context(user, school, *, groups: dict[str, PupilGroup]) -> list:
    """The school's latest context from each companion file (census, absence, school information), each with
    its own year. One query. The FSM pupil count goes through the same suppression as every figure."""
    latest = {}
    for row in SchoolContext.objects.filter(school=school).order_by("-results_year", "source"):
        latest.setdefault(row.source, row)
    census = latest.get(SchoolContext.Source.CENSUS)
    if census is not None and census.fsm_pupils is not None:
        count = Figure(cohort=census.fsm_pupils, numerator=census.fsm_pupils, value=float(census.fsm_pupils))
        shown = for_user(user, {("context", "fsm"): count}, groups)[("context", "fsm")]
        census.fsm_pupils_figure = shown
    order = [SchoolContext.Source.CENSUS, SchoolContext.Source.ABSENCE, SchoolContext.Source.INFORMATION]
    return [latest[source] for source in order if source in latest]
