"""The facts of a wide file (a DfE performance-tables CSV: one row per school, one column per measure and group)
assembled without a frame per column: each column gives the file rows it keeps and their figures, and the facts
frame is built once, in three blocks (numbers, texts, row numbers) filled in place.

A national KS2 file gives two million facts; a frame per column concatenated and then consolidated by pandas held
them three times over (~700 MB), this holds them once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .facts import FACT_COLUMNS, empty_facts

# The frame's columns by block, one block a dtype (pandas would merge two of one dtype, copying them); the frame
# has every column of ``FACT_COLUMNS`` (in this order, which no reader of a facts frame depends on: they name
# the columns).
NUMBERS = ["urn", "results_year", "cohort", "achievers", "points", "value"]
TEXTS = ["target", "geography_code", "geography_name", "kind", "measure", "pupil_group", "value_code", "status"]
assert sorted([*NUMBERS, *TEXTS, "row"]) == sorted(FACT_COLUMNS)


@dataclass
class WideFacts:
    """The facts of a wide file, a column (measure × group) at a time; :meth:`frame` builds the frame."""

    positions: list[np.ndarray] = field(default_factory=list)  # the file rows (0-based) each column keeps
    cohorts: list[np.ndarray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)
    codes: list[np.ndarray] = field(default_factory=list)
    keys: list[tuple[str, str]] = field(default_factory=list)  # (measure, group) of each column

    def add(self, keep: pd.Series, *, measure: str, group: str, cohort: pd.Series, value, code: pd.Series) -> None:
        """A column's facts: the rows ``keep`` marks, with their cohort, value and marker."""
        where = np.flatnonzero(keep.to_numpy())
        self.positions.append(where)
        self.cohorts.append(cohort.to_numpy(dtype=float)[where])
        self.values.append(value.to_numpy(dtype=float)[where])
        self.codes.append(code.to_numpy(dtype=object)[where])
        self.keys.append((measure, group))

    def frame(self, per_row: dict[str, np.ndarray], *, results_year: int, status: str) -> pd.DataFrame:
        """The facts, column after column in the order added, each column's rows in file order.

        ``per_row``: what a fact takes from its file row, by file row: target, urn, geography_code,
        geography_name, kind and row (the file's own row number)."""
        if not self.positions:
            return empty_facts()
        positions = np.concatenate(self.positions)
        size = len(positions)
        numbers = np.empty((len(NUMBERS), size), dtype=float)
        np.take(np.asarray(per_row["urn"], dtype=float), positions, out=numbers[0])
        numbers[1] = float(results_year)
        np.concatenate(self.cohorts, out=numbers[2])
        numbers[3:5] = np.nan  # achievers and points: a DfE file gives a value and its cohort
        np.concatenate(self.values, out=numbers[5])
        texts = np.empty((len(TEXTS), size), dtype=object)
        for index, name in enumerate(("target", "geography_code", "geography_name", "kind")):
            np.take(np.asarray(per_row[name], dtype=object), positions, out=texts[index])
        counts = [len(p) for p in self.positions]
        texts[4] = np.repeat(np.array([m for m, _g in self.keys], dtype=object), counts)
        texts[5] = np.repeat(np.array([g for _m, g in self.keys], dtype=object), counts)
        np.concatenate(self.codes, out=texts[6])
        texts[7] = status
        rows = np.asarray(per_row["row"], dtype=np.int64)[positions]
        self.positions, self.cohorts, self.values, self.codes = [], [], [], []
        # Each block is a frame over its own array (no copy); concatenating them side by side copies nothing.
        return pd.concat(
            [
                pd.DataFrame(numbers.T, columns=NUMBERS, copy=False),
                pd.DataFrame(texts.T, columns=TEXTS, copy=False),
                pd.DataFrame({"row": rows}, copy=False),
            ],
            axis=1,
            copy=False,
        )
