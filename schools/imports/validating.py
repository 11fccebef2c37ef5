"""Checking a frame of facts: every row, every error in one pass, and the figures a file leaves out derived
from those it gives (achievers from a percentage and its cohort, rounded half up)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..models import Measure
from ..reference_data import FIRST_YEAR, LAST_YEAR
from .bounds import check_bounds
from .facts import KEY_COLUMNS, NUMBER_FIELDS, RESULT, Reference
from .problems import Problem, collect, collect_each


def half_up(number: pd.Series, digits: int = 0) -> pd.Series:
    """Round half away from zero (Python's round() rounds 2.5 to 2)."""
    scale = 10**digits
    return np.sign(number) * np.floor(np.abs(number) * scale + 0.5) / scale


def complete_and_validate(
    facts: pd.DataFrame,
    ref: Reference,
    problems: list[Problem],
    *,
    value_column: str = "value",
    count_column: str = "cohort",
    check_codes: bool = True,
) -> pd.DataFrame:
    """Check every fact and fill in the counts or value that follow from the others (in ``facts`` itself).

    Percent measures: achievers = round(value × cohort / 100), or value = achievers ÷ cohort × 100.
    Average measures: points = value × cohort, or value = points ÷ cohort. Rates keep their value.
    """
    if facts.empty:
        return facts
    if not facts.index.equals(pd.RangeIndex(len(facts))):
        facts = facts.reset_index(drop=True)
    facts = _check_and_derive(facts, ref, problems, value_column, count_column, check_codes)
    _duplicate_problems(facts, problems)
    return facts


def _check_and_derive(facts, ref, problems, value_column, count_column, check_codes) -> pd.DataFrame:
    """Every row's own checks, and the figures that follow from the others (:func:`complete_and_validate`)."""
    rows = facts["row"].to_numpy()

    if check_codes:
        measure, group = facts["measure"], facts["pupil_group"]
        collect_each(
            problems,
            rows,
            [
                (
                    ~measure.isin(ref.measures),
                    "measure",
                    measure,
                    "Unknown measure code (see the measure list on the import page).",
                ),
                (
                    ~group.isin(ref.groups),
                    "pupil_group",
                    group,
                    "Unknown pupil group code (see the group list on the import page).",
                ),
            ],
        )
    year = facts["results_year"]
    bad_year = year.isna() | (year < FIRST_YEAR) | (year > LAST_YEAR)
    collect(
        problems,
        bad_year & year.notna(),
        rows=rows,
        column="results_year",
        values=year.astype("Int64"),
        reason=f"Results year outside {FIRST_YEAR}–{LAST_YEAR}.",
    )

    unit = facts["measure"].map({c: m.unit for c, m in ref.measures.items()})
    value_added = facts["measure"].map({c: m.value_added for c, m in ref.measures.items()}).eq(True)
    percent = unit == Measure.Unit.PERCENT
    average = unit == Measure.Unit.AVERAGE

    # copy=False: the columns themselves when they hold floats (each new figure below is a new column anyway).
    cohort, achievers, points, value = (facts[f].astype(float, copy=False) for f in NUMBER_FIELDS)
    check_bounds(facts, ref, problems, value_column=value_column, count_column=count_column)
    has_counts = achievers.notna() | points.notna()
    collect_each(
        problems,
        rows,
        [
            (cohort < 0, count_column, cohort, "Negative pupil count."),
            (
                cohort.notna() & (np.floor(cohort) != cohort),
                count_column,
                cohort,
                "A pupil count must be a whole number.",
            ),
            (achievers < 0, "achievers", achievers, "Negative count of achievers."),
            (
                achievers.notna() & (np.floor(achievers) != achievers),
                "achievers",
                achievers,
                "Achievers must be a whole number.",
            ),
            (
                achievers.notna() & ~percent & unit.notna(),
                "achievers",
                achievers,
                "Achievers are for percentage measures; give points (averages) or value (rates).",
            ),
            (
                points.notna() & ~average & unit.notna(),
                "points",
                points,
                "Points are for average-score measures; give achievers (percentages) or value (rates).",
            ),
            (
                achievers.notna() & cohort.notna() & (achievers > cohort),
                "achievers",
                achievers,
                "More achievers than pupils in the cohort.",
            ),
            (
                percent & value.notna() & ((value < 0) | (value > 100)),
                value_column,
                value,
                "A percentage must be between 0 and 100.",
            ),
            (
                ~value_added & ~percent & unit.notna() & (value < 0),
                value_column,
                value,
                "Negative value for a measure that cannot be negative.",
            ),
            (~value_added & (points < 0), "points", points, "Negative points for a measure that cannot be negative."),
            (
                has_counts & cohort.isna() & (facts["target"] == RESULT),
                count_column,
                facts["cohort"],
                "Achievers or points need the cohort (pupils in the group).",
            ),
            (has_counts & (cohort == 0), count_column, cohort, "A cohort of 0 cannot have achievers or points."),
        ],
    )

    has_figure = value.notna() | has_counts
    flagged = pd.Series(np.isin(rows, [p.row for p in problems if p.is_error and p.row]), index=facts.index)
    collect(
        problems,
        ~has_figure & (facts["value_code"] == "") & ~flagged,
        rows=rows,
        column=value_column,
        values=facts["value_code"],
        reason="No figure: give a count, a value or a marker (SUPP, NE, x, c…) — a blank is not zero.",
    )

    # Validity of the measure in the year (e.g. KS2 progress scores ended in 2023).
    first = facts["measure"].map({c: m.first_year for c, m in ref.measures.items()})
    last = facts["measure"].map({c: m.last_year for c, m in ref.measures.items()})
    # A figure the file gives is published: outside the measure's listed years it is imported with a note.
    out_of_range = has_figure & ((first.notna() & (year < first)) | (last.notna() & (year > last)))
    if out_of_range.any():
        for (measure, when), part in facts[out_of_range].groupby(["measure", "results_year"]):
            span = f"{_year_text(ref.measures[measure].first_year)}–{_year_text(ref.measures[measure].last_year)}"
            problems.append(
                Problem(
                    row=int(part["row"].iloc[0]),
                    column="results_year",
                    value=str(int(when)),
                    level=Problem.WARNING,
                    reason=(
                        f"{len(part)} figure(s) for {measure} in {int(when)}, outside the years listed for it "
                        f"({span}): imported, as the file publishes them."
                    ),
                )
            )

    # Derive counts and values.
    usable = cohort.notna() & (cohort > 0)
    achievers = achievers.where(~(percent & achievers.isna() & value.notna() & usable), half_up(value * cohort / 100))
    points = points.where(~(average & points.isna() & value.notna() & usable), half_up(value * cohort, 2))
    computed = pd.Series(np.nan, index=facts.index)
    computed = computed.where(~(percent & achievers.notna() & usable), achievers * 100 / cohort)
    computed = computed.where(~(average & points.notna() & usable), points / cohort)
    value = value.where(value.notna(), half_up(computed, 2))
    # Set in place (the planner keeps only what this returns): a copy of two million facts is ~300 MB.
    facts["cohort"], facts["achievers"] = cohort, achievers
    facts["points"], facts["value"] = half_up(points, 2), half_up(value, 2)
    # A number, once present, has no marker.
    facts.loc[facts["value"].notna(), "value_code"] = ""

    return facts


def _duplicate_problems(facts: pd.DataFrame, problems: list[Problem]) -> None:
    """An error for each fact that repeats an earlier one's school or geography, year, measure and group.
    A function of its own: the checks' columns (two million figures each) are let go before it runs."""
    key = ["target", "urn", "geography_code", *KEY_COLUMNS]
    if _may_repeat(facts, key):
        keyed = facts[key].astype(str)
        duplicated = keyed.duplicated(keep="first")
    else:
        duplicated = pd.Series(False, index=facts.index)
    if duplicated.any():
        first_rows = facts.loc[~keyed.duplicated(keep=False) | ~duplicated].assign(_k=keyed.agg("|".join, axis=1))
        first_row_of = dict(zip(first_rows["_k"], first_rows["row"], strict=True))
        dup_keys = keyed[duplicated].agg("|".join, axis=1)
        for row, k in zip(facts.loc[duplicated, "row"], dup_keys, strict=True):
            problems.append(
                Problem(
                    row=int(row),
                    column="",
                    value=k.replace("|nan", "").replace("|None", ""),
                    reason=f"Duplicate fact: the same school/geography, year, measure and group "
                    f"as row {first_row_of.get(k)}.",
                )
            )


def _may_repeat(facts: pd.DataFrame, key: list[str]) -> bool:
    """Whether two facts may share a key as text (the test for duplicates): each column's distinct values are
    numbered by their text, and the rows compared by those numbers. Values that compare equal (None and NaN,
    1 and 1.0) share a number, so this finds every duplicate and, rarely, one that is not: the exact test
    then runs. Two million facts are checked without writing two million keys as text, the numbers of a row
    folded into one whole number (a column at a time) while they fit in 63 bits."""
    folded, span, numbered = np.zeros(len(facts), dtype=np.int64), 1, {}
    for name in key:
        positions, distinct = pd.factorize(facts[name], use_na_sentinel=False)
        by_text, texts = pd.factorize(pd.Series(distinct, dtype=object).astype(str))
        numbers = by_text[positions]
        if span * max(1, len(texts)) < 2**62:
            span *= max(1, len(texts))
            folded = folded * len(texts) + numbers
        else:
            numbered[name] = numbers
    if numbered:
        numbered["_folded"] = folded
        return bool(pd.DataFrame(numbered).duplicated().any())
    folded.sort()
    return bool((folded[1:] == folded[:-1]).any())


def _year_text(year) -> str:
    return str(year) if year else "…"
