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


def assignable_users(user, la):
    """The people ``user`` may name in ``la`` (an action's lead): the one place every user picker asks.

    Never administrators (accounts that run the site, not school improvement), inactive accounts, or
    anyone without a role or outside ``la``. LA-wide roles may name anyone else in their LA; a headteacher or
    adviser the people linked to the schools they see: staff of those schools, the advisers covering them
    (assigned, or through the school's cluster or area) and the LA's officers."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if la is None or not visible_schools(user).filter(la=la).exists():
        return User.objects.none()
    admins = User.objects.filter(Q(is_superuser=True) | Q(groups__name=Role.ADMINISTRATOR)).values("pk")
    with_role = User.objects.filter(groups__name__in=[r for r in Role.values if r != Role.ADMINISTRATOR])
    people = User.objects.filter(
        Q(profile__la=la) | Q(profile__school__la=la),
        is_active=True,
        pk__in=with_role.values("pk"),
    ).exclude(pk__in=admins)
    if not has_role(user, *LA_WIDE_ROLES):
        schools = visible_schools(user).filter(la=la)
        advisers = User.objects.filter(groups__name=Role.ADVISER).filter(
            Q(profile__schools__in=schools)
            | Q(profile__cluster__in=schools.values("cluster"))
            | Q(profile__area__in=schools.values("area"))
        )
        officers = User.objects.filter(groups__name=Role.LA_OFFICER)
        people = people.filter(
            Q(profile__school__in=schools) | Q(pk__in=advisers.values("pk")) | Q(pk__in=officers.values("pk"))
        )
    return people.distinct().order_by("first_name", "last_name", "username")


__all__ = [
    "visible_schools",
    "visible_las",
    "visible_areas",
    "visible_clusters",
    "get_visible_school",
    "get_visible_area",
    "get_visible_cluster",
    "get_visible_la",
    "default_la",
    "sees_small_cohorts",
    "profile_of",
    "roles_of",
    "import_la",
]


# =========================================================================== figure reads
# Pooled figures come from a few GROUP BY queries; the arithmetic is in ``schools.gaps``.
# Each function below is ONE query, whatever the number of schools.
from django.db.models import Case, Count, FloatField, Max, Sum, When  # noqa: E402
from django.db.models.functions import Cast  # noqa: E402

from . import figure_cache  # noqa: E402
from .gaps import Figure, worst_status  # noqa: E402
from .models import Benchmark, Measure, Result  # noqa: E402
from .models.results import FIGURE_FIELDS  # noqa: E402

_PERCENT, _AVERAGE = Measure.Unit.PERCENT, Measure.Unit.AVERAGE


def _float(field):
    return Cast(field, FloatField())


def _numerator_expression():
    """Per row: achievers (percent), points (average), else value × cohort (÷100 for percent)."""
    counted = Q(cohort__isnull=False)
    return Case(
        When(counted & Q(measure__unit=_PERCENT, achievers__isnull=False), then=_float("achievers")),
        When(counted & Q(measure__unit=_PERCENT, value__isnull=False), then=_float("value") * _float("cohort") / 100.0),
        When(counted & Q(measure__unit=_AVERAGE, points__isnull=False), then=_float("points")),
        When(counted & Q(value__isnull=False), then=_float("value") * _float("cohort")),
        default=None,
        output_field=FloatField(),
    )


def _has_numerator():
    return Q(cohort__isnull=False) & (
        Q(measure__unit=_PERCENT, achievers__isnull=False)
        | Q(measure__unit=_AVERAGE, points__isnull=False)
        | Q(value__isnull=False)
    )


def _aggregate(queryset, key_fields, *, measures, groups, years) -> dict[tuple, Figure]:
    """One GROUP BY query → {(*key, year, measure_code, group_code): pooled Figure}."""
    chosen = queryset.filter(
        results_year__in=list(years), measure__code__in=list(measures), pupil_group__code__in=list(groups)
    )
    rows = (
        chosen.values(*key_fields, "results_year", "measure__code", "pupil_group__code", "measure__unit")
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
    return figure_cache.remember(
        chosen, lambda: _figures_from_rows(rows, key_fields), extra=("aggregate",) + tuple(key_fields)
    )


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
            figure = Figure(
                cohort=cohort,
                numerator=numerator,
                value=scale * numerator / value_cohort,
                code="",
                status=status,
                schools=row["rows"],
                value_cohort=value_cohort,
            )
        elif row["rows"] == 1 and row["published"] is not None:
            # One published value without counts (e.g. a benchmark from a table): show it, it cannot pool.
            figure = Figure(
                cohort=cohort, numerator=None, value=float(row["published"]), code="", status=status, schools=1
            )
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
    return _aggregate(Result.objects.filter(_scope_filter(scope)), (), measures=measures, groups=groups, years=years)


def figures_by(level: str, schools, *, measures, groups, years) -> dict[tuple, Figure]:
    """Pooled figures for every school / cluster / area / LA among ``schools`` (a queryset), in one query.

    Keys are (org_id, year, measure_code, group_code); org_id is the school, cluster, area or LA pk.
    Only results of the given schools are pooled (callers pass a scoped queryset)."""
    field = {"school": "school_id", "cluster": "school__cluster_id", "area": "school__area_id", "la": "school__la_id"}[
        level
    ]
    queryset = Result.objects.filter(school__in=schools.values("pk"))
    return _aggregate(queryset, (field,), measures=measures, groups=groups, years=years)


def benchmark_figures(geography_code, *, measures, groups, years) -> dict[tuple[int, str, str], Figure]:
    """Benchmark figures for a geography (Benchmark.NATIONAL_CODE = "E92000001" for England)."""
    return _aggregate(
        Benchmark.objects.filter(geography_code=geography_code), (), measures=measures, groups=groups, years=years
    )


def national_figures(*, measures, groups, years) -> dict[tuple[int, str, str], Figure]:
    return benchmark_figures(Benchmark.NATIONAL_CODE, measures=measures, groups=groups, years=years)


def national_figures_by_basis(*, measures, groups, years) -> dict[str, dict[tuple[int, str, str], Figure]]:
    """{geography_code: figures} for England and for England's special schools and alternative provision
    (``schools.comparators``), in one query. A basis with no benchmarks maps to an empty dict."""
    from .comparators import BASES

    codes = [basis.geography_code for basis in BASES]
    found = _aggregate(
        Benchmark.objects.filter(geography_code__in=codes),
        ("geography_code",),
        measures=measures,
        groups=groups,
        years=years,
    )
    out: dict[str, dict] = {code: {} for code in codes}
    for key, figure in found.items():
        out[key[0]][key[1:]] = figure
    return out


def national_for(school: School, by_basis: dict[str, dict]) -> tuple[object, dict]:
    """(NationalBasis, figures) a school is compared with: special schools and AP with their own type only."""
    from .comparators import basis_for

    basis = basis_for(school)
    return basis, by_basis.get(basis.geography_code, {})


__all__ += [
    "figures",
    "figures_by",
    "benchmark_figures",
    "national_figures",
    "national_figures_by_basis",
    "national_for",
]


# =========================================================================== dashboard reads
# Each returns rows built by ``schools.gaps.build_row`` from a fixed number of queries.
from .disclosure import disclose, needed_groups, partitions_of, seen_through_members  # noqa: E402
from .gaps import GapRow, build_row  # noqa: E402
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
    """(whole, parts) partitions of the pupils, used for complementary suppression: every pair of groups that
    are each other's comparison makes up all pupils, the ethnic groups make up all pupils, plus extra
    partitions in settings (e.g. SEN support + EHC plan = any SEN). See ``schools.disclosure``."""
    return partitions_of(groups)


def disclosure_groups(user, codes, groups: dict[str, PupilGroup]) -> list[str]:
    """The groups to fetch so that ``for_user`` can decide about ``codes``: for roles that must not see
    small cohorts, every group linked to them through a partition (the same query, more rows)."""
    return disclosure_groups_for(codes, groups, viewer_sees_small_cohorts=sees_small_cohorts(user))


def disclosure_groups_for(codes, groups: dict[str, PupilGroup], *, viewer_sees_small_cohorts: bool) -> list[str]:
    if viewer_sees_small_cohorts:
        return list(codes)
    return sorted(needed_groups(codes, group_partitions(groups)) & set(groups) | set(codes))


def for_user(user, figures_: dict, groups: dict[str, PupilGroup], *, known: dict | None = None) -> dict:
    """The figures as this user may see them, through the one disclosure-control function
    (``schools.disclosure.disclose``): small cohorts hidden, with complementary suppression, unless
    ``sees_small_cohorts(user)``. ``known``: figures the user can subtract (see ``known_figures``).
    Apply to display figures only; pooling already happened in the database."""
    return disclose(
        figures_, viewer_sees_small_cohorts=sees_small_cohorts(user), partitions=group_partitions(groups), known=known
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


def years_with_results(la) -> list[int]:
    """Results years that have any result in the LA (one query; a scan of the LA's results, so cached with
    the figure tables until an import changes the data)."""
    years = Result.objects.filter(school__la=la).order_by().values_list("results_year", flat=True).distinct()
    return figure_cache.remember(years, lambda: sorted(years), copy=list, extra=("years",))


def scope_rows(
    user,
    scope,
    *,
    measures: list[Measure],
    focus: PupilGroup,
    groups: dict[str, PupilGroup],
    years: list[int],
    year: int | None = None,
    la=None,
) -> list[GapRow]:
    """One GapRow per measure for a scope (LA, area, cluster or school), with its national and (when ``la``
    is given) LA lines. Three queries whatever the size of the scope."""
    comparison = focus.comparison
    codes = [focus.code, comparison.code, "all"]
    measure_codes = [m.code for m in measures]
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
    rows = [
        build_row(m, focus, comparison, here, national, years=years, year=year, la=la_figures, national_basis=basis)
        for m in measures
    ]
    return [row for row in rows if row.series]


def org_rows_by_measure(
    user,
    level: str,
    schools,
    organisations,
    *,
    measures: list[Measure],
    focus: PupilGroup,
    groups: dict[str, PupilGroup],
    years: list[int],
    year: int | None = None,
) -> dict[str, list[tuple[object, GapRow]]]:
    """{measure_code: [(organisation, GapRow), …]} for each school / cluster / area among ``organisations``,
    pooled from ``schools`` (a scoped queryset). Two queries plus the organisations' own, whatever the
    number of organisations or measures."""
    comparison = focus.comparison
    codes = [focus.code, comparison.code, "all"]
    measure_codes = [m.code for m in measures]
    fetched = disclosure_groups(user, codes, groups)
    known = (
        None
        if level == "school"
        else known_figures(
            user, schools, measures=measure_codes, groups=groups, codes=fetched, years=years, level=level
        )
    )
    pooled_figures = for_user(
        user, figures_by(level, schools, measures=measure_codes, groups=fetched, years=years), groups, known=known
    )
    organisations = list(organisations)
    if level == "school":  # each school against its own type of school nationally
        by_basis = national_figures_by_basis(measures=measure_codes, groups=codes, years=years)
        nationals = {school.pk: national_for(school, by_basis) for school in organisations}
    else:
        nationals = dict.fromkeys(
            (o.pk for o in organisations), (None, national_figures(measures=measure_codes, groups=codes, years=years))
        )
    out = {}
    for measure in measures:
        rows = []
        for organisation in organisations:
            basis, national = nationals[organisation.pk]
            row = build_row(
                measure,
                focus,
                comparison,
                pooled_figures,
                national,
                years=years,
                year=year,
                prefix=(organisation.pk,),
                national_basis=basis,
            )
            if row.series:
                rows.append((organisation, row))
        out[measure.code] = rows
    return out


def org_rows(
    user,
    level: str,
    schools,
    organisations,
    *,
    measure: Measure,
    focus: PupilGroup,
    groups: dict[str, PupilGroup],
    years: list[int],
    year: int | None = None,
) -> list[tuple[object, GapRow]]:
    """(organisation, GapRow) for one measure (see ``org_rows_by_measure``)."""
    return org_rows_by_measure(
        user, level, schools, organisations, measures=[measure], focus=focus, groups=groups, years=years, year=year
    )[measure.code]


def school_figures_all(user, school, *, groups: dict[str, PupilGroup]):
    """Every figure a school has (all measures × groups × years), suppressed for this user, with the
    national figures for its type of school (``national_for``) and LA figures for the same keys. Three queries
    (four for roles that do not see small cohorts)."""
    measures = measures_by_code()
    years = sorted(set(Result.objects.filter(school=school).values_list("results_year", flat=True)))
    codes = list(groups)
    here = for_user(user, figures(school, measures=measures, groups=codes, years=years), groups)
    _basis, national = national_for(school, national_figures_by_basis(measures=measures, groups=codes, years=years))
    la_figures = la_figures_for(user, school.la, measures=measures, groups=groups, codes=codes, years=years)
    return measures, years, here, national, la_figures


__all__ += [
    "measures_by_code",
    "headline_measures",
    "pupil_groups",
    "focus_groups",
    "group_partitions",
    "disclosure_groups",
    "disclosure_groups_for",
    "known_figures",
    "la_figures_for",
    "for_user",
    "years_with_results",
    "scope_rows",
    "org_rows",
    "org_rows_by_measure",
    "school_figures_all",
]


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
    found = published_by_geography([la.code], measures=measures, groups=groups, years=years)
    published = {key[1:]: figure for key, figure in found.items()}  # as published: 42% stays 42
    if published:
        out.append((f"{la.name} (published)", "The LA's own published figure (DfE LA tables).", published))
    if la.region_code:
        region = benchmark_figures(la.region_code, measures=measures, groups=groups, years=years)
        if region:
            out.append((la.region_name or la.region_code, "The region's published figure.", region))
    codes = list(StatisticalNeighbour.objects.filter(la_code=la.code).values_list("neighbour_code", flat=True))
    if codes:
        rows = Benchmark.objects.filter(
            geography_code__in=codes,
            results_year__in=years,
            measure__code__in=measures,
            pupil_group__code__in=groups,
            value__isnull=False,
        ).values_list("results_year", "measure__code", "pupil_group__code", "value")
        collected: dict[tuple, list[float]] = {}
        for year, measure, group, value in rows:
            collected.setdefault((year, measure, group), []).append(float(value))
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


__all__ += ["benchmark_sets"]


def import_la(user) -> str | None:
    """The LA code a user's imports of schools and results are limited to; ``None``: not limited.

    A data manager imports for their own LA; an administrator (and the command line, which has no user) for any.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser or has_role(user, Role.ADMINISTRATOR):
        return None
    profile = profile_of(user)
    if has_role(user, Role.DATA_MANAGER) and profile and profile.la_id:
        return profile.la.code
    return None


