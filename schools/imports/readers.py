"""Reading uploaded files into a table of strings, whatever the encoding or spreadsheet format.

Every cell comes back as a stripped string ("" when missing), so the format parsers decide what a
cell means (a number, a percentage, a marker such as ``SUPP``) in one place — :func:`parse_figures`.
Rows shorter than the header (real DfE files are truncated at the source) are padded with missing
cells and reported as warnings; longer rows (GIAS appends "Linked establishments") are cut.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gapmonitor.conf import conf
from gapmonitor.uploads import UploadRefused, zip_kind

from .problems import Problem

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97–2003 .xls

# Markers the DfE and ONS use for "no figure". None of them is zero.
MARKERS = ("SUPP", "NE", "NP", "NA", "LOWCOV", "NEW", "x", "c", "z", "low", "u", ":", "-", "..")
MARKER_LOOKUP = {marker.lower(): marker for marker in MARKERS}


BLOCK_ROWS = 4096


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


# --------------------------------------------------------------------------- limits
@dataclass(frozen=True)
class Limits:
    """How big a file may be, so that a 50 MB upload is read in a bounded time and memory.

    ``max_bytes``: the file; ``max_columns``: the header's width; ``max_cells``: rows × columns kept;
    ``max_expanded``: an XLSX workbook's size once unzipped. ``None``: no limit.
    """

    max_bytes: int | None = None
    max_columns: int | None = None
    max_cells: int | None = None
    max_expanded: int | None = None

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=conf.max_upload_bytes,
            max_columns=conf.import_max_columns,
            max_cells=conf.import_max_cells,
            max_expanded=conf.import_max_expanded_bytes,
        )

    @classmethod
    def none(cls) -> Limits:
        return cls()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


# --------------------------------------------------------------------------- file → rows
def utf16_encoding(data: bytes) -> str | None:
    """ "utf-16" for a file with a UTF-16 byte-order mark or with every other byte zero (UTF-16 text without
    one, as some exports write), else ``None``."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:4096]
    if len(head) >= 8 and b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) >= 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) >= 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
    return None


def sniff_kind(data: bytes) -> str:
    """Tell CSV from XLSX by content, never by the file's extension."""
    if not data or not data.strip():
        raise FileProblem("The file is empty.")
    if data.startswith(ZIP_MAGIC):
        try:
            kind = zip_kind(data)  # also refuses an archive that would expand beyond the limit
        except UploadRefused as exc:
            raise FileProblem(
                f"The file looks like a spreadsheet but could not be opened as XLSX ({' '.join(exc.messages)})"
            ) from exc
        if kind != "xlsx":
            raise FileProblem(
                "This is a ZIP archive (or another Office file), not an XLSX workbook: upload a CSV or XLSX file."
            )
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        raise FileProblem("This is an old Excel 97–2003 (.xls) workbook: save it as .xlsx or CSV and upload again.")
    if utf16_encoding(data):
        return "csv"
    if b"\x00" in data[:4096]:
        raise FileProblem("This is not a CSV or XLSX file (it contains binary data).")
    return "csv"


def encoding_of(data: bytes) -> str:
    """UTF-16 (by its byte-order mark or its zero bytes), UTF-8 (with or without BOM), else Windows-1252.

    Checked in 1 MB pieces, so that a large file is never held twice as text."""
    utf16 = utf16_encoding(data)
    candidates = [utf16] if utf16 else ["utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8", "cp1252"]
    view = memoryview(data)
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), 1 << 20):
                decoder.decode(view[start : start + (1 << 20)], final=start + (1 << 20) >= len(data))
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileProblem(
        f"The file is not readable text{' as UTF-16' if utf16 else ''}: save it as CSV (UTF-8, UTF-16 or "
        f"Windows-1252) or XLSX."
    )


def decode(data: bytes) -> tuple[str, str]:
    """The whole file as text, and its encoding."""
    encoding = encoding_of(data)
    return data.decode(encoding), encoding


def _csv_rows(data: bytes) -> tuple[Iterator[list[str]], str]:
    encoding = encoding_of(data)
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    head = stream.read(4096)
    stream.seek(0)
    try:
        dialect = csv.Sniffer().sniff(head, delimiters=",;\t") if head.count(",") == 0 else csv.excel
    except csv.Error:
        dialect = csv.excel
    return csv.reader(stream, dialect), encoding


