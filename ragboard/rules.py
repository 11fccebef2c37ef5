"""The rule engine: the judgement rules of the DCSF quality standards (2009), applied to one judgement and
explained in words.

The rules are "necessary but not sufficient", so the engine never picks a grade: it works out the
best grade the evidence allows and says why each better grade is ruled out.

* A critical criterion in the Good or Outstanding column is a minimum: if it is not met, the grade
  is worse than that column.
* A critical criterion in the two lower columns is worded as a weakness; if it describes the LA,
  it is a cap: the grade can be no better than that column.
* "All criteria for a good service are met" (Outstanding) holds only when every Good criterion does.
* Counted checklists (2.3 four criteria, 2.4 seven features, 2.5 five qualities) and 1.5's bands
  decide their column from a count or a recorded figure.
* The impact gate: Good needs linked evidence of impact on outcomes; Outstanding substantial evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .models import GRADE_ORDER, GRADE_RANK, Descriptor, EvidenceItem, Grade, grade_label, grade_worse

Rule = Descriptor.Rule


@dataclass(frozen=True)
class Finding:
    """One rule that limits the grade: the best grade it allows and why."""

    kind: str  # minimum | cap | all_good | count | band | impact
    best: str  # the best grade this rule allows
    message: str
    descriptor_code: str = ""


@dataclass
class Assessment:
    """What the rules say about one judgement."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unmet_good: list[Descriptor] = field(default_factory=list)

    @property
    def best_allowed(self) -> str:
        worst = Grade.OUTSTANDING.value
        for finding in self.findings:
            if GRADE_RANK[finding.best] > GRADE_RANK[worst]:
                worst = finding.best
        return worst

    def reasons_against(self, grade: str) -> list[str]:
        """Why ``grade`` is forbidden (empty when the rules allow it)."""
        if not grade or grade not in GRADE_RANK:
            return []
        return [f.message for f in self.findings if GRADE_RANK[f.best] > GRADE_RANK[grade]]

    def allows(self, grade: str) -> bool:
        return not self.reasons_against(grade)

    @property
    def summary(self) -> str:
        best = self.best_allowed
        if best == Grade.OUTSTANDING:
            return "The rules allow any grade, up to Outstanding."
        return f"The rules allow {grade_label(best)} at best."


class _State:
    """Works out whether each descriptor holds, for one set × phase."""

    def __init__(
        self, descriptors: Iterable[Descriptor], phase: str, ticked: set[int], metrics: dict, framework_metrics
    ):
        self.phase = phase
        self.all = [d for d in descriptors if d.applies_to(phase)]
        self.by_code = {d.code: d for d in self.all}
        self.items: dict[int, list[Descriptor]] = {}
        for d in self.all:
            if d.parent_id:
                self.items.setdefault(d.parent_id, []).append(d)
        self.top = [d for d in self.all if not d.parent_id]
        self.ticked = ticked
        self.metrics = metrics or {}
        self.metric_defs = {m["code"]: m for m in (framework_metrics or [])}

    def missing_items(self, checklist: Descriptor) -> list[Descriptor]:
        return [item for item in self.items.get(checklist.pk, []) if item.pk not in self.ticked]

    def good_criteria(self) -> list[Descriptor]:
        return [d for d in self.top if d.column == Grade.GOOD]

    def metric_value(self, code: str):
        value = self.metrics.get(code)
        if value in (None, ""):
            return None
        definition = self.metric_defs.get(code, {})
        if definition.get("kind") == "percent":
            try:
                return Decimal(str(value))
            except InvalidOperation:
                return None
        return value

    def holds(self, d: Descriptor) -> bool | None:
        """True/False; None when a band's figure has not been recorded."""
        if d.rule in (Rule.STATEMENT, Rule.ITEM):
            return d.pk in self.ticked
        if d.rule == Rule.CHECKLIST:
            return not self.missing_items(d)
        if d.rule == Rule.ALL_GOOD:
            return all(self.holds(g) is True for g in self.good_criteria())
        if d.rule == Rule.MISSING_COUNT:
            checklist = self.by_code.get(d.params.get("checklist"))
            if checklist is None:
                return None
            missing = len(self.missing_items(checklist))
            low, high = d.params.get("min", 0), d.params.get("max")
            return missing >= low and (high is None or missing <= high)
        if d.rule == Rule.BAND:
            value = self.metric_value(d.params.get("metric"))
            if value is None:
                return None
            if "values" in d.params:
                return value in d.params["values"]
            low, high = d.params.get("min"), d.params.get("max")
            return (low is None or value >= Decimal(str(low))) and (high is None or value < Decimal(str(high)))
        return False

    def describe_metric(self, code: str) -> str:
        definition = self.metric_defs.get(code, {"label": code})
        value = self.metrics.get(code)
        if value in (None, ""):
            return f"{definition['label']}: not recorded"
        if definition.get("kind") == "choice":
            value = dict(definition.get("choices", [])).get(value, value)
            return f"{definition['label']}: {value}"
        return f"{definition['label']}: {value}%"


