"""The school register: a "Get Information About Schools" establishment extract (+ optional Area, Cluster).

New schools are created, known schools updated, closed schools marked closed — never deleted. A school
missing from the file is left alone (an extract may cover part of the LA), and so is every field whose
column the file does not have. Establishments that are not schools (children's centres, colleges, schools
overseas: ``fixtures/gias_not_schools.csv``) are skipped and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from ..models import School
from . import mapping
from .bounds import MAX_PUPILS
from .parsing import require
from .problems import Problem, collect
from .readers import Table, parse_figures

REQUIRED = ["URN", "LA (code)", "EstablishmentName"]
# Register column → School field (compared and written when the column is in the file).
FIELDS = (
    "la_code",
    "laestab",
    "name",
    "phase",
    "school_type",
    "status",
    "number_on_roll",
    "fsm_percent",
    "area",
    "cluster",
)
CLOSED_STATUSES = {"closed"}
FIELD_LABELS = {
    "la_code": "LA",
    "laestab": "LA establishment number",
    "name": "Name",
    "phase": "Phase",
    "school_type": "Type of establishment",
    "status": "Status",
    "number_on_roll": "Pupils on roll",
    "fsm_percent": "FSM %",
    "area": "Area",
    "cluster": "Cluster",
}


@dataclass
class RegisterPlan:
    rows: list[dict]  # one per school in the file, with "action" and "changes"
    columns: set[str]  # the School fields the file gives
    new_las: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # establishment type → rows skipped (not schools)

    def of(self, action: str) -> list[dict]:
        return [r for r in self.rows if r["action"] == action]

    @property
    def counts(self) -> dict[str, int]:
        return {a: len(self.of(a)) for a in ("created", "updated", "unchanged")}

    @property
    def field_changes(self) -> dict[str, int]:
        """How many known schools each field would change in (every field, for the preview)."""
        out: dict[str, int] = {}
        for record in self.of("updated"):
            for name in record["changes"]:
                out[name] = out.get(name, 0) + 1
        return dict(sorted(out.items()))


def not_school_types() -> dict[str, str]:
    """GIAS establishment type (lower case) → why it is not imported as a school."""
    return {r["gias_name"].lower(): r["reason"] for r in mapping._rows("gias_not_schools.csv")}


def _phase(phase_name: str, type_name: str, phases, types, *, has_phase: bool) -> str | None:
    """The phase from the establishment type (special, PRU) or the phase column; ``None`` when the file
    does not say (no phase column and a type that does not decide it): the school's phase is left alone."""
    by_type = types.get(type_name.lower())
    if by_type:
        return by_type
    if not has_phase:
        return None
    return phases.get(phase_name.lower(), School.Phase.OTHER)


