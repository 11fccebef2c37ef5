"""Pooled figure reads. A cluster's, area's or LA's pooled figures are kept on write in ``PooledFigure``
(``schools.aggregates``), a school's are its results (``pooling.school_rows``): each read is ONE indexed query,
whatever the number of schools (benchmarks are pooled from their own few rows); the arithmetic is in
``schools.gaps``; ``for_user`` then shows them as a user may see them.
"""

from django.db.models import FloatField, Max, Q
from django.db.models.functions import Cast

from . import aggregates, request_memo
from .access import disclosure_groups, profile_of, sees_small_cohorts, visible_schools
from .comparators import BASES, basis_for
from .disclosure import disclose, partitions_of, seen_through_members
from .gaps import Figure, make_figure, worst_status
from .kept_rows import kept, kept_rows, rows_of, tuples
from .models import Area, Benchmark, Cluster, LocalAuthority, Measure, PooledFigure, PupilGroup, School
from .roles import Role, has_role

_PERCENT, _AVERAGE = Measure.Unit.PERCENT, Measure.Unit.AVERAGE


def _aggregate(queryset, key_fields, *, measures, groups, years) -> dict[tuple, Figure]:
    """One GROUP BY query (benchmarks) → {(*key, year, measure_code, group_code): pooled Figure}."""
    chosen = queryset.filter(
        results_year__in=list(years), measure__code__in=list(measures), pupil_group__code__in=list(groups)
    )
    rows = (
        chosen.values(*key_fields, "results_year", "measure__code", "pupil_group__code", "measure__unit")
        .annotate(**aggregates.pooled_sums())
        .order_by()
    )
    return _figures_from_rows(rows, key_fields)


def _pooled(level: str, orgs: Q, *, measures, groups, years, keyed: bool) -> dict[tuple, Figure]:
    """One indexed read of the pooled figures kept on write → {([org_id,] year, measure_code, group_code): Figure}.
    ``measures`` / ``groups`` / ``years`` None: all."""
    rows = kept_rows(level, orgs, measures=measures, groups=groups, years=years, keyed=keyed)
    return _figures_from_tuples(rows, keyed)


def _picked(table: dict, *, measures, groups, years, at: int = 0) -> dict:
    """The keys of ``table`` (year, measure, group from position ``at``) among those asked (None: all)."""
    if measures is None and groups is None and years is None:
        return dict(table)
    measures, groups, years = (None if x is None else set(x) for x in (measures, groups, years))
    return {
        key: figure
        for key, figure in table.items()
        if (years is None or key[at] in years)
        and (measures is None or key[at + 1] in measures)
        and (groups is None or key[at + 2] in groups)
    }


def _status(provisional, revised) -> str:
    return worst_status((["provisional"] if provisional else []) + (["revised"] if revised else []) + ["final"])


# The status of every (provisional, revised) pair, worked out once: a page reads thousands of pooled rows.
_STATUSES = {(p, r): _status(p, r) for p in (False, True) for r in (False, True)}


def _figures_from_rows(rows, key_fields) -> dict[tuple, Figure]:
    """Figures from rows of ``pooled_sums`` as dicts (benchmarks pooled in the query)."""
    out: dict[tuple, Figure] = {}
    for row in rows:
        key = tuple(row[f] for f in key_fields) + (row["results_year"], row["measure__code"], row["pupil_group__code"])
        out[key] = _figure(row["measure__unit"], *(row[name] for name in aggregates.SUMS))
    return out


def _benchmark_figures(queryset, key_fields) -> dict[tuple, Figure]:
    """``_figures_from_rows`` of a benchmark ``values(...).annotate(**pooled_sums())`` queryset (``_benchmark_sums``
    made figures)."""
    return {key: _figure(*sums) for key, sums in _benchmark_sums(queryset, key_fields).items()}