def _excel_text(value) -> str:
    """A cell as pandas' ``read_excel(dtype=str)`` writes it: whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes, limits: Limits) -> Iterator[list[str]]:
    # openpyxl is heavy and only needed for .xlsx files, so it loads here.
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(m.file_size for m in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileProblem(f"The file looks like a spreadsheet but could not be opened as XLSX ({exc}).") from exc
    if limits.max_expanded is not None and expanded > limits.max_expanded:
        raise FileProblem(
            f"The workbook expands to {_megabytes(expanded)} when opened; the most accepted is "
            f"{_megabytes(limits.max_expanded)}. Save the sheet you need as CSV, or split the file."
        )
    try:
        # Read-only mode streams the sheet row by row instead of building every cell as an object first.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_excel_text(v) for v in row]
        book.close()
    except FileProblem:
        raise
    except Exception as exc:  # a zip that is not a workbook, a damaged file…
        raise FileProblem(f"The file looks like a spreadsheet but could not be opened as XLSX ({exc}).") from exc


def raw_rows(data: bytes, limits: Limits | None = None) -> tuple[Iterator[list[str]], str, str]:
    """The rows of a CSV or of the first sheet of an XLSX, as lists of strings, one at a time."""
    limits = limits or Limits.none()
    if limits.max_bytes is not None and len(data) > limits.max_bytes:
        raise FileProblem(
            f"The file is {_megabytes(len(data))}; the largest file accepted is {_megabytes(limits.max_bytes)}."
        )
    kind = sniff_kind(data)
    if kind == "xlsx":
        return _xlsx_rows(data, limits), kind, ""
    rows, encoding = _csv_rows(data)
    return rows, kind, encoding


def _clean_header(cells: list[str]) -> list[str]:
    return [str(c).replace("\ufeff", "").strip() for c in cells]


def read_table(
    data: bytes, *, header_contains: tuple[str, ...] = (), max_header_search: int = 10, limits: Limits | None = None
) -> Table:
    """Parse bytes into a :class:`Table`.

    The header is the first non-blank row, or — when ``header_contains`` names columns — the first of the
    first ``max_header_search`` rows containing all of them (the statistical-neighbour workbook has two
    rows of column letters above its header). ``limits`` bound the header's width and the cells kept; each
    distinct cell text is kept once, so repeated values ("SUPP", "", small numbers) cost one pointer each.
    """
    limits = limits or Limits.none()
    rows, kind, encoding = raw_rows(data, limits)
    try:
        return _read_rows(rows, kind, encoding, header_contains, max_header_search, limits)
    except csv.Error as exc:
        raise FileProblem(f"The file is not a valid CSV file ({exc}).") from exc


def find_header(rows, header_contains=(), max_header_search: int = 10, limits: Limits | None = None):
    """The header (see :func:`read_table`) from ``rows``, consumed up to it: its names (blank ones named,
    repeated ones numbered, trailing blank ones dropped), its index among the rows and its length as written."""
    limits = limits or Limits.none()
    header, header_index, seen_any = None, -1, False
    for index, row in enumerate(rows):
        if limits.max_columns is not None and len(row) > 10 * limits.max_columns:
            raise FileProblem(
                f"Row {index + 1} has {len(row):,} cells; the most columns accepted is "
                f"{limits.max_columns:,}. Check the file is the one you meant."
            )
        cells = _clean_header(row)
        if not any(cells):
            continue
        seen_any = True
        if not header_contains or all(name in cells for name in header_contains):
            header, header_index = cells, index
            break
        if index >= max_header_search:
            break
    if header is None:
        if not seen_any:
            raise FileProblem("The file is empty.")
        if header_contains:
            raise FileProblem(f"No header row found: expected a row with the columns {', '.join(header_contains)}.")
        raise FileProblem("The file has no header row.")
    written = len(header)
    # Trailing unnamed columns (Excel exports often add them) are dropped; other blanks get a name.
    while header and not header[-1]:
        header.pop()
    width = len(header)
    if width == 0:
        raise FileProblem("The file has no header row.")
    if limits.max_columns is not None and width > limits.max_columns:
        raise FileProblem(
            f"The header has {width:,} columns; the most accepted is {limits.max_columns:,}. "
            "Check the file is the one you meant."
        )
    header = [name or f"(column {i + 1})" for i, name in enumerate(header)]
    seen: dict[str, int] = {}
    unique = []
    for name in header:
        seen[name] = seen.get(name, -1) + 1
        unique.append(f"{name}.{seen[name]}" if seen[name] else name)
    return header, unique, header_index, written


def too_many_rows(max_rows: int, width: int, limits: Limits) -> FileProblem:
    return FileProblem(
        f"The file has more than {max_rows:,} rows of {width:,} columns "
        f"({limits.max_cells:,} cells is the most accepted): split it, or leave out the "
        "columns you do not need."
    )


def truncated(file_row: int, column: str, cells: int, width: int) -> Problem:
    """The warning for a row of ``cells`` cells under a header of ``width`` (``column``: the first missing)."""
    reason = f"Row has {cells} of {width} cells (truncated): the missing cells are treated as missing."
    return Problem(row=file_row, column=column, value="", reason=reason, level=Problem.WARNING)


def _read_rows(rows, kind, encoding, header_contains, max_header_search, limits: Limits) -> Table:
    header, unique, header_index, _written = find_header(rows, header_contains, max_header_search, limits)
    width = len(unique)
    max_rows = None if limits.max_cells is None else max(1, limits.max_cells // width)
    texts: dict[str, str] = {}
    # Rows go into blocks of a fixed size (one pointer per cell), not one list per row: half the memory.
    blocks, block, filled = [], np.empty((BLOCK_ROWS, width), dtype=object), 0
    numbers, warnings = [], []
    for offset, row in enumerate(rows):
        file_row = header_index + 2 + offset
        if len(row) > width:
            extra = [c for c in row[width:] if c and c.strip()]
            if extra:
                warnings.append(
                    Problem(
                        row=file_row,
                        column="",
                        value=", ".join(c.strip() for c in extra[:10])[:80],
                        reason=f"Row has {len(row)} cells but the header {width}: the extra cells are ignored.",
                        level=Problem.WARNING,
                    )
                )
            row = row[:width]
        stripped = list(map(str.strip, row))  # both readers give strings; map, not a loop: 5 million cells
        cells = list(map(texts.setdefault, stripped, stripped))
        if not any(cells):
            continue
        if len(cells) < width:
            warnings.append(truncated(file_row, header[len(cells)], len(cells), width))
            cells.extend([""] * (width - len(cells)))
        block[filled, :] = cells
        filled += 1
        if filled == BLOCK_ROWS:
            blocks.append(block)
            block, filled = np.empty((BLOCK_ROWS, width), dtype=object), 0
        numbers.append(file_row)
        if max_rows is not None and len(numbers) > max_rows:
            raise too_many_rows(max_rows, width, limits)
    blocks.append(block[:filled])
    grid = blocks[0] if len(blocks) == 1 else np.vstack(blocks)
    del blocks, block
    frame = pd.DataFrame(grid, columns=unique, dtype=object, copy=False)
    return Table(
        columns=unique,
        frame=frame,
        row_numbers=np.asarray(numbers, dtype=np.int64),
        kind=kind,
        encoding=encoding,
        warnings=warnings,
    )


# --------------------------------------------------------------------------- cells → numbers
@dataclass
class Parsed:
    """A column parsed: numbers (NaN when none), the marker ("" when none), blanks and bad cells."""

    number: pd.Series
    code: pd.Series
    blank: pd.Series
    invalid: pd.Series


def parse_figures(cells: pd.Series) -> Parsed:
    """Numbers written ``45``, ``45.0``, ``45%``, ``1,234`` or ``7.0E-2``; markers kept as their code.

    Each distinct cell text is parsed once and the results spread back to the rows: a national file's column
    holds a few hundred distinct texts ("SUPP", "", "0.65"…) over 16,000 rows."""
    positions, distinct = pd.factorize(cells, use_na_sentinel=False)
    parsed = _parse_distinct(pd.Series(distinct, dtype=object))

    def spread(series: pd.Series) -> pd.Series:
        return pd.Series(series.to_numpy()[positions], index=cells.index, name=cells.name)

    return Parsed(
        number=spread(parsed.number),
        code=spread(parsed.code),
        blank=spread(parsed.blank),
        invalid=spread(parsed.invalid),
    )


def _parse_distinct(cells: pd.Series) -> Parsed:
    text = cells.fillna("").astype(str).str.strip()
    blank = text == ""
    code = text.str.lower().map(MARKER_LOOKUP)
    cleaned = text.str.replace(",", "", regex=False).str.rstrip("%").str.strip()
    number = pd.to_numeric(cleaned.where(code.isna() & ~blank), errors="coerce")
    # "inf" and "nan" are not figures (the ranges of real figures are checked in bounds.py).
    number = number.where(np.isfinite(number.astype(float)))
    invalid = ~blank & code.isna() & number.isna()
    number = number.where(~invalid)
    return Parsed(number=number.astype(float), code=code.fillna("").astype(str), blank=blank, invalid=invalid)
