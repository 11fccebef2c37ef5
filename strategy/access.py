"""Who may change what in the strategy app: plans, targets, visit reports, stories and support.

Seeing is scoping (``strategy.selectors``: a plan, target, visit, story or engagement is visible when its
school, cluster, area or LA is); these rules decide what a user may do with what they see. A view that is
refused raises ``PermissionDenied`` (403) through :func:`require`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from schools.access import default_la, profile_of, visible_clusters, visible_schools
from schools.roles import Role, has_role

# Roles that edit plans LA-wide, set LA targets, broker support and quality-assure visit reports.
LA_EDITOR_ROLES = (Role.LA_OFFICER, Role.ADMINISTRATOR)
# Roles that record visits (for the schools they can see).
VISITOR_ROLES = (Role.ADVISER, Role.LA_OFFICER, Role.ADMINISTRATOR)
# Roles that write and publish success stories.
STORY_ROLES = (*LA_EDITOR_ROLES, Role.ADVISER, Role.HEADTEACHER)
# Roles that read the LA's quality-assurance summary of visit reports (its figures, not the reports' QA forms).
QUALITY_SUMMARY_ROLES = (*LA_EDITOR_ROLES, Role.DATA_MANAGER)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("You cannot change this.")


# --------------------------------------------------------------------------- plans and targets
def can_create_plans(user) -> bool:
    return has_role(user, *LA_EDITOR_ROLES, Role.ADVISER, Role.HEADTEACHER)


def can_edit_plan(user, plan) -> bool:
    """LA officers and admins edit every plan they see; advisers their schools' and clusters' plans;
    a headteacher their own school's plan."""
    if has_role(user, *LA_EDITOR_ROLES):
        return True
    if plan.school_id and has_role(user, Role.ADVISER, Role.HEADTEACHER):
        return visible_schools(user).filter(pk=plan.school_id).exists()
    if plan.cluster_id and has_role(user, Role.ADVISER):
        return visible_clusters(user).filter(pk=plan.cluster_id).exists()
    return False


def plan_levels(user, levels) -> list:
    """The plan levels (of ``levels``: LA, area, cluster, school) a user may create: LA editors every one,
    advisers cluster and school plans, headteachers their school's."""
    if has_role(user, *LA_EDITOR_ROLES):
        return list(levels)
    allowed = {"school"} | ({"cluster"} if has_role(user, Role.ADVISER) else set())
    return [level for level in levels if level in allowed]


def head_school(user):
    """The school a headteacher leads (None for every other role)."""
    profile = profile_of(user)
    return profile.school if profile and has_role(user, Role.HEADTEACHER) else None


def plan_la(user):
    """The LA a new plan belongs to: a head's school's LA, an adviser's first school's LA, else the user's LA."""
    school = head_school(user)
    if school is not None:
        return school.la
    if has_role(user, Role.ADVISER):
        first = visible_schools(user).first()
        if first is None:
            raise Http404("No schools assigned.")
        return first.la
    return default_la(user)


def can_edit_target(user, target) -> bool:
    """A plan's target by whoever may edit the plan; a target outside a plan (an LA or support target) by LA
    editors."""
    if target.plan_id:
        return can_edit_plan(user, target.plan)
    return has_role(user, *LA_EDITOR_ROLES)


# --------------------------------------------------------------------------- support and stories
def can_manage_support(user) -> bool:
    """School-to-school support is brokered by the LA: its engagements and their objectives."""
    return has_role(user, *LA_EDITOR_ROLES)


def can_write_story(user) -> bool:
    return has_role(user, *STORY_ROLES)


# --------------------------------------------------------------------------- visits
def can_record_visits(user) -> bool:
    """Record visit reports at all (for the schools the user can see)."""
    return has_role(user, *VISITOR_ROLES)


def can_record_visit(user, school) -> bool:
    return can_record_visits(user) and visible_schools(user).filter(pk=school.pk).exists()


def can_edit_visit(user, report) -> bool:
    """The report's adviser corrects it until the headteacher acknowledges it."""
    return report.adviser_id == user.pk and not report.acknowledged_at and can_record_visit(user, report.school)


def can_acknowledge(user, report) -> bool:
    """The school's headteacher acknowledges its reports."""
    profile = profile_of(user)
    return bool(has_role(user, Role.HEADTEACHER) and profile and profile.school_id == report.school_id)


def can_quality_assure(user) -> bool:
    """Record the quality assurance of one visit report against the seven features of a good report."""
    return has_role(user, *LA_EDITOR_ROLES)


def can_see_quality_summary(user) -> bool:
    """Read the LA's share of quality-assured reports meeting all seven features (data managers too)."""
    return has_role(user, *QUALITY_SUMMARY_ROLES)
