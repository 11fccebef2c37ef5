"""Imports: build a plan (parse → validate every row → compare with the database), then commit it in ONE
transaction as an :class:`ImportBatch`, or roll a batch back while no later batch has touched its rows.

The web view and the management commands both go through :func:`build_plan` and :func:`commit_plan`, so a
file gives the same messages and the same result wherever it is imported.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.conf import settings

from ..models import ImportBatch, LocalAuthority, School, StatisticalNeighbour
from . import context as context_import
from . import dfe_layout
from . import facts as fact_ops
from .benchmarks import parse_lait, parse_neighbours
from .committing import MAX_STORED_PROBLEMS, _user, commit_plan
from .dfe_layout import year_from_file_name  # noqa: F401  (part of this module's interface)
from .facts import Diff, Reference, complete_and_validate
from .la_codes import la_name
from .locking import import_transaction
from .problems import AlreadyDone, ImportRejected, Problem
from .readers import FileProblem, Limits, read_table
from .register import FIELD_LABELS, RegisterPlan, diff_register, parse_register
from .results import Parsed, parse_dfe, parse_long_figures
from .rollback import rollback_batch, rollback_blockers
from .scope import check_scope, import_la

Format = ImportBatch.Format
FACT_FORMATS = (Format.LONG, Format.DFE_KS2, Format.DFE_KS4, Format.BENCHMARKS, Format.LAIT)
UPLOAD_FORMATS = [(f.value, f.label) for f in Format if f != Format.DEMO]
# Re-exported: the views, commands and tests ask this module (AlreadyDone, ImportRejected, commit_plan, rollback_*).
REEXPORTED = (AlreadyDone, ImportRejected, commit_plan, rollback_batch, rollback_blockers)


# --------------------------------------------------------------------------- helpers
def detect_format(columns) -> str | None:
    """Guess the format from the header (used when the user chooses "detect")."""
    names = set(columns)
    upper = {str(c).strip().upper() for c in columns}
    if {"urn", "results_year", "measure", "pupil_group"} <= names:
        return Format.LONG
    if {"geography", "results_year", "measure", "pupil_group"} <= names:
        return Format.BENCHMARKS
    if {"measure_code", "la_code", "value", "year"} <= names:
        return Format.LAIT
    if "SN1" in names:
        return Format.NEIGHBOURS
    if {"RECTYPE", "URN"} <= upper:
        if any(c.startswith("PTRWM") or c == "TELIG" for c in upper):
            return Format.DFE_KS2
        if any(c.startswith("ATT8") or c == "TPUP" for c in upper):
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
    results_status: str | None = None  # DfE files: provisional, revised or final
    found: dict = field(default_factory=dict)  # how the year and status were found (DfE files)
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
            return {
                "created": len(self.neighbours.created),
                "updated": len(self.neighbours.updated),
                "unchanged": self.neighbours.unchanged,
            }
        if self.diff is not None:
            return self.diff.counts
        return {"created": 0, "updated": 0, "unchanged": 0}

    def summary(self) -> dict:
        """What the preview page shows, kept on the batch between preview and confirm (JSON)."""
        out = {
            "counts": self.counts,
            "new_las": [{"code": c, "name": n} for c, n in sorted(self.new_las.items())],
            "fingerprint": plan_fingerprint(self),
        }
        if self.register is not None:
            out["field_changes"] = [
                {"field": f, "label": FIELD_LABELS.get(f, f), "schools": n}
                for f, n in self.register.field_changes.items()
            ]
            out["skipped_types"] = [{"type": t, "count": n} for t, n in sorted(self.register.skipped.items())]
            out["new_schools"] = [_school_brief(r) for r in self.register.of("created")][:1000]
            out["updated_schools"] = [
                {
                    **_school_brief(r),
                    "changes": [
                        {"field": f, "before": _text(a), "after": _text(b)} for f, (a, b) in r["changes"].items()
                    ],
                }
                for r in self.register.of("updated")
            ][:1000]
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
        if self.format in (Format.DFE_KS2, Format.DFE_KS4) and self.parsed is not None:
            out["dfe"] = self.dfe_summary()
        if self.context is not None:
            out["schools_touched"] = len(self.context.created) + len(self.context.updated)
            out["skipped_schools"] = self.context.skipped_unknown
        if self.neighbours is not None:
            out["las"] = int(
                pd.concat([self.neighbours.created, self.neighbours.updated])["la_code"].nunique()
                if len(self.neighbours.created) + len(self.neighbours.updated)
                else 0
            )
        return out

    def dfe_summary(self) -> dict:
        """What the preview says of a DfE file: year and status and how they were found, the layout, the
        columns not used, and the share of the LA's open schools the file has figures for."""
        layout = dict(self.parsed.layout)
        layout.pop("columns", None)
        out = {"year": self.results_year, "status": self.results_status, **self.found, **layout}
        if self.diff is not None:
            out["coverage"] = dfe_layout.coverage(self.parsed, self.format, self.new_schools)
            out["status_changes"] = dfe_layout.status_changes(self.diff)
        return out


