"""School context from the companion files of the DfE's school performance tables.

The performance tables' download for an LA carries, beside the KS2/KS4 results, the spring census
(``…_census.csv``: pupils on roll, FSM, SEN support, EHC plans, EAL), absence (``…_abs.csv``: overall and
persistent absence, whole school, full academic year) and the school information file
(``…_school_information.csv``: type, ages, gender, religious character, admissions policy). Column names and
meanings are the DfE's metadata for these files (census_meta, abs_meta, school_information_meta).

Each file becomes one :class:`~schools.models.SchoolContext` row per school × year × source. Like every
import it is all-or-nothing: any bad cell (row and column named) refuses the whole file. Rows for schools the
register does not know (independent schools, nurseries) are skipped with a warning; LA and England summary
rows (no URN) are not school context and are skipped too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from ..models import ImportBatch, ImportChange, SchoolContext
from .changes import updated_change
from .parsing import checked_figures
from .problems import ImportRejected, Problem, collect
from .readers import Table

Format = ImportBatch.Format
COUNT, PERCENT, TEXT = "count", "percent", "text"


@dataclass(frozen=True)
class Layout:
    source: str
    description: str
    fields: dict  # model field → (file column, kind)
    detect: frozenset  # columns that identify the file


LAYOUTS: dict[str, Layout] = {
    Format.CENSUS: Layout(
        source=SchoolContext.Source.CENSUS,
        description="performance tables census file (…_census.csv)",
        fields={
            "number_on_roll": ("NOR", COUNT),
            "fsm_pupils": ("NUMFSM", COUNT),
            "fsm6_percent": ("PNUMFSMEVER", PERCENT),
            "sen_support_percent": ("PSENELK", PERCENT),
            "ehcp_percent": ("PSENELSE", PERCENT),
            "eal_percent": ("PNUMEAL", PERCENT),
        },
        detect=frozenset({"URN", "PSENELK", "PNUMEAL"}),
    ),
    Format.ABSENCE: Layout(
        source=SchoolContext.Source.ABSENCE,
        description="performance tables absence file (…_abs.csv)",
        fields={"overall_absence_percent": ("PERCTOT", PERCENT), "persistent_absence_percent": ("PPERSABS10", PERCENT)},
        detect=frozenset({"URN", "PERCTOT", "PPERSABS10"}),
    ),
    Format.SCHOOL_INFORMATION: Layout(
        source=SchoolContext.Source.INFORMATION,
        description="performance tables school information file (…_school_information.csv)",
        fields={
            "school_type": ("SCHOOLTYPE", TEXT),
            "age_low": ("AGELOW", TEXT),
            "age_high": ("AGEHIGH", TEXT),
            "gender": ("GENDER", TEXT),
            "religious_character": ("RELCHAR", TEXT),
            "admissions_policy": ("ADMPOL", TEXT),
        },
        detect=frozenset({"URN", "SCHSTATUS", "MINORGROUP", "AGELOW"}),
    ),
}
FORMATS = tuple(LAYOUTS)
VALUE_FIELDS = [
    "number_on_roll",
    "fsm_pupils",
    "fsm6_percent",
    "sen_support_percent",
    "ehcp_percent",
    "eal_percent",
    "overall_absence_percent",
    "persistent_absence_percent",
    "school_type",
    "age_range",
    "gender",
    "religious_character",
    "admissions_policy",
    "markers",
]
TEXT_LIMITS = {"school_type": 120, "age_range": 20, "gender": 40, "religious_character": 120, "admissions_policy": 80}


def detect_format(columns) -> str | None:
    """The companion file a header belongs to (header names compared without regard to case)."""
    names = {str(c).strip().upper() for c in columns}
    for fmt, layout in LAYOUTS.items():
        if layout.detect <= names:
            return fmt
    return None


@dataclass
class ContextPlan:
    source: str
    results_year: int | None
    created: list[dict] = field(default_factory=list)
    updated: list[dict] = field(default_factory=list)  # with "id", "previous" and "previous_batch_id"
    unchanged: int = 0
    skipped_unknown: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": len(self.updated), "unchanged": self.unchanged}


def _columns(table: Table) -> dict[str, str]:
    """UPPER-CASE name → the file's own spelling (the census spells ``Estab``, others ``ESTAB``)."""
    return {c.strip().upper(): c for c in table.columns}


