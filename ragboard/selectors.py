"""Reads for the self-evaluation. Only LA officers and administrators may see any of it: everyone
else gets a 404 (no hint that it exists). LA scoping goes through ``schools.access``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from schools.access import sees_small_cohorts, visible_las
from schools.roles import Role, has_role
from strategy.targets import evaluate, status_of

from . import rules
from .models import (
    GRADE_RANK,
    NOT_APPLICABLE,
    OVERALL_WORDS,
    PHASE_ORDER,
    Descriptor,
    EvidenceItem,
    Framework,
    Grade,
    Judgement,
    KeyRating,
    OverallRating,
    Phase,
    PriorityArea,
    Round,
    StandardSet,
    StrategicTarget,
    Workstream,
)

SELF_EVALUATION_ROLES = (Role.LA_OFFICER, Role.ADMINISTRATOR)
VIEWS = {"reviewer": "Reviewer (external) view", "la": "LA self-evaluation"}


def can_use(user) -> bool:
    return has_role(user, *SELF_EVALUATION_ROLES)


def can_review(user, round_: Round) -> bool:
    """Reviewers give the external grade and may override the rules: administrators, or the round's reviewer."""
    return can_use(user) and (has_role(user, Role.ADMINISTRATOR) or round_.reviewer_id == user.pk)


def _require(user):
    if not can_use(user):
        raise Http404("Not found.")


def visible_rounds(user):
    _require(user)
    return Round.objects.filter(la__in=visible_las(user)).select_related("la", "framework", "reviewer")


def _pk(value) -> int:
    """A primary key from a query string or form: anything but a whole number is a 404, never a 500."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Not found.") from None


def get_visible_round(user, pk) -> Round:
    return get_object_or_404(visible_rounds(user), pk=_pk(pk))


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
    return get_object_or_404(queryset, pk=_pk(pk))


def get_visible_overall(user, pk) -> OverallRating:
    queryset = OverallRating.objects.filter(round__in=visible_rounds(user)).select_related("round__la", "key_rating")
    return get_object_or_404(queryset, pk=pk)


def visible_evidence(user):
    _require(user)
    return EvidenceItem.objects.filter(la__in=visible_las(user)).select_related("la", "added_by")


def get_visible_evidence(user, pk) -> EvidenceItem:
    return get_object_or_404(visible_evidence(user), pk=pk)


def get_visible_workstream(user, pk, *, la=None) -> Workstream:
    """A workstream of an LA the user may see (optionally only of ``la``); 404 otherwise."""
    _require(user)
    workstreams = Workstream.objects.filter(priority_area__la__in=visible_las(user))
    if la is not None:
        workstreams = workstreams.filter(priority_area__la=la)
    return get_object_or_404(workstreams.select_related("priority_area"), pk=pk)


def get_visible_strategic_target(user, pk, *, la=None) -> StrategicTarget:
    """A strategic target of an LA the user may see (optionally only of ``la``); 404 otherwise."""
    _require(user)
    targets = StrategicTarget.objects.filter(la__in=visible_las(user))
    if la is not None:
        targets = targets.filter(la=la)
    return get_object_or_404(targets, pk=pk)


def active_framework(code: str | None = None) -> Framework | None:
    frameworks = Framework.objects.filter(is_active=True)
    if code:
        frameworks = frameworks.filter(code=code)
    return frameworks.order_by("-version").first()


# --------------------------------------------------------------------------- the dashboard grid
@dataclass
class Cell:
    standard_set: StandardSet
    judgement: Judgement | None
    grade: str  # OS/G/NI/SI, "N/A", or "" (not yet rated)
    other_grade: str = ""  # the other view's grade, shown when the two differ

    @property
    def css(self) -> str:
        return "rag-NA" if self.grade == NOT_APPLICABLE else (f"rag-{self.grade}" if self.grade else "rag-none")

    @property
    def label(self) -> str:
        if self.grade == NOT_APPLICABLE:
            return "Not applicable"
        return dict(Grade.choices).get(self.grade, "Not yet rated")

    @property
    def differs(self) -> bool:
        return bool(self.other_grade) and self.other_grade != self.grade and self.grade != NOT_APPLICABLE


@dataclass
class OverallCell:
    key_rating: KeyRating
    rating: OverallRating | None
    grade: str
    span: int
    suggested: str | None
    reason: str

    @property
    def words(self) -> str:
        return OVERALL_WORDS.get(self.grade, "Not yet rated")

    @property
    def css(self) -> str:
        return f"rag-{self.grade}" if self.grade else "rag-none"

    @property
    def suggested_words(self) -> str:
        return OVERALL_WORDS.get(self.suggested or "", "")


@dataclass
class Row:
    kind: str  # phase | phase_overall | overall
    label: str
    phase: str = ""
    cells: list = field(default_factory=list)


@dataclass
class Grid:
    round: Round
    view: str
    key_ratings: list
    sets: list
    rows: list

    @property
    def view_label(self) -> str:
        return VIEWS[self.view]


def grid(round_: Round, view: str = "reviewer") -> Grid:
    """The dashboard readout of the DCSF quality standards' (2009) worked example, in a fixed number of queries."""
    view = view if view in VIEWS else "reviewer"
    other = "la" if view == "reviewer" else "reviewer"
    key_ratings = list(
        round_.framework.key_ratings.order_by("number").prefetch_related(
            Prefetch("sets", queryset=StandardSet.objects.order_by("order"))
        )
    )
    sets = [s for kr in key_ratings for s in kr.sets.all()]
    judgements = {(j.standard_set_id, j.phase): j for j in round_.judgements.all()}
    overall = {(o.key_rating_id, o.phase): o for o in round_.overall_ratings.all()}
    rows = []
    by_rating: dict[int, list[str]] = {kr.pk: [] for kr in key_ratings}
    for phase in PHASE_ORDER:
        cells = []
        for s in sets:
            j = judgements.get((s.pk, phase.value))
            if j is None:
                grade = NOT_APPLICABLE if not s.applies_to(phase.value) else ""
                cells.append(Cell(s, None, grade))
                continue
            grade = j.grade_for(view)
            cells.append(Cell(s, j, grade, j.grade_for(other) if not j.not_applicable else ""))
        rows.append(Row("phase", phase.label, phase.value, cells))
        overall_cells = []
        for kr in key_ratings:
            grades = [c.grade for c in cells if c.standard_set.key_rating_id == kr.pk]
            by_rating[kr.pk].extend(grades)
            suggested, reason = rules.suggest_overall(grades)
            rating = overall.get((kr.pk, phase.value))
            overall_cells.append(
                OverallCell(kr, rating, rating.grade_for(view) if rating else "", len(kr.sets.all()), suggested, reason)
            )
        rows.append(Row("phase_overall", f"{phase.label} overall", phase.value, overall_cells))
    final = []
    for kr in key_ratings:
        suggested, reason = rules.suggest_overall(by_rating[kr.pk])
        rating = overall.get((kr.pk, ""))
        final.append(
            OverallCell(kr, rating, rating.grade_for(view) if rating else "", len(kr.sets.all()), suggested, reason)
        )
    rows.append(Row("overall", "Overall", "", final))
    return Grid(round_, view, key_ratings, sets, rows)


