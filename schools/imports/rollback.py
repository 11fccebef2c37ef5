"""Rolling a committed batch back: delete what it created, restore what it overwrote — only while no later
import has built on it, and holding the import lock so that no import commits meanwhile."""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from .. import aggregates, request_memo
from ..models import (
    Area,
    Benchmark,
    Cluster,
    ImportBatch,
    ImportChange,
    LocalAuthority,
    Result,
    School,
    StatisticalNeighbour,
)
from . import context as context_import
from . import fact_writes
from .bulk import execute_updates
from .locking import hold_import_lock
from .problems import AlreadyDone, ImportRejected
from .register_writes import SCHOOL_WRITE_FIELDS
from .scope import acting_user


def _delete_created(model, batch, updated_ids: list[int]):
    """Rows that point to the batch and that it did not merely update are the rows it created."""
    keep = set(updated_ids)
    ids = [pk for pk in model.objects.filter(batch=batch).values_list("pk", flat=True) if pk not in keep]
    for start in range(0, len(ids), 5000):
        model.objects.filter(pk__in=ids[start : start + 5000]).delete()


def rollback_blockers(batch: ImportBatch) -> list[str]:
    """Why the batch cannot be rolled back (empty when it can)."""
    if batch.status != ImportBatch.Status.COMMITTED:
        return ["Only an imported (committed) batch can be rolled back."]
    reasons = []
    later = (
        ImportChange.objects.filter(previous_batch=batch, batch__status=ImportBatch.Status.COMMITTED)
        .exclude(batch=batch)
        .values_list("batch_id", flat=True)
        .distinct()
    )
    for other in sorted(set(later)):
        reasons.append(f"Import #{other} has since changed figures this import wrote: roll that back first.")
    own = ImportChange.objects.filter(batch=batch, kind=ImportChange.Kind.SCHOOL)
    school_ids = list(own.values_list("object_id", flat=True))
    if school_ids:
        later_schools = (
            ImportChange.objects.filter(
                kind=ImportChange.Kind.SCHOOL,
                object_id__in=school_ids,
                batch_id__gt=batch.pk,
                batch__status=ImportBatch.Status.COMMITTED,
            )
            .values_list("batch_id", flat=True)
            .distinct()
        )
        for other in sorted(set(later_schools)):
            reasons.append(f"Import #{other} has since changed schools this import wrote: roll that back first.")
        created = list(own.filter(action=ImportChange.Action.CREATED).values_list("object_id", flat=True))
        if Result.objects.filter(school_id__in=created).exclude(batch=batch).exists():
            reasons.append("Other imports have results for schools this import created: roll those back first.")
    return reasons


@transaction.atomic
def rollback_batch(*, batch: ImportBatch, user=None) -> ImportBatch:
    """Undo a committed batch: delete what it created, restore what it overwrote.

    Checked and done while holding the import lock: no import can commit between the check that no later batch
    has built on this one and the restore.
    """
    hold_import_lock()
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == ImportBatch.Status.ROLLED_BACK:
        raise AlreadyDone(f"Import #{batch.pk} was already rolled back: nothing more to do.")
    reasons = rollback_blockers(batch)
    if reasons:
        raise ImportRejected(" ".join(reasons))
    changes = list(ImportChange.objects.filter(batch=batch))
    by_kind: dict[str, list[ImportChange]] = {}
    for change in changes:
        by_kind.setdefault(change.kind, []).append(change)
    # What the batch wrote, and where its schools sit now: re-pooled once, when everything is restored (the end of
    # the deferred block, which also collects what the ORM deletes below touch, rather than re-pooling per row).
    with aggregates.deferred() as touched:
        aggregates.touch_batch(batch, touched)
        touched.add(schools=[c.object_id for c in by_kind.get(ImportChange.Kind.SCHOOL, [])])
        _restore(batch, by_kind, user)
    request_memo.clear()
    batch.status = ImportBatch.Status.ROLLED_BACK
    batch.rolled_back_at = timezone.now()
    batch.rolled_back_by = acting_user(user)
    batch.save(update_fields=["status", "rolled_back_at", "rolled_back_by"])
    return batch


def _restore(batch: ImportBatch, by_kind: dict[str, list[ImportChange]], user) -> None:
    """Delete what the batch created and put back what it overwrote (facts, context, neighbours, schools)."""
    for model, kind in ((Result, ImportChange.Kind.RESULT), (Benchmark, ImportChange.Kind.BENCHMARK)):
        updated = [c for c in by_kind.get(kind, []) if c.action == ImportChange.Action.UPDATED]
        _delete_created(model, batch, fact_writes.updated_ids(updated))
        execute_updates(model, fact_writes.WRITE_FIELDS, fact_writes.restore_params(updated))
    context_import.rollback(batch, by_kind.get(ImportChange.Kind.CONTEXT, []))
    updated = [c for c in by_kind.get(ImportChange.Kind.NEIGHBOUR, []) if c.action == ImportChange.Action.UPDATED]
    _delete_created(StatisticalNeighbour, batch, [c.object_id for c in updated])
    fields = ("neighbour_code", "closeness", "batch_id")
    execute_updates(
        StatisticalNeighbour,
        fields,
        [tuple((c.previous or {}).get(f) for f in fields) + (c.object_id,) for c in updated],
    )

    schools = by_kind.get(ImportChange.Kind.SCHOOL, [])
    restore = [c for c in schools if c.action == ImportChange.Action.UPDATED]
    if restore:
        current = {s.pk: s for s in School.objects.filter(pk__in=[c.object_id for c in restore])}
        objs = []
        for change in restore:
            school = current.get(change.object_id)
            if school is None:
                continue
            previous = change.previous or {}
            for name in SCHOOL_WRITE_FIELDS:
                key = f"{name}_id" if name in ("la", "area", "cluster") else name
                if key in previous:
                    setattr(school, key, previous[key])
            objs.append(school)
        bulk_update_with_history(
            objs,
            School,
            SCHOOL_WRITE_FIELDS,
            default_user=acting_user(user),
            default_change_reason=f"Rollback of import batch {batch.pk}",
        )
    try:
        created: tuple[tuple[ImportChange.Kind, type[School | Cluster | Area | LocalAuthority]], ...] = (
            (ImportChange.Kind.SCHOOL, School),
            (ImportChange.Kind.CLUSTER, Cluster),
            (ImportChange.Kind.AREA, Area),
            (ImportChange.Kind.LA, LocalAuthority),
        )
        for kind, owner in created:
            ids = [c.object_id for c in by_kind.get(kind, []) if c.action == ImportChange.Action.CREATED]
            for obj in owner.objects.filter(pk__in=ids):
                obj.delete()
    except ProtectedError as exc:
        raise ImportRejected(
            "Records this import created are now used elsewhere (plans, visits, other schools): "
            f"they cannot be removed ({exc.args[0][:120]})."
        ) from exc
