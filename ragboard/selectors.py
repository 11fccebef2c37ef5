"""Reads for the self-evaluation. Only LA officers and administrators may see any of it (``ragboard.access``):
everyone else gets a 404 (no hint that it exists). LA scoping goes through ``schools.access``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from schools.access import sees_small_cohorts, visible_las
from strategy.targets import evaluate, status_of

from . import indicators, models, rules
from .access import require
from .grid import compare, grid
from .models import EvidenceItem, Framework, Grade, Judgement, OverallRating, Round, StrategicTarget, Workstream


def visible_rounds(user):
    require(user)
    return Round.objects.filter(la__in=visible_las(user)).select_related("la", "framework", "reviewer")


def parse_pk(value) -> int:
    """A primary key from a query string or form: anything but a whole number is a 404, never a 500."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Not found.") from None


def get_visible_round(user, pk) -> Round:
    return get_object_or_404(visible_rounds(user), pk=parse_pk(pk))


def current_round(user, la=None) -> Round | None:
    rounds = visible_rounds(user)
    if la is not None:
        rounds = rounds.filter(la=la)
    return rounds.first()


def get_visible_judgement(user, pk) -> Judgement:
    queryset = Judgement.objects.filter(round__in=visible_rounds(user)).select_related(
        "round__la",
        "round__framework",
        "standard_set__framework",
        "standard_set__key_rating",
        "overridden_by",
        "updated_by",
    )
    return get_object_or_404(queryset, pk=parse_pk(pk))


def get_visible_overall(user, pk) -> OverallRating:
    queryset = OverallRating.objects.filter(round__in=visible_rounds(user)).select_related("round__la", "key_rating")
    return get_object_or_404(queryset, pk=pk)


def visible_evidence(user):
    require(user)
    return EvidenceItem.objects.filter(la__in=visible_las(user)).select_related("la", "added_by")


def get_visible_evidence(user, pk) -> EvidenceItem:
    return get_object_or_404(visible_evidence(user), pk=pk)


EVIDENCE_IMPACT_FILTERS = {
    "substantial": {"impact_strength": EvidenceItem.Strength.SUBSTANTIAL},
    "impact": {"shows_impact": True},
    "process": {"shows_impact": False},
}


def evidence_list(user, la, *, kind: str = "", impact: str = ""):
    """The LA's evidence, optionally of one kind and one impact filter (unknown values: no filter)."""
    items = visible_evidence(user).filter(la=la).prefetch_related("judgements__standard_set", "judgements__round")
    if kind in EvidenceItem.Kind.values:
        items = items.filter(kind=kind)
    return items.filter(**EVIDENCE_IMPACT_FILTERS.get(impact, {}))


def linkable_judgements(user, item: EvidenceItem):
    """The applicable judgements of the evidence's LA, in the rounds the user may see: what it may be linked to."""
    return (
        Judgement.objects.filter(round__in=visible_rounds(user).filter(la=item.la), not_applicable=False)
        .select_related("standard_set", "round")
        .order_by("-round__as_of", "standard_set__order", "phase")
    )


def get_linkable_judgement(user, item: EvidenceItem, pk) -> Judgement:
    return get_object_or_404(linkable_judgements(user, item), pk=parse_pk(pk))


def get_visible_workstream(user, pk, *, la=None) -> Workstream:
    """A workstream of an LA the user may see (optionally only of ``la``); 404 otherwise."""
    require(user)
    workstreams = Workstream.objects.filter(priority_area__la__in=visible_las(user))
    if la is not None:
        workstreams = workstreams.filter(priority_area__la=la)
    return get_object_or_404(workstreams.select_related("priority_area"), pk=pk)


def get_visible_strategic_target(user, pk, *, la=None) -> StrategicTarget:
    """A strategic target of an LA the user may see (optionally only of ``la``); 404 otherwise."""
    require(user)
    targets = StrategicTarget.objects.filter(la__in=visible_las(user))
    if la is not None:
        targets = targets.filter(la=la)
    return get_object_or_404(targets, pk=pk)


