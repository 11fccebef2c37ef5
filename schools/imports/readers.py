"""Reading uploaded files into a table of strings, whatever the encoding or spreadsheet format.

Every cell comes back as a stripped string ("" when missing), so the format parsers decide what a
cell means (a number, a percentage, a marker such as ``SUPP``) in one place — :func:`parse_figures`.
Rows shorter than the header (real DfE files are truncated at the source) are padded with missing
cells and reported as warnings; longer rows (GIAS appends "Linked establishments") are cut.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .problems import Problem

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97–2003 .xls

# Markers the DfE and ONS use for "no figure". None of them is zero.
MARKERS = ("SUPP", "NE", "NP", "NA", "LOWCOV", "NEW", "x", "c", "z", "low", "u", ":", "-", "..")
MARKER_LOOKUP = {marker.lower(): marker for marker in MARKERS}


class FileProblem(Exception):
    """The file as a whole cannot be read (empty, no header, not CSV/XLSX…)."""


@dataclass
class Table:
    """Cells as strings, one column per header name; ``row_numbers`` are the file's own (header = 1)."""

    columns: list[str]
    frame: pd.DataFrame
    row_numbers: np.ndarray
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    warnings: list[Problem] = field(default_factory=list)

    def __len__(self):
        return len(self.frame)

    def has(self, column: str) -> bool:
        return column in self.frame.columns

    def column(self, name: str) -> pd.Series:
        return self.frame[name] if name in self.frame.columns else pd.Series("", index=self.frame.index)


# --------------------------------------------------------------------------- file → rows
def sniff_kind(data: bytes) -> str:
    """Tell CSV from XLSX by content, never by the file's extension."""
    if not data or not data.strip():
        raise FileProblem("The file is empty.")
    if data.startswith(ZIP_MAGIC):
        from gapmonitor.uploads import UploadRefused, zip_kind

        try:
            kind = zip_kind(data)  # also refuses an archive that would expand beyond the limit
        except UploadRefused as exc:
            raise FileProblem(f"The file looks like a spreadsheet but could not be opened as XLSX "
                              f"({' '.join(exc.messages)})") from exc
        if kind != "xlsx":
            raise FileProblem("This is a ZIP archive (or another Office file), not an XLSX workbook: "
                              "upload a CSV or XLSX file.")
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        raise FileProblem("This is an old Excel 97–2003 (.xls) workbook: save it as .xlsx or CSV and upload again.")
    if b"\x00" in data[:4096]:
        raise FileProblem("This is not a CSV or XLSX file (it contains binary data).")
    return "csv"


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first; Windows-1252 when the bytes are not UTF-8."""
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise FileProblem(
            "The file is not readable text: save it as CSV (UTF-8 or Windows-1252) or XLSX."
        ) from exc


def raw_rows(data: bytes) -> tuple[list[list[str]], str, str]:
    """All rows of a CSV or the first sheet of an XLSX as lists of strings."""
    kind = sniff_kind(data)
    if kind == "xlsx":
        try:
            sheet = pd.read_excel(io.BytesIO(data), header=None, dtype=str, sheet_name=0, engine="openpyxl")
        except Exception as exc:  # a zip that is not a workbook, a damaged file…
            raise FileProblem(f"The file looks like a spreadsheet but could not be opened as XLSX ({exc}).") from exc
        sheet = sheet.fillna("")
        return [list(row) for row in sheet.itertuples(index=False, name=None)], kind, ""
    text, encoding = decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.count(",") == 0 else csv.excel
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise FileProblem(f"The file is not a valid CSV file ({exc}).") from exc
    return rows, kind, encoding


def _clean_header(cells: list[str]) -> list[str]:
    return [str(c).replace("\ufeff", "").strip() for c in cells]


def read_table(data: bytes, *, header_contains: tuple[str, ...] = (), max_header_search: int = 10) -> Table:
    """Parse bytes into a :class:`Table`.

    The header is the first non-blank row, or — when ``header_contains`` names columns — the first of the
    first ``max_header_search`` rows containing all of them (the statistical-neighbour workbook has two
    rows of column letters above its header).
    """
    rows, kind, encoding = raw_rows(data)
    header_index = None
    for index, row in enumerate(rows):
        cells = _clean_header(row)
        if not any(cells):
            continue
        if not header_contains:
            header_index = index
            break
        if all(name in cells for name in header_contains):
            header_index = index
            break
        if index >= max_header_search:
            break
    if header_index is None:
        if not any(any(str(c).strip() for c in row) for row in rows):
            raise FileProblem("The file is empty.")
        if header_contains:
            raise FileProblem(
                f"No header row found: expected a row with the columns {', '.join(header_contains)}."
            )
        raise FileProblem("The file has no header row.")
    header = _clean_header(rows[header_index])
    # Trailing unnamed columns (Excel exports often add them) are dropped; other blanks get a name.
    while header and not header[-1]:
        header.pop()
    width = len(header)
    if width == 0:
        raise FileProblem("The file has no header row.")
    header = [name or f"(column {i + 1})" for i, name in enumerate(header)]
    seen: dict[str, int] = {}
    unique = []
    for name in header:
        if name in seen:
            seen[name] += 1
            unique.append(f"{name}.{seen[name]}")
        else:
            seen[name] = 0
            unique.append(name)

    body, numbers, warnings = [], [], []
    for offset, row in enumerate(rows[header_index + 1:]):
        file_row = header_index + 2 + offset
        cells = [str(c).strip() for c in row]
        if not any(cells):
            continue
        if len(cells) < width:
            warnings.append(Problem(
                row=file_row, column=header[len(cells)], value="",
                reason=f"Row has {len(cells)} of {width} cells (truncated): the missing cells are treated as missing.",
                level=Problem.WARNING,
            ))
            cells = cells + [""] * (width - len(cells))
        elif len(cells) > width:
            extra = [c for c in cells[width:] if c]
            if extra:
                warnings.append(Problem(
                    row=file_row, column="", value=", ".join(extra)[:80],
                    reason=f"Row has {len(cells)} cells but the header {width}: the extra cells are ignored.",
                    level=Problem.WARNING,
                ))
            cells = cells[:width]
        body.append(cells)
        numbers.append(file_row)
    frame = pd.DataFrame(body, columns=unique, dtype=object) if body else pd.DataFrame(columns=unique, dtype=object)
    return Table(columns=unique, frame=frame, row_numbers=np.asarray(numbers, dtype=np.int64), kind=kind,
                 encoding=encoding, warnings=warnings)


# --------------------------------------------------------------------------- cells → numbers
@dataclass
class Parsed:
    """A column parsed: numbers (NaN when none), the marker ("" when none), blanks and bad cells."""

    number: pd.Series
    code: pd.Series
    blank: pd.Series
    invalid: pd.Series


def parse_figures(cells: pd.Series) -> Parsed:
    """Numbers written ``45``, ``45.0``, ``45%``, ``1,234`` or ``7.0E-2``; markers kept as their code."""
    text = cells.fillna("").astype(str).str.strip()
    blank = text == ""
    code = text.str.lower().map(MARKER_LOOKUP)
    cleaned = text.str.replace(",", "", regex=False).str.rstrip("%").str.strip()
    number = pd.to_numeric(cleaned.where(code.isna() & ~blank), errors="coerce")
    invalid = ~blank & code.isna() & number.isna()
    number = number.where(~invalid)
    return Parsed(number=number.astype(float), code=code.fillna("").astype(str), blank=blank, invalid=invalid)


def is_whole(number: pd.Series) -> pd.Series:
    return number.isna() | (np.floor(number) == number)
