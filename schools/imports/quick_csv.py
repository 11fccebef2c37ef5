"""Narrow CSV files without quotes — the long template: ten columns, 100,000s of rows — read by pandas' C
parser into the same :class:`.readers.Table` that :func:`.readers.read_table` builds a cell at a time.

Without a quote character a row is a line and a cell is what lies between two delimiters, so the C parser and
the ``csv`` module cannot differ, and each line's cells are counted from its delimiters (a truncated row is
warned about as ``read_table`` warns). Whatever this reader does not handle the same way — quotes, a lone
carriage return, a NUL, a cell longer than the ``csv`` module accepts, cells past the header's width, wide files
(the DfE's, read column sets at a time elsewhere) — it leaves to ``read_table`` (:func:`quick_table` returns
``None``), which then gives the same table or the same problem.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from .readers import Limits, Table, find_header, raw_rows, too_many_rows, truncated

MAX_COLUMNS = 64  # wider files go to read_table
MAX_LINE = csv.field_size_limit()  # the csv module refuses a longer cell


def quick_table(data: bytes, limits: Limits | None = None) -> Table | None:
    """The table of a narrow CSV without quotes, or ``None``: read it with :func:`.readers.read_table`.
    Raises :class:`.readers.FileProblem` as ``read_table`` would (too big, empty, no header, too many rows)."""
    limits = limits or Limits.none()
    rows, kind, encoding = raw_rows(data, limits)
    if kind != "csv":
        return None
    text = data.decode(encoding)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    dialect = rows.dialect  # type: ignore[attr-defined]
    plain = dialect.escapechar is None and not dialect.skipinitialspace and len(dialect.delimiter) == 1
    if not plain or "\r" in text or "\x00" in text or (dialect.quotechar and dialect.quotechar in text):
        return None
    try:
        header, unique, header_index, written = find_header(rows, limits=limits)
    except csv.Error:
        return None  # read_table says what is wrong
    width = len(unique)
    if width > MAX_COLUMNS:
        return None
    start = 0
    for _line in range(header_index + 1):  # past the header's line (a row is a line: no quotes)
        start = text.find("\n", start) + 1
        if start == 0:
            start = len(text)
            break
    cells = _cells_per_line(text[start:], dialect.delimiter)
    if cells is None or not len(cells) or cells.max() > written:
        return None  # no rows, or cells past the header's
    try:
        frame = _read_plain(text[start:], dialect.delimiter, written)
    except pd.errors.ParserError:  # the C tokenizer gives up on some blank-line layouts ("Buffer overflow")
        return None
    if len(frame) != len(cells):
        return None
    stripped = [_stripped(frame[i].to_numpy()) for i in range(frame.shape[1])]
    if any(filled.any() for _texts, filled in stripped[width:]):
        return None  # cells past the header: read_table says which are ignored
    kept = np.zeros(len(frame), dtype=bool)
    for _texts, filled in stripped[:width]:
        kept |= filled
    numbers = np.flatnonzero(kept) + header_index + 2
    max_rows = None if limits.max_cells is None else max(1, limits.max_cells // width)
    if max_rows is not None and len(numbers) > max_rows:
        raise too_many_rows(max_rows, width, limits)
    short = kept & (cells < width)
    warnings = [
        truncated(int(row), header[int(count)], int(count), width)
        for row, count in zip(np.flatnonzero(short) + header_index + 2, cells[short], strict=True)
    ]
    columns = {name: stripped[i][0][kept] for i, name in enumerate(unique)}
    return Table(
        columns=unique,
        frame=pd.DataFrame(columns, columns=unique, dtype=object),
        row_numbers=numbers.astype(np.int64),
        kind=kind,
        encoding=encoding,
        warnings=warnings,
    )


def _read_plain(body: str, delimiter: str, written: int) -> pd.DataFrame:
    """Every line of ``body`` as text cells, ``written`` columns, nothing quoted, nothing taken for missing."""
    return pd.read_csv(
        io.StringIO(body),
        sep=delimiter,
        header=None,
        names=list(range(written)),
        index_col=False,
        dtype=object,
        na_filter=False,
        skip_blank_lines=False,
        quoting=csv.QUOTE_NONE,
        engine="c",
    )


def _cells_per_line(body: str, delimiter: str) -> np.ndarray | None:
    """How many cells the ``csv`` module reads on each line of ``body`` (0 on an empty line); ``None`` if a
    line is longer than it accepts."""
    raw = np.frombuffer(body.encode("utf-8"), dtype=np.uint8)
    if not len(raw):
        return np.empty(0, dtype=np.int64)
    ends = np.flatnonzero(raw == 10)
    if not len(ends) or ends[-1] != len(raw) - 1:
        ends = np.append(ends, len(raw))  # the last line without its newline
    starts = np.concatenate(([0], ends[:-1] + 1))
    if (ends - starts).max() > MAX_LINE:
        return None
    delimiters = np.flatnonzero(raw == ord(delimiter))
    counts = np.searchsorted(delimiters, ends) - np.searchsorted(delimiters, starts) + 1
    counts[ends == starts] = 0
    return counts.astype(np.int64)


def _stripped(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each cell without surrounding white space (``str.strip``, as ``read_table``), each distinct text once;
    and whether it is filled."""
    positions, distinct = pd.factorize(cells, use_na_sentinel=False)
    texts = np.array([str(text).strip() for text in distinct], dtype=object)
    filled = np.array([text != "" for text in texts], dtype=bool)
    return texts[positions], filled[positions]
