"""Reads. Access scoping lives here and only here: every view asks these functions
what a user may see, so a headteacher guessing another school's URL gets a 404."""
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Area, Cluster, LocalAuthority, Profile, School
from .roles import LA_WIDE_ROLES, UNSUPPRESSED_ROLES, Role, has_role, roles_of


def profile_of(user) -> Profile | None:
    if not user.is_authenticated:
        return None
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def visible_schools(user) -> QuerySet[School]:
    """The schools a user may see: the one place that decides."""
    schools = School.objects.select_related("la", "area", "cluster")
    if not user.is_authenticated:
        return schools.none()
    profile = profile_of(user)
    if has_role(user, *LA_WIDE_ROLES):
        if profile and profile.la_id and not user.is_superuser:
            return schools.filter(la_id=profile.la_id)
        return schools
    if profile is None:
        return schools.none()
    scope = Q(pk__in=[])
    if has_role(user, Role.ADVISER):
        scope |= Q(pk__in=profile.schools.values("pk"))
        if profile.cluster_id:
            scope |= Q(cluster_id=profile.cluster_id)
        if profile.area_id:
            scope |= Q(area_id=profile.area_id)
    if has_role(user, Role.HEADTEACHER) and profile.school_id:
        scope |= Q(pk=profile.school_id)
    return schools.filter(scope)


def visible_las(user) -> QuerySet[LocalAuthority]:
    if not has_role(user, *LA_WIDE_ROLES):
        return LocalAuthority.objects.none()
    return LocalAuthority.objects.filter(pk__in=visible_schools(user).values("la_id"))


def visible_areas(user) -> QuerySet[Area]:
    """Areas whose whole-area figures the user may see: LA-wide roles only."""
    if not has_role(user, *LA_WIDE_ROLES):
        profile = profile_of(user)
        if has_role(user, Role.ADVISER) and profile and profile.area_id:
            return Area.objects.filter(pk=profile.area_id)
        return Area.objects.none()
    return Area.objects.filter(la__in=visible_las(user)).select_related("la")


def visible_clusters(user) -> QuerySet[Cluster]:
    """Clusters whose whole-cluster figures the user may see."""
    if not has_role(user, *LA_WIDE_ROLES):
        profile = profile_of(user)
        if has_role(user, Role.ADVISER) and profile:
            scope = Q(pk__in=[])
            if profile.cluster_id:
                scope |= Q(pk=profile.cluster_id)
            if profile.area_id:
                scope |= Q(area_id=profile.area_id)
            return Cluster.objects.filter(scope).select_related("la", "area")
        return Cluster.objects.none()
    return Cluster.objects.filter(la__in=visible_las(user)).select_related("la", "area")


def get_visible_school(user, urn) -> School:
    """The school with this URN if the user may see it; 404 otherwise (never 403: no hint it exists)."""
    try:
        urn = int(urn)  # a URN typed into a query string may be anything: not a number is "not found", not a 500
    except (TypeError, ValueError):
        raise Http404("No such school.") from None
    return get_object_or_404(visible_schools(user), urn=urn)


def get_visible_area(user, pk) -> Area:
    return get_object_or_404(visible_areas(user), pk=pk)


def get_visible_cluster(user, pk) -> Cluster:
    return get_object_or_404(visible_clusters(user), pk=pk)


def get_visible_la(user, code) -> LocalAuthority:
    return get_object_or_404(visible_las(user), code=code)


def default_la(user) -> LocalAuthority:
    """The LA a user's overview opens on: their profile's LA, else the first they may see."""
    profile = profile_of(user)
    las = visible_las(user)
    if profile and profile.la_id:
        la = las.filter(pk=profile.la_id).first()
        if la:
            return la
    la = las.order_by("name").first()
    if la is None:
        raise Http404("No local authority to show.")
    return la


def sees_small_cohorts(user) -> bool:
    """LA officers and data managers see small-cohort figures; everyone else sees them suppressed."""
    return has_role(user, *UNSUPPRESSED_ROLES)


