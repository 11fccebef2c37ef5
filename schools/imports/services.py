"""Imports: build a plan (parse → validate every row → compare with the database), then commit it in ONE
transaction as an :class:`ImportBatch`, or roll a batch back while no later batch has touched its rows.

The web view and the management commands both go through :func:`build_plan` and :func:`commit_plan`, so a
file gives the same messages and the same result wherever it is imported.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import (
    Area, Benchmark, Cluster, ImportBatch, ImportChange, LocalAuthority, Result, School, StatisticalNeighbour,
)
from . import context as context_import
from . import facts as fact_ops
from .benchmarks import parse_lait, parse_neighbours
from .facts import Diff, Reference, complete_and_validate
from .problems import Problem
from .readers import FileProblem, read_table
from .register import RegisterPlan, diff_register, parse_register
from .results import Parsed, parse_dfe, parse_long_figures

Format = ImportBatch.Format
FACT_FORMATS = (Format.LONG, Format.DFE_KS2, Format.DFE_KS4, Format.BENCHMARKS, Format.LAIT)
UPLOAD_FORMATS = [(f.value, f.label) for f in Format if f != Format.DEMO]
MAX_STORED_PROBLEMS = 50_000


class ImportRejected(Exception):
    """The plan has errors (or the batch cannot be committed/rolled back): nothing was written."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


# --------------------------------------------------------------------------- helpers
def year_from_file_name(name: str) -> int | None:
    """2018-19 → 2019, 2016-2017 → 2017, ks2_2019 → 2019 (the results year is the summer of the exams)."""
    stem = Path(name or "").name
    match = re.search(r"(20\d\d)\s*[-_/]\s*(20\d\d|\d\d)(?!\d)", stem)
    if match:
        first, second = match.groups()
        year = int(second) if len(second) == 4 else int(first[:2] + second)
        if year == int(first) + 1:
            return year
    match = re.search(r"(?<!\d)(20\d\d)(?!\d)", stem)
    return int(match.group(1)) if match else None


def detect_format(columns) -> str | None:
    """Guess the format from the header (used when the user chooses "detect")."""
    names = set(columns)
    if {"urn", "results_year", "measure", "pupil_group"} <= names:
        return Format.LONG
    if {"geography", "results_year", "measure", "pupil_group"} <= names:
        return Format.BENCHMARKS
    if {"measure_code", "la_code", "value", "year"} <= names:
        return Format.LAIT
    if "SN1" in names:
        return Format.NEIGHBOURS
    if {"RECTYPE", "URN"} <= names:
        if any(c.startswith("PTRWM") or c == "TELIG" for c in names):
            return Format.DFE_KS2
        if any(c.startswith("ATT8") or c == "TPUP" for c in names):
            return Format.DFE_KS4
    if {"URN", "LA (code)", "EstablishmentName"} <= names:
        return Format.REGISTER
    return context_import.detect_format(names)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- the plan
@dataclass
class NeighbourDiff:
    created: pd.DataFrame
    updated: pd.DataFrame
    unchanged: int


@dataclass
class ImportPlan:
    format: str
    file_name: str
    results_year: int | None = None
    rows_read: int = 0
    problems: list[Problem] = field(default_factory=list)
    parsed: Parsed | None = None
    diff: Diff | None = None
    register: RegisterPlan | None = None
    neighbours: NeighbourDiff | None = None
    new_las: dict[str, str] = field(default_factory=dict)
    new_schools: list[dict] = field(default_factory=list)
    context: context_import.ContextPlan | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)

    @property
    def counts(self) -> dict[str, int]:
        """Created / updated / unchanged rows of what this format writes (facts, schools or neighbours)."""
        if self.register is not None:
            return self.register.counts
        if self.context is not None:
            return self.context.counts
        if self.neighbours is not None:
            return {"created": len(self.neighbours.created), "updated": len(self.neighbours.updated),
                    "unchanged": self.neighbours.unchanged}
        if self.diff is not None:
            return self.diff.counts
        return {"created": 0, "updated": 0, "unchanged": 0}

    def summary(self) -> dict:
        """What the preview page shows, kept on the batch between preview and confirm (JSON)."""
        out = {"counts": self.counts, "new_las": [{"code": c, "name": n} for c, n in sorted(self.new_las.items())]}
        if self.register is not None:
            out["new_schools"] = [_school_brief(r) for r in self.register.of("created")][:1000]
            out["updated_schools"] = [
                {**_school_brief(r), "changes": [
                    {"field": f, "before": _text(a), "after": _text(b)} for f, (a, b) in r["changes"].items()]}
                for r in self.register.of("updated")][:1000]
            out["unchanged_schools"] = [_school_brief(r) for r in self.register.of("unchanged")][:1000]
            out["closed"] = sum(1 for r in self.register.rows if r["status"] == School.Status.CLOSED)
        else:
            out["new_schools"] = [_school_brief(r) for r in self.new_schools][:1000]
        if self.diff is not None:
            out["results"] = self.diff.results.counts
            out["benchmarks"] = self.diff.benchmarks.counts
            out["by_measure"] = _by_measure(self.diff)
            out["samples"] = self.diff.samples
            urns = set()
            for frame in (self.diff.results.created, self.diff.results.updated):
                urns.update(int(u) for u in frame["urn"].dropna().unique())
            out["schools_touched"] = len(urns)
        if self.context is not None:
            out["schools_touched"] = len(self.context.created) + len(self.context.updated)
            out["skipped_schools"] = self.context.skipped_unknown
        if self.neighbours is not None:
            out["las"] = int(pd.concat([self.neighbours.created, self.neighbours.updated])["la_code"].nunique()
                             if len(self.neighbours.created) + len(self.neighbours.updated) else 0)
        return out