def parse(
    table: Table, fmt: str, *, results_year: int | None, school_ids: dict[int, int], problems: list[Problem]
) -> ContextPlan:
    """Check every row and work out what the import would create, update or leave alone. Writes nothing."""
    layout = LAYOUTS[fmt]
    plan = ContextPlan(source=layout.source, results_year=results_year)
    names = _columns(table)
    needed = ["URN"] + [column for column, _kind in layout.fields.values()]
    missing = [c for c in needed if c not in names]
    for column in missing:
        problems.append(
            Problem(row=1, column=column, value="", reason=f"Missing required column of the {layout.description}.")
        )
    if results_year is None:
        problems.append(
            Problem.of_file(
                "The year is needed: give it (e.g. 2023 for 2022-23) or keep the file in its year folder "
                "(2022-2023/…) or the year in its name."
            )
        )
    if missing or results_year is None:
        return plan

    frame, rows = table.frame, table.row_numbers
    urn_text = frame[names["URN"]].astype(str).str.strip()
    summary = urn_text == ""  # LA and England rows have no URN
    urn_ok = urn_text.str.match(r"^\d{5,8}$")
    collect(
        problems,
        ~summary & ~urn_ok,
        rows=rows,
        column="URN",
        values=urn_text,
        reason="A URN is a number of 5 to 8 digits.",
    )
    urn = pd.to_numeric(urn_text.where(urn_ok), errors="coerce")
    duplicate = urn.notna() & urn.duplicated(keep="first")
    collect(
        problems,
        duplicate,
        rows=rows,
        column="URN",
        values=urn_text,
        reason="The same school appears twice in the file.",
    )
    known = urn.map(lambda u: school_ids.get(int(u)) if pd.notna(u) else None)
    unknown = urn.notna() & known.isna()
    if unknown.any():
        first = int(rows[unknown.to_numpy()][0])
        problems.append(
            Problem(
                row=first,
                column="URN",
                value=urn_text[unknown].iloc[0],
                level=Problem.WARNING,
                reason=f"{int(unknown.sum())} row(s) for schools not in the register "
                f"(independent schools, nurseries…): skipped.",
            )
        )
    if summary.any():
        problems.append(
            Problem(
                row=int(rows[summary.to_numpy()][0]),
                column="URN",
                value="",
                level=Problem.WARNING,
                reason=f"{int(summary.sum())} LA or England summary row(s) without a URN: not school context, skipped.",
            )
        )
    if urn_ok.any() and not known.notna().any():
        problems.append(
            Problem(
                row=None,
                column="URN",
                value="",
                reason=(
                    "None of the schools in this file is in the register: import the register (or the results) first."
                ),
            )
        )

    values: dict[str, pd.Series] = {}
    markers: dict[str, pd.Series] = {}
    for name, (column, kind) in layout.fields.items():
        cells = frame[names[column]]
        if kind == TEXT:
            values[name] = cells.astype(str).str.strip()
            continue
        parsed = checked_figures(
            cells,
            rows,
            problems,
            column=column,
            skip=summary,
            reason="Not a number or a known marker (NA, SUPP, NE, x, c, z…).",
        )
        number = parsed.number
        if kind == PERCENT:
            collect(
                problems,
                ~summary & ((number < 0) | (number > 100)),
                rows=rows,
                column=column,
                values=cells,
                reason="A percentage must be between 0 and 100.",
            )
        else:
            collect(
                problems,
                ~summary & ((number < 0) | (number.notna() & (number % 1 != 0))),
                rows=rows,
                column=column,
                values=cells,
                reason="A pupil count must be a whole number, 0 or more.",
            )
        values[name], markers[name] = number, parsed.code
    if any(p.is_error for p in problems):
        return plan

    keep = known.notna() & ~duplicate
    records = []
    for index in keep[keep].index:
        record: dict[str, Any] = {
            "school_id": int(known[index]),
            "urn": int(urn[index]),
            "row": int(rows[frame.index.get_loc(index)]),
            "markers": {},
        }
        for name, (_column, kind) in layout.fields.items():
            value = values[name][index]
            if kind == TEXT:
                record[name] = value
            elif pd.isna(value):
                record[name] = None
                if markers[name][index]:
                    record["markers"][name] = markers[name][index]
            else:
                record[name] = int(value) if kind == COUNT else Decimal(f"{float(value):.1f}")
        if "age_low" in record:
            low, high = record.pop("age_low"), record.pop("age_high")
            record["age_range"] = f"{low}–{high}" if low and high else ""
        for name, limit in TEXT_LIMITS.items():
            if name in record:
                record[name] = record[name][:limit]
        records.append(record)
    plan.skipped_unknown = int(unknown.sum())
    _diff(plan, records, results_year)
    return plan


