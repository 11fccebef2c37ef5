"""The strategy demo's rows, each found by its natural key before it is created (so the demo can run again):
plans, actions with their RAG updates, targets with their milestones; and the gap and value reads they start from."""

from __future__ import annotations

from decimal import Decimal

from schools.figures import figures
from schools.gaps import gap
from schools.models import PupilGroup

from ..models import Action, ActionUpdate, Milestone, Plan, Rag, Strand, Target

K, N, M, C = Strand.KNOW, Strand.NARROW, Strand.MIND, Strand.CELEBRATE
R, AR, A, AG, G = Rag.RED, Rag.AMBER_RED, Rag.AMBER, Rag.AMBER_GREEN, Rag.GREEN


def gap_of(scope, measure, group, year):
    found = figures(scope, measures=[measure.code], groups=[group.code, group.comparison.code], years=[year])
    return gap(
        measure, found.get((year, measure.code, group.code)), found.get((year, measure.code, group.comparison.code))
    )


def value_of(scope, measure, group, year):
    figure = figures(scope, measures=[measure.code], groups=[group.code], years=[year]).get(
        (year, measure.code, group.code)
    )
    return figure.value if figure else None


def make_plan(la, title, **fields):
    """The LA's plan of that title, active, with ``fields`` (level, years, owner, scope) when it is new."""
    plan, _ = Plan.objects.get_or_create(la=la, title=title, defaults={"status": Plan.Status.ACTIVE, **fields})
    return plan


def make_action(
    plan,
    strand,
    key_action,
    *,
    lead_role="",
    lead_user=None,
    due=None,
    timescale="",
    outcome="",
    monitored="",
    completed=None,
    updates=(),
    groups=(),
    intervention="",
    funding="",
    amount=None,
    schools=(),
):
    action, created = Action.objects.get_or_create(
        plan=plan,
        key_action=key_action,
        defaults=dict(
            strand=strand,
            lead_role=lead_role,
            lead_user=lead_user,
            due_date=due,
            timescale=timescale,
            intended_outcome=outcome,
            monitored_by=monitored,
            completed_on=completed,
            intervention_type=intervention,
            funding_source=funding,
            funding_amount=amount,
        ),
    )
    if created:
        action.pupil_groups.set(PupilGroup.objects.filter(code__in=groups))
        action.schools.set(schools)
    for when, rag, note in updates:
        ActionUpdate.objects.get_or_create(
            action=action, date=when, defaults=dict(rag=rag, note=note, recorded_by=lead_user)
        )
    return action


def make_target(
    plan,
    scope_kwargs,
    type_,
    measure,
    group,
    baseline_year,
    target_year,
    value,
    *,
    title="",
    engagement=None,
    milestones=(),
):
    if value is not None:
        value = Decimal(f"{value:.1f}")
    target, _ = Target.objects.get_or_create(
        plan=plan,
        engagement=engagement,
        type=type_,
        measure=measure,
        focus_group=group,
        defaults=dict(
            title=title, baseline_year=baseline_year, target_year=target_year, target_value=value, **scope_kwargs
        ),
    )
    if title and target.title != title:  # an older demo's wording
        target.title = title
        target.save(update_fields=["title"])
    for description, due, achieved in milestones:
        Milestone.objects.get_or_create(
            target=target, description=description, defaults=dict(due_date=due, achieved_on=achieved)
        )
    return target