# =========================================================================== published LA figures and coverage
from dataclasses import dataclass as _dataclass  # noqa: E402

from .published import Coverage, key_stage_phases, published_first, side_by_side  # noqa: E402


def published_la_figures(user, la, *, measures, groups: dict[str, PupilGroup], codes, years) -> dict:
    """The LA's own published figures (the LA rows of the DfE files, or LAIT), keyed (year, measure, group),
    as this user may see them. One query."""
    found = published_by_geography([la.code], measures=measures, groups=codes, years=years)
    return for_user(user, {key[1:]: figure for key, figure in found.items()}, groups)


def coverage(la, *, measures: list[Measure], years) -> dict[tuple[int, str], Coverage]:
    """{(year, measure_code): Coverage}: the LA's open schools of the measure's phases that have a result for
    the measure that year, out of all its open schools of those phases. Two queries."""
    from .models import School as _School

    years = list(years)
    open_by_phase = dict(
        _School.objects.filter(la=la, status=_School.Status.OPEN)
        .order_by()
        .values_list("phase")
        .annotate(n=Count("pk"))
    )
    rows = (
        Result.objects.filter(
            school__la=la,
            school__status=_School.Status.OPEN,
            results_year__in=years,
            measure__code__in=[m.code for m in measures],
        )
        .order_by()
        .values_list("results_year", "measure__code", "school__phase")
        .annotate(n=Count("school", distinct=True))
    )
    with_figures: dict[tuple, int] = {}
    for year, code, phase, n in rows:
        with_figures[(year, code, phase)] = n
    labels = dict(_School.Phase.choices)
    out = {}
    for measure in measures:
        phases = key_stage_phases(measure.key_stage.code) or tuple(open_by_phase)
        open_schools = sum(open_by_phase.get(p, 0) for p in phases)
        label = " / ".join(labels[p].lower() for p in phases if open_by_phase.get(p))
        for year in years:
            count = sum(with_figures.get((year, measure.code, p), 0) for p in phases)
            if count:
                out[(year, measure.code)] = Coverage(
                    measure=measure, year=year, with_figures=count, open_schools=open_schools, phase_label=label
                )
    return out


