"""Pooled figures aggregated on write (:class:`schools.models.PooledFigure`).

Every page pools the same few tables: an LA's, area's, cluster's or school's results for some years × measures ×
groups, summed the way the DCSF National Strategies' "Quality standards and criteria for LA self-evaluation"
(2009) pools them (sum of achievers ÷ sum of cohort; the queries: ``schools.pooling``). Those sums change only
when results are written or a school moves, so they are worked out then, in the same transaction, for the
organisations and years touched — and pages read them with a few indexed lookups (``schools.selectors``),
whatever the number of schools. A cluster's, area's or LA's rows are the GROUP BY ``check_figures`` runs; a
school's are not kept: each of its results is its own pooled row, read from the results as one
(``pooling.school_rows``), so a school's figures change with its results and nothing is re-pooled for it.

Who refreshes:
- imports (what the plan wrote, ``imports.committing``) and rollbacks (:func:`touch_batch` / :func:`deferred` around
  the write): bulk writes, no signals;
- any ORM save or delete of a result, a school moving between LA / area / cluster, a measure's unit changing,
  an area / cluster / LA deleted: the signal handlers (``schools.aggregate_signals``);
- the demo and benchmark data builders: :func:`refresh_la`.

``python manage.py check_figures`` (``schools.aggregate_checks.differences``) recomputes every row afresh.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from contextlib import contextmanager

from django.db import transaction

from .pooling import ALL_YEARS as ALL_YEARS
from .pooling import CHUNK, KEPT_LEVELS, insert_pooled, pooled_query, published_query
from .pooling import COLUMNS as COLUMNS
from .pooling import LEVELS as LEVELS
from .pooling import PUBLISHED as PUBLISHED
from .pooling import SCHOOL_FIELD as SCHOOL_FIELD
from .pooling import SELECTED_KEY as SELECTED_KEY
from .pooling import SUMS as SUMS
from .pooling import pooled_sums as pooled_sums


def repool_published(la_ids=None) -> None:
    """Replace the published rows of these LAs (None: every LA) by their published figures as stored now."""
    from .models import PooledFigure

    stale = PooledFigure.objects.filter(level=PUBLISHED)
    if la_ids is not None:
        la_ids = sorted(set(la_ids))
        if not la_ids:
            return
        stale = stale.filter(org_id__in=la_ids)
    stale._raw_delete(stale.db)
    insert_pooled(published_query(la_ids))


def _repool(level: str, org_ids, years=ALL_YEARS) -> None:
    """Replace the pooled rows of these clusters, areas or LAs (for these years) by a fresh pooling of their
    results, every measure: the GROUP BY of :func:`.pooling.pooled_query`, the same statement as
    ``check_figures`` runs (a float sum depends on the order it adds in, so the pages' figures are those of
    that statement to the last digit)."""
    from .models import JudgementSet

    org_ids = sorted(set(org_ids))
    for start in range(0, len(org_ids), CHUNK):
        chunk = org_ids[start : start + CHUNK]
        _stale(level, chunk, years)
        insert_pooled(pooled_query(level, chunk, years))
        if level == "la":  # the LA's kept judgements rest on these figures (``schools.stored_judgements``)
            JudgementSet.forget(la_ids=chunk)


def _stale(level: str, org_ids, years) -> None:
    from .models import PooledFigure

    stale = PooledFigure.objects.filter(level=level, org_id__in=org_ids)
    if years is not ALL_YEARS:
        stale = stale.filter(results_year__in=list(years))
    stale._raw_delete(stale.db)


def rebuild(*, published: bool = False) -> None:
    """Every pooled row afresh (a new database, or after ``check_figures`` found a difference); ``published``:
    the LAs' published rows too (the migration that made the table had no such rows yet)."""
    from .models import JudgementSet, PooledFigure

    with transaction.atomic():
        stale = PooledFigure.objects.filter(level__in=LEVELS)  # a school's too, should any be left
        stale._raw_delete(stale.db)
        for level in KEPT_LEVELS:
            insert_pooled(pooled_query(level))
        if published:
            repool_published()
        JudgementSet.forget()


def repool_measure(measure_id: int) -> None:
    """A measure's unit decides how it pools: re-pool it everywhere."""
    from .models import JudgementSet, PooledFigure

    stale = PooledFigure.objects.filter(measure_id=measure_id, level__in=LEVELS)  # published rows are as published
    stale._raw_delete(stale.db)
    for level in KEPT_LEVELS:
        insert_pooled(pooled_query(level, measure_ids=[measure_id]))
    JudgementSet.forget(measure_id=measure_id)


def forget(level: str, org_id: int) -> None:
    """An area, cluster or LA deleted: its schools left it (SET NULL) without being saved."""
    from .models import PooledFigure

    stale = PooledFigure.objects.filter(level=level, org_id=org_id)
    stale._raw_delete(stale.db)