def _text(value) -> str:
    return "–" if value in (None, "") else str(value)


def _school_brief(record: dict) -> dict:
    return {"urn": record["urn"], "name": record["name"], "la": record.get("la_code", ""),
            "phase": record.get("phase", ""), "row": record.get("row")}


def _by_measure(diff: Diff) -> list[dict]:
    rows = []
    for target, part in (("school results", diff.results), ("benchmarks", diff.benchmarks)):
        counts = {}
        for action, frame in (("created", part.created), ("updated", part.updated)):
            if len(frame):
                for (measure, group), size in frame.groupby(["measure", "pupil_group"]).size().items():
                    counts.setdefault((measure, group), {"created": 0, "updated": 0})[action] = int(size)
        for (measure, group), value in sorted(counts.items()):
            rows.append({"target": target, "measure": measure, "group": group, **value})
    return rows


def build_plan(*, data: bytes, file_name: str, format: str = "auto", results_year: int | None = None) -> ImportPlan:
    """Parse and check every row, then compare with the database. Writes nothing."""
    plan = ImportPlan(format=format, file_name=file_name, results_year=results_year)
    try:
        if format == Format.NEIGHBOURS:
            table = read_table(data, header_contains=("SN1",))
        else:
            table = read_table(data)
    except FileProblem as exc:
        plan.problems.append(Problem(row=None, column="", value="", reason=str(exc)))
        return plan
    if format in ("auto", "", None):
        detected = detect_format(table.columns)
        if detected is None and table.kind == "xlsx":
            try:
                neighbour_table = read_table(data, header_contains=("SN1",))
                detected, table = Format.NEIGHBOURS, neighbour_table
            except FileProblem:
                pass
        if detected is None:
            plan.problems.append(Problem(row=1, column="", value=", ".join(table.columns[:6]), reason=(
                "Could not tell the format from the header: choose the format, or check the header row.")))
            return plan
        plan.format = detected
    if plan.format in (Format.DFE_KS2, Format.DFE_KS4) and plan.results_year is None:
        plan.results_year = year_from_file_name(file_name)
    plan.rows_read = len(table)
    plan.problems.extend(table.warnings)
    if not len(table):
        plan.problems.append(Problem(row=None, column="", value="", reason="The file has a header but no rows."))
        return plan

    known_las = dict(LocalAuthority.objects.values_list("code", "name"))
    if plan.format == Format.REGISTER:
        register = parse_register(table, known_las=known_las)
        plan.problems.extend(register.problems)
        plan.new_las = register.new_las
        if not plan.has_errors:
            plan.register = diff_register(register)
        return plan
    if plan.format == Format.NEIGHBOURS:
        parsed = parse_neighbours(table)
        plan.problems.extend(parsed.problems)
        if not plan.has_errors:
            plan.neighbours = diff_neighbours(parsed.links)
        return plan
    if plan.format in context_import.FORMATS:
        if plan.results_year is None:  # the name, else the DfE's year folder (2022-2023/919_abs.csv)
            plan.results_year = (year_from_file_name(file_name)
                                 or year_from_file_name(Path(file_name or "").parent.name))
        urn_column = next((c for c in table.columns if c.strip().upper() == "URN"), "URN")
        school_ids = fact_ops.school_id_map(
            pd.to_numeric(table.column(urn_column).str.strip(), errors="coerce").dropna().astype(int).tolist())
        plan.context = context_import.parse(table, plan.format, results_year=plan.results_year,
                                            school_ids=school_ids, problems=plan.problems)
        return plan
    if plan.format not in FACT_FORMATS:
        plan.problems.append(Problem(row=None, column="", value=str(plan.format), reason="Unknown import format."))
        return plan

    ref = Reference.load()
    if plan.format == Format.LONG:
        parsed = parse_long_figures(table, ref, target=fact_ops.RESULT, key_column="urn")
    elif plan.format == Format.BENCHMARKS:
        parsed = parse_long_figures(table, ref, target=fact_ops.BENCHMARK, key_column="geography")
    elif plan.format == Format.LAIT:
        parsed = parse_lait(table, ref)
    else:
        urns = pd.to_numeric(table.column("URN").str.strip(), errors="coerce").dropna().astype(int)
        known_urns = set(fact_ops.school_id_map(urns.tolist()))
        parsed = parse_dfe(table, ref, fmt=plan.format, results_year=plan.results_year, known_urns=known_urns,
                           known_las=known_las)
    plan.problems.extend(parsed.problems)
    plan.new_schools, plan.new_las = parsed.new_schools, parsed.new_las
    if plan.has_errors:
        plan.parsed = parsed
        return plan
    parsed.facts = complete_and_validate(parsed.facts, ref, plan.problems,
                                         check_codes=plan.format in (Format.LONG, Format.BENCHMARKS))
    plan.parsed = parsed
    school_ids = fact_ops.school_id_map(parsed.facts["urn"].dropna().tolist()) if len(parsed.facts) else {}
    if plan.format == Format.LONG and len(parsed.facts):
        unknown = parsed.facts["urn"].notna() & ~parsed.facts["urn"].isin(list(school_ids))
        for row, urn in zip(parsed.facts.loc[unknown, "row"], parsed.facts.loc[unknown, "urn"]):
            plan.problems.append(Problem(row=int(row), column="urn", value=str(int(urn)),
                                         reason="Unknown URN: import the school register first."))
    if plan.results_year is None and plan.format == Format.LONG and len(parsed.facts):
        years = parsed.facts["results_year"].dropna().unique()
        plan.results_year = int(years[0]) if len(years) == 1 else None
    if not plan.has_errors:
        plan.diff = fact_ops.diff_facts(parsed.facts, ref, school_ids=school_ids)
    return plan