@_dataclass
class LaHeadline:
    """The LA overview's headline: rows from the published figure where there is one (``sources`` says which),
    the pooled rows beside them, and each measure's published-vs-pooled comparison."""

    rows: list[GapRow]
    pooled_rows: list[GapRow]
    sources: dict[str, str]
    comparisons: list


def la_headline(
    user,
    la,
    *,
    measures: list[Measure],
    focus: PupilGroup,
    groups: dict[str, PupilGroup],
    years: list[int],
    year: int | None = None,
) -> LaHeadline:
    """Headline rows for an LA. Three queries whatever the number of schools."""
    comparison = focus.comparison
    codes = [focus.code, comparison.code, "all"]
    measure_codes = [m.code for m in measures]
    pooled = for_user(user, figures(la, measures=measure_codes, groups=codes, years=years), groups)
    published = published_la_figures(user, la, measures=measure_codes, groups=groups, codes=codes, years=years)
    national = national_figures(measures=measure_codes, groups=codes, years=years)
    merged, sources = published_first(
        pooled, published, measures=measure_codes, years=years, required=(focus.code, comparison.code)
    )
    pooled_rows, rows, comparisons = [], [], []
    for m in measures:
        pooled_row = build_row(m, focus, comparison, pooled, national, years=years, year=year)
        if not pooled_row.series:
            continue
        pooled_rows.append(pooled_row)
        rows.append(build_row(m, focus, comparison, merged, national, years=years, year=year))
        comparisons.append(side_by_side(m, pooled_row.year, pooled, published, focus.code, comparison.code))
    return LaHeadline(rows=rows, pooled_rows=pooled_rows, sources=sources, comparisons=comparisons)


