"""Comparing a frame of facts with the database: what an import would create, update or leave alone, found
in a few bulk queries, with the previous values of every row it would update (kept for rollback)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..models import Benchmark, Result
from .facts import BENCHMARK, NUMBER_FIELDS, RESULT, Reference
from .problems import Problem


@dataclass
class FactDiff:
    created: pd.DataFrame
    updated: pd.DataFrame  # with the existing row's id and previous values (prev_*)
    unchanged: int
    # Value-only facts left alone because the stored fact has its pupil counts and a different value
    # (counted among ``unchanged``), with the stored figures as prev_*.
    kept: pd.DataFrame | None = None

    @property
    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": len(self.updated), "unchanged": self.unchanged}


@dataclass
class Diff:
    results: FactDiff
    benchmarks: FactDiff
    samples: list[dict] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {k: self.results.counts[k] + self.benchmarks.counts[k] for k in ("created", "updated", "unchanged")}


def _with_ids(facts: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """``facts`` (a frame of its own) with its measure and pupil group ids added in place."""
    facts["measure_id"] = facts["measure"].map({c: m.pk for c, m in ref.measures.items()})
    facts["pupil_group_id"] = facts["pupil_group"].map({c: g.pk for c, g in ref.groups.items()})
    return facts


def _same(a: pd.Series, b: pd.Series, tolerance: float = 0.0) -> pd.Series:
    a, b = a.astype(float), b.astype(float)
    return (a.isna() & b.isna()) | ((a - b).abs() <= tolerance + 1e-9)


def _existing(model, filters: dict, fields: list[str]) -> pd.DataFrame:
    columns = ["id", *fields, "cohort", "achievers", "points", "value", "value_code", "status", "batch_id"]
    rows = list(model.objects.filter(**filters).values_list(*columns))
    frame = pd.DataFrame(rows, columns=columns)
    for name in ("cohort", "achievers", "points", "value"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    return frame


def _compare(
    incoming: pd.DataFrame, existing: pd.DataFrame, key: list[str], *, value_only_keeps_counts: bool
) -> FactDiff:
    if incoming.empty:
        return FactDiff(incoming, incoming, 0)
    prev = existing.rename(columns={c: f"prev_{c}" for c in existing.columns if c not in key})
    merged = incoming.merge(prev, on=key, how="left", validate="one_to_one")
    known = merged["prev_id"].notna()
    same = (
        _same(merged["cohort"], merged["prev_cohort"])
        & _same(merged["achievers"], merged["prev_achievers"])
        & _same(merged["points"], merged["prev_points"], 0.005)
        & _same(merged["value"], merged["prev_value"], 0.005)
        & (merged["value_code"] == merged["prev_value_code"])
        & (merged["status"] == merged["prev_status"])
    )
    kept = None
    if value_only_keeps_counts:
        # A source that publishes only a value (LAIT) never replaces a fact that has its pupil counts (the
        # performance tables' own figure, from which intervals and significance are worked out): less
        # information must not overwrite more. Where the two values differ the counted one is kept, and said.
        value_only = merged["cohort"].isna() & merged["achievers"].isna() & merged["points"].isna()
        counted = merged["prev_cohort"].notna() | merged["prev_achievers"].notna() | merged["prev_points"].notna()
        kept_rows = known & ~same & value_only & counted
        # Said only where the values differ beyond the value-only source's rounding to whole numbers.
        differs = ~_same(merged["value"], merged["prev_value"], 0.5) | (
            merged["value_code"] != merged["prev_value_code"]
        )
        kept = merged[kept_rows & differs].reset_index(drop=True)
        same = same | kept_rows
    created = merged[~known]
    updated = merged[known & ~same]
    return FactDiff(
        created=created.reset_index(drop=True),
        updated=updated.reset_index(drop=True),
        unchanged=int((known & same).sum()),
        kept=kept,
    )


FACT_KEY = ["results_year", "measure_id", "pupil_group_id"]


def _diff(model, incoming: pd.DataFrame, key: list[str], *, value_only_keeps_counts: bool) -> FactDiff:
    """Compare ``incoming`` with the stored facts of ``model`` that share its place (``key[0]``: the school or
    the geography), years and measures, matched on ``key``. One query."""
    if not len(incoming):
        return FactDiff(incoming, incoming, 0)
    place = key[0]
    existing = _existing(
        model,
        {
            f"{place}__in": sorted(set(incoming[place].tolist())),
            "results_year__in": sorted(set(incoming["results_year"].astype(int).tolist())),
            "measure_id__in": sorted(set(incoming["measure_id"].tolist())),
        },
        key,
    )
    for column in (c for c in key if c != "geography_code"):  # ids and years alike as whole numbers
        incoming[column] = incoming[column].astype(np.int64)
        existing[column] = existing[column].astype(np.int64)
    return _compare(incoming, existing, key, value_only_keeps_counts=value_only_keeps_counts)


def diff_facts(facts: pd.DataFrame, ref: Reference, *, school_ids: dict[int, int]) -> Diff:
    """What writing ``facts`` would do. ``school_ids`` maps URN → id for schools that already exist.

    The facts are split into results and benchmarks once (``take``: one copy each, not the two a boolean
    index and ``copy`` make), and the facts of new schools (every fact of a national file read into an empty
    database) are not copied again: a national file has two million. Give ``facts`` over (no other reference
    to it, as :func:`.planning.build_plan` does): it is let go once split, so it is not held beside its copy."""
    target = facts["target"].to_numpy()
    results = facts.take(np.flatnonzero(target == RESULT))
    benchmarks = facts.take(np.flatnonzero(target == BENCHMARK))
    del facts, target
    results, benchmarks = _with_ids(results, ref), _with_ids(benchmarks, ref)

    results["school_id"] = results["urn"].map(school_ids)
    unknown = results["school_id"].isna().to_numpy()
    known = results.take(np.flatnonzero(~unknown)) if unknown.any() else results
    new_school_facts = results.take(np.flatnonzero(unknown)) if not unknown.all() else results
    del results
    known["school_id"] = known["school_id"].astype(np.int64)
    result_diff = _diff(Result, known, ["school_id", *FACT_KEY], value_only_keeps_counts=False)
    if not len(result_diff.created):
        new_school_facts.index = pd.RangeIndex(len(new_school_facts))
        result_diff.created = new_school_facts
    elif len(new_school_facts):
        result_diff.created = pd.concat([result_diff.created, new_school_facts], ignore_index=True)
    del known, new_school_facts
    bench_diff = _diff(Benchmark, benchmarks, ["geography_code", *FACT_KEY], value_only_keeps_counts=True)

    samples = []
    for frame, label in ((result_diff.updated, "urn"), (bench_diff.updated, "geography_code")):
        for record in frame.head(100).to_dict("records"):
            samples.append(
                {
                    "where": str(record[label] if label == "geography_code" else int(record["urn"])),
                    "year": int(record["results_year"]),
                    "measure": record["measure"],
                    "group": record["pupil_group"],
                    "before": _describe(record, "prev_"),
                    "after": _describe(record, ""),
                    "row": int(record["row"]),
                }
            )
    return Diff(results=result_diff, benchmarks=bench_diff, samples=samples)


def lost_cohort_problems(diff: Diff, columns: dict) -> list[Problem]:
    """Updates that would replace a figure that has its cohort with one that has none: refused (less information
    must not overwrite more). ``columns`` maps (measure, group) → (count column, value column) for the message."""
    problems = []
    for frame in (diff.results.updated, diff.benchmarks.updated):
        if not len(frame):
            continue
        lost = frame[frame["prev_cohort"].notna() & frame["cohort"].isna()]
        for (measure, group), part in lost.groupby(["measure", "pupil_group"]):
            count_column = columns.get((measure, group), ("cohort",))[0]
            problems.append(
                Problem(
                    row=int(part["row"].iloc[0]),
                    column=count_column,
                    value=f"{len(part)} figure(s)",
                    reason=(
                        f"The file would replace {len(part)} figure(s) for {measure}, {group} "
                        f"that have a pupil count with figures that have none (the cohort "
                        f"would be lost): nothing is imported."
                    ),
                )
            )
    return problems


def kept_counted_problems(diff: Diff) -> list[Problem]:
    """Warnings for the value-only figures (LAIT) left alone because a figure with its pupil counts is held for
    the same place, year, measure and group, with a different value: one per measure and group, naming the
    first such figure both ways."""
    kept = diff.benchmarks.kept
    if kept is None or not len(kept):
        return []
    problems = []
    for (measure, group), part in kept.groupby(["measure", "pupil_group"], sort=True):
        first = part.iloc[0].to_dict()
        problems.append(
            Problem(
                row=int(first["row"]),
                column="value",
                value=_describe(first, ""),
                reason=(
                    f"{len(part)} figure(s) for {measure}, {group} give only a value where a figure with its pupil "
                    f"count is held (e.g. {first['geography_code']} {int(first['results_year'])}: "
                    f"{_describe(first, '')} here, {_describe(first, 'prev_')} held): the counted figure is kept."
                ),
                level=Problem.WARNING,
            )
        )
    return problems


def _describe(record: dict, prefix: str) -> str:
    parts = []
    for name in NUMBER_FIELDS:
        number = record.get(prefix + name)
        if number is not None and not pd.isna(number):
            parts.append(f"{name} {float(number):g}")
    code = record.get(prefix + "value_code")
    if code:
        parts.append(f"marker {code}")
    return ", ".join(parts) or "no figure"
