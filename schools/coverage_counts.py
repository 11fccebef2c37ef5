"""How much of an LA a results year covers: its open schools of a measure's phases with a result for the measure,
out of all of them (``published.Coverage``), for the notes a page writes when a year covers too few schools."""

from django.db import connection

from .models import Measure, Result, School
from .published import Coverage, key_stage_phases


def coverage(la, *, measures: list[Measure], years, only=None) -> dict[tuple[int, str], Coverage]:
    """{(year, measure_code): Coverage}: the LA's open schools of the measure's phases that have a result for
    the measure that year, out of all its open schools of those phases. One query. ``only``: just these
    (year, measure_code) pairs of the years × measures (a page's rows each show one year)."""
    years = list(years)
    wanted = [(year, measure) for year in years for measure in measures if only is None or (year, measure.code) in only]
    open_by_phase: dict[str, int] = {}
    with_figures: dict[tuple, int] = {}
    for phase, schools, *counts in _schools_with_results(la, wanted):
        open_by_phase[phase] = schools
        for (year, measure), count in zip(wanted, counts, strict=True):
            with_figures[(year, measure.code, phase)] = count
    labels = dict(School.Phase.choices)
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


def _schools_with_results(la, wanted) -> list[tuple]:
    """(phase, open schools, then for each (year, measure) of ``wanted`` how many of them have a result) for the
    LA's open schools, in one query: an indexed look-up per school and pair (the results' unique key starts with
    the school), not a count over every result of those years, and only for schools of the measure's phases
    (``key_stage_phases``: coverage counts no others, so a secondary school is never looked up for KS2).
    Written as SQL: the ORM took longer to build the query (a filtered count over a subquery per pair) than the
    database took to run it."""
    school, result = (connection.ops.quote_name(model._meta.db_table) for model in (School, Result))
    exists = (
        f"CASE WHEN EXISTS (SELECT 1 FROM {result} r WHERE r.school_id = s.id AND r.results_year = %s "
        f"AND r.measure_id = %s) THEN 1 ELSE 0 END"
    )
    columns, params = [], []
    for year, measure in wanted:
        phases = key_stage_phases(measure.key_stage.code)
        if phases:  # CASE, not AND: the database may not look the school up unless it is of those phases
            marks = ", ".join(["%s"] * len(phases))
            columns.append(f", SUM(CASE WHEN s.phase IN ({marks}) THEN {exists} ELSE 0 END)")
            params += [*phases, year, measure.pk]
        else:
            columns.append(f", SUM({exists})")
            params += [year, measure.pk]
    sql = (
        f"SELECT s.phase, COUNT(*){''.join(columns)} FROM {school} s WHERE s.la_id = %s AND s.status = %s "
        "GROUP BY s.phase"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, la.pk, School.Status.OPEN])
        return cursor.fetchall()