def active_framework(code: str | None = None) -> Framework | None:
    frameworks = Framework.objects.filter(is_active=True)
    if code:
        frameworks = frameworks.filter(code=code)
    return frameworks.order_by("-version").first()


def framework_sets(user, framework: Framework):
    require(user)
    return framework.sets.select_related("key_rating").prefetch_related("descriptors", "standards")


def dashboard(user, la, round_: Round | None, view: str) -> dict:
    """The rounds of the LA, and (when there is a round) its grid and each phase's disadvantaged gap."""
    out = {"rounds": visible_rounds(user).filter(la=la)}
    if round_ is not None:
        out["grid"] = grid(round_, view)
        out["highlights"] = [
            (phase.label, indicators.disadvantaged_gap(la, phase.value, as_of_year=round_.as_of.year))
            for phase in models.PHASE_ORDER
        ]
    return out


def overall_suggestion(rating: OverallRating, view: str):
    """The grid's suggested overall cell for this rating in one view (la or reviewer), or None."""
    for row in grid(rating.round, view).rows:
        if row.kind in ("phase_overall", "overall") and row.phase == rating.phase:
            return next((c for c in row.cells if c.key_rating.pk == rating.key_rating_id), None)
    return None


# --------------------------------------------------------------------------- one judgement
@dataclass
class DescriptorRow:
    descriptor: models.Descriptor
    ticked: bool
    holds: bool | None
    items: list = field(default_factory=list)
    show_lead_in: bool = False


def descriptor_columns(judgement: Judgement, ticked_ids: set[int] | None = None) -> list[tuple[str, str, list]]:
    """The four columns of the criteria table for this judgement's phase, with ticks and automatic states."""
    descriptors = list(judgement.standard_set.descriptors.all())
    ticked_ids = ticked_ids if ticked_ids is not None else {d.pk for d in judgement.ticked.all()}
    state = rules._State(
        descriptors, judgement.phase, ticked_ids, judgement.metrics, judgement.standard_set.framework.metrics
    )
    columns = []
    for grade in (Grade.OUTSTANDING, Grade.GOOD, Grade.SOME_IMPROVEMENT, Grade.SIGNIFICANT_IMPROVEMENT):
        rows, last_lead = [], None
        for d in state.top:
            if d.column != grade:
                continue
            items = [DescriptorRow(i, i.pk in ticked_ids, state.holds(i)) for i in state.items.get(d.pk, [])]
            rows.append(
                DescriptorRow(d, d.pk in ticked_ids, state.holds(d), items, bool(d.lead_in) and d.lead_in != last_lead)
            )
            last_lead = d.lead_in
        columns.append((grade.value, grade.label, rows))
    return columns


def judgement_assessment(judgement: Judgement) -> rules.Assessment:
    return rules.assess_judgement(judgement)


def judgement_page(judgement: Judgement, ticked_ids: set[int] | None = None) -> dict:
    """What the judgement page reads besides its form: the rules' assessment, the criteria table, the standards,
    evidence, indicators, history and the neighbouring cells."""
    previous, following = neighbours(judgement)
    return {
        "assessment": judgement_assessment(judgement),
        "columns": descriptor_columns(judgement, ticked_ids),
        "ticked_ids": ticked_ids if ticked_ids is not None else {d.pk for d in judgement.ticked.all()},
        "standards": judgement.standard_set.standards.filter(parent__isnull=True).prefetch_related(
            "children__children"
        ),
        "evidence": judgement.evidence.all(),
        "indicators": indicators.for_judgement(judgement),
        "history": judgement.history.select_related("history_user")[:10],
        "previous": previous,
        "following": following,
    }