def _benchmark_sums(queryset, key_fields) -> dict[tuple, tuple]:
    """The unit and sums of each row of a benchmark ``values(...).annotate(**pooled_sums())`` queryset, read as
    tuples (``kept_rows.tuples``): Django's per-row conversion and dicts were two thirds of the time of reading
    England's benchmarks (~1,500 rows: ~17 ms against ~5 ms for the query)."""
    start = len(key_fields) + 3
    return {row[:start]: row[start:] for row in tuples(queryset)}


def _figures_from_tuples(rows, keyed: bool) -> dict[tuple, Figure]:
    """``_figures_from_rows`` for rows read as tuples (``KEPT_FIELDS``, after the org id when ``keyed``): the
    same figures, without a dict per row (a cluster board reads thousands)."""
    start = 4 if keyed else 3
    return {row[:start]: _figure(*row[start:]) for row in rows}


def _figure(
    unit, total_cohort, counted, rows, numerator, value_cohort, published, marker, provisional, revised
) -> Figure:
    """One pooled figure from its sums (``aggregates.SUMS``)."""
    status = _STATUSES[(bool(provisional), bool(revised))]
    cohort = total_cohort if counted else None
    if value_cohort:
        scale = 100 if unit == _PERCENT else 1
        return make_figure(cohort, numerator, scale * numerator / value_cohort, "", status, rows, value_cohort)
    if rows == 1 and published is not None:
        # One published value without counts (e.g. a benchmark from a table): show it, it cannot pool.
        return make_figure(cohort, None, float(published), "", status, 1, None)
    code = marker or ("NE" if cohort == 0 else "x")
    return make_figure(cohort, None, None, code, status, rows, None)


def _level_of(scope) -> str:
    for model, level in ((School, "school"), (Cluster, "cluster"), (Area, "area"), (LocalAuthority, "la")):
        if isinstance(scope, model):
            return level
    raise TypeError(f"No figures for {type(scope).__name__}.")


def _whole_table(level: str, pk: int) -> dict[tuple[int, str, str], tuple]:
    """Every kept row of one organisation (all measures × groups × years) as its unit and sums, keyed (year,
    measure_code, group_code): a page picks a few measures from it, and only those become figures (``figures``);
    the LA's pages read its keys for the years alone (``years_with_results``)."""
    rows = kept_rows(level, Q(org_id=pk), measures=None, groups=None, years=None, keyed=False)
    return {row[:3]: row[3:] for row in rows}


def _la_table(la) -> dict[tuple[int, str, str], tuple]:
    return _whole_table("la", la.pk)


def figures(scope, *, measures, groups, years) -> dict[tuple[int, str, str], Figure]:
    """Pooled figures keyed (results_year, measure_code, group_code) for a LocalAuthority, Area, Cluster
    or School (a school's own result). Pupils in small cohorts count (suppression is applied later, per user).
    One indexed query; within a request, a school's whole table is read once (a school page asks for the school
    several times) and picked from here, and so is an LA's when the request read it whole for its years
    (``years_with_results``: the LA's own pages and school pages). Otherwise just what is asked is read (a few
    measures of an area's, cluster's or LA's ~1,500 rows: an area or cluster page asks once). ``years`` None:
    every year."""
    level = _level_of(scope)
    if level == "school":
        table = request_memo.remember(("pooled", level, scope.pk), lambda: _whole_table(level, scope.pk))
    elif level == "la":
        table = request_memo.recall(("pooled", level, scope.pk))
    else:
        table = None
    if table is None:
        return _pooled(level, Q(org_id=scope.pk), measures=measures, groups=groups, years=years, keyed=False)
    return {key: _figure(*sums) for key, sums in _picked(table, measures=measures, groups=groups, years=years).items()}


def figures_by(level: str, schools, *, measures, groups, years) -> dict[tuple, Figure]:
    """Pooled figures for every school / cluster / area / LA among ``schools`` (a queryset), in one query.

    Keys are (org_id, year, measure_code, group_code); org_id is the school, cluster, area or LA pk. A cluster,
    area or LA is pooled over all its schools (as on its own page), not only those in ``schools``: callers
    choose the organisations through ``schools`` and show them only to those who may see them."""
    field = aggregates.SCHOOL_FIELD[level]
    orgs = Q(org_id__in=schools.order_by().values(field if level != "school" else "pk"))
    return _pooled(level, orgs, measures=measures, groups=groups, years=years, keyed=True)


