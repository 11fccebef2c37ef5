"""Bulk SQL for imports: many rows inserted or updated by id in a few statements (PostgreSQL: COPY)."""

from __future__ import annotations

from decimal import Decimal
from operator import itemgetter

from django.db import connection


def insert_values(model, names: tuple[str, ...], rows: list[tuple]):
    """Insert new rows given as tuples of ``names`` (attnames); other columns get their defaults.
    PostgreSQL: COPY; SQLite and others: one ``executemany``."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = {name: index for index, name in enumerate(names)}
    unknown = set(given) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no column(s) {sorted(unknown)}")
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in given}
    order = [given.get(f.attname) for f in fields]
    if len(given) < len(fields):
        pairs = list(zip(order, fields, strict=True))
        rows = [tuple(row[i] if i is not None else defaults[f.attname] for i, f in pairs) for row in rows]
    else:
        pick = itemgetter(*order)  # a tuple of the cells in column order, picked in C
        rows = [pick(row) for row in rows] if len(order) > 1 else [(row[order[0]],) for row in rows]
    quote = connection.ops.quote_name
    table, names_sql = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({names_sql}) VALUES ({', '.join(['%s'] * len(fields))})", rows)


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