def _text(value) -> str:
    return "–" if value in (None, "") else str(value)


def _school_brief(record: dict) -> dict:
    return {
        "urn": record["urn"],
        "name": record["name"],
        "la": record.get("la_code", ""),
        "phase": record.get("phase") or "",
        "row": record.get("row"),
    }


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


def build_plan(
    *,
    data: bytes,
    file_name: str,
    format: str = "auto",
    results_year: int | None = None,
    user=None,
    limits: Limits | None = None,
    status: str | None = None,
    folder: str = "",
) -> ImportPlan:
    """Parse and check every row, then compare with the database. Writes nothing.

    ``user``: a data manager's imports are limited to their LA (:func:`scope.import_la`); ``None`` (the command
    line) is not limited. ``limits``: the size limits (default: the settings; ``Limits.none()`` lifts them).
    DfE files: the results year is ``results_year``, else from the file name, else from its folder
    (``folder``, or a folder in ``file_name``), else from the file's previous-year columns; the status is
    ``status``, else from the file name, else final."""
    plan = ImportPlan(format=format, file_name=file_name, results_year=results_year)
    limits = Limits.from_settings() if limits is None else limits
    try:
        if format == Format.NEIGHBOURS:
            table = read_table(data, header_contains=("SN1",), limits=limits)
        else:
            table = read_table(data, limits=limits)
    except FileProblem as exc:
        plan.problems.append(Problem(row=None, column="", value="", reason=str(exc)))
        return plan
    if format in ("auto", "", None):
        detected = detect_format(table.columns)
        if detected is None and table.kind == "xlsx":
            try:
                neighbour_table = read_table(data, header_contains=("SN1",), limits=limits)
                detected, table = Format.NEIGHBOURS, neighbour_table
            except FileProblem:
                pass
        if detected is None:
            plan.problems.append(
                Problem(
                    row=1,
                    column="",
                    value=", ".join(table.columns[:6]),
                    reason=("Could not tell the format from the header: choose the format, or check the header row."),
                )
            )
            return plan
        plan.format = detected
    if plan.format in (Format.DFE_KS2, Format.DFE_KS4):
        plan.results_year, year_how = dfe_layout.find_year(
            given=results_year, file_name=file_name, folder=folder, columns=table.columns
        )
        plan.results_status, status_how = dfe_layout.find_status(given=status, file_name=file_name)
        plan.found = {
            "year_found": year_how,
            "status_found": status_how,
            "year_given": results_year,
            "status_given": status,
            "folder": folder,
        }
    plan.rows_read = len(table)
    plan.problems.extend(table.warnings)
    if not len(table):
        plan.problems.append(Problem(row=None, column="", value="", reason="The file has a header but no rows."))
        return plan

    known_las = dict(LocalAuthority.objects.values_list("code", "name"))
    scope_la = import_la(user)
    if plan.format == Format.REGISTER:
        register = parse_register(table, known_las=known_las)
        plan.problems.extend(register.problems)
        plan.new_las = {code: la_name(code, name) for code, name in register.new_las.items()}
        check_scope(plan.problems, scope_la, register=register)
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
            plan.results_year, _how = dfe_layout.find_year(
                given=None, file_name=file_name, folder=folder, columns=table.columns
            )
        urn_column = next((c for c in table.columns if c.strip().upper() == "URN"), "URN")
        school_ids = fact_ops.school_id_map(
            pd.to_numeric(table.column(urn_column).str.strip(), errors="coerce").dropna().astype(int).tolist()
        )
        plan.context = context_import.parse(
            table, plan.format, results_year=plan.results_year, school_ids=school_ids, problems=plan.problems
        )
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
        parsed = parse_dfe(
            table,
            ref,
            fmt=plan.format,
            results_year=plan.results_year,
            known_urns=known_urns,
            known_las=known_las,
            status=plan.results_status,
        )
    plan.problems.extend(parsed.problems)
    if plan.format in (Format.DFE_KS2, Format.DFE_KS4):
        plan.problems = dfe_layout.problems_first(plan.problems)
    plan.new_schools = parsed.new_schools
    plan.new_las = {code: la_name(code, name) for code, name in parsed.new_las.items()}
    _name_las(parsed.facts)
    # Every row is checked even when parsing found errors: all problems are reported in one pass.
    parsed.facts = complete_and_validate(
        parsed.facts, ref, plan.problems, check_codes=plan.format in (Format.LONG, Format.BENCHMARKS)
    )
    plan.parsed = parsed
    school_ids = fact_ops.school_id_map(parsed.facts["urn"].dropna().tolist()) if len(parsed.facts) else {}
    if plan.format == Format.LONG and len(parsed.facts):
        unknown = parsed.facts["urn"].notna() & ~parsed.facts["urn"].isin(list(school_ids))
        for row, urn in zip(parsed.facts.loc[unknown, "row"], parsed.facts.loc[unknown, "urn"]):
            plan.problems.append(
                Problem(
                    row=int(row),
                    column="urn",
                    value=str(int(urn)),
                    reason="Unknown URN: import the school register first.",
                )
            )
    check_scope(plan.problems, scope_la, facts=parsed.facts, new_schools=plan.new_schools, school_ids=school_ids)
    if plan.results_year is None and plan.format == Format.LONG and len(parsed.facts):
        years = parsed.facts["results_year"].dropna().unique()
        plan.results_year = int(years[0]) if len(years) == 1 else None
    if not plan.has_errors:
        plan.diff = fact_ops.diff_facts(parsed.facts, ref, school_ids=school_ids)
        if plan.format in (Format.LONG, Format.DFE_KS2, Format.DFE_KS4):
            plan.problems.extend(fact_ops.lost_cohort_problems(plan.diff, parsed.layout.get("columns", {})))
    return plan