__all__ = [
    "visible_schools", "visible_las", "visible_areas", "visible_clusters", "get_visible_school",
    "get_visible_area", "get_visible_cluster", "get_visible_la", "default_la", "sees_small_cohorts",
    "profile_of", "roles_of",
]


# =========================================================================== figure reads
# Pooled figures come from a few GROUP BY queries; the arithmetic is in ``schools.gaps``.
# Each function below is ONE query, whatever the number of schools.
from django.db.models import Case, Count, F, FloatField, Max, Sum, When  # noqa: E402
from django.db.models.functions import Cast  # noqa: E402

from .gaps import Figure, worst_status  # noqa: E402
from . import figure_cache  # noqa: E402
from .models import Benchmark, Measure, Result  # noqa: E402

_PERCENT, _AVERAGE = Measure.Unit.PERCENT, Measure.Unit.AVERAGE


def _float(field):
    return Cast(field, FloatField())


def _numerator_expression():
    """Per row: achievers (percent), points (average), else value × cohort (÷100 for percent)."""
    counted = Q(cohort__isnull=False)
    return Case(
        When(counted & Q(measure__unit=_PERCENT, achievers__isnull=False), then=_float("achievers")),
        When(counted & Q(measure__unit=_PERCENT, value__isnull=False),
             then=_float("value") * _float("cohort") / 100.0),
        When(counted & Q(measure__unit=_AVERAGE, points__isnull=False), then=_float("points")),
        When(counted & Q(value__isnull=False), then=_float("value") * _float("cohort")),
        default=None, output_field=FloatField(),
    )


def _has_numerator():
    return Q(cohort__isnull=False) & (
        Q(measure__unit=_PERCENT, achievers__isnull=False) | Q(measure__unit=_AVERAGE, points__isnull=False)
        | Q(value__isnull=False)
    )


def _aggregate(queryset, key_fields, *, measures, groups, years) -> dict[tuple, Figure]:
    """One GROUP BY query → {(*key, year, measure_code, group_code): pooled Figure}."""
    chosen = queryset.filter(results_year__in=list(years), measure__code__in=list(measures),
                             pupil_group__code__in=list(groups))
    rows = (
        chosen
        .values(*key_fields, "results_year", "measure__code", "pupil_group__code", "measure__unit")
        .annotate(
            total_cohort=Sum("cohort"),
            counted=Count("cohort"),
            rows=Count("pk"),
            numerator=Sum(_numerator_expression()),
            value_cohort=Sum(Case(When(_has_numerator(), then="cohort"), default=None)),
            published=Max("value"),
            marker=Max("value_code"),
            provisional=Count("pk", filter=Q(status="provisional")),
            revised=Count("pk", filter=Q(status="revised")),
        )
        .order_by()
    )
    # Cached per process until an import (or rollback) changes the data: see schools.figure_cache. Keyed by
    # the rows chosen and the grouping (compiling that is cheaper than compiling the aggregate itself).
    return figure_cache.remember(chosen, lambda: _figures_from_rows(rows, key_fields),
                                 extra=("aggregate",) + tuple(key_fields))


def _figures_from_rows(rows, key_fields) -> dict[tuple, Figure]:
    out: dict[tuple, Figure] = {}
    for row in rows:
        key = tuple(row[f] for f in key_fields) + (row["results_year"], row["measure__code"], row["pupil_group__code"])
        status = worst_status(
            (["provisional"] if row["provisional"] else []) + (["revised"] if row["revised"] else []) + ["final"]
        )
        cohort = row["total_cohort"] if row["counted"] else None
        value_cohort = row["value_cohort"]
        if value_cohort:
            scale = 100 if row["measure__unit"] == _PERCENT else 1
            numerator = row["numerator"]
            figure = Figure(cohort=cohort, numerator=numerator, value=scale * numerator / value_cohort, code="",
                            status=status, schools=row["rows"], value_cohort=value_cohort)
        elif row["rows"] == 1 and row["published"] is not None:
            # One published value without counts (e.g. a benchmark from a table): show it, it cannot pool.
            figure = Figure(cohort=cohort, numerator=None, value=float(row["published"]), code="", status=status,
                            schools=1)
        else:
            code = row["marker"] or ("NE" if cohort == 0 else "x")
            figure = Figure(cohort=cohort, numerator=None, value=None, code=code, status=status, schools=row["rows"])
        out[key] = figure
    return out


