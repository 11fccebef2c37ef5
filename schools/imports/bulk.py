"""Bulk SQL for imports: many rows inserted or updated by id in a few statements (PostgreSQL: COPY)."""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal

from django.db import connection, models

INSERT_CHUNK = 50_000  # rows built and sent per statement: a national file's two million never held at once
SQLITE_CACHE_KIB = 131_072  # SQLite's page cache while inserting (default 2 MB): each index's pages stay in it


def insert_values(model, names: tuple[str, ...], rows: list[tuple]):
    """Insert new rows given as tuples of ``names`` (attnames); other columns get their defaults."""
    if not rows:
        return
    columns = [list(column) for column in zip(*rows, strict=True)]
    insert_columns(model, dict(zip(names, columns, strict=True)), len(rows))


def insert_columns(model, columns: dict, count: int) -> None:
    """Insert ``count`` new rows given a column at a time (attname → a sequence of ``count`` values, or a
    function of ``(start, stop)`` giving that slice, so a column can be made a chunk at a time); other columns
    get their defaults. Rows are built and sent ``INSERT_CHUNK`` at a time. PostgreSQL: COPY; SQLite and others:
    ``executemany``, with a larger page cache so that inserting into a big indexed table does not reread pages."""
    if not count:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    unknown = set(columns) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no column(s) {sorted(unknown)}")
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in columns}
    quote = connection.ops.quote_name
    table, names_sql = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)

    def picked(start: int, stop: int) -> list:
        out = []
        for f in fields:
            if f.attname not in columns:
                out.append([defaults[f.attname]] * (stop - start))
                continue
            column = columns[f.attname]
            out.append(column(start, stop) if callable(column) else column[start:stop])
        return out

    def chunk(start: int, stop: int) -> list:
        return list(zip(*picked(start, stop), strict=False))

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Text lines built here unless a column is boolean (True and 1 are one key of a dictionary).
            as_text = not any(isinstance(f, models.BooleanField) for f in fields)
            with cursor.cursor.copy(f"COPY {table} ({names_sql}) FROM STDIN") as copy:
                for start in range(0, count, INSERT_CHUNK):
                    stop = min(count, start + INSERT_CHUNK)
                    text = copy_text(picked(start, stop)) if as_text else None
                    if text is not None:
                        copy.write(text)
                        continue
                    for row in chunk(start, stop):
                        copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({names_sql}) VALUES ({', '.join(['%s'] * len(fields))})"
        with _page_cache():
            for start in range(0, count, INSERT_CHUNK):
                cursor.executemany(sql, chunk(start, min(count, start + INSERT_CHUNK)))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class _NotWritten(Exception):
    pass


class _CopyTexts(dict):
    """A value → its text in COPY's text format (what psycopg's ``write_row`` sends), each distinct value made
    once: a fact's year, measure, group, status… take a handful of values in 50,000 rows."""

    def __missing__(self, value):
        if value is None:
            text = "\\N"
        elif isinstance(value, str):
            text = value.translate(_COPY_ESCAPES)
        elif isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        elif isinstance(value, Decimal) and value.is_finite():
            text = str(value)
        else:
            raise _NotWritten(type(value))
        self[value] = text
        return text


def copy_text(columns: list[list]) -> str | None:
    """Rows given as columns, as the lines of a ``COPY … FROM STDIN`` in text format, a column at a time (one
    dictionary look-up per cell, not a call of ``write_row`` per row). None when a column holds a value other
    than None, text, a whole number or a decimal (a date, a float, a boolean): the caller writes those rows with
    ``write_row``."""
    try:
        cells = [list(map(_CopyTexts().__getitem__, column)) for column in columns]
    except _NotWritten:
        return None
    return "".join(["\t".join(row) + "\n" for row in zip(*cells, strict=True)])


@contextmanager
def _page_cache():
    """SQLite: a page cache of ``SQLITE_CACHE_KIB`` while the block runs, then the connection's own again (set on
    the driver's connection: a setting, not a query of the import)."""
    if connection.vendor != "sqlite":
        yield
        return
    raw = connection.connection
    before = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {int(before)}")


POSTGRES_WORK_MEM = "64MB"  # the re-pooling's GROUP BY of 100,000 results stays in memory (default 4 MB)


@contextmanager
def pooling_memory():
    """Room for the statements that re-pool what an import wrote, inside its transaction: SQLite's larger page
    cache (the results just written, the pooled-figure index written to); PostgreSQL's ``work_mem`` for the
    transaction (``set_config(…, true)``, as ``SET LOCAL``), so the GROUP BY of the clusters', areas' and LAs'
    results is hashed or sorted in memory rather than on disk; each put back as it was afterwards."""
    if connection.vendor != "postgresql":
        with _page_cache():
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('work_mem'), set_config('work_mem', %s, true)", [POSTGRES_WORK_MEM])
        before = cursor.fetchone()[0]
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [before])


ANALYZE_AFTER_ROWS = 100_000


def analyze_after_bulk(model, rows_written: int) -> None:
    """PostgreSQL: after ``ANALYZE_AFTER_ROWS`` or more rows are written in one go, refresh the table's
    statistics inside the import's transaction, so that the statements that follow (the pooled-figure refresh's
    ``INSERT … SELECT``) are planned for the table as it now is, not as autovacuum last saw it (a national file
    can double the results table). Only the columns those statements filter, join and group on (the foreign
    keys and the indexed columns): the figures' own columns cost as much again to sample, and no plan reads them."""
    if connection.vendor == "postgresql" and rows_written >= ANALYZE_AFTER_ROWS:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)} ({', '.join(map(quote, planned_columns(model)))})")


def planned_columns(model) -> list[str]:
    """The columns of ``model`` a plan filters, joins or groups on: its foreign keys, and those of its indexes
    and unique constraints."""
    meta = model._meta
    names = [f.name for f in meta.concrete_fields if f.is_relation]
    for index in [*meta.indexes, *meta.constraints]:
        names.extend(name.lstrip("-") for name in getattr(index, "fields", ()))
    columns = [meta.get_field(name).column for name in names]
    return sorted(set(columns))


def execute_updates(model, fields, params: list[tuple]):
    """Update many rows by id in bulk (each tuple: the new values in ``fields`` order, then the id).

    PostgreSQL: COPY into a temporary table, then one ``UPDATE … FROM``; SQLite: one ``executemany``.
    """
    if not params:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            meta = model._meta
            types = [meta.get_field(f[:-3] if f.endswith("_id") else f).db_type(connection) for f in fields]
            columns = ", ".join(f"{quote(f)} {t}" for f, t in zip(fields, types, strict=True))
            names = ", ".join(quote(f) for f in fields)
            cursor.execute(f"CREATE TEMPORARY TABLE _gm_update (id {meta.pk.db_type(connection)}, {columns})")
            with cursor.cursor.copy(f"COPY _gm_update (id, {names}) FROM STDIN") as copy:
                for row in params:
                    copy.write_row((row[-1], *row[:-1]))
            assignments = ", ".join(f"{quote(f)} = v.{quote(f)}" for f in fields)
            cursor.execute(f"UPDATE {table} AS t SET {assignments} FROM _gm_update v WHERE t.{quote('id')} = v.id")
            cursor.execute("DROP TABLE _gm_update")
            return
        assignments = ", ".join(f"{quote(f)} = %s" for f in fields)
        sql = f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s"
        cursor.executemany(sql, [tuple(float(v) if isinstance(v, Decimal) else v for v in p) for p in params])
