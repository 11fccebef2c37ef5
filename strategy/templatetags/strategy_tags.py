"""Inclusion tags for other apps' pages (the schools app must not import strategy; its templates load these):

{% load strategy_tags %}
{% scope_targets scope user %}            targets set for a school, cluster, area or LA, with status
{% school_plans_and_visits school user %} the school's plans, latest visit reports, support and stories
{% school_due school user %}              a summary's "what is due": open and overdue actions, the next visit
{% visits_due schools user %}             an adviser's summary: each school's latest and next visit
{% targets_summary scope user %}          targets on and off track for a scope (an LA: every target in it)
"""

from django import template

from schools.access import sees_small_cohorts

from .. import access, selectors, summaries
from ..targets import evaluate

register = template.Library()


@register.inclusion_tag("strategy/tags/scope_targets.html")
def scope_targets(scope, user):
    targets = list(selectors.targets_for_scope(user, scope)) if selectors.any_targets_in(scope) else []
    statuses = evaluate(targets, show_small_cohorts=sees_small_cohorts(user))
    return {"scope": scope, "targets": [(t, statuses[t.pk]) for t in targets]}


@register.inclusion_tag("strategy/tags/school_plans_and_visits.html")
def school_plans_and_visits(school, user):
    plans = selectors.visible_plans(user).filter(school=school).order_by("-start_year", "title")
    return {
        "school": school,
        "plans": [(plan, plan.progress(list(selectors.actions_with_updates(plan.actions.all())))) for plan in plans],
        "visits": list(selectors.visible_visits(user).filter(school=school)[:5]),
        "engagements": list(selectors.visible_engagements(user).filter(partner_school=school)),
        "stories": list(selectors.visible_stories(user).filter(school=school)),
        "can_record_visit": access.can_record_visit(user, school),
    }


@register.inclusion_tag("strategy/tags/school_due.html")
def school_due(school, user):
    return summaries.school_due(user, school)


@register.inclusion_tag("strategy/tags/visits_due.html")
def visits_due(schools, user):
    from datetime import date

    return {"due": summaries.visits_due(user, schools), "today": date.today()}


@register.inclusion_tag("strategy/tags/targets_summary.html")
def targets_summary(scope, user):
    return summaries.targets_summary(user, scope)
