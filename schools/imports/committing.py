"""Writing a checked plan: one transaction per import, holding the import lock, recording what it changed
(:class:`ImportChange`) so that the batch can be rolled back."""

from __future__ import annotations

from pathlib import Path
from typing import Unpack

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from .. import aggregates, request_memo
from ..models import ImportBatch, ImportChange, Result
from . import context as context_import
from . import preview
from .bulk import analyze_after_bulk, pooling_memory
from .fact_writes import write_facts
from .facts import school_id_map
from .locking import hold_import_lock, import_transaction
from .neighbours import write_neighbours
from .planning import ImportPlan, ReadOptions, build_plan
from .problems import ImportRejected
from .reading import sha256
from .register_writes import create_las, create_schools, write_register

MAX_STORED_PROBLEMS = 50_000


@transaction.atomic
def commit_plan(
    *,
    plan: ImportPlan,
    user=None,
    file_size: int = 0,
    file_hash: str = "",
    batch: ImportBatch | None = None,
    on_stage=None,
) -> ImportBatch:
    """Write the plan in one transaction; any failure leaves the database as it was. ``on_stage``: called with
    each stage reached, "writing" then "pooling" (the background import's progress, :mod:`.progress`).

    The plan must have been built while holding the import lock (:func:`import_file`, ``confirm_batch``):
    a plan built before another import committed would record the wrong "previous" figures.
    """
    hold_import_lock()
    if plan.has_errors:
        raise ImportRejected(f"The file has {len(plan.errors)} error(s): nothing was imported.", plan.errors)
    if on_stage is not None:
        on_stage("writing")
    if batch is None:
        batch = ImportBatch(
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
            file_name=Path(plan.file_name).name[:255],
            file_size=file_size,
            sha256=file_hash,
        )
    batch.format = plan.format
    batch.results_year = plan.results_year
    batch.save()
    changes: list[ImportChange] = []

    las = create_las(plan.new_las, batch, changes)
    if plan.register is not None:
        write_register(plan.register, batch, changes, las, user)
    if plan.new_schools:
        create_schools(plan.new_schools, batch, changes, las, user)
    touched = aggregates.Touched()
    if plan.diff is not None:
        urns = [plan.diff.results.created["urn"].unique(), plan.diff.results.updated["urn"].unique()]
        school_ids = school_id_map(pd.Series(np.concatenate(urns)).dropna().tolist())
        changes.extend(write_facts(plan.diff, batch=batch, school_ids=school_ids))
        analyze_after_bulk(Result, len(plan.diff.results.created))
        _touch_written(touched, plan.diff, school_ids)
    if plan.neighbours is not None:
        changes.extend(write_neighbours(plan.neighbours, batch))
    if plan.context is not None:
        changes.extend(context_import.write(plan.context, batch))
    ImportChange.objects.bulk_create(changes, batch_size=2000)
    if on_stage is not None:
        on_stage("pooling")
    _repool(touched, changes)

    counts = plan.counts
    batch.rows_read = plan.rows_read
    batch.created_count, batch.updated_count, batch.unchanged_count = (
        counts["created"],
        counts["updated"],
        counts["unchanged"],
    )
    batch.error_count = 0
    batch.problems = [p.as_dict() for p in plan.problems[:MAX_STORED_PROBLEMS]]
    batch.summary = preview.summary(plan)
    batch.status = ImportBatch.Status.COMMITTED  # only now: until then the page says it is still running
    batch.committed_at = timezone.now()
    batch.save()
    return batch


def _touch_written(touched: aggregates.Touched, diff, school_ids: dict[int, int]) -> None:
    """What the plan's facts touch once written: the schools × years of the results it creates or overwrites,
    and the geographies of its benchmarks — taken from the plan in memory, as ``aggregates.touch_batch`` would
    read them back from the rows carrying the batch's id (a query over two million rows for a national file)."""
    results = [frame[["urn", "results_year"]] for frame in (diff.results.created, diff.results.updated)]
    pairs = pd.concat(results).dropna().drop_duplicates()
    touched.add(
        [(school_ids[int(urn)], int(year)) for urn, year in pairs.itertuples(index=False)],
        before=False,  # written already: where the schools sit now is read once, at the refresh
    )
    codes = [frame["geography_code"] for frame in (diff.benchmarks.created, diff.benchmarks.updated)]
    touched.add_published(pd.concat(codes).dropna().unique().tolist())


def _repool(touched: aggregates.Touched, changes: list[ImportChange]) -> None:
    """Pooled figures of what the batch touched, in its transaction: the results it wrote (``touched``: their
    schools' years), and every year of the schools it moved between LA, area or cluster (old places and new)."""
    for change in changes:
        if change.kind == ImportChange.Kind.SCHOOL and change.action == ImportChange.Action.UPDATED:
            previous = change.previous or {}
            for level in ("la", "area", "cluster"):
                touched.add_orgs(level, [previous.get(f"{level}_id")])
            touched.add(schools=[change.object_id], before=False)
    with pooling_memory():
        touched.refresh()
    request_memo.clear()


# --------------------------------------------------------------------------- one call for the CLI
def import_file(
    *, data: bytes, file_name: str, user=None, dry_run: bool = False, **options: Unpack[ReadOptions]
) -> tuple[ImportPlan, ImportBatch | None]:
    """Check and (unless ``dry_run``) write a file. The plan is built while holding the import lock, so what
    it records as "previous" is what it replaces, whatever else is importing at the same time."""
    if dry_run:
        return build_plan(data=data, file_name=file_name, user=user, **options), None
    with import_transaction():
        plan = build_plan(data=data, file_name=file_name, user=user, **options)
        if plan.has_errors:
            return plan, None
        batch = commit_plan(plan=plan, user=user, file_size=len(data), file_hash=sha256(data))
    return plan, batch
