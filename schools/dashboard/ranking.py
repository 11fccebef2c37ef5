"""The priority list and the gap busters: which schools qualify, in what order, and what the page says.

A school is listed only when its figures are big enough to publish (``GapRow.rankable``) and it has every
reason the user filtered on. One judgement per school (``GapRow.judgement``): a school with a reason for
challenge is never also a gap buster. Priority order: most reasons first, then the widest gap against
other pupils nationally, then by name. Gap busters come in order of their gap against other pupils
nationally, most negative (furthest ahead) first; a buster with no national gap goes last.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from ..gap_rows import GapRow
from ..judgements import BusterReason, Reason, reason_explanations
from ..models import School
from ..tables import BusterTable, PriorityTable
from .common import Options, base_context, judged_on, org_table, school_pairs, thresholds


@dataclass(frozen=True)
class Listed:
    """A school on the priority list or the gap busters, with the reasons and the figures they rest on."""

    school: School
    row: GapRow
    reasons: tuple[str, ...]
    basis: str

    @property
    def vs_national(self) -> float | None:
        return self.row.current.vs_national


def priority_key(item: Listed) -> tuple:
    """Most reasons first, then the widest gap vs other pupils nationally (no gap counts as 0), then name."""
    return (-len(item.reasons), -(item.vs_national or 0.0), item.school.name)


def buster_key(item: Listed) -> tuple:
    """Furthest ahead of other pupils nationally first (most negative gap); no national gap last; then name."""
    gap = item.vs_national
    return (gap is None, gap if gap is not None else 0.0, item.school.name)


def _listed(pairs, wanted, reasons_of) -> tuple[list[Listed], int]:
    """(listed, unranked): the rankable pairs with reasons including every wanted one; unranked counts the
    rows too small, suppressed or missing to be judged at all."""
    listed, unranked = [], 0
    for school, row in pairs:
        if not row.rankable:
            unranked += 1
            continue
        judgement = row.judgement()
        reasons = tuple(reasons_of(judgement))
        if reasons and all(r in reasons for r in wanted):
            listed.append(Listed(school=school, row=row, reasons=reasons, basis=judgement.basis))
    return listed, unranked


def rank_priority(pairs, wanted=()) -> tuple[list[Listed], int]:
    """The priority list in rank order, and how many schools could not be ranked."""
    listed, unranked = _listed(pairs, wanted, lambda j: j.priority)
    return sorted(listed, key=priority_key), unranked


def select_busters(pairs, wanted=()) -> list[Listed]:
    """The gap busters in page order."""
    listed, _unranked = _listed(pairs, wanted, lambda j: j.buster)
    return sorted(listed, key=buster_key)


def priority_findings(ranked: list[Listed], opts: Options) -> list[str]:
    group, measure = opts.focus.name.lower(), opts.measure_name
    if not ranked:
        return [f"No school has a priority reason for {group} pupils in {measure} with these filters."]
    counts = {code: sum(code in item.reasons for item in ranked) for code in Reason.ORDER}
    words = "; ".join(f"{Reason.LABELS[c]}: {n}" for c, n in counts.items() if n)
    top = ranked[0]
    return [
        f"{len(ranked)} schools need challenge on {measure} for {group} pupils ({words}).",
        f"{top.school.name} leads the list with {len(top.reasons)} reasons.",
    ]


def buster_findings(busters: list[Listed], opts: Options) -> list[str]:
    group, measure = opts.focus.name.lower(), opts.measure_name
    if not busters:
        return [f"No gap busters yet for {group} pupils in {measure}."]
    names = ", ".join(item.school.name for item in busters[:3])
    more = " and others" if len(busters) > 3 else ""
    return [f"{len(busters)} schools are gap busters for {group} pupils in {measure}: {names}{more}."]


def _school_url(school) -> str:
    return reverse("schools:school", args=[school.urn])


def priority_page(opts: Options) -> dict:
    by_year = thresholds(opts)
    pairs = school_pairs(opts, by_year)
    ranked, unranked = rank_priority(pairs, opts.reasons)
    listed = {item.school.pk: (rank, item) for rank, item in enumerate(ranked, start=1)}
    table = org_table(
        [(item.school, item.row) for item in ranked],
        opts,
        url=_school_url,
        caption=f"Priority schools: {opts.focus.name.lower()} pupils, {opts.measure_name}",
        prefix="priority-",
        table_class=PriorityTable,
        extra=lambda s, _r: {
            "rank": listed[s.pk][0],
            "cluster": s.cluster.name if s.cluster else "–",
            "reasons": "; ".join(Reason.LABELS[x] for x in listed[s.pk][1].reasons),
            "basis": listed[s.pk][1].basis,
        },
    )
    shown_year = opts.year or max((r.year for _s, r in pairs if r.year), default=None)
    in_force = [by_year[shown_year]] if shown_year in by_year else []
    explanations = reason_explanations(opts.measure.unit_label, in_force)
    table.explain_reasons(explanations)
    context = base_context(opts, "Priority schools", [item.row for item in ranked], opts.la.name)
    context.update(
        la=opts.la,
        findings=[],
        findings_text=priority_findings(ranked, opts),
        table=table,
        unranked=unranked,
        judged_on=judged_on(),
        reason_help=[(Reason.LABELS[k], text) for k, text in explanations.items()],
        export_tables={"priority": table},
        export_url="schools:priority_export",
        export_args=[],
        ranked_count=len(ranked),
    )
    return context


def gap_busters_page(opts: Options) -> dict:
    def story_url(school):
        """One click to start a success story about this school's gap (the strategy app's form)."""
        query = urlencode({"school": school.urn, "measure": opts.measure.code, "group": opts.focus.code})
        return f"{reverse('strategy:story_create')}?{query}"

    busters = select_busters(school_pairs(opts, thresholds(opts)), opts.reasons)
    listed = {item.school.pk: item for item in busters}
    table = org_table(
        [(item.school, item.row) for item in busters],
        opts,
        url=_school_url,
        caption=f"Gap busters: {opts.focus.name.lower()} pupils, {opts.measure_name}",
        prefix="busters-",
        table_class=BusterTable,
        extra=lambda s, _r: {
            "cluster": s.cluster.name if s.cluster else "–",
            "reasons": "; ".join(BusterReason.LABELS[x] for x in listed[s.pk].reasons),
            "basis": listed[s.pk].basis,
            "story_url": story_url(s),
        },
    )
    context = base_context(opts, "Gap busters", [item.row for item in busters], opts.la.name)
    context.update(
        la=opts.la,
        findings=[],
        findings_text=buster_findings(busters, opts),
        table=table,
        judged_on=judged_on(),
        export_tables={"busters": table},
        export_url="schools:gap_busters_export",
        export_args=[],
        buster_help=list(BusterReason.LABELS.values()),
    )
    return context
