"""Writing a checked plan: one transaction per import, holding the import lock, recording what it changed
(:class:`ImportChange`) so that the batch can be rolled back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import Area, Cluster, ImportBatch, ImportChange, LocalAuthority, School, StatisticalNeighbour
from . import context as context_import
from . import facts as fact_ops
from .la_codes import la_name
from .locking import hold_import_lock
from .problems import ImportRejected
from .register import RegisterPlan

if TYPE_CHECKING:
    from .services import ImportPlan, NeighbourDiff

MAX_STORED_PROBLEMS = 50_000


@transaction.atomic
def commit_plan(
    *, plan: ImportPlan, user=None, file_size: int = 0, file_hash: str = "", batch: ImportBatch | None = None
) -> ImportBatch:
    """Write the plan in one transaction; any failure leaves the database as it was.

    The plan must have been built while holding the import lock (:func:`import_file`, ``confirm_batch``):
    a plan built before another import committed would record the wrong "previous" figures.
    """
    hold_import_lock()
    if plan.has_errors:
        raise ImportRejected(f"The file has {len(plan.errors)} error(s): nothing was imported.", plan.errors)
    if batch is None:
        batch = ImportBatch(
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
            file_name=Path(plan.file_name).name[:255],
            file_size=file_size,
            sha256=file_hash,
        )
    batch.format = plan.format
    batch.results_year = plan.results_year
    batch.status = ImportBatch.Status.COMMITTED
    batch.save()
    changes: list[ImportChange] = []

    las = _create_las(plan.new_las, batch, changes)
    if plan.register is not None:
        _write_register(plan.register, batch, changes, las, user)
    if plan.new_schools:
        _create_schools(plan.new_schools, batch, changes, las, user)
    if plan.diff is not None:
        urns = pd.concat([plan.diff.results.created["urn"], plan.diff.results.updated["urn"]]).dropna()
        school_ids = fact_ops.school_id_map(urns.tolist())
        changes.extend(fact_ops.write_facts(plan.diff, batch=batch, school_ids=school_ids))
    if plan.neighbours is not None:
        changes.extend(_write_neighbours(plan.neighbours, batch))
    if plan.context is not None:
        changes.extend(context_import.write(plan.context, batch))
    ImportChange.objects.bulk_create(changes, batch_size=2000)

    counts = plan.counts
    batch.rows_read = plan.rows_read
    batch.created_count, batch.updated_count, batch.unchanged_count = (
        counts["created"],
        counts["updated"],
        counts["unchanged"],
    )
    batch.error_count = 0
    batch.problems = [p.as_dict() for p in plan.problems[:MAX_STORED_PROBLEMS]]
    batch.summary = plan.summary()
    batch.committed_at = timezone.now()
    batch.save()
    return batch


def _create_las(new_las: dict[str, str], batch, changes) -> dict[str, LocalAuthority]:
    existing = {la.code: la for la in LocalAuthority.objects.all()}
    for code, name in sorted(new_las.items()):
        if code in existing:
            continue
        la = LocalAuthority.objects.create(code=code, name=la_name(code, name)[:120])
        existing[code] = la
        changes.append(
            ImportChange(batch=batch, kind=ImportChange.Kind.LA, object_id=la.pk, action=ImportChange.Action.CREATED)
        )
    return existing


def _named(model, la, name, batch, changes, cache, **extra):
    key = (la.pk, name)
    if key not in cache:
        obj = model.objects.filter(la=la, name=name).first()
        if obj is None:
            obj = model.objects.create(la=la, name=name[:120], **extra)
            changes.append(
                ImportChange(
                    batch=batch, kind=model.__name__.lower(), object_id=obj.pk, action=ImportChange.Action.CREATED
                )
            )
        cache[key] = obj
    return cache[key]


def _school_fields(record: dict, names, las, areas, clusters, batch, changes) -> dict:
    """School field values for the register ``names`` given (only those: a column the file lacks changes nothing)."""
    la = las[record["la_code"]]
    out = {"la": la} if "la_code" in names else {}
    for name in ("laestab", "name", "phase", "school_type", "status", "number_on_roll", "fsm_percent"):
        if name in names and (record.get(name) is not None or name in NULLABLE):
            out[name] = record.get(name)
    if "area" in names:
        out["area"] = _named(Area, la, record["area"], batch, changes, areas) if record["area"] else None
    if "cluster" in names:
        area = out.get("area")
        if "area" not in out and record.get("area"):
            area = _named(Area, la, record["area"], batch, changes, areas)
        out["cluster"] = (
            _named(Cluster, la, record["cluster"], batch, changes, clusters, area=area) if record["cluster"] else None
        )
    return out


NULLABLE = ("number_on_roll", "fsm_percent")


def _write_register(register: RegisterPlan, batch, changes, las, user):
    """Create new schools from what the file gives; change in known schools only the fields the preview listed."""
    areas, clusters = {}, {}
    created, updated = [], []
    for record in register.rows:
        if record["action"] == "unchanged":
            continue
        if record["action"] == "created":
            fields = _school_fields(
                record, register.columns | {"la_code", "name"}, las, areas, clusters, batch, changes
            )
            fields.setdefault("phase", School.Phase.OTHER)
        else:
            fields = _school_fields(record, set(record["changes"]), las, areas, clusters, batch, changes)
        if record["action"] == "created":
            created.append(School(urn=record["urn"], **fields))
        else:
            updated.append((record, fields))
    if created:
        bulk_create_with_history(
            created, School, batch_size=500, default_user=_user(user), default_change_reason=f"Import batch {batch.pk}"
        )
        ids = dict(School.objects.filter(urn__in=[s.urn for s in created]).values_list("urn", "id"))
        changes.extend(
            ImportChange(
                batch=batch, kind=ImportChange.Kind.SCHOOL, object_id=ids[s.urn], action=ImportChange.Action.CREATED
            )
            for s in created
        )
    if updated:
        current = {s.pk: s for s in School.objects.filter(pk__in=[r["id"] for r, _ in updated])}
        objs = []
        for record, fields in updated:
            school = current[record["id"]]
            changes.append(
                ImportChange(
                    batch=batch,
                    kind=ImportChange.Kind.SCHOOL,
                    object_id=school.pk,
                    action=ImportChange.Action.UPDATED,
                    previous=_school_snapshot(school),
                )
            )
            for name, value in fields.items():
                setattr(school, name, value)
            objs.append(school)
        bulk_update_with_history(
            objs,
            School,
            SCHOOL_WRITE_FIELDS,
            batch_size=500,
            default_user=_user(user),
            default_change_reason=f"Import batch {batch.pk}",
        )


SCHOOL_WRITE_FIELDS = [
    "la",
    "laestab",
    "name",
    "phase",
    "school_type",
    "status",
    "number_on_roll",
    "fsm_percent",
    "area",
    "cluster",
]


def _school_snapshot(school: School) -> dict:
    """The school's fields before the import (ids for the foreign keys), for rollback."""
    out = {}
    for name in SCHOOL_WRITE_FIELDS:
        if name in ("la", "area", "cluster"):
            out[f"{name}_id"] = getattr(school, f"{name}_id")
        else:
            value = getattr(school, name)
            out[name] = None if value is None else (str(value) if name == "fsm_percent" else value)
    return out


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _create_schools(new_schools: list[dict], batch, changes, las, user):
    objs = [
        School(urn=r["urn"], la=las[r["la_code"]], laestab=r["laestab"], name=r["name"][:200], phase=r["phase"])
        for r in new_schools
    ]
    bulk_create_with_history(
        objs, School, batch_size=500, default_user=_user(user), default_change_reason=f"Import batch {batch.pk}"
    )
    ids = dict(School.objects.filter(urn__in=[s.urn for s in objs]).values_list("urn", "id"))
    changes.extend(
        ImportChange(
            batch=batch, kind=ImportChange.Kind.SCHOOL, object_id=ids[s.urn], action=ImportChange.Action.CREATED
        )
        for s in objs
    )


def _write_neighbours(diff: NeighbourDiff, batch) -> list[ImportChange]:
    StatisticalNeighbour.objects.bulk_create(
        [
            StatisticalNeighbour(
                la_code=r.la_code,
                rank=int(r.rank),
                neighbour_code=r.neighbour_code,
                closeness=(r.closeness or "")[:40],
                batch=batch,
            )
            for r in diff.created.itertuples(index=False)
        ]
    )
    changes, params = [], []
    for r in diff.updated.itertuples(index=False):
        params.append((r.neighbour_code, (r.closeness or "")[:40], batch.pk, int(r.prev_id)))
        changes.append(
            ImportChange(
                batch=batch,
                kind=ImportChange.Kind.NEIGHBOUR,
                object_id=int(r.prev_id),
                action=ImportChange.Action.UPDATED,
                previous_batch_id=fact_ops._int(r.prev_batch_id),
                previous={
                    "neighbour_code": r.prev_neighbour_code,
                    "closeness": r.prev_closeness,
                    "batch_id": fact_ops._int(r.prev_batch_id),
                },
            )
        )
    fact_ops.execute_updates(StatisticalNeighbour, ("neighbour_code", "closeness", "batch_id"), params)
    return changes
