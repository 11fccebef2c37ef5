"""The floor for each page: the same pooled figures from plain hand-written SQL GROUP BYs, and from pandas on
an in-memory DataFrame. A page can hardly be faster than the queries that fetch its figures, so a page's
time is also reported as a ratio to its raw-SQL floor.

Each floor lists the GROUP BYs the page needs (scope headline figures, organisation figures for the chosen
measure, national benchmarks), with the same measures, groups and years the page uses. The floors run with
indexes of their own (``own_indexes``), made for their GROUP BYs after every page has been timed and dropped
again: the application does not keep them (each would be written for every imported fact, and no page reads
the results that way), but hand-written SQL tuned for these GROUP BYs would have them, so the floor stays the
fastest plain SQL for the figures rather than following the application's indexes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
from django.db import connection

NUMERATOR = (
    "CASE WHEN m.unit = 'percent' THEN r.achievers WHEN m.unit = 'average' THEN r.points ELSE r.value * r.cohort END"
)


@dataclass(frozen=True)
class Grouping:
    """One GROUP BY: pooled Σ cohort and Σ numerator by (key, year, measure, group) over some schools."""

    key: str | None  # school column to group by: "id", "area_id", "cluster_id", "la_id" or None
    where: tuple[str, object] | None  # school column and value that scope the rows, e.g. ("la_id", 1); None: all
    measures: tuple[str, ...]
    groups: tuple[str, ...]
    years: tuple[int, ...]
    school_id: int | None = None  # a single school (its own results)


@dataclass(frozen=True)
class National:
    measures: tuple[str, ...]
    groups: tuple[str, ...]
    years: tuple[int, ...]


def _in(values) -> str:
    return ", ".join(["%s"] * len(values))


def grouping_sql(g: Grouping) -> tuple[str, list]:
    key = f"s.{g.key}, " if g.key else ""
    if g.school_id is not None:
        scope, params = "r.school_id = %s", [g.school_id]
        join = ""
    elif g.where is None:
        scope, params = "1 = 1", []
        join = "JOIN schools_school s ON s.id = r.school_id "
    else:
        scope, params = f"s.{g.where[0]} = %s", [g.where[1]]
        join = "JOIN schools_school s ON s.id = r.school_id "
    if g.key and g.school_id is not None:
        join = "JOIN schools_school s ON s.id = r.school_id "
    sql = (
        f"SELECT {key}r.results_year, m.code, pg.code, SUM(r.cohort), SUM({NUMERATOR}) "
        f"FROM schools_result r {join}"
        "JOIN schools_measure m ON m.id = r.measure_id JOIN schools_pupilgroup pg ON pg.id = r.pupil_group_id "
        f"WHERE {scope} AND m.code IN ({_in(g.measures)}) AND pg.code IN ({_in(g.groups)}) "
        f"AND r.results_year IN ({_in(g.years)}) "
        f"GROUP BY {key}r.results_year, m.code, pg.code"
    )
    return sql, params + list(g.measures) + list(g.groups) + list(g.years)


def national_sql(n: National) -> tuple[str, list]:
    sql = (
        "SELECT b.results_year, m.code, pg.code, b.cohort, b.achievers, b.points, b.value FROM schools_benchmark b "
        "JOIN schools_measure m ON m.id = b.measure_id JOIN schools_pupilgroup pg ON pg.id = b.pupil_group_id "
        f"WHERE b.geography_code = 'E92000001' AND m.code IN ({_in(n.measures)}) AND pg.code IN ({_in(n.groups)}) "
        f"AND b.results_year IN ({_in(n.years)})"
    )
    return sql, list(n.measures) + list(n.groups) + list(n.years)


# The floors' own indexes on the results: the GROUP BYs start at measure × group (× year) and read every figure
# from the index, never the table; or at a school and its years (a school's page, an LA's schools), as the
# results' unique fact ran until 2 December (school, year, measure, group: migration 0023 put the year last, for
# the pages that read a school's figures through it, and the floors' GROUP BYs, which filter the year by value
# and the measure and group by code through a join, lost their quickest path).
OWN_INDEXES = {
    "bench_floor_cover": "measure_id, pupil_group_id, results_year, school_id, cohort, achievers, points, value",
    "bench_floor_year_measure_group": "results_year, measure_id, pupil_group_id",
    "bench_floor_school_year": "school_id, results_year, measure_id, pupil_group_id",
}


@contextmanager
def own_indexes() -> Iterator[None]:
    """The floors' indexes for the block (with fresh statistics), dropped after it."""
    with connection.cursor() as cursor:
        for name, columns in OWN_INDEXES.items():
            cursor.execute(f"CREATE INDEX {name} ON schools_result ({columns})")
        cursor.execute("ANALYZE schools_result")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name in OWN_INDEXES:
                cursor.execute(f"DROP INDEX {name}")
            cursor.execute("ANALYZE schools_result")


def run_sql(parts) -> int:
    """Run every query of a floor; returns the number of rows fetched."""
    rows = 0
    with connection.cursor() as cursor:
        for part in parts:
            sql, params = grouping_sql(part) if isinstance(part, Grouping) else national_sql(part)
            cursor.execute(sql, params)
            rows += len(cursor.fetchall())
    return rows


# --------------------------------------------------------------------------- pandas
def load_frame() -> pd.DataFrame:
    """Every result with its school's organisations, measure code/unit and group code (not timed)."""
    sql = (
        "SELECT r.school_id AS id, s.la_id, s.area_id, s.cluster_id, r.results_year, m.code AS measure, "
        "m.unit, pg.code AS grp, r.cohort, r.achievers, r.points, r.value "
        "FROM schools_result r JOIN schools_school s ON s.id = r.school_id "
        "JOIN schools_measure m ON m.id = r.measure_id JOIN schools_pupilgroup pg ON pg.id = r.pupil_group_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        columns = [c[0] for c in cursor.description]
        frame = pd.DataFrame(cursor.fetchall(), columns=columns)
    for name in ("cohort", "achievers", "points", "value"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    frame["numerator"] = frame["achievers"].where(
        frame["unit"] == "percent", frame["points"].where(frame["unit"] == "average", frame["value"] * frame["cohort"])
    )
    for name in ("measure", "grp", "unit"):
        frame[name] = frame[name].astype("category")
    return frame


def load_national() -> pd.DataFrame:
    sql = (
        "SELECT b.results_year, m.code AS measure, pg.code AS grp, b.cohort, b.achievers, b.points, b.value "
        "FROM schools_benchmark b JOIN schools_measure m ON m.id = b.measure_id "
        "JOIN schools_pupilgroup pg ON pg.id = b.pupil_group_id WHERE b.geography_code = 'E92000001'"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return pd.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description])


def run_pandas(parts, frame: pd.DataFrame, national: pd.DataFrame) -> int:
    rows = 0
    for part in parts:
        if isinstance(part, National):
            picked = national[
                national["measure"].isin(part.measures)
                & national["grp"].isin(part.groups)
                & national["results_year"].isin(part.years)
            ]
            rows += len(picked)
            continue
        if part.school_id is not None:
            scoped = frame[frame["id"] == part.school_id]
        elif part.where is None:
            scoped = frame
        else:
            scoped = frame[frame[part.where[0]] == part.where[1]]
        scoped = scoped[
            scoped["measure"].isin(part.measures)
            & scoped["grp"].isin(part.groups)
            & scoped["results_year"].isin(part.years)
        ]
        keys = ([part.key] if part.key else []) + ["results_year", "measure", "grp"]
        pooled = scoped.groupby(keys, observed=True)[["cohort", "numerator"]].sum()
        rows += len(pooled)
    return rows