# --------------------------------------------------------------------------- one judgement
@dataclass
class DescriptorRow:
    descriptor: Descriptor
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


# --------------------------------------------------------------------------- comparing rounds
@dataclass
class Change:
    set_code: str
    set_title: str
    phase: str
    before: str
    after: str
    direction: str  # improved | declined | unchanged | newly rated | no longer rated | n/a
    added: list
    removed: list
    rationale: str
    judgement: Judgement | None

    @property
    def before_css(self):
        return "rag-NA" if self.before == NOT_APPLICABLE else (f"rag-{self.before}" if self.before else "rag-none")

    @property
    def after_css(self):
        return "rag-NA" if self.after == NOT_APPLICABLE else (f"rag-{self.after}" if self.after else "rag-none")


def compare(earlier: Round, later: Round, view: str = "reviewer") -> list[Change]:
    """Set × phase, earlier grade beside later grade, with the descriptors ticked or unticked since and the later
    rationale."""
    view = view if view in VIEWS else "reviewer"

    def cells(round_):
        return {
            (j.standard_set.code, j.phase): j
            for j in round_.judgements.select_related("standard_set").prefetch_related("ticked")
        }

    a, b = cells(earlier), cells(later)
    keys = sorted(set(a) | set(b), key=lambda k: (k[0], {"EY": 0, "PRI": 1, "SEC": 2}[k[1]]))
    changes = []
    for key in keys:
        ja, jb = a.get(key), b.get(key)
        before = ja.grade_for(view) if ja else ""
        after = jb.grade_for(view) if jb else ""
        if NOT_APPLICABLE in (before, after):
            direction = "n/a"
        elif before and after:
            diff = GRADE_RANK[before] - GRADE_RANK[after]
            direction = "improved" if diff > 0 else "declined" if diff < 0 else "unchanged"
        elif after:
            direction = "newly rated"
        elif before:
            direction = "no longer rated"
        else:
            direction = "unchanged"
        ticks_a = {d.code: d for d in ja.ticked.all()} if ja else {}
        ticks_b = {d.code: d for d in jb.ticked.all()} if jb else {}
        added = [ticks_b[c] for c in sorted(set(ticks_b) - set(ticks_a))]
        removed = [ticks_a[c] for c in sorted(set(ticks_a) - set(ticks_b))]
        s = (jb or ja).standard_set
        changes.append(
            Change(
                key[0],
                s.short_title,
                dict(Phase.choices)[key[1]],
                before,
                after,
                direction,
                added,
                removed,
                jb.rationale if jb else "",
                jb,
            )
        )
    return changes


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
    _require(user)
    areas = list(
        PriorityArea.objects.filter(la=la).prefetch_related(
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