def _scope_filter(scope) -> Q:
    if isinstance(scope, School):
        return Q(school=scope)
    if isinstance(scope, Cluster):
        return Q(school__cluster=scope)
    if isinstance(scope, Area):
        return Q(school__area=scope)
    if isinstance(scope, LocalAuthority):
        return Q(school__la=scope)
    raise TypeError(f"No figures for {type(scope).__name__}.")


def figures(scope, *, measures, groups, years) -> dict[tuple[int, str, str], Figure]:
    """Pooled figures keyed (results_year, measure_code, group_code) for a LocalAuthority, Area, Cluster
    or School (a school's own result). Pupils in small cohorts count (suppression is applied later, per user)."""
    return _aggregate(Result.objects.filter(_scope_filter(scope)), (), measures=measures, groups=groups,
                      years=years)


def figures_by(level: str, schools, *, measures, groups, years) -> dict[tuple, Figure]:
    """Pooled figures for every school / cluster / area / LA among ``schools`` (a queryset), in one query.

    Keys are (org_id, year, measure_code, group_code); org_id is the school, cluster, area or LA pk.
    Only results of the given schools are pooled (callers pass a scoped queryset)."""
    field = {"school": "school_id", "cluster": "school__cluster_id", "area": "school__area_id",
             "la": "school__la_id"}[level]
    queryset = Result.objects.filter(school__in=schools.values("pk"))
    return _aggregate(queryset, (field,), measures=measures, groups=groups, years=years)


def benchmark_figures(geography_code, *, measures, groups, years) -> dict[tuple[int, str, str], Figure]:
    """Benchmark figures for a geography (Benchmark.NATIONAL_CODE = "E92000001" for England)."""
    return _aggregate(Benchmark.objects.filter(geography_code=geography_code), (), measures=measures,
                      groups=groups, years=years)


def national_figures(*, measures, groups, years) -> dict[tuple[int, str, str], Figure]:
    return benchmark_figures(Benchmark.NATIONAL_CODE, measures=measures, groups=groups, years=years)


def national_figures_by_basis(*, measures, groups, years) -> dict[str, dict[tuple[int, str, str], Figure]]:
    """{geography_code: figures} for England and for England's special schools and alternative provision
    (``schools.comparators``), in one query. A basis with no benchmarks maps to an empty dict."""
    from .comparators import BASES

    codes = [basis.geography_code for basis in BASES]
    found = _aggregate(Benchmark.objects.filter(geography_code__in=codes), ("geography_code",), measures=measures,
                       groups=groups, years=years)
    out: dict[str, dict] = {code: {} for code in codes}
    for key, figure in found.items():
        out[key[0]][key[1:]] = figure
    return out


def national_for(school: School, by_basis: dict[str, dict]) -> tuple[object, dict]:
    """(NationalBasis, figures) a school is compared with: special schools and AP with their own type only."""
    from .comparators import basis_for

    basis = basis_for(school)
    return basis, by_basis.get(basis.geography_code, {})


__all__ += ["figures", "figures_by", "benchmark_figures", "national_figures", "national_figures_by_basis",
            "national_for"]


# =========================================================================== dashboard reads
# Each returns rows built by ``schools.gaps.build_row`` from a fixed number of queries.
from .gaps import GapRow, build_row, suppress  # noqa: E402
from .models import PupilGroup  # noqa: E402


def measures_by_code(codes=None) -> dict[str, Measure]:
    measures = Measure.objects.select_related("key_stage")
    if codes is not None:
        measures = measures.filter(code__in=list(codes))
    return {m.code: m for m in measures}


def headline_measures() -> list[Measure]:
    return list(Measure.objects.filter(headline=True).select_related("key_stage"))


