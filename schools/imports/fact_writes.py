"""Writing compared facts: created facts inserted in bulk, changed facts updated in bulk, and the values they
replaced recorded (grouped :class:`ImportChange` rows) so that the batch can be rolled back."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from ..models import Benchmark, ImportChange, Result
from ..models.results import FIGURE_FIELDS
from .bulk import execute_updates, insert_values
from .changes import updated_change
from .comparing import Diff
from .facts import GEOGRAPHY_FIELDS

WRITE_FIELDS = (*FIGURE_FIELDS, "batch_id")


def int_or_none(number):
    return None if number is None or pd.isna(number) else int(number)


def decimal_or_none(number):
    return None if number is None or pd.isna(number) else Decimal(f"{float(number):.2f}")


def _figures(r, batch) -> tuple:
    """A compared fact's figures and batch, in ``WRITE_FIELDS`` order."""
    return (
        int_or_none(r.cohort),
        int_or_none(r.achievers),
        decimal_or_none(r.points),
        decimal_or_none(r.value),
        r.value_code,
        r.status,
        batch.pk,
    )


def whole_or_none(numbers: pd.Series) -> list:
    """:func:`int_or_none` of every number, column at a time."""
    floats = numbers.astype(float).to_numpy()
    missing = np.isnan(floats)
    out = np.where(missing, 0, floats).astype(np.int64).astype(object)
    out[missing] = None
    return out.tolist()


def decimals_or_none(numbers: pd.Series) -> list:
    """:func:`decimal_or_none` of every number, worked out once per distinct number."""
    positions, distinct = pd.factorize(numbers.astype(float), use_na_sentinel=False)
    decimals = np.array([decimal_or_none(number) for number in distinct], dtype=object)
    return decimals[positions].tolist()


def keyed_rows(created: pd.DataFrame, batch, *leading: list) -> list[tuple]:
    """Every created fact as a row: the ``leading`` columns (the school, or the geography), then its year,
    measure and group, figures and batch (``FACT_INSERT_FIELDS`` order). Built a column at a time, as
    :func:`int_or_none` and :func:`decimal_or_none` would build it a cell at a time: two million facts."""
    return list(
        zip(
            *leading,
            whole_or_none(created["results_year"]),
            whole_or_none(created["measure_id"]),
            whole_or_none(created["pupil_group_id"]),
            whole_or_none(created["cohort"]),
            whole_or_none(created["achievers"]),
            decimals_or_none(created["points"]),
            decimals_or_none(created["value"]),
            created["value_code"].tolist(),
            created["status"].tolist(),
            [batch.pk] * len(created),
            strict=True,
        )
    )


def write_facts(diff: Diff, *, batch, school_ids: dict[int, int]) -> list:
    """Insert created facts, update changed ones; returns ImportChange objects (unsaved) for the updates."""
    changes = []
    created = diff.results.created
    if len(created):
        # Plain tuples, not Result objects: building 100,000 model instances cost more than writing them.
        ids = [school_ids[urn] for urn in created["urn"].astype("int64").tolist()]
        insert_values(Result, ("school_id",) + FACT_INSERT_FIELDS, keyed_rows(created, batch, ids))
    created = diff.benchmarks.created
    if len(created):
        codes = created["geography_code"].tolist()
        names = [name or "" for name in created["geography_name"].tolist()]
        rows = keyed_rows(created, batch, codes, names, created["kind"].tolist())
        insert_values(Benchmark, GEOGRAPHY_FIELDS + FACT_INSERT_FIELDS, rows)
    for model, kind, updated in (
        (Result, ImportChange.Kind.RESULT, diff.results.updated),
        (Benchmark, ImportChange.Kind.BENCHMARK, diff.benchmarks.updated),
    ):
        if not len(updated):
            continue
        params = [(*_figures(r, batch), int(r.prev_id)) for r in updated.itertuples(index=False)]
        execute_updates(model, WRITE_FIELDS, params)
        changes.extend(grouped_changes(batch, kind, updated))
    return changes


PREVIOUS_COLUMNS = ["id", "cohort", "achievers", "points", "value", "value_code", "status", "batch_id"]
GROUP_SIZE = 1000


def grouped_changes(batch, kind, updated: pd.DataFrame) -> list:
    """The overwritten values, kept for rollback: one ImportChange per previous batch and 1,000 rows
    (``previous = {"columns": [...], "rows": [[id, cohort, …], …]}``), not one row per fact — 100,000
    updated facts cost ~100 inserts, not 100,000."""
    out = []
    prev_batch = updated["prev_batch_id"].astype(float)
    for batch_id, part in updated.groupby(prev_batch.fillna(-1)):
        rows = [
            [
                int(r.prev_id),
                int_or_none(r.prev_cohort),
                int_or_none(r.prev_achievers),
                _text(r.prev_points),
                _text(r.prev_value),
                r.prev_value_code,
                r.prev_status,
                int_or_none(r.prev_batch_id),
            ]
            for r in part.itertuples(index=False)
        ]
        for start in range(0, len(rows), GROUP_SIZE):
            chunk = rows[start : start + GROUP_SIZE]
            previous = {"columns": PREVIOUS_COLUMNS, "rows": chunk}
            out.append(updated_change(batch, kind, chunk[0][0], previous, None if batch_id == -1 else int(batch_id)))
    return out


def restore_params(changes) -> list[tuple]:
    """Parameters for :func:`.bulk.execute_updates` that put back what grouped changes recorded."""
    params = []
    for change in changes:
        for row in change.previous["rows"]:
            record = dict(zip(change.previous["columns"], row, strict=True))
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