def years_by_org(level: str, schools, *, measures, groups, years) -> dict[int, set[int]]:
    """{org_id: the years with any figure of these measures and groups} for every school / cluster / area among
    ``schools``: the keys ``figures_by`` would return (disclosure keeps every key), without their figures. One
    query."""
    field = aggregates.SCHOOL_FIELD[level]
    orgs = Q(org_id__in=schools.order_by().values(field if level != "school" else "pk"))
    out: dict[int, set[int]] = {}
    for org_id, year, *_key in kept_rows(
        level, orgs, measures=measures, groups=groups, years=years, keyed=True, sums=False
    ):
        out.setdefault(org_id, set()).add(year)
    return out


def la_figures(la_ids, *, measures, groups, years) -> dict[tuple, Figure]:
    """Pooled figures of these LAs in one indexed query, keyed (la_id, year, measure_code, group_code)."""
    return _pooled("la", Q(org_id__in=list(la_ids)), measures=measures, groups=groups, years=years, keyed=True)


def _benchmark_table(codes, *, measures, groups, years, key_fields) -> dict[tuple, Figure]:
    """Benchmarks of these geographies pooled by ``key_fields``. Within a request the geographies' benchmarks
    are read once for the measures and groups asked so far, every year (a page asks England several times: its
    headline measures, then the one measure of its tables), and read again only when a measure or group not yet
    read is asked (then for every one asked so far); each row is made a figure only once picked. England holds
    every measure and group (~3,000 rows at LA size) and a page shows a few."""
    codes = tuple(sorted(codes))
    measures, groups, years = set(measures), set(groups), set(years)
    if not request_memo.active():  # outside a request: read just what is asked
        return _aggregate(
            Benchmark.objects.filter(geography_code__in=codes),
            key_fields,
            measures=measures,
            groups=groups,
            years=years,
        )
    memo_key = ("benchmarks", codes, tuple(key_fields))
    held = request_memo.recall(memo_key)
    if held is None or not (measures <= held[0] and groups <= held[1]):
        read_measures = measures | (held[0] if held is not None else set())
        read_groups = groups | (held[1] if held is not None else set())
        held = (
            read_measures,
            read_groups,
            _benchmark_sums(
                Benchmark.objects.filter(
                    geography_code__in=codes,
                    measure__code__in=sorted(read_measures),
                    pupil_group__code__in=sorted(read_groups),
                )
                .values(*key_fields, "results_year", "measure__code", "pupil_group__code", "measure__unit")
                .annotate(**_BENCHMARK_SUMS_AS_READ)
                .order_by(),
                key_fields,
            ),
        )
        request_memo.keep(memo_key, held)
    table = held[2]
    n = len(key_fields)
    out = {}
    for key, found in table.items():
        if key[n] in years and key[n + 1] in measures and key[n + 2] in groups:
            if type(found) is tuple:  # made a figure the first time it is picked, and kept so
                found = table[key] = _figure(*found)
            out[key] = found
    return out


# ``pooled_sums`` with the published value as a float, all a figure makes of it (``_figure``): read as a decimal,
# each row went through the backend's decimal converter.
_BENCHMARK_SUMS_AS_READ = aggregates.pooled_sums() | {"published": Cast(Max("value"), FloatField())}


def benchmark_figures(geography_code, *, measures, groups, years) -> dict[tuple[int, str, str], Figure]:
    """Benchmark figures for a geography (Benchmark.NATIONAL_CODE = "E92000001" for England)."""
    return _benchmark_table([geography_code], measures=measures, groups=groups, years=years, key_fields=())