def diff_neighbours(links: pd.DataFrame) -> NeighbourDiff:
    existing = pd.DataFrame(
        list(StatisticalNeighbour.objects.filter(la_code__in=sorted(set(links["la_code"]))).values_list(
            "id", "la_code", "rank", "neighbour_code", "closeness", "batch_id")),
        columns=["prev_id", "la_code", "rank", "prev_neighbour_code", "prev_closeness", "prev_batch_id"],
    )
    links = links.assign(rank=links["rank"].astype(int))
    existing["rank"] = existing["rank"].astype(int)
    merged = links.merge(existing, on=["la_code", "rank"], how="left")
    known = merged["prev_id"].notna()
    same = (merged["neighbour_code"] == merged["prev_neighbour_code"]) & (
        merged["closeness"] == merged["prev_closeness"])
    return NeighbourDiff(created=merged[~known].reset_index(drop=True),
                         updated=merged[known & ~same].reset_index(drop=True), unchanged=int((known & same).sum()))


# --------------------------------------------------------------------------- committing
@transaction.atomic
def commit_plan(*, plan: ImportPlan, user=None, file_size: int = 0, file_hash: str = "",
                batch: ImportBatch | None = None) -> ImportBatch:
    """Write the plan in one transaction; any failure leaves the database as it was."""
    if plan.has_errors:
        raise ImportRejected(f"The file has {len(plan.errors)} error(s): nothing was imported.", plan.errors)
    if batch is None:
        batch = ImportBatch(uploaded_by=user if getattr(user, "is_authenticated", False) else None,
                            file_name=Path(plan.file_name).name[:255], file_size=file_size, sha256=file_hash)
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
        counts["created"], counts["updated"], counts["unchanged"])
    batch.error_count = 0
    batch.warnings = [str(p) for p in plan.warnings[:1000]]
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
        la = LocalAuthority.objects.create(code=code, name=name[:120])
        existing[code] = la
        changes.append(ImportChange(batch=batch, kind=ImportChange.Kind.LA, object_id=la.pk,
                                    action=ImportChange.Action.CREATED))
    return existing


