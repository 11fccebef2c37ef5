"""A per-process cache of pooled figure tables (the GROUP BY results of ``schools.figures._aggregate``).

Why: every school page pools the whole LA for every measure and group, and the overview, area and RAG pages
pool the same LA-wide tables again; at LA size that GROUP BY is most of a page's database time, yet the
figures only change when an import is committed or rolled back.

Invalidation: each entry is stamped with the *data version* — the import batches (count, last id, last
commit, last rollback), the last result / benchmark id, the newest result history row, and the
``DataVersion`` counter — read in ONE query per request (remembered for the request; outside requests for a
second). Saving or deleting a result, benchmark, batch, school, cluster, area, LA, measure or pupil group
through the ORM clears this process's cache at once and, when the write commits, bumps the counter, so every
other process drops its figures on its next request: a school moved to another cluster in the admin is
pooled with its new cluster everywhere. Imports and rollbacks (bulk writes, no signals) change the batch
columns. Off when ``GAPMONITOR_FIGURE_CACHE`` is False.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from django.core.signals import request_started
from django.db import connection, connections, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save

from gapmonitor.conf import conf

from .models import (
    Area,
    Benchmark,
    Cluster,
    DataVersion,
    ImportBatch,
    LocalAuthority,
    Measure,
    PupilGroup,
    Result,
    School,
)

MAX_FIGURES = 2_000_000  # figures kept in all (a national school table is ~330,000)
_lock = threading.Lock()
_entries: OrderedDict = OrderedDict()  # key → (version, stored_at, figures)
_size = 0
_version: dict = {}  # {"snapshot": (value tuple, monotonic seconds)}: one key, so threads never see half of it


def data_version() -> tuple:
    """What the figures were pooled from, in one query; remembered until the next request (or one second)."""
    snapshot = _version.get("snapshot")  # read once: another thread may clear it meanwhile
    if snapshot is not None and time.monotonic() - snapshot[1] < 1.0:
        return snapshot[0]
    batch, result, benchmark = (m._meta.db_table for m in (ImportBatch, Result, Benchmark))
    counter = DataVersion._meta.db_table
    # Every ORM save of a result (admin, services) adds a history row: its newest id marks edits
    # made in any process, so no process serves figures older than the last such edit.
    result_history = Result.history.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {batch}), (SELECT MAX(id) FROM {batch}), "
            f"(SELECT MAX(committed_at) FROM {batch}), (SELECT MAX(rolled_back_at) FROM {batch}), "
            f"(SELECT MAX(id) FROM {result}), (SELECT MAX(id) FROM {benchmark}), "
            f"(SELECT MAX(history_id) FROM {result_history}), (SELECT MAX(counter) FROM {counter})"
        )
        value = (connection.alias,) + tuple(str(v) for v in cursor.fetchone())
    _version["snapshot"] = (value, time.monotonic())
    return value


def forget_version(**_kwargs) -> None:
    _version.clear()


def clear(**_kwargs) -> None:
    global _size
    with _lock:
        _entries.clear()
        _size = 0
    _version.clear()


def bump(using: str = "default") -> None:
    """Move the shared counter on (after a commit), so every process pools its figures afresh."""
    versions = DataVersion.objects.using(using)
    if not versions.filter(pk=1).update(counter=F("counter") + 1):
        versions.get_or_create(pk=1)
        versions.filter(pk=1).update(counter=F("counter") + 1)
    _version.clear()


def data_changed(sender=None, using: str = "default", **_kwargs) -> None:
    """A write changed figures or where a school sits: forget them here now, everywhere once it commits.

    The counter is bumped once per transaction, after it commits: inside it, a concurrent writer would wait
    on the counter row, and a reader could not see the new data yet anyway."""
    clear()
    conn = connections[using]
    if conn.in_atomic_block and any(getattr(entry[1], "bumps_data_version", False) for entry in conn.run_on_commit):
        return

    def after_commit():
        bump(using)

    after_commit.bumps_data_version = True
    transaction.on_commit(after_commit, using=using, robust=True)  # the write stands even if the bump fails


def remember(queryset, compute, copy=dict, extra=()):
    """The figures ``compute()`` works out from the rows of ``queryset`` (its SQL plus ``extra`` is the key),
    from the cache while the data has not changed. Returns a fresh ``copy`` each time (callers may change it)."""
    global _size
    if not conf.figure_cache:
        return compute()
    sql, params = queryset.query.sql_with_params()
    key = (connection.alias, sql, tuple(params), tuple(extra))
    version = data_version()
    now = time.monotonic()
    with _lock:
        hit = _entries.get(key)
        if hit is not None and hit[0] == version and now - hit[1] < conf.figure_cache_seconds:
            _entries.move_to_end(key)
            return copy(hit[2])
    figures = compute()
    with _lock:
        old = _entries.pop(key, None)
        if old is not None:
            _size -= len(old[2])
        _entries[key] = (version, now, figures)
        _size += len(figures)
        while _size > MAX_FIGURES and len(_entries) > 1:
            _k, (_v, _t, dropped) = _entries.popitem(last=False)
            _size -= len(dropped)
    return copy(figures)


def connect() -> None:
    """Called by the app's ready(): every process that writes through the ORM (pages, admin, commands)
    clears and bumps, whether or not it ever reads figures."""
    request_started.connect(forget_version, dispatch_uid="figure_cache_forget_version")
    # Figures, and what they are pooled by: a school's LA, area, cluster and status; a cluster's or area's
    # deletion moves its schools (SET_NULL) without saving them; a measure's unit changes how it pools.
    for model in (Result, Benchmark, ImportBatch, School, Cluster, Area, LocalAuthority, Measure, PupilGroup):
        post_save.connect(data_changed, sender=model, dispatch_uid=f"figure_cache_save_{model.__name__}")
        post_delete.connect(data_changed, sender=model, dispatch_uid=f"figure_cache_delete_{model.__name__}")