__all__ += ["published_la_figures", "coverage", "LaHeadline", "la_headline"]


def published_by_geography(codes, *, measures, groups, years) -> dict[tuple, Figure]:
    """Published figures for several geographies (e.g. LA codes) in one query, keyed (geography_code, year,
    measure_code, group_code). The value is the one published (42% stays 42, not the 42.4 that the achievers
    worked out from it would give); the cohort is the published cohort."""
    rows = Benchmark.objects.filter(
        geography_code__in=list(codes),
        results_year__in=list(years),
        measure__code__in=list(measures),
        pupil_group__code__in=list(groups),
    ).values_list(
        "geography_code",
        "results_year",
        "measure__code",
        "pupil_group__code",
        *FIGURE_FIELDS,
    )
    out = {}
    for geography, year, measure, group, cohort, achievers, points, value, code, status in rows:
        numerator = achievers if achievers is not None else (float(points) if points is not None else None)
        if value is None:
            figure = Figure(cohort=cohort, numerator=None, value=None, code=code or "x", status=status)
        else:
            figure = Figure(
                cohort=cohort, numerator=numerator, value=float(value), code="", status=status, value_cohort=cohort
            )
        out[(geography, year, measure, group)] = figure
    return out


__all__ += ["published_by_geography"]


def school_context(user, school, *, groups: dict[str, PupilGroup]) -> list:
    """The school's latest context from each companion file (census, absence, school information), each with
    its own year. One query. The FSM pupil count goes through the same suppression as every figure."""
    from .models import SchoolContext

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


__all__ += ["school_context"]
