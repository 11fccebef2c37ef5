"""Writing compared facts: created facts inserted in bulk, changed facts updated in bulk, and the values they
replaced recorded (grouped :class:`ImportChange` rows) so that the batch can be rolled back."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from ..models import Benchmark, ImportChange, Result
from ..models.results import FIGURE_FIELDS
from .bulk import execute_updates, insert_columns
from .changes import updated_change
from .comparing import Diff

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


def whole_or_none(numbers) -> list:
    """:func:`int_or_none` of every number, column at a time."""
    floats = np.asarray(numbers, dtype=float)
    missing = np.isnan(floats)
    out = np.where(missing, 0, floats).astype(np.int64).astype(object)
    out[missing] = None
    return out.tolist()


def _wholes(numbers: pd.Series, order: np.ndarray):
    """A column of whole numbers (or None) in ``order``, made a slice at a time (:func:`.bulk.insert_columns`)."""
    floats = numbers.to_numpy(dtype=float)  # the column itself when it holds floats: no copy of it in ``order``
    return lambda start, stop: whole_or_none(floats[order[start:stop]])


def _decimal_texts(numbers: pd.Series, order: np.ndarray):
    """A column of two-place decimals in ``order``, each distinct number written once as the text of
    :func:`decimal_or_none` (what the database is sent for a ``Decimal`` either way: SQLite's adapter and
    PostgreSQL's COPY write ``str(Decimal)``), made a slice at a time."""
    positions, distinct = pd.factorize(numbers.astype(float), use_na_sentinel=False)
    texts = np.array([_text(number) for number in distinct], dtype=object)
    return lambda start, stop: texts[positions[order[start:stop]]].tolist()


def _objects(values, order: np.ndarray):
    cells = np.asarray(values, dtype=object)
    return lambda start, stop: cells[order[start:stop]].tolist()


def fact_columns(created: pd.DataFrame, batch, order: np.ndarray) -> dict:
    """Every created fact's year, measure, group, figures and batch (``FACT_INSERT_FIELDS``), in ``order``, as
    :func:`.bulk.insert_columns` takes them: each column made a chunk at a time, as :func:`int_or_none` and
    :func:`decimal_or_none` would make it a cell at a time (two million facts in a national file)."""
    return {
        "results_year": _wholes(created["results_year"], order),
        "measure_id": _wholes(created["measure_id"], order),
        "pupil_group_id": _wholes(created["pupil_group_id"], order),
        "cohort": _wholes(created["cohort"], order),
        "achievers": _wholes(created["achievers"], order),
        "points": _decimal_texts(created["points"], order),
        "value": _decimal_texts(created["value"], order),
        "value_code": _objects(created["value_code"], order),
        "status": _objects(created["status"], order),
        "batch_id": lambda start, stop: [batch.pk] * (stop - start),
    }


def _key_order(*keys) -> np.ndarray:
    """Rows in the order of the facts' unique key: each index is then written near where it was last written,
    not all over (two million rows into an indexed table)."""
    return np.lexsort([np.asarray(key, dtype=float) for key in reversed(keys)])


def write_facts(diff: Diff, *, batch, school_ids: dict[int, int]) -> list:
    """Insert created facts, update changed ones; returns ImportChange objects (unsaved) for the updates."""
    changes = []
    created = diff.results.created
    if len(created):
        # Columns, not Result objects: building two million model instances cost more than writing them.
        ids = created["urn"].map(school_ids).to_numpy(dtype=np.int64)
        keys = (created["measure_id"], created["pupil_group_id"], created["results_year"])
        order = _key_order(ids, *keys)
        columns = {
            "school_id": lambda start, stop: ids[order[start:stop]].tolist(),
            **fact_columns(created, batch, order),
        }
        insert_columns(Result, columns, len(created))
    created = diff.benchmarks.created
    if len(created):
        order = np.arange(len(created))
        names = [name or "" for name in created["geography_name"].tolist()]
        columns = {
            "geography_code": _objects(created["geography_code"], order),
            "geography_name": _objects(names, order),
            "kind": _objects(created["kind"], order),
            **fact_columns(created, batch, order),
        }
        insert_columns(Benchmark, columns, len(created))
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
