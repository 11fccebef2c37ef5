"""Reads for the strategy app. Scoping is built only on ``schools.access``: a plan, target, visit,
story or engagement is visible when the school, cluster, area or LA it belongs to is visible. Anything
else is a 404. What a user may change is ``strategy.access``."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from schools.access import (
    sees_small_cohorts,
    visible_areas,
    visible_clusters,
    visible_las,
    visible_schools,
)
from schools.models import Area, Cluster, LocalAuthority, School

from .models import (
    SEVEN_FEATURES,
    Action,
    ActionUpdate,
    Plan,
    Strand,
    SuccessStory,
    SupportEngagement,
    Target,
    VisitReport,
)
from .targets import evaluate, status_of


def _scope_q(user, prefix: str = "") -> Q:
    """Rows owned by a visible school, cluster or area, or LA-level rows of a visible LA."""
    p = prefix
    return (
        Q(**{f"{p}school__in": visible_schools(user)})
        | Q(**{f"{p}school__isnull": True, f"{p}cluster__in": visible_clusters(user)})
        | Q(**{f"{p}school__isnull": True, f"{p}cluster__isnull": True, f"{p}area__in": visible_areas(user)})
        | Q(
            **{
                f"{p}school__isnull": True,
                f"{p}cluster__isnull": True,
                f"{p}area__isnull": True,
                f"{p}la__in": visible_las(user),
            }
        )
    )


# --------------------------------------------------------------------------- plans and actions
def visible_plans(user) -> QuerySet[Plan]:
    if not user.is_authenticated:
        return Plan.objects.none()
    return Plan.objects.filter(_scope_q(user)).select_related("la", "area", "cluster", "school", "owner")


def get_visible_plan(user, pk) -> Plan:
    return get_object_or_404(visible_plans(user), pk=pk)


def actions_with_updates(queryset) -> QuerySet[Action]:
    """Actions with everything a list needs in a fixed number of queries."""
    return queryset.select_related("plan", "plan__school", "plan__cluster", "plan__area", "lead_user").prefetch_related(
        Prefetch("updates", queryset=ActionUpdate.objects.order_by("-date", "-pk"))
    )


def visible_actions(user) -> QuerySet[Action]:
    return actions_with_updates(Action.objects.filter(plan__in=visible_plans(user)))


def get_visible_action(user, pk) -> Action:
    return get_object_or_404(visible_actions(user), pk=pk)


def actions_by_strand(actions) -> list[dict]:
    """The four strands side by side, each with its actions."""
    rows = {strand.value: [] for strand in Strand}
    for action in actions:
        rows[action.strand].append(action)
    return [{"code": strand.value, "label": strand.label, "actions": rows[strand.value]} for strand in Strand]


def overdue_or_red(actions, today: date | None = None) -> list[Action]:
    """Open actions past their due date or whose latest update is Red."""
    today = today or date.today()
    return [a for a in actions if not a.completed_on and (a.is_overdue(today) or a.rag == "red")]


# --------------------------------------------------------------------------- targets
def visible_targets(user) -> QuerySet[Target]:
    if not user.is_authenticated:
        return Target.objects.none()
    return _with_target_relations(Target.objects.filter(_scope_q(user)))


def _with_target_relations(targets: QuerySet[Target]) -> QuerySet[Target]:
    return targets.select_related(
        "la",
        "area",
        "cluster",
        "school",
        "measure",
        "focus_group",
        "focus_group__comparison",
        "comparison_group",
        "plan",
        "engagement",
    ).prefetch_related("milestones")


def get_visible_target(user, pk) -> Target:
    return get_object_or_404(visible_targets(user), pk=pk)


def any_targets_in(scope) -> bool:
    """Whether any target is set for this school, cluster, area or LA or an organisation within it, whoever may see
    it: a cheap look before the query of the targets a user may see (ten joins and the visibility subqueries,
    ~8 ms on PostgreSQL even when there are none), which only runs when this says there is something to find."""
    field = {School: "school", Cluster: "cluster", Area: "area", LocalAuthority: "la"}.get(type(scope))
    return field is not None and Target.objects.filter(**{field: scope}).exists()


def targets_for_scope(user, scope) -> QuerySet[Target]:
    """Targets set for exactly this school, cluster, area or LA (not those of the organisations within it), that
    ``user`` may see: ``visible_targets`` with only the branch of ``_scope_q`` such a target can meet (a school's
    targets are visible when the school is, an area's when the area is…), which spares the query the other
    three subqueries (half its cost on an area page)."""
    if not user.is_authenticated:
        return Target.objects.none()
    if isinstance(scope, School):
        found = Target.objects.filter(school=scope, school__in=visible_schools(user))
    elif isinstance(scope, Cluster):
        found = Target.objects.filter(cluster=scope, school__isnull=True, cluster__in=visible_clusters(user))
    elif isinstance(scope, Area):
        found = Target.objects.filter(
            area=scope, cluster__isnull=True, school__isnull=True, area__in=visible_areas(user)
        )
    elif isinstance(scope, LocalAuthority):
        found = Target.objects.filter(
            la=scope, area__isnull=True, cluster__isnull=True, school__isnull=True, la__in=visible_las(user)
        )
    else:
        return Target.objects.none()
    return _with_target_relations(found)


# --------------------------------------------------------------------------- visits
def visible_visits(user) -> QuerySet[VisitReport]:
    """Visit reports for the schools the user may see: a head their own school, an adviser theirs."""
    if not user.is_authenticated:
        return VisitReport.objects.none()
    return VisitReport.objects.filter(school__in=visible_schools(user)).select_related(
        "school", "adviser", "acknowledged_by", "quality_assurance"
    )


def get_visible_visit(user, pk) -> VisitReport:
    return get_object_or_404(visible_visits(user), pk=pk)


def visit_reports_meeting_all_features(la) -> tuple[int, int]:
    """(reports quality-assured as meeting all seven features of DCSF quality standard 2.4, reports
    quality-assured) for the LA."""
    assured = VisitReport.objects.filter(school__la=la, quality_assurance__isnull=False)
    return assured.filter(quality_assurance__meets_all=True).count(), assured.count()


def quality_summary(user, la) -> dict:
    """The LA's quality assurance of visit reports: how many of the assured reports meet all seven features,
    how many show each feature, and how many reports are not yet assured."""
    meeting, assured = visit_reports_meeting_all_features(la)
    reports = visible_visits(user).filter(school__la=la, quality_assurance__isnull=False)
    return {
        "la": la,
        "meeting": meeting,
        "assured": assured,
        "share": round(100 * meeting / assured) if assured else None,
        "feature_counts": [
            (label, reports.filter(**{f"quality_assurance__{name}": True}).count()) for name, label in SEVEN_FEATURES
        ],
        "reports": reports,
        "unassured": visible_visits(user).filter(school__la=la, quality_assurance__isnull=True).count(),
    }


# --------------------------------------------------------------------------- stories and support
def visible_stories(user) -> QuerySet[SuccessStory]:
    if not user.is_authenticated:
        return SuccessStory.objects.none()
    return SuccessStory.objects.filter(school__in=visible_schools(user)).select_related(
        "school", "measure", "pupil_group", "comparison_group", "created_by"
    )


def get_visible_story(user, pk) -> SuccessStory:
    return get_object_or_404(visible_stories(user), pk=pk)


def visible_engagements(user) -> QuerySet[SupportEngagement]:
    """Engagements whose partner school the user may see (the page shows the partner's figures)."""
    if not user.is_authenticated:
        return SupportEngagement.objects.none()
    return SupportEngagement.objects.filter(partner_school__in=visible_schools(user)).select_related(
        "partner_school", "supporting_school"
    )


def get_visible_engagement(user, pk) -> SupportEngagement:
    return get_object_or_404(visible_engagements(user), pk=pk)


# --------------------------------------------------------------------------- pages
def with_status(user, targets) -> list:
    """(target, status) for each target, evaluated together (a fixed number of queries), small cohorts
    suppressed unless the user may see them."""
    targets = list(targets)
    statuses = evaluate(targets, show_small_cohorts=sees_small_cohorts(user))
    return [(t, statuses[t.pk]) for t in targets]


def target_status(user, target: Target):
    return status_of(target, show_small_cohorts=sees_small_cohorts(user))


def home(user, today: date) -> dict:
    """The four strands across the open plans the user may see, and the overdue or red actions in one list."""
    plans = visible_plans(user).exclude(status=Plan.Status.CLOSED)
    actions = list(visible_actions(user).filter(plan__in=plans).order_by("due_date", "pk"))
    return {
        "plans": plans.order_by("level", "title"),
        "strands": actions_by_strand([a for a in actions if not a.completed_on]),
        "attention": overdue_or_red(actions, today),
        "visits": visible_visits(user)[:5],
    }


def plan_page(user, plan: Plan, today: date) -> dict:
    actions = list(actions_with_updates(plan.actions.all()).prefetch_related("pupil_groups"))
    return {
        "strands": actions_by_strand(actions),
        "overdue": [a for a in actions if a.is_overdue(today)],
        "progress": plan.progress(actions),
        "targets": with_status(user, visible_targets(user).filter(plan=plan)),
    }


def action_page(action: Action) -> dict:
    return {
        "action": action,
        "updates": list(action.updates.all()),
        "history": action.history.select_related("history_user")[:20],
    }
