"""Benchmark files: the long template by geography, the DfE LAIT extract, statistical neighbours."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import mapping
from .facts import BENCHMARK, FACT_COLUMNS, Reference, empty_facts
from .problems import Problem, collect
from .readers import Table, parse_figures
from .results import Parsed, parse_year, require


def resolve_geographies(
    facts: pd.DataFrame, codes: pd.Series, names: pd.Series, rows, problems, *, column: str
) -> pd.DataFrame:
    """England, a region (ONS or LAIT code) or a 3-digit LA code → geography code, name and kind."""
    known = mapping.geographies()
    codes = codes.astype(str).str.strip()
    looked_up = codes.map(known)
    is_la = codes.str.match(r"^\d{3}$") & looked_up.isna()
    bad = looked_up.isna() & ~is_la
    collect(
        problems,
        bad,
        rows=rows,
        column=column,
        values=codes,
        reason="Unknown geography: use E92000001 (England), a region code (E12…) or a 3-digit LA code.",
    )
    geo = looked_up.map(lambda t: t[0] if isinstance(t, tuple) else None).where(~is_la, codes)
    name = looked_up.map(lambda t: t[1] if isinstance(t, tuple) else "").where(~is_la, names.astype(str).str.strip())
    kind = looked_up.map(lambda t: t[2] if isinstance(t, tuple) else "").where(~is_la, "la")
    facts = facts.copy()
    facts["geography_code"] = geo.to_numpy()
    facts["geography_name"] = name.fillna("").to_numpy()
    facts["kind"] = kind.fillna("").to_numpy()
    return facts


def parse_lait(table: Table, ref: Reference) -> Parsed:
    """LAIT: ``measure_code, measure_name, year, area, value, la_code, region`` — values only, no counts."""
    problems: list[Problem] = []
    if not require(table, ["measure_code", "year", "value", "la_code"], problems):
        return Parsed(empty_facts(), problems)
    frame = table.frame
    rows = table.row_numbers
    known = mapping.lait_measures()
    code = frame["measure_code"].str.strip()
    unmapped = ~code.isin(known)
    if unmapped.any():
        first_rows = pd.Series(rows, index=frame.index)[unmapped].groupby(code[unmapped]).agg(["min", "size"])
        for measure_code, (first_row, size) in first_rows.iterrows():
            problems.append(
                Problem(
                    row=int(first_row),
                    column="measure_code",
                    value=measure_code,
                    reason=(
                        f"No mapping for this LAIT measure code ({size} rows): add it to fixtures/lait_measures.csv."
                    ),
                )
            )
    for measure, group in set(known.values()):
        if measure not in ref.measures or group not in ref.groups:
            problems.append(
                Problem(
                    row=None,
                    column="",
                    value=f"{measure} × {group}",
                    reason=("fixtures/lait_measures.csv names an unknown measure or pupil group."),
                )
            )
    year = parse_year(frame["year"], rows, problems, column="year")
    value = parse_figures(frame["value"])
    collect(
        problems,
        value.invalid,
        rows=rows,
        column="value",
        values=frame["value"],
        reason="Not a number or a known marker.",
    )
    pairs = code.map(known)
    facts = pd.DataFrame(
        {
            "target": BENCHMARK,
            "urn": None,
            "geography_code": None,
            "geography_name": "",
            "kind": "",
            "results_year": year,
            "measure": pairs.map(lambda p: p[0] if isinstance(p, tuple) else ""),
            "pupil_group": pairs.map(lambda p: p[1] if isinstance(p, tuple) else ""),
            "cohort": np.nan,
            "achievers": np.nan,
            "points": np.nan,
            "value": value.number,
            "value_code": value.code,
            "status": "final",
            "row": rows,
        }
    )[FACT_COLUMNS]
    facts = resolve_geographies(facts, frame["la_code"], table.column("area"), rows, problems, column="la_code")
    keep = (~unmapped & ~value.blank).to_numpy()
    return Parsed(facts[keep].reset_index(drop=True), problems)


# --------------------------------------------------------------------------- statistical neighbours
@dataclass
class Neighbours:
    links: pd.DataFrame  # la_code, rank, neighbour_code, closeness, row
    problems: list[Problem] = field(default_factory=list)


def parse_neighbours(table: Table) -> Neighbours:
    """The DfE children's services statistical-neighbour workbook: ``LA num``, then ``SN1``…``SN10``, each
    followed by its closeness column (``SNP``; capitalisation varies)."""
    problems: list[Problem] = []
    columns = table.columns
    la_column = next((c for c in ("LA num", "LA number", "LA code", "la_code") if c in columns), None)
    if la_column is None:
        problems.append(Problem(row=1, column="LA num", value="", reason="Missing required column."))
        return Neighbours(pd.DataFrame(columns=["la_code", "rank", "neighbour_code", "closeness", "row"]), problems)
    records = []
    frame = table.frame
    rows = table.row_numbers
    la = frame[la_column].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    no_la = la.isin(["", "nan"])
    collect(
        problems,
        no_la,
        rows=rows,
        column=la_column,
        values=frame.iloc[:, :2].astype(str).agg(" ".join, axis=1),
        reason="Row without an LA code (a note or heading): skipped.",
        level=Problem.WARNING,
    )
    bad_la = ~la.str.match(r"^\d{3}$")
    collect(problems, bad_la & ~no_la, rows=rows, column=la_column, values=la, reason="An LA code has 3 digits.")
    dup = la.duplicated() & ~bad_la
    collect(problems, dup, rows=rows, column=la_column, values=la, reason="The same LA appears twice.")
    found = 0
    for rank in range(1, 11):
        name = f"SN{rank}"
        if name not in columns:
            continue
        found += 1
        position = columns.index(name)
        closeness_col = columns[position + 1] if position + 1 < len(columns) else None
        if closeness_col and not closeness_col.upper().startswith("SNP"):
            closeness_col = None
        codes = frame[name].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
        bad = ~codes.str.match(r"^\d{3}$") & (codes != "") & ~bad_la
        collect(problems, bad, rows=rows, column=name, values=codes, reason="A neighbour's LA code has 3 digits.")
        closeness = (
            frame[closeness_col].astype(str).str.strip().str.capitalize()
            if closeness_col
            else pd.Series("", index=frame.index)
        )
        keep = ~bad & ~bad_la & ~dup & (codes != "")
        records.append(
            pd.DataFrame({"la_code": la, "rank": rank, "neighbour_code": codes, "closeness": closeness, "row": rows})[
                keep.to_numpy()
            ]
        )
    if not found:
        problems.append(Problem(row=1, column="SN1", value="", reason="Missing required column (SN1…SN10)."))
    links = (
        pd.concat(records, ignore_index=True)
        if records
        else pd.DataFrame(columns=["la_code", "rank", "neighbour_code", "closeness", "row"])
    )
    return Neighbours(links, problems)
