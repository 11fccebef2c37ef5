"""CSV and XLSX exports of any table, safe to open in a spreadsheet.

A reusable helper for every app::

    from schools.exports import ExportTable, export_response
    table = ExportTable(title="…", columns=[("name", "School", "The school's name"), …], rows=[{…}, …])
    return export_response(table, "xlsx", "priority-list")

Layout (both formats): row 1 the title (and notes; led by a warning when an officer's export shows groups below
the suppression threshold), row 2 the definition of each column, row 3 the column
headers, then one row per record. Figures stay numbers; missing figures keep their marker (SUPP, NE, x…);
text cells that a spreadsheet would run as a formula (= + - @, tab, CR) are neutralised with a leading ',
numbers are never altered.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils.text import slugify

from gapmonitor.conf import conf

from .gaps import Figure

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SMALL_COHORTS = "includes unsuppressed small cohorts"
FORMATS = ("csv", "xlsx")


def safe_cell(value):
    """Numbers, dates and None pass through; text starting with a formula character gets a leading '."""
    if value is None or isinstance(value, bool):
        return "" if value is None else ("Yes" if value else "No")
    if isinstance(value, (int, float, Decimal, date, datetime)):
        return float(value) if isinstance(value, Decimal) else value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


@dataclass
class ExportTable:
    title: str
    columns: list[tuple[str, str, str]]  # (key, header, definition)
    rows: list[dict] = field(default_factory=list)
    notes: str = ""
    small_cohorts: int = 0  # figures shown for groups below the suppression threshold (an officer's view)

    @property
    def warning(self) -> str:
        """Heads the first row of a file carrying small cohorts: it must not be published or passed on as it is."""
        if not self.small_cohorts:
            return ""
        n = self.small_cohorts
        return (
            f"Sensitive: {SMALL_COHORTS} — {n} {'figure rests' if n == 1 else 'figures rest'} on fewer than "
            f"{conf.suppression_threshold} pupils. For use inside the local authority only; do not publish or share."
        )

    def header_rows(self) -> list[list]:
        title = self.title + (f" — {self.notes}" if self.notes else "")
        if self.warning:
            title = f"{self.warning} {title}"  # in the first row, keeping the layout below it
        return [
            [title] + [""] * (len(self.columns) - 1),
            [f"Definition: {definition}" if definition else "" for _key, _header, definition in self.columns],
            [header for _key, header, _definition in self.columns],
        ]

    def body_rows(self) -> list[list]:
        return [[row.get(key) for key, _header, _definition in self.columns] for row in self.rows]

    def all_rows(self) -> list[list]:
        return [[safe_cell(cell) for cell in row] for row in self.header_rows() + self.body_rows()]


def to_csv(table: ExportTable) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in table.all_rows():
        writer.writerow(row)
    return buffer.getvalue()


def to_xlsx(table: ExportTable) -> bytes:
    # openpyxl is heavy and only needed when a spreadsheet is asked for, so it loads here.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", table.title)[:31] or "Export"
    for row in table.all_rows():
        sheet.append(row)
    sheet["A1"].font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = Font(italic=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A4"
    # openpyxl writes a string starting with "=" as a formula; safe_cell already prefixed those with '.
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def small_cohort_figures(records) -> int:
    """How many figures in these table records rest on a group below the suppression threshold and are
    shown all the same (an LA officer's or data manager's view)."""
    threshold = conf.suppression_threshold
    return sum(
        1
        for record in records
        if isinstance(record, dict)
        for value in record.values()
        if isinstance(value, Figure)
        and value.value is not None
        and value.cohort is not None
        and 0 < value.cohort < threshold
    )


def export_response(table: ExportTable, fmt: str, filename: str) -> HttpResponse:
    """An attachment response in ``fmt`` (csv or xlsx); ValueError for anything else. A table marked as
    carrying small cohorts says so in its file name too."""
    name = slugify(filename) or "export"
    if table.small_cohorts:
        name += "-" + slugify(SMALL_COHORTS)
    if fmt == "csv":
        response = HttpResponse(to_csv(table), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            to_xlsx(table), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        raise ValueError(f"Unknown export format {fmt!r}: use csv or xlsx.")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def from_table2(table, *, title: str, notes: str = "") -> ExportTable:
    """An ExportTable from a django-tables2 table whose columns may define ``definition`` and
    ``export_value(record)``; columns with ``exclude_from_export`` are left out."""
    columns, getters = [], []
    for bound in table.columns:
        column = bound.column
        if getattr(column, "exclude_from_export", False):
            continue
        columns.append((bound.name, str(bound.verbose_name), getattr(column, "definition", "")))
        getters.append((bound.name, column, bound.accessor))
    rows = []
    for row in table.rows:
        record = row.record
        out = {}
        for name, column, accessor in getters:
            if hasattr(column, "export_value"):
                out[name] = column.export_value(record, name)
            else:
                value = accessor.resolve(record, quiet=True)
                out[name] = value if isinstance(value, (int, float, Decimal, type(None))) else str(value)
        rows.append(out)
    return ExportTable(title=title, columns=columns, rows=rows, notes=notes)
