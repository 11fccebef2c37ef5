"""Imports from the web: a checked upload is kept (under a generated name) with its preview until the user
confirms it — then the plan is built again, holding the import lock, and committed only if it still does what
the preview said — or discards it."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Unpack

from django.conf import settings

from ..models import ImportBatch
from . import preview
from .committing import MAX_STORED_PROBLEMS, commit_plan
from .locking import import_transaction
from .planning import ImportPlan, ReadOptions, build_plan
from .problems import AlreadyDone, ImportRejected
from .reading import sha256
from .scope import acting_user

Format = ImportBatch.Format


def stage_upload(*, data: bytes, file_name: str, user, **options: Unpack[ReadOptions]) -> ImportBatch:
    """Check the file and keep it (under a generated name) with its preview until the user confirms."""
    plan = build_plan(data=data, file_name=file_name, user=user, **options)
    stored = ""
    if not plan.has_errors:
        stored = f"imports/{uuid.uuid4().hex}.upload"
        (Path(settings.MEDIA_ROOT) / stored).parent.mkdir(parents=True, exist_ok=True)
        (Path(settings.MEDIA_ROOT) / stored).write_bytes(data)
    return ImportBatch.objects.create(
        uploaded_by=acting_user(user),
        file_name=Path(file_name).name[:255],
        file_size=len(data),
        sha256=sha256(data),
        format=plan.format if plan.format in Format.values else Format.LONG,
        results_year=plan.results_year,
        status=ImportBatch.Status.FAILED if plan.has_errors else ImportBatch.Status.PREVIEWED,
        stored_file=stored,
        **_preview_fields(plan),
    )


def _preview_fields(plan: ImportPlan) -> dict:
    counts = plan.counts
    return {
        "rows_read": plan.rows_read,
        "created_count": counts["created"],
        "updated_count": counts["updated"],
        "unchanged_count": counts["unchanged"],
        "error_count": len(plan.errors),
        "problems": [p.as_dict() for p in plan.problems[:MAX_STORED_PROBLEMS]],
        "summary": preview.summary(plan),
    }


def stored_bytes(batch: ImportBatch) -> bytes:
    if not batch.stored_file:
        raise ImportRejected("The uploaded file is no longer kept: upload it again.")
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / batch.stored_file).resolve()
    if root not in path.parents or not path.exists():
        raise ImportRejected("The uploaded file is no longer kept: upload it again.")
    return path.read_bytes()


STALE_MESSAGE = (
    "The data changed since this preview — preview again: nothing was imported, and the preview "
    "below now shows what confirming would do."
)


def confirm_batch(
    *, batch: ImportBatch, user, fingerprint: str | None = None, queued: bool = False, on_stage=None
) -> ImportBatch:
    """Commit a previewed upload, once.

    Holding the import lock, the file's plan is built again and compared with the preview the user saw
    (``fingerprint``, sent by the confirm form; else the last preview kept): if another import or a rollback
    changed the data meanwhile, nothing is written and the preview is refreshed ("preview again"). A second
    confirm of the same batch (a double-click) finds it committed, or its preview refreshed, and changes nothing.

    ``queued``: the background worker's call, for a batch it has marked running (:mod:`.background`); a refused
    one then goes back to a preview (stale) or to failed (errors) with the reason in its notes. ``on_stage``:
    called with each stage reached (:mod:`.progress`).
    """
    outcome = None
    with import_transaction():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        seen = check_confirmable(batch, fingerprint, status=ImportBatch.Status.RUNNING if queued else None)
        data = stored_bytes(batch)
        if sha256(data) != batch.sha256:
            raise ImportRejected("The kept file has changed since the preview: upload it again.")
        given = (batch.summary or {}).get("dfe", {})
        plan = build_plan(
            data=data,
            file_name=batch.file_name,
            format=batch.format,
            results_year=given.get("year_given", batch.results_year),
            user=user,
            status=given.get("status_given"),
            folder=given.get("folder", ""),
            on_stage=on_stage,
        )
        if plan.has_errors:
            batch.status = ImportBatch.Status.FAILED
            outcome = ImportRejected(
                f"The file now has {len(plan.errors)} error(s): nothing was imported.", plan.errors
            )
        elif preview.plan_fingerprint(plan) != seen:
            batch.status = ImportBatch.Status.PREVIEWED
            outcome = ImportRejected(STALE_MESSAGE)
        if outcome is not None:
            for name, value in _preview_fields(plan).items():
                setattr(batch, name, value)
            batch.notes = str(outcome) if queued else batch.notes
            batch.save()
        else:
            batch.notes = ""
            batch = commit_plan(plan=plan, user=user, batch=batch, on_stage=on_stage)
    if outcome is not None:
        if batch.status == ImportBatch.Status.FAILED:
            _discard_file(batch)
        raise outcome
    _discard_file(batch)
    return batch


def check_confirmable(batch: ImportBatch, fingerprint: str | None, *, status: str | None = None) -> str:
    """The preview's fingerprint, if ``batch`` (read under a row lock) may be confirmed now: it is a preview (or
    in ``status``, the worker's "running") and the user saw its latest preview. Otherwise raise: done already
    or being imported (:class:`AlreadyDone`), or not a preview (:class:`ImportRejected`)."""
    if batch.status == ImportBatch.Status.COMMITTED:
        raise AlreadyDone(f"Import #{batch.pk} was already confirmed: nothing more to do.")
    if batch.in_progress and batch.status != status:
        raise AlreadyDone(f"Import #{batch.pk} is already being imported: its progress shows below.")
    if batch.status != (status or ImportBatch.Status.PREVIEWED):
        raise ImportRejected("Only a previewed import can be confirmed.")
    kept = str((batch.summary or {}).get("fingerprint") or "")
    if (fingerprint or kept) != kept:
        raise AlreadyDone(STALE_MESSAGE)  # this preview was refreshed since the user saw it
    return kept


def cancel_preview(*, batch: ImportBatch) -> bool:
    """Cancel a previewed upload: nothing was written, so the kept file is deleted and the batch marked failed.
    False (and nothing changes) when the batch is not, or no longer, a preview: a confirm got there first."""
    with import_transaction():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportBatch.Status.PREVIEWED:
            return False
        batch.status, batch.notes = ImportBatch.Status.FAILED, "Cancelled after preview."
        batch.save(update_fields=["status", "notes"])
    _discard_file(batch)
    return True


def discard_preview(*, batch: ImportBatch) -> None:
    if batch.status in (ImportBatch.Status.PREVIEWED, ImportBatch.Status.FAILED):
        _discard_file(batch)


def _discard_file(batch: ImportBatch):
    if batch.stored_file:
        path = Path(settings.MEDIA_ROOT) / batch.stored_file
        path.unlink(missing_ok=True)
        ImportBatch.objects.filter(pk=batch.pk).update(stored_file="")
        batch.stored_file = ""
