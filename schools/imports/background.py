"""A confirmed upload is imported in the background: the confirm marks the batch queued and hands it to the
task queue (Django's tasks interface, ``settings.TASKS``: in production the database backend, whose worker is
``python manage.py db_worker``), and the worker checks and writes it with :func:`.staging.confirm_batch` —
the same all-or-nothing transaction, import lock and rollback record as ever. The user can leave the page: the
batch's status says where it is, and :mod:`.progress` how far it has gone.

The command-line imports stay in the foreground (:func:`.committing.import_file`).
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django_tasks import task

from .. import rejudging
from ..models import ImportBatch
from . import progress
from .problems import ImportRejected
from .staging import check_confirmable, confirm_batch, discard_preview

logger = logging.getLogger(__name__)
Status = ImportBatch.Status


def queue_import(*, batch: ImportBatch, user, fingerprint: str | None = None) -> ImportBatch:
    """Confirm a previewed upload: mark it queued and enqueue its import, in one transaction (the queue is a
    table of the same database, so the batch is never left queued with no task, nor a task with no batch).
    A batch already confirmed, being imported, or whose preview the user did not see raises, as
    :func:`.staging.check_confirmable` says. Returns the batch as it is now (with a backend that runs tasks at
    once, such as the tests', already imported or refused)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        seen = check_confirmable(batch, fingerprint)
        batch.status, batch.notes = Status.QUEUED, ""
        batch.save(update_fields=["status", "notes"])
        run_import.enqueue(batch_id=batch.pk, user_id=getattr(user, "pk", None), fingerprint=seen)
    batch.refresh_from_db()
    return batch


@task()
def run_import(*, batch_id: int, user_id: int | None, fingerprint: str) -> str:
    """The worker's part: mark the batch running, import it (stages to :mod:`.progress`), and say how it ended.

    A refused import (stale preview, errors found on the second check) is recorded on the batch by
    :func:`.staging.confirm_batch`. Any other failure — a database error, a bug — rolls the import's
    transaction back, so nothing of it is written; the batch is then marked failed with the reason, and the
    error is raised again for the task queue's own record."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status=Status.QUEUED).update(status=Status.RUNNING)
    if not claimed:  # cancelled, or already run by another worker
        return "not queued"
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    progress.report(batch_id, "checking")
    try:
        batch = ImportBatch.objects.get(pk=batch_id)
        with rejudging.inline():  # what the import made stale is judged here once it commits (``schools.rejudging``)
            confirm_batch(
                batch=batch, user=user, fingerprint=fingerprint, queued=True, on_stage=progress.reporter(batch_id)
            )
    except ImportRejected as refused:  # recorded on the batch, unless it was refused before the check began
        ImportBatch.objects.filter(pk=batch_id, status=Status.RUNNING).update(status=Status.FAILED, notes=str(refused))
        return str(refused)
    except Exception as exc:
        logger.exception("Import #%s stopped; its transaction was rolled back.", batch_id)
        _record_failure(batch_id, exc)
        raise
    finally:
        progress.clear(batch_id)
    return "imported"


def _record_failure(batch_id: int, exc: Exception) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(
        status=Status.FAILED,
        notes=f"The import stopped before it finished and nothing was written ({type(exc).__name__}: {exc})"[:2000],
    )
    discard_preview(batch=ImportBatch.objects.get(pk=batch_id))