def _named(model, la, name, batch, changes, cache, **extra):
    key = (la.pk, name)
    if key not in cache:
        obj = model.objects.filter(la=la, name=name).first()
        if obj is None:
            obj = model.objects.create(la=la, name=name[:120], **extra)
            changes.append(ImportChange(batch=batch, kind=model.__name__.lower(), object_id=obj.pk,
                                        action=ImportChange.Action.CREATED))
        cache[key] = obj
    return cache[key]


def _school_fields(record: dict, las, areas, clusters, batch, changes) -> dict:
    la = las[record["la_code"]]
    out = {"la": la, "laestab": record.get("laestab", ""), "name": record["name"], "phase": record["phase"]}
    for name in ("school_type", "status", "number_on_roll", "fsm_percent"):
        if name in record:
            out[name] = record[name]
    if "area" in record:
        out["area"] = _named(Area, la, record["area"], batch, changes, areas) if record["area"] else None
    if "cluster" in record:
        out["cluster"] = (_named(Cluster, la, record["cluster"], batch, changes, clusters, area=out.get("area"))
                          if record["cluster"] else None)
    return out


def _write_register(register: RegisterPlan, batch, changes, las, user):
    areas, clusters = {}, {}
    columns = register.columns
    created, updated = [], []
    for record in register.rows:
        if record["action"] == "unchanged":
            continue
        given = {k: v for k, v in record.items() if k in columns or k in ("urn", "la_code", "phase")}
        fields = _school_fields(given, las, areas, clusters, batch, changes)
        if record["action"] == "created":
            created.append(School(urn=record["urn"], **fields))
        else:
            updated.append((record, fields))
    if created:
        bulk_create_with_history(created, School, batch_size=500, default_user=_user(user),
                                 default_change_reason=f"Import batch {batch.pk}")
        ids = dict(School.objects.filter(urn__in=[s.urn for s in created]).values_list("urn", "id"))
        changes.extend(ImportChange(batch=batch, kind=ImportChange.Kind.SCHOOL, object_id=ids[s.urn],
                                    action=ImportChange.Action.CREATED) for s in created)
    if updated:
        current = {s.pk: s for s in School.objects.filter(pk__in=[r["id"] for r, _ in updated])}
        objs = []
        for record, fields in updated:
            school = current[record["id"]]
            changes.append(ImportChange(
                batch=batch, kind=ImportChange.Kind.SCHOOL, object_id=school.pk, action=ImportChange.Action.UPDATED,
                previous=_school_snapshot(school),
            ))
            for name, value in fields.items():
                setattr(school, name, value)
            objs.append(school)
        bulk_update_with_history(objs, School, SCHOOL_WRITE_FIELDS, batch_size=500, default_user=_user(user),
                                 default_change_reason=f"Import batch {batch.pk}")


SCHOOL_WRITE_FIELDS = ["la", "laestab", "name", "phase", "school_type", "status", "number_on_roll", "fsm_percent",
                       "area", "cluster"]


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
    objs = [School(urn=r["urn"], la=las[r["la_code"]], laestab=r["laestab"], name=r["name"][:200], phase=r["phase"])
            for r in new_schools]
    bulk_create_with_history(objs, School, batch_size=500, default_user=_user(user),
                             default_change_reason=f"Import batch {batch.pk}")
    ids = dict(School.objects.filter(urn__in=[s.urn for s in objs]).values_list("urn", "id"))
    changes.extend(ImportChange(batch=batch, kind=ImportChange.Kind.SCHOOL, object_id=ids[s.urn],
                                action=ImportChange.Action.CREATED) for s in objs)


def _write_neighbours(diff: NeighbourDiff, batch) -> list[ImportChange]:
    StatisticalNeighbour.objects.bulk_create([
        StatisticalNeighbour(la_code=r.la_code, rank=int(r.rank), neighbour_code=r.neighbour_code,
                             closeness=(r.closeness or "")[:40], batch=batch)
        for r in diff.created.itertuples(index=False)
    ])
    changes, params = [], []
    for r in diff.updated.itertuples(index=False):
        params.append((r.neighbour_code, (r.closeness or "")[:40], batch.pk, int(r.prev_id)))
        changes.append(ImportChange(
            batch=batch, kind=ImportChange.Kind.NEIGHBOUR, object_id=int(r.prev_id),
            action=ImportChange.Action.UPDATED, previous_batch_id=fact_ops._int(r.prev_batch_id),
            previous={"neighbour_code": r.prev_neighbour_code, "closeness": r.prev_closeness,
                      "batch_id": fact_ops._int(r.prev_batch_id)},
        ))
    fact_ops.execute_updates(StatisticalNeighbour, ("neighbour_code", "closeness", "batch_id"), params)
    return changes


