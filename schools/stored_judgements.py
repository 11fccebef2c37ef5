"""Judgements kept for ranking: the priority list and the gap busters ordered, filtered and paged by the database.

Each school's judgement (``schools.judgements.judge``: priority reasons, else gap-buster reasons, and the figures
they rest on) is kept in :class:`~schools.models.SchoolJudgement`, one :class:`~schools.models.JudgementSet` per
LA × measure × focus group × results year asked for × what the viewer may see of small cohorts. A list then reads
one ordered page (``ranked``) and builds the full rows of those schools only.

A set is written by the first read that needs it: one pass of the gap engine over the LA's schools. Writing
every set on every write would judge every school on every measure, group, year and comparator, far more work
than any import, so a write only deletes what it makes stale, in its own transaction:

- results re-pooled for an LA (imports, rollbacks, admin edits, schools moving: ``aggregates``): the LA's sets;
- a benchmark batch committed or rolled back (the national figures): every set;
- a local threshold saved or deleted: the LA's sets on that measure;
- a school saved or deleted (its type decides its national figures): its LA's sets;
- a measure or pupil group saved: every set.

Two guards besides: a set records the LA's pooled-figure stamp (the newest pooled row's id, which every
re-pooling of the LA moves) read before its figures, so a set judged from figures a concurrent write replaced
is never read; and ``rules`` fingerprints the settings the engine reads, so a set judged under other settings
is never read. ``python manage.py check_figures`` re-judges every kept set and reports any difference.
"""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Subquery
from django.db.models.functions import Coalesce

from gapmonitor.conf import conf

from . import selectors
from .disclosure import disclose, disclosure_groups_for, partitions_of
from .figures import figures_by
from .gaps import Comparator
from .judgements import Reason
from .models import JudgementSet, PooledFigure, School, SchoolJudgement
from .ranked_cells import kept_of

LATEST = 0  # ``asked_year`` of a set whose rows each end at the school's latest year
VIEWS = (True, False)  # what viewers who do, and who do not, see small cohorts see


def rules() -> str:
    """A fingerprint of the settings the gap engine and disclosure read, and of what a kept judgement holds."""
    settings = [
        "basis-when-judged",  # sets kept before every judged row stated its basis are judged again
        "cells-kept",  # sets kept before each judgement held its row's export cells are judged again
        "shown-kept",  # sets kept before each judgement held the figures its page shows are judged again
        "shown-trend-change",  # ... and before those held the trend's change (what a table sorts the trend by)
        conf.suppression_threshold,
        conf.single_year_min_cohort,
        conf.gap_buster_min_cohort,
        conf.priority_wide_gap_margin,
        conf.stubborn_years,
        conf.trend_stable_band,
        conf.trend_window,
        conf.group_partitions,
    ]
    return hashlib.sha256(json.dumps(settings, default=str).encode()).hexdigest()[:16]


def _stamp(la_id: int):
    """The LA's newest pooled row (a subquery): every re-pooling of the LA writes newer rows."""
    return PooledFigure.objects.filter(level="la", org_id=la_id).order_by("-pk").values("pk")[:1]


def _codes(reasons) -> str:
    return f" {' '.join(reasons)} " if reasons else ""


def judged_rows(la, measures, focus, *, asked_year: int, sees_small: bool, groups, years) -> dict[str, list]:
    """(school, row with its year's LA threshold) for every school of the LA with figures, by measure code: what
    the sets of these measures judge (read together, whatever the number of measures)."""
    return judged_rows_by_view(
        la, measures, focus, asked_year=asked_year, views=(sees_small,), groups=groups, years=years
    )[sees_small]


