"""The pooled-figure rows kept on write (``PooledFigure``) that a read asks for, as tuples: ``schools.figures``
makes figures of them."""

from django.db.models import Q

from . import aggregates, reference_reads
from .models import PooledFigure

# A kept pooled row as ``figures._pooled`` reads it: the key, the unit, then the sums in ``aggregates.SUMS``' order.
KEPT_FIELDS = ("results_year", "measure__code", "pupil_group__code", "measure__unit", *aggregates.SUMS)


def kept(level: str, orgs: Q, *, measures, groups, years):
    """The pooled-figure rows of these organisations at ``level``; ``measures`` / ``groups`` / ``years`` None:
    all."""
    rows = PooledFigure.objects.filter(orgs, level=level)
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
        found = kept(level, orgs, measures=measures, groups=groups, years=years).values_list(*fields).order_by()
        return list(found if sums else found.distinct())
    every, all_groups = known
    rows = PooledFigure.objects.filter(orgs, level=level)
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
    found = rows.values_list(*head, "results_year", "measure_id", "pupil_group_id", *aggregates.SUMS).order_by()
    measure_of = {m.pk: m for m in every.values()}
    group_code = {g.pk: code for code, g in all_groups.items()}
    out = []
    for row in found:
        if years is not None and row[at] not in years:
            continue
        measure = measure_of[row[at + 1]]
        out.append((*row[:at], row[at], measure.code, group_code[row[at + 2]], measure.unit, *row[at + 3 :]))
    return out