def pupil_groups() -> dict[str, PupilGroup]:
    """Every pupil group by code, with its comparison group (one query)."""
    return {g.code: g for g in PupilGroup.objects.select_related("comparison")}


def focus_groups(groups: dict[str, PupilGroup]) -> list[PupilGroup]:
    return [g for g in groups.values() if g.is_focus and g.comparison_id]


def group_partitions(groups: dict[str, PupilGroup]) -> list[tuple[str, tuple[str, ...]]]:
    """(whole, parts) used for secondary suppression: every pair of groups that are each other's comparison
    makes up all pupils, plus any extra partitions in settings (e.g. SEN support + EHC plan = any SEN)."""
    from django.conf import settings

    pairs = set()
    for group in groups.values():
        other = group.comparison
        if other is not None and other.comparison_id == group.pk:
            pairs.add(tuple(sorted((group.code, other.code))))
    partitions = [("all", pair) for pair in sorted(pairs)]
    extra = getattr(settings, "GAPMONITOR_GROUP_PARTITIONS", [("sen_any", ("sen_support", "ehcp"))])
    return partitions + [(whole, tuple(parts)) for whole, parts in extra]


def for_user(user, figures_: dict, groups: dict[str, PupilGroup]) -> dict:
    """The figures as this user may see them: small cohorts suppressed (primary and secondary) unless
    ``sees_small_cohorts(user)``. Apply to display figures only; pooling already happened in the database."""
    if sees_small_cohorts(user):
        return dict(figures_)
    return suppress(figures_, partitions=group_partitions(groups))


def years_with_results(la) -> list[int]:
    """Results years that have any result in the LA (one query; a scan of the LA's results, so cached with
    the figure tables until an import changes the data)."""
    years = Result.objects.filter(school__la=la).order_by().values_list("results_year", flat=True).distinct()
    return figure_cache.remember(years, lambda: sorted(years), copy=list, extra=("years",))


def scope_rows(user, scope, *, measures: list[Measure], focus: PupilGroup, groups: dict[str, PupilGroup],
               years: list[int], year: int | None = None, la=None) -> list[GapRow]:
    """One GapRow per measure for a scope (LA, area, cluster or school), with its national and (when ``la``
    is given) LA lines. Three queries whatever the size of the scope."""
    comparison = focus.comparison
    codes = [focus.code, comparison.code, "all"]
    measure_codes = [m.code for m in measures]
    here = for_user(user, figures(scope, measures=measure_codes, groups=codes, years=years), groups)
    basis = None
    if isinstance(scope, School):
        basis, national = national_for(scope, national_figures_by_basis(measures=measure_codes, groups=codes,
                                                                        years=years))
    else:
        national = national_figures(measures=measure_codes, groups=codes, years=years)
    la_figures = figures(la, measures=measure_codes, groups=codes, years=years) if la is not None else None
    rows = [build_row(m, focus, comparison, here, national, years=years, year=year, la=la_figures,
                      national_basis=basis) for m in measures]
    return [row for row in rows if row.series]


def org_rows_by_measure(user, level: str, schools, organisations, *, measures: list[Measure], focus: PupilGroup,
                        groups: dict[str, PupilGroup], years: list[int], year: int | None = None
                        ) -> dict[str, list[tuple[object, GapRow]]]:
    """{measure_code: [(organisation, GapRow), …]} for each school / cluster / area among ``organisations``,
    pooled from ``schools`` (a scoped queryset). Two queries plus the organisations' own, whatever the
    number of organisations or measures."""
    comparison = focus.comparison
    codes = [focus.code, comparison.code, "all"]
    measure_codes = [m.code for m in measures]
    pooled_figures = for_user(
        user, figures_by(level, schools, measures=measure_codes, groups=codes, years=years), groups
    )
    organisations = list(organisations)
    if level == "school":  # each school against its own type of school nationally
        by_basis = national_figures_by_basis(measures=measure_codes, groups=codes, years=years)
        nationals = {school.pk: national_for(school, by_basis) for school in organisations}
    else:
        nationals = dict.fromkeys((o.pk for o in organisations),
                                  (None, national_figures(measures=measure_codes, groups=codes, years=years)))
    out = {}
    for measure in measures:
        rows = []
        for organisation in organisations:
            basis, national = nationals[organisation.pk]
            row = build_row(measure, focus, comparison, pooled_figures, national, years=years, year=year,
                            prefix=(organisation.pk,), national_basis=basis)
            if row.series:
                rows.append((organisation, row))
        out[measure.code] = rows
    return out


