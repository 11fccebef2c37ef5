"""What the import pages read: the log of recent imports and one import's report (its problems and, once
committed, what would stop a rollback)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404

from ..models import ImportBatch, Measure, PupilGroup
from . import progress
from .problems import Problem, problems_csv
from .rollback import rollback_blockers

RECENT = 25


def recent_batches(limit: int = RECENT):
    """The latest uploads (the demo's own loads left out), newest first."""
    return ImportBatch.objects.select_related("uploaded_by").exclude(format=ImportBatch.Format.DEMO)[:limit]


def upload_help() -> dict:
    """The measures and pupil groups a file may name, in the order the templates list them."""
    return {
        "measures": Measure.objects.select_related("key_stage").order_by("key_stage__order", "order"),
        "groups": PupilGroup.objects.order_by("order"),
    }


def get_batch(pk) -> ImportBatch:
    return get_object_or_404(ImportBatch.objects.select_related("uploaded_by", "rolled_back_by"), pk=pk)


def batch_report(batch: ImportBatch, *, shown: int) -> dict:
    """The batch's errors and warnings (at most ``shown`` of each, with their totals) and its rollback blockers."""
    problems = [Problem.from_dict(p) for p in batch.problems]
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    return {
        "batch": batch,
        "summary": batch.summary or {},
        "errors": errors[:shown],
        "error_total": len(errors),
        "warnings": warnings[:shown],
        "warning_total": len(warnings),
        "shown_limit": shown,
        "blockers": rollback_blockers(batch) if batch.status == ImportBatch.Status.COMMITTED else [],
        "progress": progress.of(batch),
    }


def confirm_message(batch: ImportBatch) -> tuple[int, str]:
    """What the page says just after Confirm: queued for the worker, or (a backend that runs tasks at once)
    imported, refused as stale, or failed."""
    Status = ImportBatch.Status
    if batch.in_progress:
        return messages.INFO, (
            f"Import #{batch.pk} is queued and runs in the background: you can leave this page and come back; "
            "its progress shows here and in the list of imports."
        )
    if batch.status == Status.COMMITTED:
        return messages.SUCCESS, (
            f"Imported: {batch.created_count} created, {batch.updated_count} updated, "
            f"{batch.unchanged_count} unchanged."
        )
    return messages.ERROR, batch.notes or "The import stopped: nothing was written."


def problems_file(batch: ImportBatch) -> str:
    """Every problem of the batch as CSV text (row, column, message)."""
    return problems_csv(Problem.from_dict(p) for p in batch.problems)