def parse_register(table: Table, *, known_las: dict[str, str]) -> RegisterPlan:
    problems: list[Problem] = []
    if not require(table, REQUIRED, problems):
        return RegisterPlan([], set(), problems=problems)
    frame, rows = table.frame, table.row_numbers
    urn_text = frame["URN"].str.strip()
    urn_ok = urn_text.str.match(r"^\d{5,8}$")
    collect(problems, ~urn_ok, rows=rows, column="URN", values=urn_text, reason="A URN is a number of 5 to 8 digits.")
    dup = urn_ok & urn_text.duplicated(keep="first")
    collect(problems, dup, rows=rows, column="URN", values=urn_text, reason="The same URN appears twice in the file.")
    la = frame["LA (code)"].str.strip()
    la_ok = la.str.match(r"^\d{3}$")
    collect(problems, ~la_ok, rows=rows, column="LA (code)", values=la, reason="An LA code has 3 digits.")
    names = frame["EstablishmentName"].str.strip()
    collect(problems, names == "", rows=rows, column="EstablishmentName", values=names, reason="A school needs a name.")
    pupils = parse_figures(table.column("NumberOfPupils"))
    bad_pupils = (
        pupils.invalid
        | (pupils.number < 0)
        | (pupils.number > MAX_PUPILS)
        | (pupils.number.notna() & (pupils.number % 1 != 0))
    )
    collect(
        problems,
        bad_pupils,
        rows=rows,
        column="NumberOfPupils",
        values=table.column("NumberOfPupils"),
        reason=f"Number of pupils must be a whole number from 0 to {MAX_PUPILS:,} (or blank).",
    )
    fsm = parse_figures(table.column("PercentageFSM"))
    bad_fsm = fsm.invalid | (fsm.number < 0) | (fsm.number > 100)
    collect(
        problems,
        bad_fsm,
        rows=rows,
        column="PercentageFSM",
        values=table.column("PercentageFSM"),
        reason="Percentage FSM must be between 0 and 100 (or blank).",
    )

    given = {"la_code", "name"}
    if table.has("EstablishmentNumber"):
        given.add("laestab")
    if table.has("TypeOfEstablishment (name)"):
        given.add("school_type")
    has_phase = table.has("PhaseOfEducation (name)")
    if has_phase or table.has("TypeOfEstablishment (name)"):
        given.add("phase")
    if table.has("EstablishmentStatus (name)"):
        given.add("status")
    if table.has("NumberOfPupils"):
        given.add("number_on_roll")
    if table.has("PercentageFSM"):
        given.add("fsm_percent")
    for column, name in (("Area", "area"), ("Cluster", "cluster")):
        if table.has(column):
            given.add(name)

    phases, types = mapping.gias_phases()
    la_names = table.column("LA (name)").str.strip()
    new_las = {}
    records = []
    valid = (urn_ok & ~dup & la_ok & (names != "") & ~bad_pupils & ~bad_fsm).to_numpy()
    estab = table.column("EstablishmentNumber").str.strip()
    type_name = table.column("TypeOfEstablishment (name)").str.strip()
    phase_name = table.column("PhaseOfEducation (name)").str.strip()
    status_name = table.column("EstablishmentStatus (name)").str.strip()
    area = table.column("Area").str.strip()
    cluster = table.column("Cluster").str.strip()
    not_schools = not_school_types()
    skipped: dict[str, int] = {}
    for i in range(len(frame)):
        if not valid[i]:
            continue
        if type_name.iloc[i].lower() in not_schools:
            skipped[type_name.iloc[i]] = skipped.get(type_name.iloc[i], 0) + 1
            continue
        code = la.iloc[i]
        if code not in known_las and code not in new_las:
            new_las[code] = la_names.iloc[i] or f"LA {code}"
        number = pupils.number.iloc[i]
        percent = fsm.number.iloc[i]
        records.append(
            {
                "urn": int(urn_text.iloc[i]),
                "row": int(rows[i]),
                "la_code": code,
                "laestab": f"{code}{estab.iloc[i]}"[:7] if estab.iloc[i] else "",
                "name": names.iloc[i][:200],
                "school_type": type_name.iloc[i][:120],
                "phase": _phase(phase_name.iloc[i], type_name.iloc[i], phases, types, has_phase=has_phase),
                "status": School.Status.CLOSED
                if status_name.iloc[i].lower() in CLOSED_STATUSES
                else School.Status.OPEN,
                "number_on_roll": None if pd.isna(number) else int(number),
                "fsm_percent": None if pd.isna(percent) else str(Decimal(f"{percent:.1f}")),
                "area": area.iloc[i] or None,
                "cluster": cluster.iloc[i] or None,
            }
        )
    if skipped:
        listed = ", ".join(f"{name} {count}" for name, count in sorted(skipped.items()))
        problems.append(
            Problem(
                row=None,
                column="TypeOfEstablishment (name)",
                value="",
                level=Problem.WARNING,
                reason=f"{sum(skipped.values())} establishment(s) skipped: not schools ({listed}).",
            )
        )
    return RegisterPlan(records, given, new_las=new_las, problems=problems, skipped=skipped)


def current_values(school: School) -> dict:
    return {
        "la_code": school.la.code,
        "laestab": school.laestab,
        "name": school.name,
        "phase": school.phase,
        "school_type": school.school_type,
        "status": school.status,
        "number_on_roll": school.number_on_roll,
        "fsm_percent": None if school.fsm_percent is None else str(school.fsm_percent),
        "area": school.area.name if school.area is not None else None,
        "cluster": school.cluster.name if school.cluster is not None else None,
    }


def diff_register(plan: RegisterPlan) -> RegisterPlan:
    """Mark each row created, updated (with the changed fields) or unchanged — two queries in all."""
    existing = {
        s.urn: s
        for s in School.objects.filter(urn__in=[r["urn"] for r in plan.rows]).select_related("la", "area", "cluster")
    }
    for record in plan.rows:
        school = existing.get(record["urn"])
        if school is None:
            record["action"] = "created"
            record["changes"] = {}
            continue
        before = current_values(school)
        changes = {
            f: (before[f], record[f])
            for f in FIELDS
            if f in plan.columns and before[f] != record[f] and not (f == "phase" and record[f] is None)
        }
        record["id"] = school.pk
        record["previous"] = before
        record["changes"] = changes
        record["action"] = "updated" if changes else "unchanged"
    return plan
