"""Strategy pages that need more than one read: the support engagement with its chart, and a success story
prefilled from a gap-buster candidate. (Kept apart from ``strategy.selectors``, which the services read, so that
the selectors import neither the charts nor the services.)"""

from __future__ import annotations

from schools.access import get_visible_school, sees_small_cohorts
from schools.models import Measure, PupilGroup

from .charts import engagement_chart
from .models import SupportEngagement
from .selectors import visible_targets, with_status
from .services import suggest_story_years


def engagement_page(user, engagement: SupportEngagement) -> dict:
    objectives = list(visible_targets(user).filter(engagement=engagement))
    return {
        "objectives": with_status(user, objectives),
        "chart": engagement_chart(engagement, objectives, show_small_cohorts=sees_small_cohorts(user)),
    }


def story_initial(user, urn, measure_code, group_code) -> dict:
    """A new story prefilled from a gap-buster candidate (school, measure and group codes from the query string),
    with the years its gap closed over (``services.suggest_story_years``)."""

    if not urn:
        return {}
    school = get_visible_school(user, urn)
    initial = {"school": school}
    measure = Measure.objects.filter(code=measure_code).first()
    group = PupilGroup.objects.filter(code=group_code).select_related("comparison").first()
    if measure and group and group.comparison:
        initial.update(measure=measure, pupil_group=group, comparison_group=group.comparison)
        first, last = suggest_story_years(school, measure, group, group.comparison)
        if first:
            initial.update(from_year=first, to_year=last)
        initial["title"] = (
            f"{school.name}: closing the {group.name.lower()} gap in {measure.short_name or measure.name}"
        )
    return initial