def _diff(plan: ContextPlan, records: list[dict], results_year: int):
    existing = {
        row.school_id: row
        for row in SchoolContext.objects.filter(
            school_id__in=[r["school_id"] for r in records], results_year=results_year, source=plan.source
        )
    }
    for record in records:
        row = existing.get(record["school_id"])
        if row is None:
            plan.created.append(record)
            continue
        given = [name for name in VALUE_FIELDS if name in record]
        if all(getattr(row, name) == record[name] for name in given):
            plan.unchanged += 1
            continue
        previous = {name: _json(getattr(row, name)) for name in VALUE_FIELDS}
        plan.updated.append({**record, "id": row.pk, "previous": previous, "previous_batch_id": row.batch_id})


def _json(value):
    return str(value) if isinstance(value, Decimal) else value


def _model_fields(record: dict) -> dict:
    return {name: record[name] for name in VALUE_FIELDS if name in record}


def fingerprint(plan: ContextPlan) -> str:
    """What the plan would write and replace, for the confirm's "data changed since the preview" check."""
    return json.dumps(
        [plan.source, plan.results_year, plan.created, plan.updated, plan.unchanged], default=str, sort_keys=True
    )


def write(plan: ContextPlan, batch) -> list[ImportChange]:
    """Create and update the plan's rows; the ImportChanges (unsaved) keep what the updates replaced."""
    if plan.results_year is None:  # the plan has an error then, and a plan with errors is never written
        raise ImportRejected("A school context file needs its year.")
    SchoolContext.objects.bulk_create(
        [
            SchoolContext(
                school_id=r["school_id"],
                results_year=plan.results_year,
                source=plan.source,
                batch=batch,
                **_model_fields(r),
            )
            for r in plan.created
        ],
        batch_size=1000,
    )
    changes = []
    if plan.updated:
        current = {row.pk: row for row in SchoolContext.objects.filter(pk__in=[r["id"] for r in plan.updated])}
        for record in plan.updated:
            row = current[record["id"]]
            for name, value in _model_fields(record).items():
                setattr(row, name, value)
            row.batch = batch
            previous = {**record["previous"], "batch_id": record["previous_batch_id"]}
            changes.append(
                updated_change(batch, ImportChange.Kind.CONTEXT, row.pk, previous, record["previous_batch_id"])
            )
        SchoolContext.objects.bulk_update(list(current.values()), VALUE_FIELDS + ["batch"], batch_size=1000)
    return changes


def rollback(batch, changes: list[ImportChange]):
    """Delete the rows the batch created; put back what its updates replaced."""
    restored = {c.object_id: c.previous or {} for c in changes if c.action == ImportChange.Action.UPDATED}
    SchoolContext.objects.filter(batch=batch).exclude(pk__in=list(restored)).delete()
    rows = list(SchoolContext.objects.filter(pk__in=list(restored)))
    for row in rows:
        previous = restored[row.pk]
        for name in VALUE_FIELDS:
            if name in previous:
                value = previous[name]
                setattr(row, name, Decimal(value) if name.endswith("_percent") and value is not None else value)
        row.batch_id = previous.get("batch_id")
    SchoolContext.objects.bulk_update(rows, VALUE_FIELDS + ["batch"], batch_size=1000)