# --------------------------------------------------------------------------- one call for the CLI
def import_file(*, data: bytes, file_name: str, format: str = "auto", results_year: int | None = None, user=None,
                dry_run: bool = False) -> tuple[ImportPlan, ImportBatch | None]:
    plan = build_plan(data=data, file_name=file_name, format=format, results_year=results_year)
    if plan.has_errors or dry_run:
        return plan, None
    batch = commit_plan(plan=plan, user=user, file_size=len(data), file_hash=sha256(data))
    return plan, batch


# --------------------------------------------------------------------------- web: stage, confirm
def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stage_upload(*, data: bytes, file_name: str, format: str, results_year: int | None, user) -> ImportBatch:
    """Check the file and keep it (under a generated name) with its preview until the user confirms."""
    plan = build_plan(data=data, file_name=file_name, format=format, results_year=results_year)
    stored = ""
    if not plan.has_errors:
        stored = f"imports/{uuid.uuid4().hex}.upload"
        (Path(settings.MEDIA_ROOT) / stored).parent.mkdir(parents=True, exist_ok=True)
        (Path(settings.MEDIA_ROOT) / stored).write_bytes(data)
    return ImportBatch.objects.create(
        uploaded_by=_user(user), file_name=Path(file_name).name[:255], file_size=len(data), sha256=sha256(data),
        format=plan.format if plan.format in Format.values else Format.LONG, results_year=plan.results_year,
        status=ImportBatch.Status.FAILED if plan.has_errors else ImportBatch.Status.PREVIEWED,
        rows_read=plan.rows_read, created_count=plan.counts["created"], updated_count=plan.counts["updated"],
        unchanged_count=plan.counts["unchanged"], error_count=len(plan.errors),
        warnings=[str(p) for p in plan.warnings[:1000]],
        problems=[p.as_dict() for p in plan.problems[:MAX_STORED_PROBLEMS]], summary=plan.summary(),
        stored_file=stored,
    )


def stored_bytes(batch: ImportBatch) -> bytes:
    if not batch.stored_file:
        raise ImportRejected("The uploaded file is no longer kept: upload it again.")
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / batch.stored_file).resolve()
    if root not in path.parents or not path.exists():
        raise ImportRejected("The uploaded file is no longer kept: upload it again.")
    return path.read_bytes()


def confirm_batch(*, batch: ImportBatch, user) -> ImportBatch:
    """Commit a previewed upload. The file is checked again: the database may have changed since the preview."""
    if batch.status != ImportBatch.Status.PREVIEWED:
        raise ImportRejected("Only a previewed import can be confirmed.")
    data = stored_bytes(batch)
    if sha256(data) != batch.sha256:
        raise ImportRejected("The kept file has changed since the preview: upload it again.")
    plan = build_plan(data=data, file_name=batch.file_name, format=batch.format, results_year=batch.results_year)
    if plan.has_errors:
        batch.status = ImportBatch.Status.FAILED
        batch.problems = [p.as_dict() for p in plan.problems[:MAX_STORED_PROBLEMS]]
        batch.error_count = len(plan.errors)
        batch.save(update_fields=["status", "problems", "error_count"])
        raise ImportRejected(f"The file now has {len(plan.errors)} error(s): nothing was imported.", plan.errors)
    batch = commit_plan(plan=plan, user=user, batch=batch)
    _discard_file(batch)
    return batch


def discard_preview(*, batch: ImportBatch) -> None:
    if batch.status in (ImportBatch.Status.PREVIEWED, ImportBatch.Status.FAILED):
        _discard_file(batch)


def _discard_file(batch: ImportBatch):
    if batch.stored_file:
        path = Path(settings.MEDIA_ROOT) / batch.stored_file
        path.unlink(missing_ok=True)
        ImportBatch.objects.filter(pk=batch.pk).update(stored_file="")
        batch.stored_file = ""