def neighbours(judgement: Judgement) -> tuple[Judgement | None, Judgement | None]:
    """Previous and next applicable judgement in the round, for keyboard-friendly paging."""
    cells = list(
        judgement.round.judgements.filter(not_applicable=False)
        .order_by("standard_set__order", "phase")
        .values_list("pk", "standard_set__order", "phase")
    )
    order = {"EY": 0, "PRI": 1, "SEC": 2}
    cells.sort(key=lambda row: (row[1], order[row[2]]))
    ids = [row[0] for row in cells]
    if judgement.pk not in ids:
        return None, None
    index = ids.index(judgement.pk)
    previous = Judgement.objects.filter(pk=ids[index - 1]).first() if index > 0 else None
    following = Judgement.objects.filter(pk=ids[index + 1]).first() if index + 1 < len(ids) else None
    return previous, following


COMPARE_DIRECTIONS = ("improved", "declined", "unchanged", "newly rated")


def comparison(user, la, *, earlier=None, later=None, view: str = "reviewer") -> dict:
    """Two rounds of the LA side by side: the chosen ones (by pk), else the latest two; each change and how
    many cells improved, declined, stayed the same or were newly rated."""
    rounds = list(visible_rounds(user).filter(la=la))
    if earlier and later:
        earlier, later = get_visible_round(user, earlier), get_visible_round(user, later)
    elif len(rounds) >= 2:
        later, earlier = rounds[0], rounds[1]
    else:
        earlier = later = None
    changes = compare(earlier, later, view) if earlier and later else []
    summary = {k.replace(" ", "_"): sum(1 for c in changes if c.direction == k) for k in COMPARE_DIRECTIONS}
    return {"rounds": rounds, "earlier": earlier, "later": later, "changes": changes, "summary": summary}


# --------------------------------------------------------------------------- strategic plan board
@dataclass
class OnTrack:
    code: str  # met | on_track | off_track | no_data | judged | not_linked
    label: str
    explanation: str
    css: str


STATUS_CSS = {"met": "rag-green", "on_track": "rag-amber-green", "off_track": "rag-red", "no_data": "rag-none"}


def plan_board(user, la):
    """Priority areas with their workstreams, and strategic targets with 'are we on track?'."""
    require(user)
    areas = list(
        models.PriorityArea.objects.filter(la=la).prefetch_related(
            Prefetch("workstreams", queryset=Workstream.objects.order_by("order", "title"))
        )
    )
    targets = list(StrategicTarget.objects.filter(la=la).select_related("strategy_target"))
    show_small = sees_small_cohorts(user)
    statuses = _statuses(targets, show_small_cohorts=show_small)
    return areas, [(t, on_track(t, statuses=statuses, show_small_cohorts=show_small)) for t in targets]


def _statuses(targets, *, show_small_cohorts: bool) -> dict:
    """Statuses of every linked measured target, computed together (a fixed number of queries)."""
    linked = [t.strategy_target for t in targets if t.strategy_target_id]
    if not linked:
        return {}
    return evaluate(linked, show_small_cohorts=show_small_cohorts)


def on_track(target: StrategicTarget, *, show_small_cohorts: bool, statuses=None) -> OnTrack:
    """Computed from the linked measured target when there is one; else the hand judgement, labelled as such."""
    if target.strategy_target_id:
        status = (statuses or {}).get(target.strategy_target_id)
        if status is None:
            status = status_of(target.strategy_target, show_small_cohorts=show_small_cohorts)
        if status is not None:
            return OnTrack(status.code, status.label, status.explanation, STATUS_CSS.get(status.code, "rag-none"))
        return OnTrack("no_data", "Not available", "The linked target's status could not be computed.", "rag-none")
    if target.judged_on_track:
        return OnTrack(
            "judged",
            f"{target.get_judged_on_track_display()} (judged)",
            "Judged by hand: this target is not linked to a measured target.",
            f"rag-{target.judged_on_track}",
        )
    return OnTrack("not_linked", "Not assessed", "Not linked to a measured target and not yet judged.", "rag-none")
