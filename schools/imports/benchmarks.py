"""Benchmark files: the DfE LAIT extract (the long template by geography is read by :mod:`.results`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import mapping
from .facts import BENCHMARK, FACT_COLUMNS, Reference, empty_facts
from .parsing import Parsed, checked_figures, parse_year, require, resolve_geographies
from .problems import Problem
from .readers import Table


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
                Problem.of_file(
                    "fixtures/lait_measures.csv names an unknown measure or pupil group.", value=f"{measure} × {group}"
                )
            )
    year = parse_year(frame["year"], rows, problems, column="year")
    value = checked_figures(frame["value"], rows, problems, column="value", reason="Not a number or a known marker.")
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
