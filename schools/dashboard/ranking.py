"""The priority list and the gap busters: which schools qualify, in what order, and what the page says.

A school is listed only when its figures are big enough to publish (``GapRow.rankable``) and it has every
reason the user filtered on. One judgement per school (``GapRow.judgement``): a school with a reason for
challenge is never also a gap buster. Priority order: most reasons first, then the widest gap against
other pupils nationally, then by name. Gap busters come in order of their gap against other pupils
nationally, most negative (furthest ahead) first; a buster with no national gap goes last.

The judgements are kept in the database (``schools.stored_judgements``), which orders, filters and pages them:
a page reads its 50 schools only, whatever the number of schools, each with the figures its row shows (kept with
the judgement, ``ranked_cells.shown_of``); an export lists every one.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import cached_property

from .. import access, stored_judgements
from ..judgements import BusterReason, Reason, reason_explanations, single_year_min_cohort
from ..models import SchoolJudgement
from ..ranked_cells import shown_record
from ..tables import BusterTable, PriorityTable
from .common import Options, base_context, judged_on, records_table, scope_words, thresholds, url_of

RANKED_PER_PAGE = 50


@dataclass(frozen=True)
class ShownRow:
    """What a page's status line reads of a row (``common.status_summary``)."""

    year: int | None
    status: str


@dataclass(frozen=True)
class RankedPage:
    """The schools a list shows: ``kept`` (their judgements, in rank order, from ``first`` on), the table record
    of each (read from its judgement), how many are listed in all, and the page (None for an export, which lists
    every school)."""

    kept: list[SchoolJudgement]
    records: list[dict]
    count: int
    first: int
    page: Page | None
    listed: QuerySet[SchoolJudgement]  # every school listed, in order
    tallies: dict[str, int]  # ``stored_judgements.tallies``


class _CountedPaginator(Paginator):
    """A paginator told how many rows there are (read with the list's other tallies), so it asks the database
    for the page's rows only."""

    def __init__(self, object_list, per_page: int, *, count: int):
        super().__init__(object_list, per_page)
        self.known = count

    @cached_property
    def count(self) -> int:
        return self.known


def _ranked(opts: Options, *, busters: bool, page, every: bool) -> RankedPage:
    kept_set = stored_judgements.judgement_set(**opts.judgement_choices(), groups=opts.groups, years=opts.years)
    schools = access.visible_schools(opts.user).filter(la=opts.la)
    # The page's rows are drawn from ``shown``; the export cells (``cells``) are the streamed CSV's alone.
    listed = stored_judgements.ranked(kept_set, opts.kind, schools, busters=busters, wanted=opts.reasons)
    listed = listed.defer("cells")
    tallies = stored_judgements.tallies(kept_set, opts.kind, schools, busters=busters, wanted=opts.reasons)
    shown: Page | None = None
    if every:
        kept, count, first = list(listed), None, 1
    else:
        shown = _CountedPaginator(listed, RANKED_PER_PAGE, count=tallies["listed"]).get_page(page)
        kept, count, first = list(shown.object_list), shown.paginator.count, shown.start_index()
    ranked = RankedPage(
        kept=kept,
        records=[shown_record(k.shown, opts.measure) for k in kept],
        count=len(kept) if count is None else count,
        first=first,
        page=shown if shown is not None and shown.paginator.num_pages > 1 else None,
        listed=listed,
        tallies=tallies,
    )
    return ranked


def not_judged_words(count: int, opts: Options) -> str:
    """Why a list is silent about some schools: their group is too small to judge on one year and has too few
    comparable years to pool. "" when every school with a figure could be judged."""
    if not count:
        return ""
    schools = "1 school's" if count == 1 else f"{count} schools'"
    return (
        f"{schools} {opts.focus.name.lower()} pupils could not be judged: fewer than {single_year_min_cohort()} "
        "pupils in the year and fewer than two comparable years of results to pool."
    )


def priority_findings(ranked: RankedPage, opts: Options, not_judged: int = 0) -> list[str]:
    group, measure = opts.focus.name.lower(), opts.measure_name
    if not ranked.count:
        lines = (f"No school has a priority reason for {group} pupils in {measure} with these filters.",)
        return [line for line in (*lines, not_judged_words(not_judged, opts)) if line]
    counts = ranked.tallies
    words = "; ".join(f"{Reason.LABELS[c]}: {counts[c]}" for c in Reason.ORDER if counts[c])
    top = ranked.kept[0] if ranked.first == 1 else ranked.listed[0]
    return [
        f"{ranked.count} schools need challenge on {measure} for {group} pupils ({words}).",
        f"{top.school.name} leads the list with {top.reasons} reasons.",
    ]


