"""Column mappings, read from the CSV files in ``fixtures/`` at import time.

A new year's DfE columns, a new LAIT measure code or a new GIAS phase is a change to those files,
not to the code: ``dfe_columns.csv`` says which count and value columns give which measure × group
(several candidate columns separated by ``|``: the first one the file has is used), in which results years
the DfE's layout has them (``first_year``/``last_year``, blank = open) and whether a file of those years must
have them (``required``). Column names are matched whatever their case or surrounding spaces: the DfE spells
``TNotFSM6CLA1A`` (2016–2019) and ``TNOTFSM6CLA1A`` (2022 on) for the same count.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _rows(name: str) -> list[dict]:
    with open(FIXTURES / name, encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _candidates(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split("|") if c.strip())


def column_key(name: str) -> str:
    """How a header is matched: case and surrounding spaces ignored."""
    return str(name).strip().upper()


@dataclass(frozen=True)
class DfeColumn:
    measure: str
    group: str
    count_columns: tuple[str, ...]
    value_columns: tuple[str, ...]
    first_year: int | None = None
    last_year: int | None = None
    required: bool = False

    def pick(self, columns) -> tuple[str | None, str | None]:
        """The first candidate count and value columns present in the file, as the file spells them."""
        by_key = {column_key(c): c for c in columns}
        count = next((by_key[column_key(c)] for c in self.count_columns if column_key(c) in by_key), None)
        value = next((by_key[column_key(c)] for c in self.value_columns if column_key(c) in by_key), None)
        return count, value

    def in_layout(self, results_year: int) -> bool:
        """Whether the DfE's layout for that results year has this column."""
        return (self.first_year is None or results_year >= self.first_year) and (
            self.last_year is None or results_year <= self.last_year
        )

    @property
    def names(self) -> set[str]:
        return {column_key(c) for c in self.count_columns + self.value_columns}


@dataclass(frozen=True)
class RecordType:
    rectype: str
    role: str  # "school" or "benchmark"
    geography_code: str  # "LA" → the row's own LA code
    geography_name: str
    school_phase: str


def _year(text: str) -> int | None:
    return int(text) if text else None


def dfe_columns(fmt: str) -> list[DfeColumn]:
    return [
        DfeColumn(
            r["measure"],
            r["pupil_group"],
            _candidates(r["count_columns"]),
            _candidates(r["value_columns"]),
            _year(r.get("first_year", "")),
            _year(r.get("last_year", "")),
            r.get("required", "") == "yes",
        )
        for r in _rows("dfe_columns.csv")
        if r["format"] == fmt
    ]


def dfe_record_types(fmt: str) -> dict[str, RecordType]:
    return {
        r["rectype"]: RecordType(r["rectype"], r["role"], r["geography_code"], r["geography_name"], r["school_phase"])
        for r in _rows("dfe_record_types.csv")
        if r["format"] == fmt
    }


def dfe_excluded(fmt: str) -> list[tuple[str, str, str]]:
    """(column, value, reason): school rows skipped, e.g. independent schools (NFTYPE IND)."""
    return [(r["column"], r["value"], r["reason"]) for r in _rows("dfe_excluded_types.csv") if r["format"] == fmt]


def lait_measures() -> dict[str, tuple[str, str]]:
    return {r["measure_code"]: (r["measure"], r["pupil_group"]) for r in _rows("lait_measures.csv")}


def geographies() -> dict[str, tuple[str, str, str]]:
    """code in a file (LAIT 970–990 or ONS code) → (geography_code, name, kind)."""
    return {r["code"]: (r["geography_code"], r["name"], r["kind"]) for r in _rows("geographies.csv")}


def gias_phases() -> tuple[dict[str, str], dict[str, str]]:
    """(phase name → School.Phase, establishment type name → School.Phase) from GIAS names, lower-cased."""
    phases, types = {}, {}
    for r in _rows("gias_phases.csv"):
        (phases if r["kind"] == "phase" else types)[r["gias_name"].lower()] = r["phase"]
    return phases, types


def template_path(name: str) -> Path:
    return FIXTURES / name
