"""The preview of an import: what the page shows before the user confirms (counts, schools and LAs to be
created, field changes, figures by measure, a DfE file's year, status and coverage), and the plan's fingerprint
that tells, at confirmation, whether the preview still says what confirming would do."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..models import ImportBatch, School
from . import context as context_import
from . import dfe_layout
from .comparing import Diff
from .register import FIELD_LABELS

if TYPE_CHECKING:
    from .planning import ImportPlan

Format = ImportBatch.Format


def summary(plan: ImportPlan) -> dict:
    """What the preview page shows, kept on the batch between preview and confirm (JSON)."""
    out: dict[str, Any] = {
        "counts": plan.counts,
        "new_las": [{"code": c, "name": n} for c, n in sorted(plan.new_las.items())],
        "fingerprint": plan_fingerprint(plan),
    }
    if plan.register is not None:
        out["field_changes"] = [
            {"field": f, "label": FIELD_LABELS.get(f, f), "schools": n} for f, n in plan.register.field_changes.items()
        ]
        out["skipped_types"] = [{"type": t, "count": n} for t, n in sorted(plan.register.skipped.items())]
        out["new_schools"] = [_school_brief(r) for r in plan.register.of("created")][:1000]
        out["updated_schools"] = [
            {
                **_school_brief(r),
                "changes": [{"field": f, "before": _text(a), "after": _text(b)} for f, (a, b) in r["changes"].items()],
            }
            for r in plan.register.of("updated")
        ][:1000]
        out["unchanged_schools"] = [_school_brief(r) for r in plan.register.of("unchanged")][:1000]
        out["closed"] = sum(1 for r in plan.register.rows if r["status"] == School.Status.CLOSED)
    else:
        out["new_schools"] = [_school_brief(r) for r in plan.new_schools][:1000]
    if plan.diff is not None:
        out["results"] = plan.diff.results.counts
        out["benchmarks"] = plan.diff.benchmarks.counts
        out["by_measure"] = _by_measure(plan.diff)
        out["samples"] = plan.diff.samples
        urns: set[int] = set()
        for frame in (plan.diff.results.created, plan.diff.results.updated):
            urns.update(int(u) for u in frame["urn"].dropna().unique())
        out["schools_touched"] = len(urns)
    if plan.format in (Format.DFE_KS2, Format.DFE_KS4) and plan.parsed is not None:
        out["dfe"] = dfe_summary(plan)
    if plan.context is not None:
        out["schools_touched"] = len(plan.context.created) + len(plan.context.updated)
        out["skipped_schools"] = plan.context.skipped_unknown
    if plan.neighbours is not None:
        out["las"] = int(
            pd.concat([plan.neighbours.created, plan.neighbours.updated])["la_code"].nunique()
            if len(plan.neighbours.created) + len(plan.neighbours.updated)
            else 0
        )
    return out


def dfe_summary(plan: ImportPlan) -> dict:
    """What the preview says of a DfE file: year and status and how they were found, the layout, the
    columns not used, and the share of the LA's open schools the file has figures for."""
    layout = dict(plan.parsed.layout) if plan.parsed is not None else {}
    layout.pop("columns", None)
    out = {"year": plan.results_year, "status": plan.results_status, **plan.found, **layout}
    if plan.diff is not None and plan.parsed is not None:
        out["coverage"] = dfe_layout.coverage(plan.parsed.layout, plan.headline_urns, plan.format, plan.new_schools)
        out["status_changes"] = dfe_layout.status_changes(plan.diff)
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
        counts: dict[tuple[str, str], dict[str, int]] = {}
        for action, frame in (("created", part.created), ("updated", part.updated)):
            if len(frame):
                for (measure, group), size in frame.groupby(["measure", "pupil_group"]).size().items():
                    counts.setdefault((measure, group), {"created": 0, "updated": 0})[action] = int(size)
        for (measure, group), value in sorted(counts.items()):
            rows.append({"target": target, "measure": measure, "group": group, **value})
    return rows


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
        # Each column hashed by its values (text columns once per distinct value): writing two million
        # figures out as text first would double the preview's memory.
        part = frame[present].reset_index(drop=True)
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
