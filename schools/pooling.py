"""How results pool (``schools.aggregates`` keeps what these queries give, ``check_figures`` recomputes with
them): a school's, cluster's, area's or LA's results summed the way the DCSF National Strategies' "Quality
standards and criteria for LA self-evaluation" (2009) pools them (sum of achievers ÷ sum of cohort), and the LAs'
published figures beside them — as ORM queries whose SQL the database runs (``INSERT … SELECT``), and the
roll-ups of schools' kept rows to their clusters, areas and LAs."""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, Count, F, FloatField, Max, Q, Sum, Value, When
from django.db.models.functions import Cast

LEVELS = ("school", "cluster", "area", "la")
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
UPPER = LEVELS[1:]  # rolled up from the schools' rows
MAX_ORGS_AT_ONCE = 4000  # organisations rolled up in one statement (its parameters name each twice)


# --------------------------------------------------------------------------- the pooling itself
def _float(field):
    return Cast(field, FloatField())


def numerator_expression(prefix: str = ""):
    """Per result: achievers (percent), points (average), else value × cohort (÷100 for percent)."""
    from .models import Measure

    percent, average = Measure.Unit.PERCENT, Measure.Unit.AVERAGE
    cohort = f"{prefix}cohort"
    counted = Q(**{f"{cohort}__isnull": False})
    unit = f"{prefix}measure__unit"
    return Case(
        When(counted & Q(**{unit: percent, f"{prefix}achievers__isnull": False}), then=_float(f"{prefix}achievers")),
        When(
            counted & Q(**{unit: percent, f"{prefix}value__isnull": False}),
            then=_float(f"{prefix}value") * _float(cohort) / 100.0,
        ),
        When(counted & Q(**{unit: average, f"{prefix}points__isnull": False}), then=_float(f"{prefix}points")),
        When(counted & Q(**{f"{prefix}value__isnull": False}), then=_float(f"{prefix}value") * _float(cohort)),
        default=None,
        output_field=FloatField(),
    )


def has_numerator():
    from .models import Measure

    return Q(cohort__isnull=False) & (
        Q(measure__unit=Measure.Unit.PERCENT, achievers__isnull=False)
        | Q(measure__unit=Measure.Unit.AVERAGE, points__isnull=False)
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


def pooled_query(level: str, org_ids=None, years=ALL_YEARS, measure_ids=None):
    """The results pooled by ``level`` (one row per organisation × year × measure × group), as
    :data:`COLUMNS` in that order; ``org_ids`` / ``years`` / ``measure_ids`` None: all."""
    from .models import Result

    field = RESULT_FIELD[level]
    results = Result.objects.filter(**{f"{field}__isnull": False})
    if org_ids is not None:
        results = results.filter(**{f"{field}__in": list(org_ids)})
    if years is not ALL_YEARS:
        results = results.filter(results_year__in=list(years))
    if measure_ids is not None:
        results = results.filter(measure_id__in=list(measure_ids))
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


def school_rows_query(school_ids=None, years=ALL_YEARS, measure_ids=None):
    """The school level of :func:`pooled_query` without its GROUP BY: a school has one result per year ×
    measure × group (``result_unique_fact``), so each result is its own pooled row — the same sums, worked out
    a row at a time with nothing to sort or hash."""
    from .models import Result

    results = Result.objects.all()
    if school_ids is not None:
        results = results.filter(school_id__in=list(school_ids))
    if years is not ALL_YEARS:
        results = results.filter(results_year__in=list(years))
    if measure_ids is not None:
        results = results.filter(measure_id__in=list(measure_ids))
    one, zero = Value(1), Value(0)
    return results.values(
        pooled_level=Value("school"),
        pooled_org=F("school_id"),
        pooled_year=F("results_year"),
        pooled_measure=F("measure_id"),
        pooled_group=F("pupil_group_id"),
        total_cohort=F("cohort"),
        counted=Case(When(cohort__isnull=False, then=one), default=zero),
        rows=one,
        numerator=numerator_expression(),
        value_cohort=Case(When(has_numerator(), then="cohort"), default=None),
        published=F("value"),
        marker=F("value_code"),
        provisional=Case(When(status="provisional", then=one), default=zero),
        revised=Case(When(status="revised", then=one), default=zero),
    ).order_by()


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


def roll_up(level: str, org_ids=None, years=ALL_YEARS, measure_ids=None) -> None:
    """INSERT … SELECT of a cluster's, area's or LA's pooled rows from its schools' pooled rows (kept
    already, and refreshed first): the sums add up and the largest value and marker stay the largest, so
    the result is :func:`pooled_query`'s for the level (``check_figures`` recomputes it from the results)
    without reading the results, their measures' units or their CASEs again."""
    from .models import PooledFigure, School

    qn = connection.ops.quote_name
    column = qn(SCHOOL_FIELD[level])
    where, params = [f"p.{qn('level')} = %s", f"s.{column} IS NOT NULL"], ["school"]
    for name, values in ((f"s.{column}", org_ids), ("p.results_year", years), ("p.measure_id", measure_ids)):
        if values is not None:
            values = list(values)
            where.append(f"{name} IN ({', '.join(['%s'] * len(values))})")
            params.extend(values)
    summed = {"published": "MAX", "marker": "MAX"}
    picked = ", ".join(f"{summed.get(c, 'SUM')}(p.{qn(c)})" for c in SUMS)
    key = f"s.{column}, p.{qn('results_year')}, p.{qn('measure_id')}, p.{qn('pupil_group_id')}"
    table = qn(PooledFigure._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(qn(c) for c in COLUMNS)}) SELECT %s, {key}, {picked} "
            f"FROM {table} p JOIN {qn(School._meta.db_table)} s ON s.{qn('id')} = p.{qn('org_id')} "
            f"WHERE {' AND '.join(where)} GROUP BY {key}",
            [level, *params],
        )