def judged_rows_by_view(la, measures, focus, *, asked_year: int, views, groups, years) -> dict[bool, dict[str, list]]:
    """``judged_rows`` for each view (sees small cohorts or not) in ``views``, from ONE read of the schools'
    figures: the groups the stricter view needs to disclose (``disclosure_groups_for``) include the other's.
    Each view's rows are built from exactly the figures ``selectors.school_rows_by_measure`` would read for it,
    disclosed for it (``disclose``), so the rows are the same as reading once per view."""
    schools = list(School.objects.filter(la=la))
    measures = list(measures)
    query = selectors.RowQuery(measures, focus, groups, list(years), asked_year or None)
    fetched = {v: set(disclosure_groups_for(query.codes, groups, viewer_sees_small_cohorts=v)) for v in views}
    every = sorted(set().union(*fetched.values()))
    true = figures_by("school", School.objects.filter(la=la), measures=query.measure_codes, groups=every, years=years)
    in_force = selectors.local_thresholds(la, measures, focus)
    partitions = partitions_of(groups)
    out = {}
    for view in views:
        mine = true if len(fetched[view]) == len(every) else {k: f for k, f in true.items() if k[-1] in fetched[view]}
        here = disclose(mine, viewer_sees_small_cohorts=view, partitions=partitions)
        by_measure = selectors.rows_by_organisation(
            "school", schools, here, measures=measures, focus=focus, years=query.years, year=query.year
        )
        out[view] = {
            m.code: [
                (school, row.with_threshold(in_force.get((m.code, row.year))))
                for school, row in by_measure.get(m.code, [])
            ]
            for m in measures
        }
    return out


def judgements_of(judgement_set, pairs) -> list[SchoolJudgement]:
    """Each school's judgement on each comparator, as ``GapRow.judgement`` gives it."""
    return [SchoolJudgement(judgement_set=judgement_set, **fields) for fields in _judged(pairs)]


def _judged(pairs):
    """The fields of each school's judgement on each comparator (``judgements_of``), as dicts."""
    for school, row in pairs:
        for kind in Comparator.CHOICES:
            judgement = row.for_comparator(kind).judgement()
            cells, small, shown = kept_of(row, kind)
            yield {
                "school_id": school.pk,
                "comparator": kind,
                "results_year": row.year,
                "rankable": row.rankable,
                "priority": _codes(judgement.priority),
                "reasons": len(judgement.priority),
                "buster": _codes(judgement.buster),
                "basis": judgement.basis,
                "vs_national": row.current.vs_national,
                "cells": cells,
                "small_figures": small,
                "shown": shown,
            }


def judgement_set(la, measure, focus, *, year: int | None, sees_small: bool, groups, years) -> JudgementSet:
    """The kept set for these choices, judged now if there is none (one query when there is)."""
    return judgement_sets(la, [measure], focus, year=year, sees_small=sees_small, groups=groups, years=years)[0]


def judgement_sets(la, measures, focus, *, year: int | None, sees_small: bool, groups, years) -> list[JudgementSet]:
    """The kept sets of these measures, in their order (one query when every one is kept, as for the headline
    measures of a summary); the measures without a current set are judged now, together."""
    return judgement_sets_by_view(la, measures, focus, year=year, views=(sees_small,), groups=groups, years=years)[
        sees_small
    ]


def judgement_sets_by_view(la, measures, focus, *, year: int | None, views, groups, years) -> dict[bool, list]:
    """``judgement_sets`` for each view (sees small cohorts or not) in ``views``: one query when every set is
    kept; the missing ones judged from one read of the figures (``judged_rows_by_view``)."""
    key = dict(la=la, pupil_group=focus, asked_year=year or LATEST, rules=rules())
    current = JudgementSet.objects.filter(
        **key, sees_small__in=list(views), measure__in=measures, stamp=Coalesce(Subquery(_stamp(la.pk)), 0)
    )
    kept = {(found.sees_small, found.measure_id): found for found in current}
    missing = {v: [m for m in measures if (v, m.pk) not in kept] for v in views}
    missing = {v: ms for v, ms in missing.items() if ms}
    if missing:
        stamp = _stamp(la.pk).first()
        wanted = list({m.pk: m for ms in missing.values() for m in ms}.values())
        rows = judged_rows_by_view(
            la, wanted, focus, asked_year=key["asked_year"], views=list(missing), groups=groups, years=years
        )
        for view, ms in missing.items():
            made = _keep(ms, {**key, "sees_small": view}, rows[view], stamp=stamp["pk"] if stamp else 0)
            kept |= {(view, pk): found for pk, found in made.items()}
    return {v: [kept[(v, m.pk)] for m in measures] for v in views}


