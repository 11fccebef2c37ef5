"""How results pool (``schools.aggregates`` keeps what these queries give, ``check_figures`` recomputes with
them): a school's, cluster's, area's or LA's results summed the way the DCSF National Strategies' "Quality
standards and criteria for LA self-evaluation" (2009) pools them (sum of achievers ÷ sum of cohort), and the LAs'
published figures beside them — as ORM queries whose SQL the database runs (``INSERT … SELECT``)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, Count, F, FloatField, Max, Q, Sum, Value, When
from django.db.models.functions import Cast

LEVELS = ("school", "cluster", "area", "la")
# The levels whose pooled rows are kept (``PooledFigure``): a school's are its results (:func:`school_rows`).
KEPT_LEVELS = LEVELS[1:]
# The LA's own published figure (the LA rows of the DfE files, or LAIT: a ``Benchmark`` whose geography code
# is the LA's code), kept beside the pooled ones under the LA's id, so a page reads both in one query.
PUBLISHED = "published"
# How a result reaches its organisation, and a school's own column for it.
RESULT_FIELD = {
    "school": "school_id",
    "cluster": "school__cluster_id",
    "area": "school__area_id",
    "la": "school__la_id",
}
SCHOOL_FIELD = {"school": "id", "cluster": "cluster_id", "area": "area_id", "la": "la_id"}
# The sums kept per organisation × year × measure × group (``PooledFigure``'s columns, ``pooled_sums``' names).
SUMS = ("total_cohort", "counted", "rows", "numerator", "value_cohort", "published", "marker", "provisional", "revised")
KEY_COLUMNS = ("level", "org_id", "results_year", "measure_id", "pupil_group_id")
COLUMNS = KEY_COLUMNS + SUMS
# The same key as ``pooled_query`` selects it.
SELECTED_KEY = ("pooled_level", "pooled_org", "pooled_year", "pooled_measure", "pooled_group")
ALL_YEARS = None
CHUNK = 2000  # ids per statement (SQLite's limit on parameters)


# --------------------------------------------------------------------------- the pooling itself
def _float(field):
    return Cast(field, FloatField())


def _unit_is(unit: str, prefix: str, units: dict | None) -> Q:
    """The result's measure has this unit: through the measure (a join), or, given ``units`` (unit → the ids
    of its measures), by the measure's id alone."""
    if units is None:
        return Q(**{f"{prefix}measure__unit": unit})
    return Q(**{f"{prefix}measure_id__in": list(units.get(unit, ()))})


def numerator_expression(prefix: str = "", units: dict | None = None):
    """Per result: achievers (percent), points (average), else value × cohort (÷100 for percent). ``units``: see
    :func:`_unit_is`."""
    from .models import Measure

    percent, average = _unit_is(Measure.Unit.PERCENT, prefix, units), _unit_is(Measure.Unit.AVERAGE, prefix, units)
    cohort = f"{prefix}cohort"
    counted = Q(**{f"{cohort}__isnull": False})
    return Case(
        When(counted & percent & Q(**{f"{prefix}achievers__isnull": False}), then=_float(f"{prefix}achievers")),
        When(
            counted & percent & Q(**{f"{prefix}value__isnull": False}),
            then=_float(f"{prefix}value") * _float(cohort) / 100.0,
        ),
        When(counted & average & Q(**{f"{prefix}points__isnull": False}), then=_float(f"{prefix}points")),
        When(counted & Q(**{f"{prefix}value__isnull": False}), then=_float(f"{prefix}value") * _float(cohort)),
        default=None,
        output_field=FloatField(),
    )


def has_numerator(units: dict | None = None):
    from .models import Measure

    return Q(cohort__isnull=False) & (
        (_unit_is(Measure.Unit.PERCENT, "", units) & Q(achievers__isnull=False))
        | (_unit_is(Measure.Unit.AVERAGE, "", units) & Q(points__isnull=False))
        | Q(value__isnull=False)
    )


def pooled_sums():
    """The aggregates of one GROUP BY of results or benchmarks (names as :class:`PooledFigure`'s columns)."""
    return dict(
        total_cohort=Sum("cohort"),
        counted=Count("cohort"),
        rows=Count("pk"),
        numerator=Sum(numerator_expression()),
        value_cohort=Sum(Case(When(has_numerator(), then="cohort"), default=None)),
        published=Max("value"),
        marker=Max("value_code"),
        provisional=Count("pk", filter=Q(status="provisional")),
        revised=Count("pk", filter=Q(status="revised")),
    )


