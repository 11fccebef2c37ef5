"""The priority list's CSV of every school, read from the kept judgements and streamed.

The list's page builds the full rows of its 50 schools; the export of every school would build one per school
(22,000 in the largest LA). Instead each school's figure cells are kept with its judgement when it is judged
(``schools.ranked_cells``: the same disclosed row, the same export values), so the file is one ordered read
of the kept judgements (``stored_judgements.ranked``), written row by row as the database returns them. The
file's first rows (title, definitions, headers) are the list's table's own (``PriorityTable`` with no rows:
the same columns, the Year column when the rows' years differ, the reasons spelt out with the year's
thresholds), so the file is the one ``exports.to_csv`` writes from the built table.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db.models import Max, Min, Sum
from django.http import StreamingHttpResponse
from django.utils.text import slugify

from .. import access, stored_judgements
from ..exports import SMALL_COHORTS, ExportTable, from_table2, safe_cell
from ..judgements import Reason, reason_explanations
from ..tables import PriorityTable
from .common import SCHOOL_TABLE_PREFIXES, Options, export_notes, thresholds

TITLE, PREFIX = "Priority schools", "priority-"


class _Line:
    """A file-like object whose ``write`` returns the line (what ``csv.writer`` writes, one row at a time)."""

    def write(self, value: str) -> str:
        return value


def _labels(codes: str) -> str:
    return "; ".join(Reason.LABELS[code] for code in codes.split())


def priority_csv(opts: Options, *, sees_small: bool) -> tuple[StreamingHttpResponse, int]:
    """The streamed CSV of every school the priority list holds for these options, and how many figures in it
    rest on groups below the suppression threshold (0 unless ``sees_small``: the export's warning). A fixed
    number of queries, whatever the number of schools."""
    kept_set = stored_judgements.judgement_set(
        opts.la, opts.measure, opts.focus, year=opts.year, sees_small=sees_small, groups=opts.groups, years=opts.years
    )
    schools = access.visible_schools(opts.user).filter(la=opts.la)
    listed = stored_judgements.ranked(kept_set, opts.kind, schools, busters=False, wanted=opts.reasons)
    span = listed.aggregate(first=Min("results_year"), last=Max("results_year"), small=Sum("small_figures"))
    table = _empty_table(opts, mixes=span["first"] is not None and span["first"] != span["last"])
    by_year = thresholds(opts)
    shown_year = opts.year or span["last"]
    table.explain_reasons(
        reason_explanations(opts.measure.unit_label, [by_year[shown_year]] if shown_year in by_year else [])
    )
    export = from_table2(table, title=f"{TITLE}: {table.caption}", notes=export_notes(opts))
    export.small_cohorts = (span["small"] or 0) if sees_small else 0
    name = slugify(f"{TITLE}-priority") or "export"
    if export.small_cohorts:
        name += "-" + slugify(SMALL_COHORTS)
    response = StreamingHttpResponse(_lines(export, listed), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response, export.small_cohorts


def _empty_table(opts: Options, *, mixes: bool) -> PriorityTable:
    """The list's table with no rows: its columns and caption as ``common.org_table`` makes them."""
    caption = f"{TITLE}: {opts.focus.name.lower()} pupils, {opts.measure_name}"
    if mixes:
        caption = f"{caption} (rows from different results years: see the Year column)"
        exclude = tuple(c for c in (PriorityTable._meta.exclude or ()) if c != "year")
    else:
        exclude = tuple(PriorityTable._meta.exclude or ()) + ("year",)
    if PREFIX not in SCHOOL_TABLE_PREFIXES:
        exclude += ("urn",)
    return PriorityTable(
        [],
        focus_group=opts.focus,
        comparison_group=opts.comparison,
        caption=caption,
        kind=opts.kind,
        prefix=PREFIX,
        place="here",
        exclude=exclude,
    )


def _lines(export: ExportTable, listed) -> Iterator[str]:
    """The file, a line at a time: the header rows, then one row per kept judgement in rank order."""
    writer = csv.writer(_Line())
    for row in export.header_rows():
        yield writer.writerow([safe_cell(cell) for cell in row])
    keys = [key for key, _header, _definition in export.columns]
    rows = listed.values_list("school__name", "school__urn", "school__cluster__name", "priority", "basis", "cells")
    for rank, (name, urn, cluster, priority, basis, cells) in enumerate(rows.iterator(chunk_size=2000), start=1):
        record = {
            **cells,
            "rank": rank,
            "name": str(name),
            "urn": urn,
            "cluster": cluster or "–",
            "reasons": _labels(priority),
            "basis": basis,
        }
        yield writer.writerow([safe_cell(record.get(key)) for key in keys])