# --------------------------------------------------------------------------- what a write touched
class Touched:
    """Schools × years a write changes, and so the pooled figures of the clusters, areas and LAs they sit in
    (a school's own are its results, nothing to re-pool). Where the schools sit is read when they are added
    (before the write: a school deleted or moved away still leaves its old cluster's figures to re-pool) and
    again at :meth:`refresh` (after it)."""

    def __init__(self):
        self.years: dict[int, set | None] = {}  # school id → years, None: every year
        self.orgs: dict[tuple[str, int], set | None] = {}
        self.published: set[str] = set()  # geography codes whose benchmarks were written

    @staticmethod
    def _merge(store: dict, key, years) -> None:
        if years is ALL_YEARS or store.get(key, set()) is ALL_YEARS:
            store[key] = ALL_YEARS
        else:
            store.setdefault(key, set()).update(years)

    def add(self, pairs=(), *, schools=(), all_years: bool = False, before: bool = True) -> None:
        """``pairs``: (school id, results year); ``schools``: ids whose every year is touched (a move).
        ``before``: the write is still to come, so note where the schools sit now (one query)."""
        by_school: dict[int, set | None] = {}
        for school_id, year in pairs:
            self._merge(by_school, school_id, {year})
        for school_id in schools:
            self._merge(by_school, school_id, ALL_YEARS)
        if all_years:
            by_school = dict.fromkeys(by_school, ALL_YEARS)
        if not by_school:
            return
        for school_id, years in by_school.items():
            self._merge(self.years, school_id, years)
        if before:
            self._add_orgs_of(by_school)

    def add_published(self, geography_codes) -> None:
        """Benchmarks of these geographies written: an LA's among them is its published figure."""
        self.published.update(geography_codes)

    def add_orgs(self, level: str, org_ids, years=ALL_YEARS) -> None:
        for org in org_ids:
            if org is not None:
                self._merge(self.orgs, (level, org), years)

    def _add_orgs_of(self, by_school: dict) -> None:
        from .models import School

        ids = sorted(by_school)
        for start in range(0, len(ids), CHUNK):
            rows = School.objects.filter(pk__in=ids[start : start + CHUNK]).values_list(
                "pk", "cluster_id", "area_id", "la_id"
            )
            for pk, cluster, area, la in rows:
                for level, org in (("cluster", cluster), ("area", area), ("la", la)):
                    if org is not None:
                        self._merge(self.orgs, (level, org), by_school[pk])

    def refresh(self) -> None:
        if self.published:  # benchmarks written: every kept judgement (``schools.stored_judgements``) rests on them
            from .models import JudgementSet, LocalAuthority

            JudgementSet.forget()
            codes, self.published = sorted(self.published), set()
            repool_published(LocalAuthority.objects.filter(code__in=codes).values_list("pk", flat=True))
        if not self.years and not self.orgs:
            return
        self._add_orgs_of(dict(self.years))
        # Per level, at most two statements pairs whatever the data: the organisations touched in every year,
        # and the others over the union of their years (re-pooling an untouched year is harmless).
        everything: dict[str, set[int]] = defaultdict(set)
        some: dict[str, set[int]] = defaultdict(set)
        some_years: dict[str, set[int]] = defaultdict(set)
        for (level, org), years in self.orgs.items():
            if years is ALL_YEARS:
                everything[level].add(org)
            else:
                some[level].add(org)
                some_years[level].update(years)
        for level in KEPT_LEVELS:
            if everything[level]:
                _repool(level, everything[level], ALL_YEARS)
            if some[level] - everything[level]:
                _repool(level, some[level] - everything[level], sorted(some_years[level]))
        self.years, self.orgs = {}, {}


_state = threading.local()


def pending() -> Touched | None:
    return getattr(_state, "pending", None)


@contextmanager
def deferred():
    """Collect what the writes inside touch and re-pool once at the end (inside the caller's transaction), not
    once per saved result. Nested blocks join the outermost one. Nothing is re-pooled if the block fails."""
    outer = pending()
    if outer is not None:
        yield outer
        return
    touched = _state.pending = Touched()
    try:
        yield touched
    finally:
        _state.pending = None
    touched.refresh()


def touch(pairs=(), *, schools=(), all_years: bool = False, published=()) -> None:
    """Re-pool the figures of these (school id, year) pairs / moved schools / benchmarks' geography codes
    (``published``): now, or at the end of the :func:`deferred` block under way."""
    waiting = pending()
    touched = waiting if waiting is not None else Touched()
    touched.add(pairs, schools=schools, all_years=all_years)
    touched.add_published(published)
    if waiting is None:
        touched.refresh()


def refresh_la(la) -> None:
    """Re-pool an LA whole: its clusters, areas and itself (written in bulk by the demo and bench builders)."""
    from .models import Area, Cluster

    _repool("cluster", Cluster.objects.filter(la=la).values_list("pk", flat=True))
    _repool("area", Area.objects.filter(la=la).values_list("pk", flat=True))
    _repool("la", [la.pk])


def touch_batch(batch, touched: Touched | None = None) -> Touched:
    """Add the results an import batch wrote (created or overwrote: they carry its id) to ``touched``, before
    its rollback (see :meth:`Touched.add`)."""
    from .models import Benchmark, Result

    touched = touched if touched is not None else Touched()
    written = Result.objects.filter(batch=batch)
    pairs = written.values_list("school_id", "results_year").distinct().order_by()
    touched.add(pairs)
    touched.add_published(Benchmark.objects.filter(batch=batch).values_list("geography_code", flat=True).distinct())
    return touched
