"""Facts (one figure for a school or geography × year × measure × group): validate, compare, write.

Every format parser ends in the same frame of facts (``FACT_COLUMNS``); this module checks it (all
rows, all errors), works out what would be created, updated or left alone by comparing with the
database in a few bulk queries, and writes it with bulk inserts and one ``executemany`` update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection

from ..models import Benchmark, Measure, PupilGroup, Result, School
from ..models.results import FIGURE_FIELDS
from ..reference_data import FIRST_YEAR, LAST_YEAR
from .bounds import check_bounds
from .problems import Problem, collect

RESULT, BENCHMARK = "result", "benchmark"
NUMBER_FIELDS = ("cohort", "achievers", "points", "value")
FACT_COLUMNS = [
    "target",
    "urn",
    "geography_code",
    "geography_name",
    "kind",
    "results_year",
    "measure",
    "pupil_group",
    *NUMBER_FIELDS,
    "value_code",
    "status",
    "row",
]
WRITE_FIELDS = ("cohort", "achievers", "points", "value", "value_code", "status", "batch_id")


def empty_facts() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in FACT_COLUMNS})


@dataclass
class Reference:
    """Measures and pupil groups by code, loaded once per import."""

    measures: dict[str, Measure]
    groups: dict[str, PupilGroup]

    @classmethod
    def load(cls) -> Reference:
        return cls(
            measures={m.code: m for m in Measure.objects.all()}, groups={g.code: g for g in PupilGroup.objects.all()}
        )


def half_up(number: pd.Series, digits: int = 0) -> pd.Series:
    """Round half away from zero (Python's round() rounds 2.5 to 2)."""
    scale = 10**digits
    return np.sign(number) * np.floor(np.abs(number) * scale + 0.5) / scale


# --------------------------------------------------------------------------- validation and derivation
def complete_and_validate(
    facts: pd.DataFrame,
    ref: Reference,
    problems: list[Problem],
    *,
    value_column: str = "value",
    count_column: str = "cohort",
    check_codes: bool = True,
) -> pd.DataFrame:
    """Check every fact and fill in the counts or value that follow from the others.

    Percent measures: achievers = round(value × cohort / 100), or value = achievers ÷ cohort × 100.
    Average measures: points = value × cohort, or value = points ÷ cohort. Rates keep their value.
    """
    if facts.empty:
        return facts
    facts = facts.reset_index(drop=True)
    rows = facts["row"].to_numpy()

    if check_codes:
        unknown_measure = ~facts["measure"].isin(ref.measures)
        collect(
            problems,
            unknown_measure,
            rows=rows,
            column="measure",
            values=facts["measure"],
            reason="Unknown measure code (see the measure list on the import page).",
        )
        unknown_group = ~facts["pupil_group"].isin(ref.groups)
        collect(
            problems,
            unknown_group,
            rows=rows,
            column="pupil_group",
            values=facts["pupil_group"],
            reason="Unknown pupil group code (see the group list on the import page).",
        )
    year = facts["results_year"]
    bad_year = year.isna() | (year < FIRST_YEAR) | (year > LAST_YEAR)
    collect(
        problems,
        bad_year & year.notna(),
        rows=rows,
        column="results_year",
        values=year.astype("Int64"),
        reason=f"Results year outside {FIRST_YEAR}–{LAST_YEAR}.",
    )

    unit = facts["measure"].map({c: m.unit for c, m in ref.measures.items()})
    value_added = facts["measure"].map({c: m.value_added for c, m in ref.measures.items()}).eq(True)
    percent = unit == Measure.Unit.PERCENT
    average = unit == Measure.Unit.AVERAGE

    cohort, achievers, points, value = (facts[f].astype(float) for f in NUMBER_FIELDS)
    check_bounds(facts, ref, problems, value_column=value_column, count_column=count_column)
    collect(problems, cohort < 0, rows=rows, column=count_column, values=cohort, reason="Negative pupil count.")
    collect(
        problems,
        cohort.notna() & (np.floor(cohort) != cohort),
        rows=rows,
        column=count_column,
        values=cohort,
        reason="A pupil count must be a whole number.",
    )
    collect(
        problems, achievers < 0, rows=rows, column="achievers", values=achievers, reason="Negative count of achievers."
    )
    collect(
        problems,
        achievers.notna() & (np.floor(achievers) != achievers),
        rows=rows,
        column="achievers",
        values=achievers,
        reason="Achievers must be a whole number.",
    )
    collect(
        problems,
        achievers.notna() & ~percent & unit.notna(),
        rows=rows,
        column="achievers",
        values=achievers,
        reason="Achievers are for percentage measures; give points (averages) or value (rates).",
    )
    collect(
        problems,
        points.notna() & ~average & unit.notna(),
        rows=rows,
        column="points",
        values=points,
        reason="Points are for average-score measures; give achievers (percentages) or value (rates).",
    )
    collect(
        problems,
        achievers.notna() & cohort.notna() & (achievers > cohort),
        rows=rows,
        column="achievers",
        values=achievers,
        reason="More achievers than pupils in the cohort.",
    )
    collect(
        problems,
        percent & value.notna() & ((value < 0) | (value > 100)),
        rows=rows,
        column=value_column,
        values=value,
        reason="A percentage must be between 0 and 100.",
    )
    collect(
        problems,
        ~value_added & ~percent & unit.notna() & (value < 0),
        rows=rows,
        column=value_column,
        values=value,
        reason="Negative value for a measure that cannot be negative.",
    )
    collect(
        problems,
        ~value_added & (points < 0),
        rows=rows,
        column="points",
        values=points,
        reason="Negative points for a measure that cannot be negative.",
    )
    has_counts = achievers.notna() | points.notna()
    collect(
        problems,
        has_counts & cohort.isna() & (facts["target"] == RESULT),
        rows=rows,
        column=count_column,
        values=facts["cohort"],
        reason="Achievers or points need the cohort (pupils in the group).",
    )
    collect(
        problems,
        has_counts & (cohort == 0),
        rows=rows,
        column=count_column,
        values=cohort,
        reason="A cohort of 0 cannot have achievers or points.",
    )

    has_figure = value.notna() | has_counts
    flagged = pd.Series(np.isin(rows, [p.row for p in problems if p.is_error and p.row]), index=facts.index)
    collect(
        problems,
        ~has_figure & (facts["value_code"] == "") & ~flagged,
        rows=rows,
        column=value_column,
        values=facts["value_code"],
        reason="No figure: give a count, a value or a marker (SUPP, NE, x, c…) — a blank is not zero.",
    )

    # Validity of the measure in the year (e.g. KS2 progress scores ended in 2023).
    first = facts["measure"].map({c: m.first_year for c, m in ref.measures.items()})
    last = facts["measure"].map({c: m.last_year for c, m in ref.measures.items()})
    # A figure the file gives is published: outside the measure's listed years it is imported with a note.
    out_of_range = has_figure & ((first.notna() & (year < first)) | (last.notna() & (year > last)))
    if out_of_range.any():
        for (measure, when), part in facts[out_of_range].groupby(["measure", "results_year"]):
            span = f"{_year_text(ref.measures[measure].first_year)}–{_year_text(ref.measures[measure].last_year)}"
            problems.append(
                Problem(
                    row=int(part["row"].iloc[0]),
                    column="results_year",
                    value=str(int(when)),
                    level=Problem.WARNING,
                    reason=(
                        f"{len(part)} figure(s) for {measure} in {int(when)}, outside the years listed for it ({span}): "
                        f"imported, as the file publishes them."
                    ),
                )
            )

    # Derive counts and values.
    usable = cohort.notna() & (cohort > 0)
    achievers = achievers.where(~(percent & achievers.isna() & value.notna() & usable), half_up(value * cohort / 100))
    points = points.where(~(average & points.isna() & value.notna() & usable), half_up(value * cohort, 2))
    computed = pd.Series(np.nan, index=facts.index)
    computed = computed.where(~(percent & achievers.notna() & usable), achievers * 100 / cohort)
    computed = computed.where(~(average & points.notna() & usable), points / cohort)
    value = value.where(value.notna(), half_up(computed, 2))
    facts = facts.assign(cohort=cohort, achievers=achievers, points=half_up(points, 2), value=half_up(value, 2))
    # A number, once present, has no marker.
    facts.loc[facts["value"].notna(), "value_code"] = ""

    # Duplicates within the file.
    key = ["target", "urn", "geography_code", "results_year", "measure", "pupil_group"]
    keyed = facts[key].astype(str)
    duplicated = keyed.duplicated(keep="first")
    if duplicated.any():
        first_rows = facts.loc[~keyed.duplicated(keep=False) | ~duplicated].assign(_k=keyed.agg("|".join, axis=1))
        first_row_of = dict(zip(first_rows["_k"], first_rows["row"]))
        dup_keys = keyed[duplicated].agg("|".join, axis=1)
        for row, k in zip(facts.loc[duplicated, "row"], dup_keys):
            problems.append(
                Problem(
                    row=int(row),
                    column="",
                    value=k.replace("|nan", "").replace("|None", ""),
                    reason=f"Duplicate fact: the same school/geography, year, measure and group "
                    f"as row {first_row_of.get(k)}.",
                )
            )
    return facts


def _year_text(year) -> str:
    return str(year) if year else "…"


# --------------------------------------------------------------------------- comparing with the database
@dataclass
class FactDiff:
    created: pd.DataFrame
    updated: pd.DataFrame  # with the existing row's id and previous values (prev_*)
    unchanged: int

    @property
    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": len(self.updated), "unchanged": self.unchanged}


@dataclass
class Diff:
    results: FactDiff
    benchmarks: FactDiff
    samples: list[dict] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {k: self.results.counts[k] + self.benchmarks.counts[k] for k in ("created", "updated", "unchanged")}


def _ids(facts: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    return facts.assign(
        measure_id=facts["measure"].map({c: m.pk for c, m in ref.measures.items()}),
        pupil_group_id=facts["pupil_group"].map({c: g.pk for c, g in ref.groups.items()}),
    )


def _same(a: pd.Series, b: pd.Series, tolerance: float = 0.0) -> pd.Series:
    a, b = a.astype(float), b.astype(float)
    return (a.isna() & b.isna()) | ((a - b).abs() <= tolerance + 1e-9)


def _existing(model, filters: dict, fields: list[str]) -> pd.DataFrame:
    columns = ["id", *fields, "cohort", "achievers", "points", "value", "value_code", "status", "batch_id"]
    rows = list(model.objects.filter(**filters).values_list(*columns))
    frame = pd.DataFrame(rows, columns=columns)
    for name in ("cohort", "achievers", "points", "value"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    return frame


def _compare(
    incoming: pd.DataFrame, existing: pd.DataFrame, key: list[str], *, value_only_keeps_counts: bool
) -> FactDiff:
    if incoming.empty:
        return FactDiff(incoming, incoming, 0)
    prev = existing.rename(columns={c: f"prev_{c}" for c in existing.columns if c not in key})
    merged = incoming.merge(prev, on=key, how="left", validate="one_to_one")
    known = merged["prev_id"].notna()
    same = (
        _same(merged["cohort"], merged["prev_cohort"])
        & _same(merged["achievers"], merged["prev_achievers"])
        & _same(merged["points"], merged["prev_points"], 0.005)
        & _same(merged["value"], merged["prev_value"], 0.005)
        & (merged["value_code"] == merged["prev_value_code"])
        & (merged["status"] == merged["prev_status"])
    )
    if value_only_keeps_counts:
        # A source that publishes only a value (LAIT) leaves a richer fact with the same value alone.
        value_only = merged["cohort"].isna() & merged["achievers"].isna() & merged["points"].isna()
        same_value = _same(merged["value"], merged["prev_value"], 0.005) & (
            merged["value_code"] == merged["prev_value_code"]
        )
        same = same | (value_only & same_value & (merged["status"] == merged["prev_status"]))
    created = merged[~known]
    updated = merged[known & ~same]
    return FactDiff(
        created=created.reset_index(drop=True),
        updated=updated.reset_index(drop=True),
        unchanged=int((known & same).sum()),
    )


def diff_facts(facts: pd.DataFrame, ref: Reference, *, school_ids: dict[int, int]) -> Diff:
    """What writing ``facts`` would do. ``school_ids`` maps URN → id for schools that already exist."""
    facts = _ids(facts, ref)
    results = facts[facts["target"] == RESULT].copy()
    benchmarks = facts[facts["target"] == BENCHMARK].copy()

    results["school_id"] = results["urn"].map(school_ids)
    known = results[results["school_id"].notna()].copy()
    known["school_id"] = known["school_id"].astype(np.int64)
    key = ["school_id", "results_year", "measure_id", "pupil_group_id"]
    if len(known):
        existing = _existing(
            Result,
            {
                "school_id__in": sorted(set(known["school_id"].tolist())),
                "results_year__in": sorted(set(known["results_year"].astype(int).tolist())),
                "measure_id__in": sorted(set(known["measure_id"].tolist())),
            },
            key[:1] + key[1:],
        )
        for column in key:
            known[column] = known[column].astype(np.int64)
            existing[column] = existing[column].astype(np.int64)
        result_diff = _compare(known, existing, key, value_only_keeps_counts=False)
    else:
        result_diff = FactDiff(known, known, 0)
    new_school_facts = results[results["school_id"].isna()]
    result_diff.created = pd.concat([result_diff.created, new_school_facts], ignore_index=True)

    bkey = ["geography_code", "results_year", "measure_id", "pupil_group_id"]
    if len(benchmarks):
        existing = _existing(
            Benchmark,
            {
                "geography_code__in": sorted(set(benchmarks["geography_code"].tolist())),
                "results_year__in": sorted(set(benchmarks["results_year"].astype(int).tolist())),
                "measure_id__in": sorted(set(benchmarks["measure_id"].tolist())),
            },
            bkey,
        )
        for column in bkey[1:]:
            benchmarks[column] = benchmarks[column].astype(np.int64)
            existing[column] = existing[column].astype(np.int64)
        bench_diff = _compare(benchmarks, existing, bkey, value_only_keeps_counts=True)
    else:
        bench_diff = FactDiff(benchmarks, benchmarks, 0)

    samples = []
    for frame, label in ((result_diff.updated, "urn"), (bench_diff.updated, "geography_code")):
        for record in frame.head(100).to_dict("records"):
            samples.append(
                {
                    "where": str(record[label] if label == "geography_code" else int(record["urn"])),
                    "year": int(record["results_year"]),
                    "measure": record["measure"],
                    "group": record["pupil_group"],
                    "before": _describe(record, "prev_"),
                    "after": _describe(record, ""),
                    "row": int(record["row"]),
                }
            )
    return Diff(results=result_diff, benchmarks=bench_diff, samples=samples)


def lost_cohort_problems(diff: Diff, columns: dict) -> list[Problem]:
    """Updates that would replace a figure that has its cohort with one that has none: refused (less information
    must not overwrite more). ``columns`` maps (measure, group) → (count column, value column) for the message."""
    problems = []
    for frame in (diff.results.updated, diff.benchmarks.updated):
        if not len(frame):
            continue
        lost = frame[frame["prev_cohort"].notna() & frame["cohort"].isna()]
        for (measure, group), part in lost.groupby(["measure", "pupil_group"]):
            count_column = columns.get((measure, group), ("cohort",))[0]
            problems.append(
                Problem(
                    row=int(part["row"].iloc[0]),
                    column=count_column,
                    value=f"{len(part)} figure(s)",
                    reason=(
                        f"The file would replace {len(part)} figure(s) for {measure}, {group} "
                        f"that have a pupil count with figures that have none (the cohort "
                        f"would be lost): nothing is imported."
                    ),
                )
            )
    return problems


def _describe(record: dict, prefix: str) -> str:
    parts = []
    for name in NUMBER_FIELDS:
        number = record.get(prefix + name)
        if number is not None and not pd.isna(number):
            parts.append(f"{name} {float(number):g}")
    code = record.get(prefix + "value_code")
    if code:
        parts.append(f"marker {code}")
    return ", ".join(parts) or "no figure"


# --------------------------------------------------------------------------- writing
def _int(number):
    return None if number is None or pd.isna(number) else int(number)


def _dec(number):
    return None if number is None or pd.isna(number) else Decimal(f"{float(number):.2f}")


def write_facts(diff: Diff, *, batch, school_ids: dict[int, int]) -> list:
    """Insert created facts, update changed ones; returns ImportChange objects (unsaved) for the updates."""
    from ..models import ImportChange

    changes = []
    created = diff.results.created
    if len(created):
        # Plain tuples, not Result objects: building 100,000 model instances cost more than writing them.
        rows = [
            (
                school_ids[int(r.urn)],
                int(r.results_year),
                int(r.measure_id),
                int(r.pupil_group_id),
                _int(r.cohort),
                _int(r.achievers),
                _dec(r.points),
                _dec(r.value),
                r.value_code,
                r.status,
                batch.pk,
            )
            for r in created.itertuples(index=False)
        ]
        insert_values(Result, ("school_id",) + FACT_INSERT_FIELDS, rows)
    created = diff.benchmarks.created
    if len(created):
        rows = [
            (
                r.geography_code,
                r.geography_name or "",
                r.kind,
                int(r.results_year),
                int(r.measure_id),
                int(r.pupil_group_id),
                _int(r.cohort),
                _int(r.achievers),
                _dec(r.points),
                _dec(r.value),
                r.value_code,
                r.status,
                batch.pk,
            )
            for r in created.itertuples(index=False)
        ]
        insert_values(Benchmark, ("geography_code", "geography_name", "kind") + FACT_INSERT_FIELDS, rows)
    for model, kind, updated in (
        (Result, ImportChange.Kind.RESULT, diff.results.updated),
        (Benchmark, ImportChange.Kind.BENCHMARK, diff.benchmarks.updated),
    ):
        if not len(updated):
            continue
        params = [
            (
                _int(r.cohort),
                _int(r.achievers),
                _dec(r.points),
                _dec(r.value),
                r.value_code,
                r.status,
                batch.pk,
                int(r.prev_id),
            )
            for r in updated.itertuples(index=False)
        ]
        execute_updates(model, WRITE_FIELDS, params)
        changes.extend(grouped_changes(batch, kind, updated))
    return changes


PREVIOUS_COLUMNS = ["id", "cohort", "achievers", "points", "value", "value_code", "status", "batch_id"]
GROUP_SIZE = 1000


def grouped_changes(batch, kind, updated: pd.DataFrame) -> list:
    """The overwritten values, kept for rollback: one ImportChange per previous batch and 1,000 rows
    (``previous = {"columns": [...], "rows": [[id, cohort, …], …]}``), not one row per fact — 100,000
    updated facts cost ~100 inserts, not 100,000."""
    from ..models import ImportChange

    out = []
    prev_batch = updated["prev_batch_id"].astype(float)
    for batch_id, part in updated.groupby(prev_batch.fillna(-1)):
        rows = [
            [
                int(r.prev_id),
                _int(r.prev_cohort),
                _int(r.prev_achievers),
                _text(r.prev_points),
                _text(r.prev_value),
                r.prev_value_code,
                r.prev_status,
                _int(r.prev_batch_id),
            ]
            for r in part.itertuples(index=False)
        ]
        for start in range(0, len(rows), GROUP_SIZE):
            chunk = rows[start : start + GROUP_SIZE]
            out.append(
                ImportChange(
                    batch=batch,
                    kind=kind,
                    object_id=chunk[0][0],
                    action=ImportChange.Action.UPDATED,
                    previous={"columns": PREVIOUS_COLUMNS, "rows": chunk},
                    previous_batch_id=None if batch_id == -1 else int(batch_id),
                )
            )
    return out


def restore_params(changes) -> list[tuple]:
    """Parameters for :func:`execute_updates` that put back what grouped changes recorded."""
    params = []
    for change in changes:
        for row in change.previous["rows"]:
            record = dict(zip(change.previous["columns"], row))
            params.append(
                (
                    record["cohort"],
                    record["achievers"],
                    None if record["points"] is None else Decimal(record["points"]),
                    None if record["value"] is None else Decimal(record["value"]),
                    record["value_code"],
                    record["status"],
                    record["batch_id"],
                    record["id"],
                )
            )
    return params


def updated_ids(changes) -> list[int]:
    return [row[0] for change in changes for row in change.previous["rows"]]


def _text(number):
    return None if number is None or pd.isna(number) else f"{float(number):.2f}"


FACT_INSERT_FIELDS = (
    "results_year",
    "measure_id",
    "pupil_group_id",
    *FIGURE_FIELDS,
    "batch_id",
)


def insert_values(model, names: tuple[str, ...], rows: list[tuple]):
    """Insert new rows given as tuples of ``names`` (attnames); other columns get their defaults.
    PostgreSQL: COPY; SQLite and others: one ``executemany``."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = {name: index for index, name in enumerate(names)}
    unknown = set(given) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no column(s) {sorted(unknown)}")
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in given}
    order = [given.get(f.attname) for f in fields]
    if len(given) < len(fields):
        rows = [tuple(row[i] if i is not None else defaults[f.attname] for i, f in zip(order, fields)) for row in rows]
    else:
        rows = [tuple(row[i] for i in order) for row in rows]
    quote = connection.ops.quote_name
    table, names_sql = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({names_sql}) VALUES ({', '.join(['%s'] * len(fields))})", rows)


def execute_updates(model, fields, params: list[tuple]):
    """Update many rows by id in bulk (each tuple: the new values in ``fields`` order, then the id).

    PostgreSQL: COPY into a temporary table, then one ``UPDATE … FROM``; SQLite: one ``executemany``.
    """
    if not params:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            meta = model._meta
            types = [meta.get_field(f[:-3] if f.endswith("_id") else f).db_type(connection) for f in fields]
            columns = ", ".join(f"{quote(f)} {t}" for f, t in zip(fields, types))
            names = ", ".join(quote(f) for f in fields)
            cursor.execute(f"CREATE TEMPORARY TABLE _gm_update (id {meta.pk.db_type(connection)}, {columns})")
            with cursor.cursor.copy(f"COPY _gm_update (id, {names}) FROM STDIN") as copy:
                for row in params:
                    copy.write_row((row[-1], *row[:-1]))
            assignments = ", ".join(f"{quote(f)} = v.{quote(f)}" for f in fields)
            cursor.execute(f"UPDATE {table} AS t SET {assignments} FROM _gm_update v WHERE t.{quote('id')} = v.id")
            cursor.execute("DROP TABLE _gm_update")
            return
        assignments = ", ".join(f"{quote(f)} = %s" for f in fields)
        sql = f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s"
        cursor.executemany(sql, [tuple(float(v) if isinstance(v, Decimal) else v for v in p) for p in params])


def school_id_map(urns) -> dict[int, int]:
    urns = sorted({int(u) for u in urns if u is not None and not pd.isna(u)})
    out = {}
    for start in range(0, len(urns), 5000):
        out.update(School.objects.filter(urn__in=urns[start : start + 5000]).values_list("urn", "id"))
    return out
