"""Writing the school register: local authorities, areas, clusters and schools an import creates, and the
register fields it changes (each recorded as an :class:`ImportChange`, with the school's fields before, for
rollback)."""

from __future__ import annotations

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import Area, Cluster, ImportChange, LocalAuthority, School
from .bulk import insert_columns
from .changes import created_change, updated_change
from .la_codes import la_name
from .register import FIELDS, RegisterPlan
from .scope import acting_user


def create_las(new_las: dict[str, str], batch, changes) -> dict[str, LocalAuthority]:
    existing = {la.code: la for la in LocalAuthority.objects.all()}
    for code, name in sorted(new_las.items()):
        if code in existing:
            continue
        la = LocalAuthority.objects.create(code=code, name=la_name(code, name)[:120])
        existing[code] = la
        changes.append(created_change(batch, ImportChange.Kind.LA, la.pk))
    return existing


def _named(model, la, name, batch, changes, cache, **extra):
    key = (la.pk, name)
    if key not in cache:
        obj = model.objects.filter(la=la, name=name).first()
        if obj is None:
            obj = model.objects.create(la=la, name=name[:120], **extra)
            changes.append(created_change(batch, model.__name__.lower(), obj.pk))
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


def write_register(register: RegisterPlan, batch, changes, las, user):
    """Create new schools from what the file gives; change in known schools only the fields the preview listed."""
    areas: dict[tuple[int, str], Area] = {}
    clusters: dict[tuple[int, str], Cluster] = {}
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
        bulk_create_with_history(created, School, batch_size=500, **_history(user, batch))
        ids = dict(School.objects.filter(urn__in=[s.urn for s in created]).values_list("urn", "id"))
        changes.extend(created_change(batch, ImportChange.Kind.SCHOOL, ids[s.urn]) for s in created)
    if updated:
        current = {s.pk: s for s in School.objects.filter(pk__in=[r["id"] for r, _ in updated])}
        objs = []
        for record, fields in updated:
            school = current[record["id"]]
            changes.append(updated_change(batch, ImportChange.Kind.SCHOOL, school.pk, _school_snapshot(school)))
            for name, value in fields.items():
                setattr(school, name, value)
            objs.append(school)
        bulk_update_with_history(objs, School, SCHOOL_WRITE_FIELDS, batch_size=500, **_history(user, batch))


def _history(user, batch) -> dict:
    """Who made the schools' history records, and why: the importing user and the batch."""
    return {"default_user": acting_user(user), "default_change_reason": f"Import batch {batch.pk}"}


# The School fields an import writes: the register's, its LA column being the ``la`` foreign key.
SCHOOL_WRITE_FIELDS = ["la" if name == "la_code" else name for name in FIELDS]


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


def create_schools(new_schools: list[dict], batch, changes, las, user):
    """Create the schools a results file names and the register lacks, each with the history record
    ``bulk_create_with_history`` would write (created, by the importing user, "Import batch N"), and an
    :class:`ImportChange` for rollback. Written a column at a time (:func:`.bulk.insert_columns`): a national
    file creates 16,500 schools, and building a model instance and a history instance for each cost more than
    writing them."""
    if not new_schools:
        return
    values = {
        "urn": [r["urn"] for r in new_schools],
        "la_id": [las[r["la_code"]].pk for r in new_schools],
        "laestab": [r["laestab"] for r in new_schools],
        "name": [r["name"][:200] for r in new_schools],
        "phase": [r["phase"] for r in new_schools],
    }
    insert_columns(School, values, len(new_schools))
    ids = dict(School.objects.filter(urn__in=values["urn"]).values_list("urn", "id"))
    school_ids = [ids[urn] for urn in values["urn"]]
    history = School.history.model
    history_args = _history(user, batch)
    who = history_args["default_user"] or history.get_default_history_user(School(urn=values["urn"][0]))
    tracked = {f.attname for f in history.tracked_fields}
    record = {name: column for name, column in values.items() if name in tracked}
    defaults = {f.attname: f.get_default() for f in School._meta.concrete_fields if f.attname in tracked}
    for name, default in defaults.items():
        record.setdefault(name, [default] * len(school_ids))
    record["id"] = school_ids
    count = len(school_ids)
    record.update(
        history_date=[timezone.now()] * count,
        history_user_id=[getattr(who, "pk", None)] * count,
        history_change_reason=[history_args["default_change_reason"]] * count,
        history_type=["+"] * count,
    )
    insert_columns(history, record, count)
    changes.extend(created_change(batch, ImportChange.Kind.SCHOOL, school_id) for school_id in school_ids)