def benchmarks_where(where: Q, *, measures, groups, years) -> tuple[dict[tuple, Figure], dict[tuple, float]]:
    """The benchmarks of the geographies ``where`` picks (e.g. a region and an LA's statistical neighbours), in
    one query: (pooled figures, values as published), both keyed (geography_code, year, measure_code, group_code).
    A geography has one benchmark per key, so its pooled figure is its own row. Read as tuples (``_benchmark_sums``,
    the published value as a float): an LA's ten neighbours and region are ~1,000 rows."""
    sums = _benchmark_sums(
        Benchmark.objects.filter(where)
        .filter(results_year__in=list(years), measure__code__in=list(measures), pupil_group__code__in=list(groups))
        .values("geography_code", "results_year", "measure__code", "pupil_group__code", "measure__unit")
        .annotate(**_BENCHMARK_SUMS_AS_READ)
        .order_by(),
        ("geography_code",),
    )
    at = 1 + aggregates.SUMS.index("published")  # after the unit
    published = {key: row[at] for key, row in sums.items() if row[at] is not None}
    return {key: _figure(*row) for key, row in sums.items()}, published


def national_figures(*, measures, groups, years) -> dict[tuple[int, str, str], Figure]:
    """England's figures (within a request, from the same read as ``national_figures_by_basis``)."""
    return national_figures_by_basis(measures=measures, groups=groups, years=years)[Benchmark.NATIONAL_CODE]


def national_figures_by_basis(*, measures, groups, years) -> dict[str, dict[tuple[int, str, str], Figure]]:
    """{geography_code: figures} for England and for England's special schools and alternative provision
    (``schools.comparators``), in one query. A basis with no benchmarks maps to an empty dict."""
    codes = [basis.geography_code for basis in BASES]
    found = _benchmark_table(codes, measures=measures, groups=groups, years=years, key_fields=("geography_code",))
    out: dict[str, dict] = {code: {} for code in codes}
    for key, figure in found.items():
        out[key[0]][key[1:]] = figure
    return out


def national_for(school: School, by_basis: dict[str, dict]) -> tuple[object, dict]:
    """(NationalBasis, figures) a school is compared with: special schools and AP with their own type only."""
    basis = basis_for(school)
    return basis, by_basis.get(basis.geography_code, {})


def published_figures(la_ids, *, measures, groups, years) -> dict[tuple, Figure]:
    """The LAs' own published figures (the DfE's LA rows or LAIT), kept on write beside the pooled ones, in
    one indexed query, keyed (la_id, year, measure_code, group_code). The value is the one published (42%
    stays 42, not the 42.4 the achievers would give); the cohort is the published cohort. Within a request
    one LA's table is read once, whole, and picked from here (the LA overview asks twice).
    ``measures`` / ``groups`` / ``years`` None: all."""
    la_ids = tuple(sorted(la_ids))
    if len(la_ids) > 1:  # every LA (the all-LA page): just what is asked, read once
        return _published(la_ids, measures, groups, years)
    table = request_memo.remember(("published", la_ids), lambda: _published(la_ids, None, None, None))
    if table is None:
        return _published(la_ids, measures, groups, years)
    return _picked(table, measures=measures, groups=groups, years=years, at=1)


def _published(la_ids, measures, groups, years) -> dict[tuple, Figure]:
    rows = kept(aggregates.PUBLISHED, Q(org_id__in=list(la_ids)), measures=measures, groups=groups, years=years)
    fields = ("total_cohort", "counted", "numerator", "published", "marker", "provisional", "revised")
    rows = rows.values_list("org_id", "results_year", "measure__code", "pupil_group__code", *fields).order_by()
    out = {}
    for la_id, year, measure, group, cohort, counted, numerator, value, code, provisional, revised in rows:
        cohort = cohort if counted else None
        status = "provisional" if provisional else ("revised" if revised else "final")
        if value is None:
            figure = Figure(cohort=cohort, numerator=None, value=None, code=code or "x", status=status)
        else:
            figure = Figure(
                cohort=cohort, numerator=numerator, value=float(value), code="", status=status, value_cohort=cohort
            )
        out[(la_id, year, measure, group)] = figure
    return out


