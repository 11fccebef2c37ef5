"""The pooled rows a read asks for, as tuples: ``schools.figures`` makes figures of them. A cluster's, area's or
LA's are kept on write (``PooledFigure``); a school's are its results, each its own pooled row
(``pooling.school_rows``)."""

from django.db import connections
from django.db.models import FloatField, IntegerField, Q
from django.db.models.functions import Cast
from django.db.models.sql.constants import MULTI

from . import aggregates, reference_reads
from .models import PooledFigure
from .pooling import school_rows

# A kept pooled row as ``figures._pooled`` reads it: the key, the unit, then the sums in ``aggregates.SUMS``' order.
KEPT_FIELDS = ("results_year", "measure__code", "pupil_group__code", "measure__unit", *aggregates.SUMS)


def rows_of(level: str, orgs: Q, *, sums: bool = True, units: dict | None = None):
    """The pooled rows of these organisations (``orgs``: a filter on ``org_id``) at ``level``: a school's read
    from its results, through the unique fact (school, measure, group, year); the others' kept, through the
    key (level, organisation, measure, group, year). Both have ``PooledFigure``'s column names. ``sums`` and
    ``units``: a school's, :func:`.pooling.school_rows`."""
    if level == "school":
        return school_rows(orgs, sums=sums, units=units)
    return PooledFigure.objects.filter(orgs, level=level)


def kept(level: str, orgs: Q, *, measures, groups, years, sums: bool = True):
    """The pooled rows of these organisations at ``level``; ``measures`` / ``groups`` / ``years`` None: all;
    ``sums`` False: their keys alone."""
    rows = rows_of(level, orgs, sums=sums)
    if years is not None:
        rows = rows.filter(results_year__in=list(years))
    if measures is not None:
        rows = rows.filter(measure__code__in=list(measures))
    if groups is not None:
        rows = rows.filter(pupil_group__code__in=list(groups))
    return rows


def kept_rows(level: str, orgs: Q, *, measures, groups, years, keyed: bool, sums: bool = True) -> list[tuple]:
    """The kept rows asked, as tuples ([org_id,] year, measure_code, group_code, unit, *sums); ``sums`` False: the
    distinct ([org_id,] year) alone. Once the request has read every measure and group (a page's options do),
    measures and groups are filtered by id and years by their range (the exact years picked here), so the index
    (level, org, measure, group, year) is walked once per organisation × measure × group: filtered by code
    through joins, or by each year, PostgreSQL scanned every figure of the level (a cluster board: 100,000 rows
    for 7,000)."""
    known = reference_reads.remembered()
    head = ("org_id",) if keyed else ()
    if known is None:
        fields = head + (KEPT_FIELDS if sums else ("results_year",))
        found = kept(level, orgs, measures=measures, groups=groups, years=years, sums=sums)
        found = found.values_list(*fields).order_by()
        return tuples(found if sums else found.distinct())
    every, all_groups = known
    units: dict[str, list[int]] = {}
    for measure in every.values():
        units.setdefault(measure.unit, []).append(measure.pk)
    rows = rows_of(level, orgs, sums=sums, units=units)
    if measures is not None:
        rows = rows.filter(measure_id__in=[every[c].pk for c in measures if c in every])
    if groups is not None:
        rows = rows.filter(pupil_group_id__in=[all_groups[c].pk for c in groups if c in all_groups])
    if years is not None:
        years = set(years)
        if not years:
            return []
        rows = rows.filter(results_year__gte=min(years), results_year__lte=max(years))
    at = len(head)
    if not sums:
        found = rows.values_list(*head, "results_year").order_by().distinct()
        return [row for row in found if years is None or row[at] in years]
    found = rows.values_list(*head, "results_year", "measure_id", "pupil_group_id", *_SUMS_AS_READ).order_by()
    measure_of = {m.pk: (m.code, m.unit) for m in every.values()}
    group_code = {g.pk: code for code, g in all_groups.items()}
    out = []
    for row in tuples(found):
        if years is not None and row[at] not in years:
            continue
        code, unit = measure_of[row[at + 1]]
        out.append((*row[: at + 1], code, group_code[row[at + 2]], unit, *row[at + 3 :]))
    return out


def tuples(queryset) -> list[tuple]:
    """The rows of a ``values()`` / ``values_list()`` queryset as tuples, each column converted as the ORM
    converts it but a column at a time, and a column that needs nothing (an integer column the database already
    returns as ints, a float cast in the query) left as read: Django converts row by row, which was most of the
    time of reading a few thousand kept rows (a cluster board reads ~7,000)."""
    query = queryset.query
    compiler = query.get_compiler(using=queryset.db)
    raw = [row for chunk in compiler.execute_sql(MULTI, chunk_size=_CHUNK) or () for row in chunk]
    if not raw:
        return []
    width = len(query.extra_select) + len(query.values_select) + len(query.annotation_select)
    converters = compiler.get_converters([s[0] for s in compiler.select[:width]])
    if not converters:
        return [tuple(row[:width]) for row in raw] if len(raw[0]) != width else raw
    columns = [list(column) for column in zip(*raw, strict=True)][:width]
    connection = connections[queryset.db]
    for index, (functions, expression) in converters.items():
        column = columns[index]
        if isinstance(expression.output_field, IntegerField) and all(v is None or type(v) is int for v in column):
            continue
        if isinstance(expression.output_field, FloatField) and all(v is None or type(v) is float for v in column):
            continue
        for function in functions:
            column = [function(value, expression, connection) for value in column]
        columns[index] = column
    return list(zip(*columns, strict=True))


_CHUNK = 2000  # rows a fetch: Django's default of 100 costs a round of fetchmany per 100 rows


# ``aggregates.SUMS`` as ``kept_rows`` reads them: the published value as a float, which is all a figure makes of it
# (``figures._figure``); read as a decimal, each row went through the backend's decimal converter.
_SUMS_AS_READ = tuple(Cast(name, FloatField()) if name == "published" else name for name in aggregates.SUMS)