def roll_ups(specs, measure_ids=None) -> None:
    """The cluster, area and LA rows of ``specs`` — (level, org ids or None: all, years or ALL_YEARS), their
    stale rows deleted already — in one INSERT … SELECT: the schools' kept rows summed once by (cluster, area,
    LA, year, measure, group), a few thousand partial sums however many schools, then each level's rows summed
    from those (as :func:`roll_up` sums them from the schools' rows, which it does when there are too many
    organisations for one statement's parameters)."""
    from .models import PooledFigure, School

    specs = [(level, org_ids, years) for level, org_ids, years in specs if org_ids is None or len(org_ids)]
    if not specs:
        return
    if sum(len(org_ids) for _level, org_ids, _years in specs if org_ids is not None) > MAX_ORGS_AT_ONCE:
        for level, org_ids, years in specs:
            if org_ids is None:
                roll_up(level, None, years, measure_ids)
            for start in range(0, len(org_ids or ()), CHUNK):
                roll_up(level, org_ids[start : start + CHUNK], years, measure_ids)
        return
    qn = connection.ops.quote_name
    table = qn(PooledFigure._meta.db_table)
    fields = {level: qn(SCHOOL_FIELD[level]) for level in UPPER}
    key = [qn(c) for c in ("results_year", "measure_id", "pupil_group_id")]
    summed = {"published": "MAX", "marker": "MAX"}

    def sums(source: str, named: bool = False) -> str:
        return ", ".join(f"{summed.get(c, 'SUM')}({source}.{qn(c)})" + (f" AS {qn(c)}" if named else "") for c in SUMS)

    def among(column: str, values, params: list) -> str:
        params.extend(values)
        return f"{column} IN ({', '.join(['%s'] * len(values))})"

    # Which schools' rows: those of every organisation named (any level), in the years and measures named.
    where, params = [f"p.{qn('level')} = 'school'"], []
    named = [(fields[level], org_ids) for level, org_ids, _years in specs]
    if all(org_ids is not None for _field, org_ids in named):
        where.append("(" + " OR ".join(among(f"s.{field}", org_ids, params) for field, org_ids in named) + ")")
    if all(years is not ALL_YEARS for _level, _org_ids, years in specs):
        where.append(among(f"p.{key[0]}", sorted({y for _level, _org_ids, years in specs for y in years}), params))
    if measure_ids is not None:
        where.append(among(f"p.{key[1]}", list(measure_ids), params))
    partial_key = ", ".join([*(f"s.{field}" for field in fields.values()), *(f"p.{k}" for k in key)])
    partial = (
        f"SELECT {partial_key}, {sums('p', named=True)} "
        f"FROM {table} p JOIN {qn(School._meta.db_table)} s ON s.{qn('id')} = p.{qn('org_id')} "
        f"WHERE {' AND '.join(where)} GROUP BY {partial_key}"
    )
    selects = []
    for level, org_ids, years in specs:
        field, picked = fields[level], [f"part.{fields[level]} IS NOT NULL"]
        if org_ids is not None:
            picked.append(among(f"part.{field}", org_ids, params))
        if years is not ALL_YEARS:
            picked.append(among(f"part.{key[0]}", list(years), params))
        group = ", ".join([f"part.{field}", *(f"part.{k}" for k in key)])
        selects.append(
            f"SELECT '{level}', {group}, {sums('part')} FROM part WHERE {' AND '.join(picked)} GROUP BY {group}"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH part AS MATERIALIZED ({partial}) INSERT INTO {table} ({', '.join(qn(c) for c in COLUMNS)}) "
            + " UNION ALL ".join(selects),
            params,
        )


def work_memory() -> None:
    """PostgreSQL: room for the roll-ups' hash tables in this transaction (the default 4 MB spills to disk)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")