def years_with_figures(level: str, org_ids, measure=None) -> list[int]:
    """Results years with any figure for these organisations of ``level`` (``org_ids`` ids or a subquery of
    them; ``measure`` a Measure, or None: any), from their pooled rows (``kept_rows.rows_of``): one indexed query,
    not a scan of the results."""
    rows = rows_of(level, Q(org_id__in=org_ids), sums=False)
    if measure is not None:
        rows = rows.filter(measure=measure)
    return sorted(set(rows.order_by().values_list("results_year", flat=True).distinct()))


def years_with_results(la, *, la_figures: bool = True) -> list[int]:
    """Results years that have any result in the LA: within a request, from the LA's pooled figures read once
    (``figures``, which the LA's own pages and school pages pick from); outside one, or for a page that shows
    no LA figure or a few measures' (``la_figures`` False: the ranked lists and the RAG board; an area's or
    cluster's LA line, which then reads those measures alone), one indexed query of the years alone rather than
    the LA's ~1,500 figures."""
    if la_figures:
        table = request_memo.remember(("pooled", "la", la.pk), lambda: _la_table(la))
        if table is not None:
            return sorted({key[0] for key in table})
    years = PooledFigure.objects.filter(level="la", org_id=la.pk).order_by().values_list("results_year", flat=True)
    return sorted(set(years.distinct()))


def for_user(user, figures_: dict, groups: dict[str, PupilGroup], *, known: dict | None = None) -> dict:
    """The figures as this user may see them, through the one disclosure-control function
    (``schools.disclosure.disclose``): small cohorts hidden, with complementary suppression, unless
    ``sees_small_cohorts(user)``. ``known``: figures the user can subtract (see ``known_figures``).
    Apply to display figures only; pooling already happened in the database."""
    return disclose(
        figures_, viewer_sees_small_cohorts=sees_small_cohorts(user), partitions=partitions_of(groups), known=known
    )


def known_figures(
    user, scope, *, measures, groups: dict[str, PupilGroup], codes, years, level: str | None = None
) -> dict | None:
    """What a user can subtract from the pooled figures of ``scope`` (an LA, area or cluster; or, with
    ``level``, every organisation of that level among ``scope``, a queryset of schools): the sum over the
    schools they may see in it of the figures they see — all of their own school for a head, who knows their
    pupils; the shown ones elsewhere. None for roles that see small cohorts (nothing to protect from them).
    Keys as ``figures`` (with the organisation's pk first when ``level`` is given); only cohorts are summed."""
    if sees_small_cohorts(user):
        return None
    if level is None:
        field = {School: "pk", Cluster: "cluster", Area: "area", LocalAuthority: "la"}[type(scope)]
        schools = visible_schools(user).filter(**{field: scope.pk})
    else:
        schools = visible_schools(user).filter(pk__in=scope.values("pk"))
    schools = list(schools.values_list("pk", "cluster_id", "area_id", "la_id"))
    org_of = {
        pk: () if level is None else ({"school": pk, "cluster": cluster, "area": area, "la": la}[level],)
        for pk, cluster, area, la in schools
    }
    per_school = figures_by(
        "school", School.objects.filter(pk__in=list(org_of)), measures=measures, groups=codes, years=years
    )
    profile = profile_of(user)
    own = profile.school_id if profile and has_role(user, Role.HEADTEACHER) else None
    return seen_through_members(per_school, for_user(user, per_school, groups), org_of, own=own)


def la_figures_for(user, la, *, measures, groups: dict[str, PupilGroup], codes, years) -> dict:
    """An LA's pooled figures beside a school, area or cluster, disclosed for this user: hidden when the LA's
    group is small, or when the LA minus what the user sees of its schools leaves a small group."""
    codes = disclosure_groups(user, codes, groups)
    la_figures = figures(la, measures=measures, groups=codes, years=years)
    known = known_figures(user, la, measures=measures, groups=groups, codes=codes, years=years)
    return for_user(user, la_figures, groups, known=known)
