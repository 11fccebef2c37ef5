"""How far a confirmed import has gone, as the import page shows it: its state (queued, running, done, failed)
and, while it runs, the stage it is at and a percentage.

The stage is written outside the database. An import writes in one transaction that holds the import lock
for its whole length; on SQLite that lock is the database's single write lock, so no other connection could
record progress until the import had ended. A small file beside the kept upload (which the worker and the web
server share already: the worker reads the upload from there) is written instead, the same way on SQLite and
PostgreSQL; the batch's own status, written in short transactions before and after the import, says whether it
is queued, running or finished.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings

from ..models import ImportBatch

Status = ImportBatch.Status

# Each stage of a running import: the percentage reached when it starts, and what the page says. The shares
# follow the time each stage took for a national KS2 file (16,500 schools, 2 million figures), averaged over
# SQLite and PostgreSQL: reading and checking a quarter, comparing a tenth, writing and pooling the rest.
STAGES = {
    "checking": (2, "Reading and checking the file"),
    "comparing": (25, "Comparing with the figures already held"),
    "writing": (33, "Writing the figures"),
    "pooling": (62, "Refreshing the pooled figures"),
}
STATES = {
    Status.PREVIEWED: "previewed",
    Status.QUEUED: "queued",
    Status.RUNNING: "running",
    Status.COMMITTED: "done",
    Status.FAILED: "failed",
    Status.ROLLED_BACK: "rolled back",
}


def _path(batch_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"{batch_id}.progress.json"


def report(batch_id: int, stage: str) -> None:
    """Record that the import of batch ``batch_id`` reached ``stage`` (a key of :data:`STAGES`). The file is
    replaced whole (written aside, then renamed), so a reader never sees half of it."""
    path = _path(batch_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_suffix(".tmp")
    aside.write_text(json.dumps({"stage": stage}))
    os.replace(aside, path)


def clear(batch_id: int) -> None:
    _path(batch_id).unlink(missing_ok=True)


def reporter(batch_id: int):
    """``on_stage`` for the import functions: ``reporter(7)("writing")`` records batch 7's stage."""
    return lambda stage: report(batch_id, stage)


def _stage(batch_id: int) -> str:
    try:
        return str(json.loads(_path(batch_id).read_text())["stage"])
    except (OSError, ValueError, KeyError):
        return ""


def of(batch: ImportBatch) -> dict:
    """The batch's state, the percentage done and what it is doing, as the page and the status feed show it."""
    state = STATES.get(batch.status, batch.status)
    if batch.status == Status.QUEUED:
        percent, label = 0, "Waiting for the import worker to start"
    elif batch.status == Status.RUNNING:
        stage = _stage(batch.pk)
        percent, label = STAGES.get(stage, STAGES["checking"])
    elif batch.status == Status.COMMITTED or batch.status == Status.ROLLED_BACK:
        percent, label = 100, "Finished"
    elif batch.status == Status.FAILED:
        percent, label = 0, "Stopped: nothing was written"
    else:
        percent, label = 0, "Not confirmed yet"
    return {"state": state, "percent": percent, "stage": label, "finished": not batch.in_progress}
