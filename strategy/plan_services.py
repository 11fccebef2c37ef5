"""Writes to plans, their actions, targets and milestones, and school-to-school support engagements, from a
form's cleaned data. Keyword-only, atomic.

Each write checks the row as the model states its rules (``full_clean``: a plan's level and scope, an
action's funding, a target's one scope in one LA, an engagement's dates), saves it, and names the user who
made the change in the row's history (django-simple-history), so the audit log says who did it whether the
write came from a page, the command line or the demo. The pages authorise first (``strategy.access``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from django.db import models, transaction

from schools.models import Area, Cluster, LocalAuthority, School

from .models import Action, Milestone, Plan, SupportEngagement, Target

Row = TypeVar("Row", bound=models.Model)


@transaction.atomic
def save_changes(*, row: Row, data: dict[str, Any], by) -> Row:
    """Set the fields named in ``data`` on ``row``, check it, save it with ``by`` in its history, then set its
    many-to-many fields (they need the row saved first). A new row and a changed one alike."""
    many = {field.name for field in row._meta.many_to_many}
    for name, value in data.items():
        if name not in many:
            setattr(row, name, value)
    row.full_clean()
    row._history_user = by  # type: ignore[attr-defined]  # read by simple_history when the row is saved
    row.save()
    for name in many & data.keys():
        getattr(row, name).set(data[name])
    return row


def create_plan(*, la: LocalAuthority, data: dict[str, Any], owner) -> Plan:
    """A new plan of ``la`` from the plan form, with the user who created it as its owner."""
    return save_changes(row=Plan(la=la, owner=owner), data=data, by=owner)


def create_action(*, plan: Plan, data: dict[str, Any], by) -> Action:
    """A new action on ``plan`` from the action form (its groups, measures and target schools included)."""
    return save_changes(row=Action(plan=plan), data=data, by=by)


def scope_fields(scope: LocalAuthority | Area | Cluster | School) -> dict[str, Any]:
    """A target's scope as its fields: the LA it belongs to and at most one of area, cluster or school."""
    return {
        "la": scope if isinstance(scope, LocalAuthority) else scope.la,
        "area": scope if isinstance(scope, Area) else None,
        "cluster": scope if isinstance(scope, Cluster) else None,
        "school": scope if isinstance(scope, School) else None,
    }


def create_target(
    *,
    scope: LocalAuthority | Area | Cluster | School,
    data: dict[str, Any],
    by,
    plan: Plan | None = None,
    engagement: SupportEngagement | None = None,
) -> Target:
    """A new target for ``scope`` from the target form: a plan's success criterion or an engagement's
    objective. Its status is computed from the imported results (``strategy.targets``), never stored."""
    row = Target(plan=plan, engagement=engagement, **scope_fields(scope))
    return save_changes(row=row, data=data, by=by)


def add_milestone(
    *, target: Target, description: str, due_date: date, achieved_on: date | None = None, by=None
) -> Milestone:
    """A dated step towards ``target``."""
    row = Milestone(target=target)
    data = {"description": description, "due_date": due_date, "achieved_on": achieved_on}
    return save_changes(row=row, data=data, by=by)


def create_engagement(*, data: dict[str, Any], by) -> SupportEngagement:
    """A new school-to-school support engagement from the engagement form."""
    return save_changes(row=SupportEngagement(), data=data, by=by)
