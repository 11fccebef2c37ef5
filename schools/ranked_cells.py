"""The figure columns of a ranked list's row (the priority list, the gap busters) as their exports write them,
kept with each school's judgement (``SchoolJudgement.cells``) when it is judged, so the export of every school
is read from the kept judgements instead of building each school's row again; and the figures its page shows
(``SchoolJudgement.shown``: ``shown_of``, read back by ``shown_record``), so a page of 50 schools is drawn from
the kept judgements too, without pooling those schools' figures again.

The cells are made from the same disclosed row as the judgement (``stored_judgements.judged_rows``: figures
through ``schools.disclosure.disclose``) by the same code as the tables: ``tables.record`` and each column's
export value (``exports.from_table2``), so a kept cell is what the export of the built row would write.
"""

from __future__ import annotations

from dataclasses import astuple
from decimal import Decimal

from .exports import small_cohort_figures
from .gaps import Figure
from .table_columns import _sortable
from .tables import BusterTable, PriorityTable, national_missing_reasons, record
from .trends import TrendClass

# Every figure column of either list's table (each list exports those its table keeps).
FIGURE_COLUMNS = (
    "year",
    "cohort",
    "focus",
    "focus_ci",
    "comparison",
    "chosen",
    "trend",
    "trend_window",
    "status",
    "stubborn",
)
_COLUMNS = {**BusterTable.base_columns, **PriorityTable.base_columns}


def _export_value(name: str, data: dict):
    """What ``exports.from_table2`` writes for column ``name`` of this record."""
    column = _COLUMNS[name]
    if hasattr(column, "export_value"):
        return column.export_value(data, name)
    value = data.get(name)
    return value if isinstance(value, (int, float, Decimal, type(None))) else str(value)


def export_record(row, kind: str) -> dict:
    """The part of ``tables.record`` the figure columns and an export's small-cohort count read, by the same
    expressions (without the significance of every comparator, the sort keys and the rest a page needs);
    ``tests/test_ranked_export.py`` checks the cells equal those of the full record."""
    row = row.for_comparator(kind)
    current, trend = row.current, row.trend
    focus = current.focus
    return {
        "measure": row.measure,
        "year": row.year,
        "focus": focus,
        "comparison": current.comparison,
        "national_focus": current.national_focus,
        "national_comparison": current.national_comparison,
        "cohort": focus.denominator,
        "focus_ci": focus.interval(row.measure.unit) if focus.value is not None else None,
        "chosen": current.get(kind),
        "trend": (trend.label + (" (ns)" if trend.significant is False else "")) if trend else TrendClass.label(None),
        "trend_window": ", ".join(map(str, trend.years)) if trend else "",
        "trend_change": trend.change if trend else None,
        "stubborn": "Yes" if row.stubborn else "No",
        "status": (focus.status or "").capitalize() or "–",
        "missing_reasons": national_missing_reasons(row.national_note, kind),
    }


def cells_of(row, kind: str, *, full: bool = False) -> tuple[dict, int]:
    """The row's figure cells on comparator ``kind`` and how many of its figures rest on a group smaller than
    the suppression threshold (what an export's warning counts). ``full``: from ``tables.record`` itself."""
    data = record(row, kind) if full else export_record(row, kind)
    return _cells(data), small_cohort_figures([data])


def _cells(data: dict) -> dict:
    return {name: _export_value(name, data) for name in FIGURE_COLUMNS}


def kept_of(row, kind: str) -> tuple[dict, int, dict]:
    """``cells_of`` and ``shown_of`` together, from one ``export_record``: what a judgement keeps of its row."""
    data = export_record(row, kind)
    return _cells(data), small_cohort_figures([data]), _shown(data, row.for_comparator(kind).significant(kind))


# The figures of ``tables.record`` a ranked list's page (its table, status line and export) reads.
SHOWN_FIGURES = ("focus", "comparison", "national_focus", "national_comparison")


def shown_of(row, kind: str) -> dict:
    """What the list's page shows of the row on comparator ``kind``, as JSON (each Figure as its fields)."""
    return _shown(export_record(row, kind), row.for_comparator(kind).significant(kind))


def _shown(data: dict, chosen_sig) -> dict:
    shown = {k: v for k, v in data.items() if k != "measure" and k not in SHOWN_FIGURES}
    shown |= {name: None if data[name] is None else list(astuple(data[name])) for name in SHOWN_FIGURES}
    interval = data["focus_ci"]
    return shown | {"focus_ci": None if interval is None else list(interval), "chosen_sig": chosen_sig}


def shown_record(shown: dict, measure) -> dict:
    """The record ``tables.record`` gives the list's columns, read back from a kept ``shown_of``."""
    data = dict(shown, measure=measure)
    for name in SHOWN_FIGURES:
        data[name] = None if shown[name] is None else Figure(*shown[name])
    if shown["focus_ci"] is not None:
        data["focus_ci"] = tuple(shown["focus_ci"])
    return data


def table_record(shown: dict, measure, *, name: str, url: str, extra: dict) -> dict:
    """The record ``tables.record`` gives an organisation table's columns (``tables.OrgGapTable``: the figures,
    the chosen gap and its significance, the trend and its years, stubborn, status, and the keys they sort by),
    read back from a kept ``shown_of``."""
    data = shown_record(shown, measure)
    data |= {
        "name": name,
        "url": url,
        "measure_name": measure.short_name or measure.name,
        "focus_sort": _sortable(data["focus"].value),
        "comparison_sort": _sortable(data["comparison"].value),
        "cohort_sort": _sortable(data["cohort"]),
        "chosen_sort": _sortable(data["chosen"]),
        "trend_sort": _sortable(data["trend_change"]),
        **extra,
    }
    return data