def _results(field: str, org_ids, years, measure_ids):
    """The results of these organisations (``field``: the result's path to them), years and measures; None /
    ``ALL_YEARS``: all."""
    from .models import Result

    results = Result.objects.all()
    if org_ids is not None:
        results = results.filter(**{f"{field}__in": list(org_ids)})
    if years is not ALL_YEARS:
        results = results.filter(results_year__in=list(years))
    if measure_ids is not None:
        results = results.filter(measure_id__in=list(measure_ids))
    return results


def pooled_query(level: str, org_ids=None, years=ALL_YEARS, measure_ids=None):
    """The results pooled by ``level`` (one row per organisation × year × measure × group), as
    :data:`COLUMNS` in that order; ``org_ids`` / ``years`` / ``measure_ids`` None: all."""
    field = RESULT_FIELD[level]
    results = _results(field, org_ids, years, measure_ids).filter(**{f"{field}__isnull": False})
    return (
        results.values(
            pooled_level=Value(level),
            pooled_org=F(field),
            pooled_year=F("results_year"),
            pooled_measure=F("measure_id"),
            pooled_group=F("pupil_group_id"),
        )
        .annotate(**pooled_sums())
        .order_by()
    )


def published_query(la_ids=None, years=ALL_YEARS):
    """The LAs' published figures as :data:`COLUMNS` in that order: the figure as published (its value,
    cohort, achievers or points, marker and status), one row per LA × year × measure × group."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from .models import Benchmark, LocalAuthority

    las = LocalAuthority.objects.all() if la_ids is None else LocalAuthority.objects.filter(pk__in=list(la_ids))
    rows = Benchmark.objects.filter(geography_code__in=las.values("code"))
    if years is not ALL_YEARS:
        rows = rows.filter(results_year__in=list(years))
    one = Value(1)
    return rows.values(
        pooled_level=Value(PUBLISHED),
        pooled_org=Subquery(LocalAuthority.objects.filter(code=OuterRef("geography_code")).values("pk")[:1]),
        pooled_year=F("results_year"),
        pooled_measure=F("measure_id"),
        pooled_group=F("pupil_group_id"),
        total_cohort=F("cohort"),
        counted=Case(When(cohort__isnull=False, then=one), default=Value(0)),
        rows=one,
        numerator=Coalesce(_float("achievers"), _float("points")),
        value_cohort=Case(When(value__isnull=False, then=F("cohort")), default=None),
        published=F("value"),
        marker=F("value_code"),
        provisional=Case(When(status="provisional", then=one), default=Value(0)),
        revised=Case(When(status="revised", then=one), default=Value(0)),
    ).order_by()


def school_rows(orgs: Q, *, sums: bool = True, units: dict | None = None):
    """A school's pooled rows, read from its results: a school has one result per year × measure × group
    (``result_unique_fact``), so each result is its own pooled row, with :data:`SUMS` worked out from it as the
    school level of :func:`pooled_query` would (the same expressions, nothing to group). ``orgs``: a filter on
    ``org_id`` (the school's id), as on ``PooledFigure``; ``sums`` False: the key alone; ``units``: see
    :func:`_unit_is`. Nothing is kept for schools: a copy of every result was the largest write of an import
    (two million rows for a national file) and held nothing the result does not."""
    from .models import Result

    rows = Result.objects.annotate(org_id=F("school_id")).filter(orgs)
    if not sums:
        return rows
    one, zero = Value(1), Value(0)
    return rows.annotate(
        total_cohort=F("cohort"),
        counted=Case(When(cohort__isnull=False, then=one), default=zero),
        rows=one,
        numerator=numerator_expression(units=units),
        value_cohort=Case(When(has_numerator(units), then="cohort"), default=None),
        published=F("value"),
        marker=F("value_code"),
        provisional=Case(When(status="provisional", then=one), default=zero),
        revised=Case(When(status="revised", then=one), default=zero),
    )


# --------------------------------------------------------------------------- writing what they give
def insert_pooled(query) -> None:
    """INSERT … SELECT: the database pools, nothing passes through Python."""
    from .models import PooledFigure

    sql, params = query.query.sql_with_params()
    selected = SELECTED_KEY + SUMS
    qn = connection.ops.quote_name
    table = qn(PooledFigure._meta.db_table)
    # COALESCE: a result without a marker pools to '' (the column is NOT NULL).
    picked = ", ".join(f"COALESCE(q.{qn(c)}, '')" if c == "marker" else f"q.{qn(c)}" for c in selected)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(qn(c) for c in COLUMNS)}) SELECT {picked} FROM ({sql}) q", params
        )
