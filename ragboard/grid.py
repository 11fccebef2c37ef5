"""The self-evaluation grid and the comparison of two rounds: reads of one round's judgements, no user.

The grid follows the dashboard of the DCSF National Strategies "Quality standards and criteria for LA
self-evaluation" (2009): standard sets across, phases down, and each key rating's overall grade suggested by
``ragboard.rules``; in the LA's own grades or the reviewer's. Who may see a round is ``ragboard.selectors``' job.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from . import rules
from .models import (
    GRADE_RANK,
    NOT_APPLICABLE,
    OVERALL_WORDS,
    PHASE_ORDER,
    Grade,
    Judgement,
    KeyRating,
    OverallRating,
    Phase,
    Round,
    StandardSet,
)

VIEWS = {"reviewer": "Reviewer (external) view", "la": "LA self-evaluation"}


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
    """The round's dashboard in one view's grades, in a fixed number of queries."""
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
    """Set × phase, earlier grade beside later grade, with the descriptors ticked or unticked since and the
    later rationale."""
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
