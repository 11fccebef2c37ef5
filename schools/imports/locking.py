"""One writer at a time: every import, confirm and rollback holds the import lock for its whole transaction.

Without it, two confirms read the database at the same moment, both record the same "previous" figures, and
rolling one back silently undoes the other. With it, the second waits for the first to commit, then checks its
plan against what the first wrote.
"""

from contextlib import contextmanager

from django.db import connection, transaction

from ..models import ImportBatch

# Any constant: the key of PostgreSQL's advisory lock for imports ("gapm").
IMPORT_LOCK_KEY = 0x6761706D


def hold_import_lock() -> None:
    """Take the import lock until the current transaction ends (commit or rollback releases it).

    PostgreSQL: a transaction-level advisory lock (other transactions wait for it; readers never do).
    SQLite: the database's write lock. An IMMEDIATE transaction (settings) holds it from its first statement;
    a write that changes nothing takes it otherwise, so a read-then-write transaction cannot deadlock.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("The import lock is held for a transaction: call it inside transaction.atomic().")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
        else:
            table = connection.ops.quote_name(ImportBatch._meta.db_table)
            cursor.execute(f"UPDATE {table} SET id = id WHERE 1 = 0")


@contextmanager
def import_transaction():
    """``with import_transaction():`` — a transaction that holds the import lock from its start."""
    with transaction.atomic():
        hold_import_lock()
        yield