def _quote(d: Descriptor) -> str:
    text = d.text.rstrip(".:;")
    return f"“{text}”"


def _names(items: list[Descriptor]) -> str:
    return "; ".join(i.text.rstrip(".") for i in items)


def assess(
    *,
    standard_set,
    phase: str,
    descriptors: Iterable[Descriptor],
    ticked: Iterable[int],
    metrics: dict | None = None,
    evidence: Iterable[EvidenceItem] = (),
) -> Assessment:
    """Apply every rule of ``standard_set`` for ``phase`` to the ticked descriptors, figures and linked evidence."""
    state = _State(descriptors, phase, set(ticked), metrics or {}, standard_set.framework.metrics)
    result = Assessment()
    code = standard_set.code

    for d in state.all:
        if d.rule == Rule.ALL_GOOD:
            unmet = [g for g in state.good_criteria() if state.holds(g) is not True]
            result.unmet_good = unmet
            if unmet:
                result.findings.append(
                    Finding(
                        "all_good",
                        Grade.GOOD,
                        f"{code}: Outstanding needs {_quote(d)}, but {len(unmet)} of the {len(state.good_criteria())} "
                        f"Good criteria are not met ({_names(unmet)}).",
                        d.code,
                    )
                )
            continue
        if not d.limits_grade:
            continue
        holds = state.holds(d)
        if d.is_upper:
            if holds is True:
                continue
            best = grade_worse(d.column)
            column = grade_label(d.column)
            if d.rule == Rule.CHECKLIST:
                missing = state.missing_items(d)
                total = len(state.items.get(d.pk, []))
                why = f"{len(missing)} of the {total} are missing ({_names(missing)})"
                result.findings.append(
                    Finding(
                        "count",
                        best,
                        f"{code}: {column} needs the critical criterion {_quote(d)} – {why}. Critical criteria in the "
                        f"{column} column are minimum requirements, so the grade can be no better than "
                        f"{grade_label(best)}.",
                        d.code,
                    )
                )
            elif d.rule == Rule.BAND:
                figure = state.describe_metric(d.params.get("metric"))
                status = "has not been recorded" if holds is None else "does not meet it"
                result.findings.append(
                    Finding(
                        "band",
                        best,
                        f"{code}: {column} needs the critical criterion {_quote(d)}; {figure}, which {status}. "
                        f"So the grade can be no better than {grade_label(best)}.",
                        d.code,
                    )
                )
            else:
                lead = f"{d.parent.text.rstrip(':')} … " if d.parent_id and d.parent else ""
                result.findings.append(
                    Finding(
                        "minimum",
                        best,
                        f"{code}: the critical criterion {lead}{_quote(d)} is not met. "
                        f"Critical criteria in the {column} column are minimum requirements, so the grade can be "
                        f"no better than {grade_label(best)}.",
                        d.code,
                    )
                )
        else:
            if holds is not True:
                continue
            column = grade_label(d.column)
            if d.rule == Rule.MISSING_COUNT:
                checklist = state.by_code[d.params["checklist"]]
                missing = state.missing_items(checklist)
                total = len(state.items.get(checklist.pk, []))
                result.findings.append(
                    Finding(
                        "count",
                        d.column,
                        f"{code}: {len(missing)} of the {total} items of {_quote(checklist)} are missing "
                        f"({_names(missing)}), so {_quote(d)} holds and the grade can be no better than {column}.",
                        d.code,
                    )
                )
            elif d.rule == Rule.BAND:
                figure = state.describe_metric(d.params.get("metric"))
                result.findings.append(
                    Finding(
                        "band",
                        d.column,
                        f"{code}: {figure}, so {_quote(d)} holds; this criterion shows the maximum rating, "
                        f"so the grade can be no better than {column}.",
                        d.code,
                    )
                )
            else:
                result.findings.append(
                    Finding(
                        "cap",
                        d.column,
                        f"{code}: {_quote(d)} is ticked as describing the LA. "
                        f"A critical criterion in the ‘{column}’ column "
                        f"shows the maximum rating that can be given, so the grade can be no better than {column}.",
                        d.code,
                    )
                )

    evidence = list(evidence)
    showing = [e for e in evidence if e.shows_impact]
    substantial = [e for e in showing if e.impact_strength == EvidenceItem.Strength.SUBSTANTIAL]
    if not showing:
        result.findings.append(
            Finding(
                "impact",
                Grade.SOME_IMPROVEMENT,
                f"{code}: Good and Outstanding must be accompanied by evidence of impact upon outcomes for children "
                f"and "
                f"young people; none of the {len(evidence)} evidence item(s) linked to this judgement shows impact, "
                f"so the grade can be no better than Requires some improvement.",
            )
        )
    elif not substantial:
        result.findings.append(
            Finding(
                "impact",
                Grade.GOOD,
                f"{code}: Outstanding must be accompanied by substantial evidence of impact; "
                f"{len(showing)} linked item(s) "
                f"show impact but none is substantial, so the grade can be no better than Good.",
            )
        )
    for metric in {d.params.get("metric") for d in state.all if d.rule == Rule.BAND}:
        result.notes.append(state.describe_metric(metric))
    return result