def org_rows(user, level: str, schools, organisations, *, measure: Measure, focus: PupilGroup,
             groups: dict[str, PupilGroup], years: list[int], year: int | None = None) -> list[tuple[object, GapRow]]:
    """(organisation, GapRow) for one measure (see ``org_rows_by_measure``)."""
    return org_rows_by_measure(user, level, schools, organisations, measures=[measure], focus=focus, groups=groups,
                               years=years, year=year)[measure.code]


def school_figures_all(user, school, *, groups: dict[str, PupilGroup]):
    """Every figure a school has (all measures × groups × years), suppressed for this user, with the
    national figures for its type of school (``national_for``) and LA figures for the same keys. Three queries."""
    measures = measures_by_code()
    years = sorted(set(Result.objects.filter(school=school).values_list("results_year", flat=True)))
    codes = list(groups)
    here = for_user(user, figures(school, measures=measures, groups=codes, years=years), groups)
    _basis, national = national_for(school, national_figures_by_basis(measures=measures, groups=codes, years=years))
    la_figures = figures(school.la, measures=measures, groups=codes, years=years)
    return measures, years, here, national, la_figures


__all__ += ["measures_by_code", "headline_measures", "pupil_groups", "focus_groups", "group_partitions",
            "for_user", "years_with_results", "scope_rows", "org_rows", "org_rows_by_measure", "school_figures_all"]


def working_la(user) -> LocalAuthority:
    """The LA whose pages a user works in: their overview LA for LA-wide roles, else the LA of the
    schools they may see (advisers, headteachers). 404 when they may see none."""
    if has_role(user, *LA_WIDE_ROLES):
        return default_la(user)
    profile = profile_of(user)
    schools = visible_schools(user)
    if profile and profile.la_id and schools.filter(la_id=profile.la_id).exists():
        return profile.la
    school = schools.order_by("name").first()
    if school is None:
        raise Http404("No schools to show.")
    return school.la


__all__ += ["working_la"]


def benchmark_sets(la, *, measures, groups, years) -> list[tuple[str, str, dict]]:
    """Other benchmarks for an LA as (label, definition, figures): the LA's published figures, its region,
    and its statistical neighbours' average (the simple mean of the neighbours' published values, the DfE
    convention). Four queries; sets with no figures are left out."""
    from statistics import mean

    from .models import StatisticalNeighbour

    measures, groups, years = list(measures), list(groups), list(years)
    out = []
    published = benchmark_figures(la.code, measures=measures, groups=groups, years=years)
    if published:
        out.append((f"{la.name} (published)", "The LA's own published figure (DfE LA tables).", published))
    if la.region_code:
        region = benchmark_figures(la.region_code, measures=measures, groups=groups, years=years)
        if region:
            out.append((la.region_name or la.region_code, "The region's published figure.", region))
    codes = list(StatisticalNeighbour.objects.filter(la_code=la.code).values_list("neighbour_code", flat=True))
    if codes:
        rows = (Benchmark.objects.filter(geography_code__in=codes, results_year__in=years, measure__code__in=measures,
                                         pupil_group__code__in=groups, value__isnull=False)
                .values_list("results_year", "measure__code", "pupil_group__code", "value"))
        collected: dict[tuple, list[float]] = {}
        for year, measure, group, value in rows:
            collected.setdefault((year, measure, group), []).append(float(value))
        if collected:
            average = {key: Figure(cohort=None, numerator=None, value=mean(values), schools=len(values))
                       for key, values in collected.items()}
            out.append((f"Statistical neighbours (average of {len(codes)})",
                        "The simple mean of the statistical neighbours' published values.", average))
    return out


__all__ += ["benchmark_sets"]