def _name_las(facts: pd.DataFrame) -> None:
    """An LA row without a name (KS4 files) is named from the LA code list."""
    if not len(facts) or "geography_name" not in facts:
        return
    unnamed = (facts["kind"] == "la") & (facts["geography_name"].fillna("") == "")
    if unnamed.any():
        facts.loc[unnamed, "geography_name"] = [la_name(code) for code in facts.loc[unnamed, "geography_code"]]


def diff_neighbours(links: pd.DataFrame) -> NeighbourDiff:
    existing = pd.DataFrame(
        list(
            StatisticalNeighbour.objects.filter(la_code__in=sorted(set(links["la_code"]))).values_list(
                "id", "la_code", "rank", "neighbour_code", "closeness", "batch_id"
            )
        ),
        columns=["prev_id", "la_code", "rank", "prev_neighbour_code", "prev_closeness", "prev_batch_id"],
    )
    links = links.assign(rank=links["rank"].astype(int))
    existing["rank"] = existing["rank"].astype(int)
    merged = links.merge(existing, on=["la_code", "rank"], how="left")
    known = merged["prev_id"].notna()
    same = (merged["neighbour_code"] == merged["prev_neighbour_code"]) & (
        merged["closeness"] == merged["prev_closeness"]
    )
    return NeighbourDiff(
        created=merged[~known].reset_index(drop=True),
        updated=merged[known & ~same].reset_index(drop=True),
        unchanged=int((known & same).sum()),
    )


def plan_fingerprint(plan: ImportPlan) -> str:
    """A digest of everything the plan would do, including the figures and writers it would replace.

    Confirming rebuilds the plan while holding the import lock; a different digest means the database changed
    since the preview (another import, a rollback), so the preview no longer says what would happen.
    """
    digest = hashlib.sha256()

    def add_frame(frame: pd.DataFrame | None, columns):
        if frame is None or not len(frame):
            digest.update(b"-")
            return
        present = [c for c in columns if c in frame.columns]
        part = frame[present].reset_index(drop=True).astype(str)
        digest.update(pd.util.hash_pandas_object(part, index=False).to_numpy().tobytes())

    previous = [
        "prev_id",
        "prev_batch_id",
        "prev_cohort",
        "prev_achievers",
        "prev_points",
        "prev_value",
        "prev_value_code",
        "prev_status",
    ]
    if plan.diff is not None:
        for part, key in ((plan.diff.results, "urn"), (plan.diff.benchmarks, "geography_code")):
            add_frame(part.created, [key, "results_year", "measure", "pupil_group"])
            add_frame(part.updated, previous)
            digest.update(str(part.unchanged).encode())
    if plan.neighbours is not None:
        add_frame(plan.neighbours.created, ["la_code", "rank"])
        add_frame(plan.neighbours.updated, ["prev_id", "prev_neighbour_code", "prev_closeness", "prev_batch_id"])
    if plan.register is not None:
        rows = [
            (r["urn"], r["action"], sorted((f, str(a), str(b)) for f, (a, b) in r["changes"].items()))
            for r in plan.register.rows
        ]
        digest.update(json.dumps(rows, default=str).encode())
    digest.update(json.dumps([sorted(plan.new_las.items()), sorted(r["urn"] for r in plan.new_schools)]).encode())
    if plan.context is not None:
        digest.update(context_import.fingerprint(plan.context).encode())
    return digest.hexdigest()


