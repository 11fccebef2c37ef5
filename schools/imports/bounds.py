"""Ranges every figure must be in, checked when a file is read: a cohort of 3e9 or a scaled score of 500 is an
error in the preview (row and column named), never a failure when the figures are written.

Ranges by measure are data (``fixtures/measure_ranges.csv``: a measure code or pattern, or ``unit:<unit>``).
"""

from __future__ import annotations

from fnmatch import fnmatch
from functools import lru_cache

import pandas as pd

from ..models import Measure
from .mapping import _rows
from .problems import Problem, collect

# No school's or LA's group of pupils is larger (England's KS2 cohort is about 650,000). England and region rows
# may count more: the DfE's 3-year figures pool three cohorts (England KS2 2023–2025: 1,997,404 pupils).
MAX_PUPILS = 1_000_000
MAX_PUPILS_NATIONAL = 10_000_000


@lru_cache(maxsize=1)
def _ranges() -> tuple[list[tuple[str, float, float]], dict[str, tuple[float, float]]]:
    by_code, by_unit = [], {}
    for row in _rows("measure_ranges.csv"):
        low, high = float(row["low"]), float(row["high"])
        if row["measure"].startswith("unit:"):
            by_unit[row["measure"][5:]] = (low, high)
        else:
            by_code.append((row["measure"], low, high))
    return by_code, by_unit


def measure_range(measure: Measure) -> tuple[float, float]:
    """(lowest, highest) value a figure of this measure can have."""
    by_code, by_unit = _ranges()
    for pattern, low, high in by_code:
        if fnmatch(measure.code, pattern):
            return low, high
    return by_unit.get(measure.unit, (-1e6, 1e6))


def check_bounds(
    facts: pd.DataFrame, ref, problems: list, *, value_column: str = "value", count_column: str = "cohort"
) -> None:
    """One error per figure outside its range (percentages are checked with the other percentage rules)."""
    rows = facts["row"].to_numpy()
    cohort, achievers, points, value = (
        facts[f].astype(float, copy=False) for f in ("cohort", "achievers", "points", "value")
    )
    national = _national(facts)
    for limit, where in ((MAX_PUPILS, ~national), (MAX_PUPILS_NATIONAL, national)):
        collect(
            problems,
            where & (cohort > limit),
            rows=rows,
            column=count_column,
            values=facts["cohort"],
            reason=f"A pupil count must be from 0 to {limit:,}.",
        )
        collect(
            problems,
            where & (achievers > limit),
            rows=rows,
            column="achievers",
            values=facts["achievers"],
            reason=f"A count of pupils must be from 0 to {limit:,}.",
        )
    ranges = {code: measure_range(m) for code, m in ref.measures.items() if m.unit != Measure.Unit.PERCENT}
    low = facts["measure"].map({c: r[0] for c, r in ranges.items()})
    high = facts["measure"].map({c: r[1] for c, r in ranges.items()})
    outside = value.notna() & low.notna() & ((value < low) | (value > high))
    if outside.any():
        for row, shown, code, a, b in zip(
            rows[outside.to_numpy()],
            facts.loc[outside, "value"],
            facts.loc[outside, "measure"],
            low[outside],
            high[outside],
            strict=True,
        ):
            problems.append(
                _problem(int(row), value_column, shown, f"Outside the range of {code}: from {a:g} to {b:g}.")
            )
    too_many_points = points.notna() & high.notna() & (points.abs() > high.abs() * MAX_PUPILS)
    collect(
        problems,
        too_many_points,
        rows=rows,
        column="points",
        values=facts["points"],
        reason="More points than the largest cohort could score.",
    )


def _national(facts: pd.DataFrame) -> pd.Series:
    """Rows for England or a region (geography codes ``E92…``/``E12…``), which may count more pupils."""
    if "geography_code" not in facts.columns:
        return pd.Series(False, index=facts.index)
    # Matched once per distinct code, not once per fact (a national file has two million facts, ~200 codes).
    positions, codes = pd.factorize(facts["geography_code"], use_na_sentinel=False)
    matched = pd.Series(codes, dtype=object).fillna("").astype(str).str.match(r"E(92|12)").to_numpy(dtype=bool)
    return pd.Series(matched[positions], index=facts.index)


def _problem(row, column, value, reason):
    return Problem(row=row, column=column, value=f"{float(value):g}", reason=reason)
