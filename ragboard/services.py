"""Writes that keep the self-evaluation's invariants: every judgement obeys the rules or carries a
reviewer's recorded override; evidence cannot be unlinked from under a grade that needs it."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import models, rules
from .access import can_review, can_use
from .models import PHASE_ORDER, Descriptor, EvidenceItem, Framework, Grade, Judgement, OverallRating, Round


class RuleRefusal(ValidationError):
    """A grade the rules forbid, with the reasons in words."""

    def __init__(self, reasons: list[str], *, can_override: bool):
        self.reasons = reasons
        self.can_override = can_override
        super().__init__(reasons)


def _check_user(user):
    if not can_use(user):
        raise PermissionDenied("Only LA officers and administrators edit the self-evaluation.")


@transaction.atomic
def start_round(
    *,
    la,
    label: str,
    as_of: date,
    user,
    framework: Framework | None = None,
    reviewer=None,
    copy_from: Round | None = None,
) -> Round:
    """A new round with one judgement per set × phase (N/A where the set does not apply) and empty overall rows.

    ``copy_from`` carries over the ticked descriptors, figures, texts and evidence links (matched by code)
    as a starting point; grades are never copied: each round is judged afresh.
    """
    _check_user(user)
    framework = framework or Framework.objects.filter(is_active=True).order_by("-version").first()
    if framework is None:
        raise ValidationError("No framework is loaded: run manage.py load_framework.")
    if Round.objects.filter(la=la, label=label).exists():
        raise ValidationError({"label": f"{la.name} already has a round called “{label}”."})
    round_ = Round.objects.create(la=la, framework=framework, label=label, as_of=as_of, reviewer=reviewer)
    previous = {}
    if copy_from is not None:
        if copy_from.la_id != la.pk:
            raise ValidationError("A round can only copy from a round of the same LA.")
        previous = {
            (j.standard_set.code, j.phase): j
            for j in copy_from.judgements.select_related("standard_set").prefetch_related("ticked", "evidence")
        }
    descriptors_by_set: dict[int, dict[str, Descriptor]] = {}
    for d in Descriptor.objects.filter(standard_set__framework=framework):
        descriptors_by_set.setdefault(d.standard_set_id, {})[d.code] = d
    for standard_set in framework.sets.order_by("order"):
        for phase in PHASE_ORDER:
            j = Judgement.objects.create(
                round=round_,
                standard_set=standard_set,
                phase=phase.value,
                not_applicable=not standard_set.applies_to(phase.value),
                updated_by=user,
            )
            old = previous.get((standard_set.code, phase.value))
            if old is not None and not j.not_applicable:
                codes = descriptors_by_set.get(standard_set.pk, {})
                j.ticked.set([codes[d.code] for d in old.ticked.all() if d.code in codes])
                j.metrics = dict(old.metrics)
                j.rationale, j.strengths, j.areas_for_improvement = (
                    old.rationale,
                    old.strengths,
                    old.areas_for_improvement,
                )
                j.save()
                j.evidence.set(old.evidence.all())
    for key_rating in framework.key_ratings.all():
        for phase_code in [*[p.value for p in PHASE_ORDER], OverallRating.OVERALL]:
            OverallRating.objects.create(round=round_, key_rating=key_rating, phase=phase_code, updated_by=user)
    return round_


def _clean_ticks(judgement: Judgement, ticked) -> list[Descriptor]:
    ticked = list(ticked)
    for d in ticked:
        if d.standard_set_id != judgement.standard_set_id or not d.applies_to(judgement.phase):
            raise ValidationError(
                f"“{d.text[:60]}” is not a criterion of {judgement.standard_set.code} for this phase."
            )
        if d.is_automatic:
            raise ValidationError(f"“{d.text[:60]}” is worked out from its checklist or figure; it cannot be ticked.")
    return ticked


def _clean_metrics(judgement: Judgement, metrics: dict) -> dict:
    definitions = {m["code"]: m for m in judgement.standard_set.framework.metrics}
    clean = {}
    for code, value in (metrics or {}).items():
        if value in (None, ""):
            continue
        definition = definitions.get(code)
        if definition is None:
            raise ValidationError(f"Unknown figure {code!r}.")
        if definition.get("kind") == "percent":
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ValidationError(f"{definition['label']}: enter a number between 0 and 100.") from None
            if not 0 <= number <= 100:
                raise ValidationError(f"{definition['label']}: enter a number between 0 and 100.")
            clean[code] = number
        else:
            if value not in dict(definition.get("choices", [])):
                raise ValidationError(f"{definition['label']}: choose one of the listed options.")
            clean[code] = value
    return clean


@transaction.atomic
def record_judgement(
    *,
    judgement: Judgement,
    user,
    la_grade: str = "",
    reviewer_grade: str = "",
    rationale: str = "",
    strengths: str = "",
    areas_for_improvement: str = "",
    ticked=(),
    metrics: dict | None = None,
    override_reason: str = "",
) -> rules.Assessment:
    """Save a judgement if the rules allow both grades; otherwise refuse with the reasons, unless a reviewer
    records an override reason (kept on the judgement and in its history)."""
    _check_user(user)
    judgement = Judgement.objects.select_for_update().get(pk=judgement.pk)
    reviewer = can_review(user, judgement.round)
    if reviewer_grade != judgement.reviewer_grade and not reviewer:
        raise PermissionDenied("Only the round's reviewer or an administrator gives the reviewer grade.")
    for value in (la_grade, reviewer_grade):
        if value and value not in Grade.values:
            raise ValidationError(f"Unknown grade {value!r}.")
    if judgement.not_applicable and (la_grade or reviewer_grade):
        raise ValidationError(
            f"{judgement.standard_set.code} does not apply to {judgement.get_phase_display()}: it is N/A."
        )
    ticked = _clean_ticks(judgement, ticked)
    metrics = _clean_metrics(judgement, metrics or {})
    assessment = rules.assess_judgement(judgement, ticked=[d.pk for d in ticked], metrics=metrics)
    reasons = []
    for who, grade in (("LA grade", la_grade), ("Reviewer grade", reviewer_grade)):
        for reason in assessment.reasons_against(grade):
            reasons.append(f"{who} {grade_name(grade)}: {reason}")
    override_reason = (override_reason or "").strip()
    if reasons:
        if not override_reason:
            raise RuleRefusal(reasons, can_override=reviewer)
        if not reviewer:
            raise RuleRefusal(
                reasons + ["Only the round's reviewer or an administrator can override the rules."], can_override=False
            )
        judgement.override_reason = override_reason
        judgement.overridden_by = user
        judgement.overridden_at = timezone.now()
        judgement.overridden_rules = "\n".join(reasons)
        judgement._change_reason = f"Override by {user.get_username()}: {override_reason}"[:100]
    else:
        judgement.override_reason = ""
        judgement.overridden_by = None
        judgement.overridden_at = None
        judgement.overridden_rules = ""
        judgement._change_reason = "Judgement updated"
    judgement.la_grade = la_grade
    judgement.reviewer_grade = reviewer_grade
    judgement.rationale = rationale
    judgement.strengths = strengths
    judgement.areas_for_improvement = areas_for_improvement
    judgement.metrics = metrics
    judgement.updated_by = user
    judgement.save()
    judgement.ticked.set(ticked)
    return assessment


def grade_name(code: str) -> str:
    return dict(Grade.choices).get(code, code)


@transaction.atomic
def record_overall(
    *, rating: OverallRating, user, la_grade: str = "", reviewer_grade: str = "", rationale: str = ""
) -> OverallRating:
    """Overall rows are human judgements (the document gives no rule); the reviewer grade needs a reviewer."""
    _check_user(user)
    if reviewer_grade != rating.reviewer_grade and not can_review(user, rating.round):
        raise PermissionDenied("Only the round's reviewer or an administrator gives the reviewer grade.")
    for value in (la_grade, reviewer_grade):
        if value and value not in Grade.values:
            raise ValidationError(f"Unknown grade {value!r}.")
    rating.la_grade, rating.reviewer_grade, rating.rationale, rating.updated_by = (
        la_grade,
        reviewer_grade,
        rationale,
        user,
    )
    rating.save()
    return rating


@transaction.atomic
def add_evidence(
    *,
    la,
    user,
    kind: str,
    title: str,
    date: date,
    summary: str,
    file=None,
    link: str = "",
    shows_impact: bool = False,
    impact_strength: str = "",
    judgements=(),
    descriptors=(),
) -> EvidenceItem:
    _check_user(user)
    item = EvidenceItem(
        la=la,
        kind=kind,
        title=title,
        date=date,
        summary=summary,
        link=link,
        shows_impact=shows_impact,
        impact_strength=impact_strength if shows_impact else "",
        added_by=user,
    )
    if file:
        item.original_filename = getattr(file, "name", "")[:255]
        item.file = file
    item.full_clean()
    item.save()
    _link(item, judgements, descriptors)
    return item


def _link(item: EvidenceItem, judgements, descriptors):
    judgements, descriptors = list(judgements), list(descriptors)
    for j in judgements:
        if j.round.la_id != item.la_id:
            raise ValidationError("Evidence can only be linked to judgements of its own LA.")
    item.judgements.add(*judgements)
    item.descriptors.add(*descriptors)


@transaction.atomic
def link_evidence(*, item: EvidenceItem, judgement: Judgement, user, descriptors=()) -> None:
    _check_user(user)
    _link(item, [judgement], descriptors)


@transaction.atomic
def unlink_evidence(*, item: EvidenceItem, judgement: Judgement, user) -> None:
    """Refused when the judgement's grade needs this evidence (the impact gate) and no override covers it."""
    _check_user(user)
    judgement = Judgement.objects.select_related("standard_set__framework").get(pk=judgement.pk)
    remaining = [e for e in judgement.evidence.all() if e.pk != item.pk]
    assessment = rules.assess_judgement(judgement, evidence=remaining)
    reasons = [r for g in (judgement.la_grade, judgement.reviewer_grade) for r in assessment.reasons_against(g)]
    if reasons and not judgement.override_reason:
        raise RuleRefusal(
            [f"Unlinking “{item.title}” would leave the grade without the evidence it needs."] + reasons,
            can_override=False,
        )
    item.judgements.remove(judgement)


@transaction.atomic
def save_workstream(*, workstream: models.Workstream, user, **fields) -> models.Workstream:
    _check_user(user)
    for name, value in fields.items():
        setattr(workstream, name, value)
    workstream.updated_by = user
    workstream.full_clean()
    workstream.save()
    return workstream


@transaction.atomic
def save_strategic_target(*, target: models.StrategicTarget, user, **fields) -> models.StrategicTarget:
    _check_user(user)
    for name, value in fields.items():
        setattr(target, name, value)
    if target.strategy_target is not None and target.strategy_target.la_id != target.la_id:
        raise ValidationError({"strategy_target": "Link a target of the same LA."})
    target.full_clean()
    target.save()
    return target
