"""Re-judging after a write: the judgements kept for ranking (``schools.stored_judgements``) that a write made
stale are judged again once its transaction commits, so the user's first request after an import, a rollback,
an admin edit, a threshold or a benchmark batch reads kept judgements instead of judging the LA itself.

The one place is :meth:`schools.models.JudgementSet.forget`, which every such write calls in its transaction
(through ``schools.aggregates`` and ``schools.aggregate_signals``): before deleting the stale sets it sends
``sets_going_stale``, which :func:`note` receives: it records the LAs and the sets that existed (sets someone
had asked for) and registers, once per transaction, a ``transaction.on_commit`` callback. After the commit
that callback either

- enqueues :func:`rejudge_task` (django-tasks, run by ``manage.py db_worker``): a web request (an admin edit)
  does not wait seconds for judging; or
- runs :func:`rejudge` at once, inside :func:`inline` — the command-line imports, the demo, ``check_figures
  --repair`` and the background import worker, which are not serving a user.

A write rolled back registers nothing (its callback is dropped with its transaction). If re-judging fails or
has not run yet, a list still judges on its first read (``stored_judgements.judgement_sets``): the fallback.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
from collections import defaultdict

from django.db import transaction
from django_tasks import task

from gapmonitor.conf import conf

from . import selectors, stored_judgements
from .models import LocalAuthority, School

logger = logging.getLogger(__name__)

_inline = contextvars.ContextVar("rejudge_inline", default=False)
_local = threading.local()
SET_FIELDS = ("la_id", "measure_id", "pupil_group_id", "asked_year", "sees_small")


@contextlib.contextmanager
def inline():
    """What a write made inside this block makes stale is re-judged at once when it commits, in this process
    (a command, a worker), not enqueued."""
    token = _inline.set(True)
    try:
        yield
    finally:
        _inline.reset(token)


class _Stale:
    """What one transaction's writes made stale: the LAs (None: every LA) and the sets that existed."""

    def __init__(self):
        self.every_la = False
        self.la_ids: set[int] = set()
        self.sets: set[tuple] = set()
        self.inline = False  # a write made inside ``inline()``: judged at once when it commits
        self.dispatched = False

    def dispatch(self) -> None:
        """Once, by the first of its callbacks to run after the commit: re-judge, at once or through the queue."""
        if self.dispatched:
            return
        self.dispatched = True
        la_ids = None if self.every_la else sorted(self.la_ids)
        sets = [list(key) for key in sorted(self.sets)]
        if self.inline:
            try:
                rejudge(la_ids=la_ids, sets=sets)
            except Exception:  # the write stands: the lists judge on their first read instead
                logger.exception("Re-judging after a committed write stopped; the lists will judge on first read.")
        else:
            rejudge_task.enqueue(la_ids=la_ids, sets=sets)


class _Callback:
    """A transaction's ``on_commit`` callback for its :class:`_Stale` record."""

    def __init__(self, stale: _Stale):
        self.stale = stale

    def __call__(self) -> None:
        self.stale.dispatch()


def _pending(alias: str) -> _Stale:
    """The record of the transaction in progress: a new one when no callback of the last one is still waiting
    (it ran, or its transaction was rolled back). A callback is registered in each savepoint that notes
    something (a savepoint rolled back takes its own callback with it, never that of the writes around it);
    the first of them to run after the commit judges what all of them noted."""
    connection = transaction.get_connection(alias)
    pending = getattr(_local, "pending", {}).get(alias)
    waiting = []
    if pending is not None and not pending.dispatched:
        waiting = [sids for sids, func, _robust in connection.run_on_commit if getattr(func, "stale", None) is pending]
    if not waiting:
        pending = _Stale()
        _local.pending = {**getattr(_local, "pending", {}), alias: pending}
    here = set(connection.savepoint_ids)
    if here not in waiting:
        transaction.on_commit(_Callback(pending), using=alias)
    return pending


def note(sender=None, *, stale, la_ids=None, **_kwargs) -> None:
    """Receives ``sets_going_stale`` from ``JudgementSet.forget``, in its transaction, before it deletes
    ``stale`` (a queryset of sets): remember the LAs (``la_ids``; None: every LA) and the sets under the
    current rules, to judge again after the commit (one query)."""
    alias = stale.db
    pending = _pending(alias)
    pending.inline = pending.inline or _inline.get()
    pending.sets.update(tuple(row) for row in stale.filter(rules=stored_judgements.rules()).values_list(*SET_FIELDS))
    if la_ids is None:
        pending.every_la = True
    else:
        pending.la_ids.update(la_ids)


def rejudge(*, la_ids=None, sets=()) -> int:
    """Judge, for each of these LAs (None: every LA with schools), what its landing pages read first — every
    headline measure for the default focus group, each school's latest year, as viewers who do and who do not
    see small cohorts (as ``stored_judgements.warm``) — and every set in ``sets`` ([LA, measure, group, asked
    year, sees small], the sets that existed before the write). A set already kept and current costs one
    query; the others are judged together, one pass per LA × group × year × view. Returns the sets read."""
    from .figures import years_with_results

    groups = selectors.pupil_groups()
    group_by_pk = {g.pk: g for g in groups.values()}
    measures = {m.pk: m for m in selectors.measures_by_code().values()}
    headline = [m for m in measures.values() if m.headline]
    wanted: dict[int, dict[tuple, dict]] = defaultdict(lambda: defaultdict(dict))  # LA → (group, year) → views
    las = LocalAuthority.objects.order_by("pk")
    if la_ids is None:
        las = las.filter(pk__in=School.objects.values("la_id"))
    else:
        las = las.filter(pk__in=set(la_ids) | {key[0] for key in sets})
    focus = groups.get(conf.default_group)
    for la in las:
        if focus is not None:
            for view in stored_judgements.VIEWS:
                wanted[la.pk][(focus.pk, 0)][view] = list(headline)
    for la_id, measure_id, group_id, asked_year, sees_small in sets:
        if measure_id in measures and group_id in group_by_pk:
            chosen = wanted[la_id][(group_id, asked_year)].setdefault(bool(sees_small), [])
            if measures[measure_id] not in chosen:
                chosen.append(measures[measure_id])
    read = 0
    for la in las:
        years = years_with_results(la)
        for (group_id, asked_year), views in wanted[la.pk].items():
            # One pass of the gap engine for both views where both are wanted (``judgement_sets_by_view``).
            chosen = list({m.pk: m for ms in views.values() for m in ms}.values())
            by_view = stored_judgements.judgement_sets_by_view(
                la,
                chosen,
                group_by_pk[group_id],
                year=asked_year or None,
                views=sorted(views),
                groups=groups,
                years=years,
            )
            read += sum(len(found) for found in by_view.values())
    return read


def connect() -> None:
    """Called by the app's ready()."""
    from .models.judgements import sets_going_stale

    sets_going_stale.connect(note, dispatch_uid="rejudging_note")


@task()
def rejudge_task(*, la_ids: list[int] | None, sets: list[list]) -> int:
    """The worker's part of :func:`rejudge` (``manage.py db_worker``), enqueued after a web write commits."""
    return rejudge(la_ids=la_ids, sets=sets)
