"""Reads for the strategy app. Scoping is built only on ``schools.access``: a plan, target, visit,
story or engagement is visible when the school, cluster, area or LA it belongs to is visible. Anything
else is a 404."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from schools.access import visible_areas, visible_clusters, visible_las, visible_schools
from schools.models import Area, Cluster, LocalAuthority, School
from schools.roles import Role, has_role

from .models import Action, ActionUpdate, Plan, Strand, SuccessStory, SupportEngagement, Target, VisitReport

# Roles that edit plans LA-wide and quality-assure visit reports.
LA_EDITOR_ROLES = (Role.LA_OFFICER, Role.ADMINISTRATOR)
# Roles that record visits (for the schools they can see).
VISITOR_ROLES = (Role.ADVISER, Role.LA_OFFICER, Role.ADMINISTRATOR)


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


def can_edit_plan(user, plan: Plan) -> bool:
    """LA officers and admins edit every plan they see; advisers their schools' and clusters' plans;
    a headteacher their own school's plan."""
    if has_role(user, *LA_EDITOR_ROLES):
        return True
    if plan.school_id and has_role(user, Role.ADVISER, Role.HEADTEACHER):
        return visible_schools(user).filter(pk=plan.school_id).exists()
    if plan.cluster_id and has_role(user, Role.ADVISER):
        return visible_clusters(user).filter(pk=plan.cluster_id).exists()
    return False


def can_create_plans(user) -> bool:
    return has_role(user, *LA_EDITOR_ROLES, Role.ADVISER, Role.HEADTEACHER)


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
    return (
        Target.objects.filter(_scope_q(user))
        .select_related(
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
        )
        .prefetch_related("milestones")
    )


def get_visible_target(user, pk) -> Target:
    return get_object_or_404(visible_targets(user), pk=pk)


def targets_for_scope(user, scope) -> QuerySet[Target]:
    """Targets set for exactly this school, cluster, area or LA (not those of the organisations within it)."""
    targets = visible_targets(user)
    if isinstance(scope, School):
        return targets.filter(school=scope)
    if isinstance(scope, Cluster):
        return targets.filter(cluster=scope, school__isnull=True)
    if isinstance(scope, Area):
        return targets.filter(area=scope, cluster__isnull=True, school__isnull=True)
    if isinstance(scope, LocalAuthority):
        return targets.filter(la=scope, area__isnull=True, cluster__isnull=True, school__isnull=True)
    return targets.none()


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


def can_record_visit(user, school) -> bool:
    return has_role(user, *VISITOR_ROLES) and visible_schools(user).filter(pk=school.pk).exists()


def can_edit_visit(user, report: VisitReport) -> bool:
    """The report's adviser corrects it until the headteacher acknowledges it."""
    return report.adviser_id == user.pk and not report.acknowledged_at and can_record_visit(user, report.school)


def can_acknowledge(user, report: VisitReport) -> bool:
    """The school's headteacher acknowledges its reports."""
    from schools.access import profile_of

    profile = profile_of(user)
    return bool(has_role(user, Role.HEADTEACHER) and profile and profile.school_id == report.school_id)


def can_quality_assure(user) -> bool:
    return has_role(user, *LA_EDITOR_ROLES)


def visit_reports_meeting_all_features(la) -> tuple[int, int]:
    """(reports quality-assured as meeting all seven features of DCSF quality standard 2.4, reports
    quality-assured) for the LA."""
    assured = VisitReport.objects.filter(school__la=la, quality_assurance__isnull=False)
    return assured.filter(quality_assurance__meets_all=True).count(), assured.count()


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