# --------------------------------------------------------------------------- one call for the CLI
def import_file(
    *,
    data: bytes,
    file_name: str,
    format: str = "auto",
    results_year: int | None = None,
    user=None,
    dry_run: bool = False,
    limits: Limits | None = None,
    status: str | None = None,
    folder: str = "",
) -> tuple[ImportPlan, ImportBatch | None]:
    """Check and (unless ``dry_run``) write a file. The plan is built while holding the import lock, so what
    it records as "previous" is what it replaces, whatever else is importing at the same time."""
    options = dict(
        data=data,
        file_name=file_name,
        format=format,
        results_year=results_year,
        user=user,
        limits=limits,
        status=status,
        folder=folder,
    )
    if dry_run:
        return build_plan(**options), None
    with import_transaction():
        plan = build_plan(**options)
        if plan.has_errors:
            return plan, None
        batch = commit_plan(plan=plan, user=user, file_size=len(data), file_hash=sha256(data))
    return plan, batch


# --------------------------------------------------------------------------- web: stage, confirm
def stage_upload(
    *,
    data: bytes,
    file_name: str,
    format: str,
    results_year: int | None,
    user,
    status: str | None = None,
    folder: str = "",
) -> ImportBatch:
    """Check the file and keep it (under a generated name) with its preview until the user confirms."""
    plan = build_plan(
        data=data,
        file_name=file_name,
        format=format,
        results_year=results_year,
        user=user,
        status=status,
        folder=folder,
    )
    stored = ""
    if not plan.has_errors:
        stored = f"imports/{uuid.uuid4().hex}.upload"
        (Path(settings.MEDIA_ROOT) / stored).parent.mkdir(parents=True, exist_ok=True)
        (Path(settings.MEDIA_ROOT) / stored).write_bytes(data)
    return ImportBatch.objects.create(
        uploaded_by=_user(user),
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
        "summary": plan.summary(),
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


def confirm_batch(*, batch: ImportBatch, user, fingerprint: str | None = None) -> ImportBatch:
    """Commit a previewed upload, once.

    Holding the import lock, the file's plan is built again and compared with the preview the user saw
    (``fingerprint``, sent by the confirm form; else the last preview kept): if another import or a rollback
    changed the data meanwhile, nothing is written and the preview is refreshed ("preview again"). A second
    confirm of the same batch (a double-click) finds it committed, or its preview refreshed, and changes nothing.
    """
    outcome = None
    with import_transaction():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ImportBatch.Status.COMMITTED:
            raise AlreadyDone(f"Import #{batch.pk} was already confirmed: nothing more to do.")
        if batch.status != ImportBatch.Status.PREVIEWED:
            raise ImportRejected("Only a previewed import can be confirmed.")
        seen = fingerprint or (batch.summary or {}).get("fingerprint")
        if seen != (batch.summary or {}).get("fingerprint"):
            raise AlreadyDone(STALE_MESSAGE)  # this preview was refreshed since the user saw it
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
        )
        if plan.has_errors:
            batch.status = ImportBatch.Status.FAILED
            outcome = ImportRejected(
                f"The file now has {len(plan.errors)} error(s): nothing was imported.", plan.errors
            )
        elif plan_fingerprint(plan) != seen:
            outcome = ImportRejected(STALE_MESSAGE)
        if outcome is not None:
            for name, value in _preview_fields(plan).items():
                setattr(batch, name, value)
            batch.save()
        else:
            batch = commit_plan(plan=plan, user=user, batch=batch)
    if outcome is not None:
        if batch.status == ImportBatch.Status.FAILED:
            _discard_file(batch)
        raise outcome
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