# --------------------------------------------------------------------------- rollback
def _delete_created(model, batch, updated_ids: list[int]):
    """Rows that point to the batch and that it did not merely update are the rows it created."""
    keep = set(updated_ids)
    ids = [pk for pk in model.objects.filter(batch=batch).values_list("pk", flat=True) if pk not in keep]
    for start in range(0, len(ids), 5000):
        model.objects.filter(pk__in=ids[start:start + 5000]).delete()


def rollback_blockers(batch: ImportBatch) -> list[str]:
    """Why the batch cannot be rolled back (empty when it can)."""
    if batch.status != ImportBatch.Status.COMMITTED:
        return ["Only an imported (committed) batch can be rolled back."]
    reasons = []
    later = (ImportChange.objects.filter(previous_batch=batch, batch__status=ImportBatch.Status.COMMITTED)
             .exclude(batch=batch).values_list("batch_id", flat=True).distinct())
    for other in sorted(set(later)):
        reasons.append(f"Import #{other} has since changed figures this import wrote: roll that back first.")
    own = ImportChange.objects.filter(batch=batch, kind=ImportChange.Kind.SCHOOL)
    school_ids = list(own.values_list("object_id", flat=True))
    if school_ids:
        later_schools = (ImportChange.objects.filter(kind=ImportChange.Kind.SCHOOL, object_id__in=school_ids,
                                                     batch_id__gt=batch.pk,
                                                     batch__status=ImportBatch.Status.COMMITTED)
                         .values_list("batch_id", flat=True).distinct())
        for other in sorted(set(later_schools)):
            reasons.append(f"Import #{other} has since changed schools this import wrote: roll that back first.")
        created = list(own.filter(action=ImportChange.Action.CREATED).values_list("object_id", flat=True))
        if Result.objects.filter(school_id__in=created).exclude(batch=batch).exists():
            reasons.append("Other imports have results for schools this import created: roll those back first.")
    return reasons


@transaction.atomic
def rollback_batch(*, batch: ImportBatch, user=None) -> ImportBatch:
    """Undo a committed batch: delete what it created, restore what it overwrote."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    reasons = rollback_blockers(batch)
    if reasons:
        raise ImportRejected(" ".join(reasons))
    changes = list(ImportChange.objects.filter(batch=batch))
    by_kind: dict[str, list[ImportChange]] = {}
    for change in changes:
        by_kind.setdefault(change.kind, []).append(change)

    for model, kind in ((Result, ImportChange.Kind.RESULT), (Benchmark, ImportChange.Kind.BENCHMARK)):
        updated = [c for c in by_kind.get(kind, []) if c.action == ImportChange.Action.UPDATED]
        _delete_created(model, batch, fact_ops.updated_ids(updated))
        fact_ops.execute_updates(model, fact_ops.WRITE_FIELDS, fact_ops.restore_params(updated))
    context_import.rollback(batch, by_kind.get(ImportChange.Kind.CONTEXT, []))
    updated = [c for c in by_kind.get(ImportChange.Kind.NEIGHBOUR, []) if c.action == ImportChange.Action.UPDATED]
    _delete_created(StatisticalNeighbour, batch, [c.object_id for c in updated])
    fields = ("neighbour_code", "closeness", "batch_id")
    fact_ops.execute_updates(StatisticalNeighbour, fields,
                             [tuple(c.previous.get(f) for f in fields) + (c.object_id,) for c in updated])

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
        bulk_update_with_history(objs, School, SCHOOL_WRITE_FIELDS, default_user=_user(user),
                                 default_change_reason=f"Rollback of import batch {batch.pk}")
    try:
        for kind, model in ((ImportChange.Kind.SCHOOL, School), (ImportChange.Kind.CLUSTER, Cluster),
                            (ImportChange.Kind.AREA, Area), (ImportChange.Kind.LA, LocalAuthority)):
            ids = [c.object_id for c in by_kind.get(kind, []) if c.action == ImportChange.Action.CREATED]
            for obj in model.objects.filter(pk__in=ids):
                obj.delete()
    except ProtectedError as exc:
        raise ImportRejected(
            "Records this import created are now used elsewhere (plans, visits, other schools): "
            f"they cannot be removed ({exc.args[0][:120]})."
        ) from exc
    batch.status = ImportBatch.Status.ROLLED_BACK
    batch.rolled_back_at = timezone.now()
    batch.rolled_back_by = _user(user)
    batch.save(update_fields=["status", "rolled_back_at", "rolled_back_by"])
    return batch