def _keep(measures, key: dict, rows: dict, *, stamp: int) -> dict[int, JudgementSet]:
    """Keep the sets of these measures judged from ``rows``, in one transaction: their judgements written with
    one statement per set (``executemany``), whatever the number of schools."""
    try:
        with transaction.atomic():
            JudgementSet.objects.filter(**key, measure__in=measures).delete()  # any set of an older stamp
            made = {m.pk: JudgementSet.objects.create(**key, measure=m, stamp=stamp) for m in measures}
            for m in measures:
                _insert(made[m.pk], rows[m.code])
    except IntegrityError:  # another request kept the same sets meanwhile
        made = {found.measure_id: found for found in JudgementSet.objects.filter(**key, measure__in=measures)}
    return made


_COLUMNS = (
    "judgement_set_id",
    "school_id",
    "comparator",
    "results_year",
    "rankable",
    "priority",
    "reasons",
    "buster",
    "basis",
    "vs_national",
    "cells",
    "small_figures",
    "shown",
)


def _insert(judgement_set: JudgementSet, pairs) -> None:
    """Write the set's judgements of these (school, row) pairs in one ``executemany`` (what ``bulk_create``
    would write, without a model instance per row nor an INSERT built per batch of rows)."""
    meta = SchoolJudgement._meta
    qn = connection.ops.quote_name
    fields = [meta.get_field(name.removesuffix("_id")) for name in _COLUMNS]
    json_fields = {name: meta.get_field(name) for name in ("cells", "shown")}
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = [
        (
            judgement_set.pk,
            *(json_fields[n].get_db_prep_save(j[n], connection) if n in json_fields else j[n] for n in _COLUMNS[1:]),
        )
        for j in _judged(pairs)
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def kept_shown(la, measure, focus, *, year: int | None, sees_small: bool, kind: str, schools) -> dict[int, dict]:
    """{school id: its kept ``shown`` on comparator ``kind``} for the schools among ``schools`` that the current
    set of these choices judged (every school with figures), in one query and without judging: {} when no such
    set is kept, and a page builds its rows itself."""
    found = SchoolJudgement.objects.filter(
        judgement_set__la=la,
        judgement_set__measure=measure,
        judgement_set__pupil_group=focus,
        judgement_set__asked_year=year or LATEST,
        judgement_set__sees_small=sees_small,
        judgement_set__rules=rules(),
        judgement_set__stamp=Coalesce(Subquery(_stamp(la.pk)), 0),
        comparator=kind,
        school__in=schools,
    )
    return dict(found.values_list("school_id", "shown"))


def flags_on_national(sets: list[JudgementSet], schools):
    """Each school's kept judgement against other pupils nationally on each set's measure (one query): what a
    summary's flags are made of (without the figures a ranked list's rows keep, which no flag reads)."""
    return (
        SchoolJudgement.objects.filter(judgement_set__in=sets, comparator=Comparator.NATIONAL, school__in=schools)
        .defer("cells", "shown")
        .select_related("school__la", "school__area", "school__cluster")
        .order_by("school__name", "school__urn")
    )


def ranked(judgement_set: JudgementSet, kind: str, schools, *, busters: bool = False, wanted=()):
    """The schools listed, in page order, among ``schools`` (those the viewer may see), with every ``wanted``
    reason. Priority: most reasons first, then the widest gap against other pupils nationally (none counts as
    0), then name. Gap busters: furthest ahead of other pupils nationally first, none last, then name."""
    rows = SchoolJudgement.objects.filter(_listed(busters, wanted), judgement_set=judgement_set, comparator=kind)
    rows = rows.filter(school__in=schools)
    if busters:
        order = (F("vs_national").asc(nulls_last=True), "school__name", "school__urn")
    else:
        order = ("-reasons", Coalesce("vs_national", 0.0).desc(), "school__name", "school__urn")
    return rows.select_related("school", "school__cluster").order_by(*order)


def _listed(busters: bool, wanted) -> Q:
    """Which of a set's judgements a list holds: rankable, with a reason of its kind, and every ``wanted`` one."""
    field = "buster" if busters else "priority"
    listed = Q(rankable=True) & ~Q(**{field: ""})
    for code in wanted:
        listed &= Q(**{f"{field}__contains": f" {code} "})
    return listed


def tallies(judgement_set: JudgementSet, kind: str, schools, *, busters: bool = False, wanted=()) -> dict[str, int]:
    """What a list's page counts, in one query: ``listed`` (the schools ``ranked`` gives), ``unjudged``'s two
    counts and, for the priority list, how many listed schools have each reason (``reason_counts``)."""
    listed = _listed(busters, wanted)
    counts = {"listed": Count("pk", filter=listed)}
    if not busters:
        counts |= {code: Count("pk", filter=listed & Q(priority__contains=f" {code} ")) for code in Reason.ORDER}
    return SchoolJudgement.objects.filter(judgement_set=judgement_set, comparator=kind, school__in=schools).aggregate(
        unranked=Count("pk", filter=Q(rankable=False)),
        not_judged=Count("pk", filter=Q(rankable=True, basis="")),
        **counts,
    )


def reason_counts(listed) -> dict[str, int]:
    """How many of the listed schools have each priority reason (one query)."""
    return listed.aggregate(**{code: Count("pk", filter=Q(priority__contains=f" {code} ")) for code in Reason.ORDER})


def unjudged(judgement_set: JudgementSet, kind: str, schools) -> dict[str, int]:
    """How many schools a list cannot speak for (one query): ``unranked``, the focus group suppressed or
    missing; ``not_judged``, a group big enough to show but too small to judge on the year alone, with too few
    comparable years to pool (a kept judgement with no basis)."""
    return SchoolJudgement.objects.filter(judgement_set=judgement_set, comparator=kind, school__in=schools).aggregate(
        unranked=Count("pk", filter=Q(rankable=False)),
        not_judged=Count("pk", filter=Q(rankable=True, basis="")),
    )


def warm(las) -> int:
    """Judge, for each of these LAs, the sets its landing pages read first — every headline measure for the
    default focus group, each school's latest year, as viewers who do and who do not see small cohorts — so that
    the first visitor after an import does not wait for them. Returns how many sets were judged."""
    from .figures import years_with_results

    groups = selectors.pupil_groups()
    headline = [m for m in selectors.measures_by_code().values() if m.headline]
    focus = groups[conf.default_group]
    judged = 0
    for la in las:
        years = years_with_results(la)
        by_view = judgement_sets_by_view(la, headline, focus, year=None, views=VIEWS, groups=groups, years=years)
        judged += sum(len(sets) for sets in by_view.values())
    return judged


# --------------------------------------------------------------------------- check_figures
def differences(limit: int = 50) -> tuple[int, list[str]]:
    """Re-judge every kept set from the figures as they are now: (number of differences, the first ``limit``)."""
    from .figures import years_with_results

    groups = selectors.pupil_groups()
    fields = _COLUMNS[3:]  # what a kept row says of its school (after its set, school and comparator)
    count, described = 0, []
    for found in JudgementSet.objects.select_related("la", "measure", "pupil_group").order_by("pk"):
        if found.rules != rules():
            continue  # never read under these settings
        pairs = judged_rows(
            found.la,
            [found.measure],
            found.pupil_group,
            asked_year=found.asked_year,
            sees_small=found.sees_small,
            groups=groups,
            years=years_with_results(found.la),
        )[found.measure.code]
        fresh = {(j.school_id, j.comparator): j for j in judgements_of(found, pairs)}
        for kept in found.judgements.all():
            again = fresh.pop((kept.school_id, kept.comparator), None)
            changed = [f for f in fields if again is None or getattr(kept, f) != getattr(again, f)]
            if changed:
                count += 1
                if len(described) < limit:
                    where = f"{_describe(found)}, school {kept.school_id}, {kept.comparator}"
                    described.append(f"judgement differs: {where}: {', '.join(changed)}")
        for school_id, kind in fresh:
            count += 1
            if len(described) < limit:
                described.append(f"judgement missing: {_describe(found)}, school {school_id}, {kind}")
    return count, described


def _describe(found: JudgementSet) -> str:
    year = found.asked_year or "latest year"
    seen = "small cohorts seen" if found.sees_small else "small cohorts hidden"
    return f"LA {found.la.code}, {found.measure.code}, {found.pupil_group.code}, {year}, {seen}"