def buster_findings(ranked: RankedPage, opts: Options, not_judged: int = 0) -> list[str]:
    group, measure = opts.focus.name.lower(), opts.measure_name
    if not ranked.count:
        lines = (f"No gap busters yet for {group} pupils in {measure}.",)
        return [line for line in (*lines, not_judged_words(not_judged, opts)) if line]
    leading = ranked.kept[:3] if ranked.first == 1 else list(ranked.listed[:3])
    names = ", ".join(k.school.name for k in leading)
    more = " and others" if ranked.count > 3 else ""
    return [f"{ranked.count} schools are gap busters for {group} pupils in {measure}: {names}{more}."]


def _school_url(school) -> str:
    return url_of("schools:school", school.urn)


def _labels(codes: str, labels: dict) -> str:
    return "; ".join(labels[code] for code in codes.split())


# Each list's title, table prefix (its exports' name and its page parameter's) and table.
_LISTS = {
    "priority": ("Priority schools", "priority-", PriorityTable),
    "busters": ("Gap busters", "busters-", BusterTable),
}


def _table(ranked: RankedPage, opts: Options, name: str, extra):
    """The list's table of the schools ``ranked`` holds; ``extra(school, rank, kept judgement)`` adds columns."""
    title, prefix, table_class = _LISTS[name]
    data = []
    for rank, (k, shown) in enumerate(zip(ranked.kept, ranked.records, strict=True), start=ranked.first):
        school = k.school
        cluster = school.cluster.name if school.cluster else "–"
        url = opts.carry(_school_url(school))
        data.append({**shown, "name": str(school.name), "url": url, "urn": school.urn, "cluster": cluster})
        data[-1].update(extra(school, rank, k))
    return records_table(
        data,
        opts,
        caption=f"{title}: {opts.focus.name.lower()} pupils, {opts.measure_name}",
        prefix=prefix,
        table_class=table_class,
    )


def _list_context(opts: Options, name: str, ranked: RankedPage, table, findings: list[str]) -> dict:
    rows = [ShownRow(r["year"], r["focus"].status) for r in ranked.records]
    context = base_context(opts, _LISTS[name][0], rows, opts.la.name, findings=False)
    context.update(
        la=opts.la,
        findings_text=findings,
        table=table,
        ranked_page=ranked.page,
        judged_on=judged_on(),
        export_tables={name: table},
        export_args=[],
        scope_words=scope_words(opts),
    )
    return context


def priority_page(opts: Options, *, page=1, every: bool = False) -> dict:
    """The priority list's context: one page of 50 schools, or with ``every`` (an export) all of them."""
    ranked = _ranked(opts, busters=False, page=page, every=every)
    table = _table(
        ranked,
        opts,
        "priority",
        lambda _s, rank, k: {"rank": rank, "reasons": _labels(k.priority, Reason.LABELS), "basis": k.basis},
    )
    by_year = thresholds(opts)
    shown_year = opts.year or max((k.results_year for k in ranked.kept if k.results_year), default=None)
    explanations = reason_explanations(opts.measure.unit_label, [by_year[shown_year]] if shown_year in by_year else [])
    table.explain_reasons(explanations)
    silent = {name: ranked.tallies[name] for name in ("unranked", "not_judged")}
    context = _list_context(opts, "priority", ranked, table, priority_findings(ranked, opts, silent["not_judged"]))
    context.update(
        **silent,
        reason_help=[(Reason.LABELS[k], text) for k, text in explanations.items()],
        export_url="schools:priority_export",
        ranked_count=ranked.count,
    )
    return context


def gap_busters_page(opts: Options, *, page=1, every: bool = False) -> dict:
    """The gap busters' context: one page of 50 schools, or with ``every`` (an export) all of them."""

    def story_url(school):
        """One click to start a success story about this school's gap (the strategy app's form)."""
        query = urlencode({"school": school.urn, "measure": opts.measure.code, "group": opts.focus.code})
        return f"{reverse('strategy:story_create')}?{query}"

    ranked = _ranked(opts, busters=True, page=page, every=every)
    silent = {name: ranked.tallies[name] for name in ("unranked", "not_judged")}
    table = _table(
        ranked,
        opts,
        "busters",
        lambda s, _rank, k: {
            "reasons": _labels(k.buster, BusterReason.LABELS),
            "basis": k.basis,
            "story_url": story_url(s),
        },
    )
    context = _list_context(opts, "busters", ranked, table, buster_findings(ranked, opts, silent["not_judged"]))
    context.update(**silent, export_url="schools:gap_busters_export", buster_help=list(BusterReason.LABELS.values()))
    return context
