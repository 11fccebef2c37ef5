"""Pooled figure reads. Pooled figures come from a few GROUP BY queries; the arithmetic is in ``schools.gaps``.
Each read is ONE query, whatever the number of schools; ``for_user`` then shows them as a user may see them.
"""

from django.db.models import Case, Count, FloatField, Max, Q, Sum, When
from django.db.models.functions import Cast

from . import figure_cache
from .access import disclosure_groups, profile_of, sees_small_cohorts, visible_schools
from .comparators import BASES, basis_for
from .disclosure import disclose, partitions_of, seen_through_members
from .gaps import Figure, worst_status
from .models import Area, Benchmark, Cluster, LocalAuthority, Measure, PupilGroup, Result, School
from .models.results import FIGURE_FIELDS
from .roles import Role, has_role

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
    basis = basis_for(school)
    return basis, by_basis.get(basis.geography_code, {})


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


def years_with_results(la) -> list[int]:
    """Results years that have any result in the LA (one query; a scan of the LA's results, so cached with
    the figure tables until an import changes the data)."""
    years = Result.objects.filter(school__la=la).order_by().values_list("results_year", flat=True).distinct()
    return figure_cache.remember(years, lambda: sorted(years), copy=list, extra=("years",))


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
