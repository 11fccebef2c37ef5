"""A gap row as a flat record: the fields the BI feed (``feed``) and the ``gap_report`` command both give for one
organisation on one measure, from a :class:`~schools.gap_rows.GapRow` whose figures are already disclosed."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .gap_rows import GapRow

# The fields every export of a gap row starts with, in this order.
ROW_FIELDS = [
    "level",
    "name",
    "code",
    "measure",
    "group",
    "comparison_group",
    "year",
    "cohort",
    "value",
    "comparison_cohort",
    "comparison_value",
    "gap",
    "national_comparison_value",
    "gap_vs_national",
    "trend",
]


def rounded(value, places: int = 2) -> float | None:
    return None if value is None else round(float(value), places)


def organisation_code(level: str, organisation):
    """How an export names the organisation: the LA's DfE code, the school's URN, an area's or cluster's id."""
    if level == "la":
        return organisation.code
    return organisation.urn if level == "school" else organisation.pk


def export_row(level: str, organisation, row: GapRow) -> dict:
    """The row's figures for its year. ``cohort`` is the pupils the value is pooled over (``Figure.denominator``:
    schools suppressed in the DfE's school rows give a cohort but no value, so they are not in it); a
    suppressed figure has none."""
    current = row.current
    return {
        "level": level,
        "name": organisation.name,
        "code": organisation_code(level, organisation),
        "measure": row.measure.code,
        "group": row.focus_group.code,
        "comparison_group": row.comparison_group.code,
        "year": row.year,
        "cohort": current.focus.denominator,
        "value": rounded(current.focus.value),
        "comparison_cohort": current.comparison.denominator,
        "comparison_value": rounded(current.comparison.value),
        "gap": rounded(current.within),
        "national_comparison_value": rounded(current.national_comparison.value),
        "gap_vs_national": rounded(current.vs_national),
        "trend": row.trend.classification if row.trend else None,
        "gap_change": rounded(row.trend.change) if row.trend else None,
        "suppressed": current.focus.suppressed or current.comparison.suppressed,
        "data_status": current.focus.status or None,
    }