def assess_judgement(judgement, *, ticked=None, metrics=None, evidence=None) -> Assessment:
    """Assess a saved judgement, optionally with proposed ticks/figures/evidence (e.g. from a form)."""
    descriptors = list(judgement.standard_set.descriptors.all())
    for d in descriptors:  # parent lookups without extra queries
        if d.parent_id:
            d.parent = next((p for p in descriptors if p.pk == d.parent_id), None)
    return assess(
        standard_set=judgement.standard_set,
        phase=judgement.phase,
        descriptors=descriptors,
        ticked=[d.pk for d in judgement.ticked.all()] if ticked is None else ticked,
        metrics=judgement.metrics if metrics is None else metrics,
        evidence=judgement.evidence.all() if evidence is None else evidence,
    )


# --------------------------------------------------------------------------- overall rows (suggestion only)
def suggest_overall(grades: Iterable[str]) -> tuple[str | None, str]:
    """A suggested '<phase> overall' / 'Overall' grade and why. The document gives no rule: this heuristic
    reproduces its worked example, and the rating itself stays a human judgement.

    Outstanding: at least three quarters Outstanding and none below Good. Good: at least three quarters Good
    or better. Requires significant improvement: more than half Requires significant improvement.
    Otherwise Requires some improvement. N/A and unrated cells are left out.
    """
    rated = [g for g in grades if g in GRADE_RANK]
    n = len(rated)
    if not n:
        return None, "No sub-ratings are graded yet."
    outstanding = sum(1 for g in rated if g == Grade.OUTSTANDING)
    good_or_better = sum(1 for g in rated if GRADE_RANK[g] <= 2)
    significant = sum(1 for g in rated if g == Grade.SIGNIFICANT_IMPROVEMENT)

    def share(k):
        return f"{k} of {n} ({round(100 * k / n)}%)"

    if outstanding * 4 >= 3 * n and good_or_better == n:
        return (
            Grade.OUTSTANDING.value,
            f"{share(outstanding)} applicable sub-ratings are Outstanding and none is below Good.",
        )
    if good_or_better * 4 >= 3 * n:
        return (
            Grade.GOOD.value,
            f"{share(good_or_better)} applicable sub-ratings are Good or better (at least three quarters).",
        )
    if significant * 2 > n:
        return (
            Grade.SIGNIFICANT_IMPROVEMENT.value,
            f"{share(significant)} applicable sub-ratings require significant improvement (more than half).",
        )
    return Grade.SOME_IMPROVEMENT.value, (
        f"Only {share(good_or_better)} applicable sub-ratings are Good or better (fewer than three quarters)"
        + (f" and {share(significant)} require significant improvement." if significant else ".")
    )


__all__ = ["Finding", "Assessment", "assess", "assess_judgement", "suggest_overall", "GRADE_ORDER"]
