"""Reading an uploaded file: its bytes → a table (:mod:`.readers` reads CSV and XLSX) and the format it is in,
told from the header when the user chooses "detect"."""

from __future__ import annotations

import hashlib

from ..models import ImportBatch
from . import context as context_import
from .problems import Problem
from .quick_csv import quick_table
from .readers import FileProblem, Limits, Table, read_table

Format = ImportBatch.Format
UPLOAD_FORMATS = [(f.value, f.label) for f in Format if f != Format.DEMO]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def detect_format(columns) -> str | None:
    """Guess the format from the header (used when the user chooses "detect")."""
    names = set(columns)
    upper = {str(c).strip().upper() for c in columns}
    if {"urn", "results_year", "measure", "pupil_group"} <= names:
        return Format.LONG
    if {"geography", "results_year", "measure", "pupil_group"} <= names:
        return Format.BENCHMARKS
    if {"measure_code", "la_code", "value", "year"} <= names:
        return Format.LAIT
    if "SN1" in names:
        return Format.NEIGHBOURS
    if {"RECTYPE", "URN"} <= upper:
        if any(c.startswith("PTRWM") or c == "TELIG" for c in upper):
            return Format.DFE_KS2
        if any(c.startswith("ATT8") or c == "TPUP" for c in upper):
            return Format.DFE_KS4
    if {"URN", "LA (code)", "EstablishmentName"} <= names:
        return Format.REGISTER
    return context_import.detect_format(names)


def read_upload(data: bytes, format: str, limits: Limits) -> tuple[Table | None, str | None, Problem | None]:
    """The file's table and format (``format``, or detected when "auto"), else the problem that stops the import."""
    try:
        if format == Format.NEIGHBOURS:
            table = read_table(data, header_contains=("SN1",), limits=limits)
        else:  # the long template is read by pandas' C parser (quick_table), other files cell by cell
            table = quick_table(data, limits) or read_table(data, limits=limits)
    except FileProblem as exc:
        return None, None, Problem(row=None, column="", value="", reason=str(exc))
    if format not in ("auto", "", None):
        return table, format, None
    detected = detect_format(table.columns)
    if detected is None and table.kind == "xlsx":
        try:
            neighbour_table = read_table(data, header_contains=("SN1",), limits=limits)
            detected, table = Format.NEIGHBOURS, neighbour_table
        except FileProblem:
            pass
    if detected is None:
        problem = Problem(
            row=1,
            column="",
            value=", ".join(table.columns[:6]),
            reason=("Could not tell the format from the header: choose the format, or check the header row."),
        )
        return table, None, problem
    return table, detected, None
