"""The strategy demo's published success story and its school-to-school support engagement."""

from __future__ import annotations

from datetime import date

from schools.figures import figures_by
from schools.gaps import gap

from .. import services
from ..models import SuccessStory, SupportEngagement, Target
from .rows import gap_of, make_target


def make_story(context, measure, group, first, last, author):
    """A published story for the primary whose disadvantaged gap narrowed most (from the demo figures)."""
    schools = [s for s in context.schools if s.phase == "primary"]
    found = figures_by(
        "school",
        type(schools[0]).objects.filter(pk__in=[s.pk for s in schools]),
        measures=[measure.code],
        groups=[group.code, group.comparison.code],
        years=[first, last],
    )
    best = None
    for school in schools:
        before = gap(
            measure,
            found.get((school.pk, first, measure.code, group.code)),
            found.get((school.pk, first, measure.code, group.comparison.code)),
        )
        after = gap(
            measure,
            found.get((school.pk, last, measure.code, group.code)),
            found.get((school.pk, last, measure.code, group.comparison.code)),
        )
        if before is not None and after is not None and (best is None or after - before < best[0]):
            best = (after - before, school)
    if best is None:
        return None
    school = best[1]
    title = f"{school.name}: closing the disadvantaged gap at KS2"
    story = SuccessStory.objects.filter(school=school, title=title).first()
    if story:
        return story
    story = SuccessStory(
        school=school,
        title=title,
        measure=measure,
        pupil_group=group,
        comparison_group=group.comparison,
        from_year=first,
        to_year=last,
        published=True,
        what_we_did="Every disadvantaged pupil has a named adult who checks progress each half term. Reading "
        "interventions moved from the afternoon to the first lesson, and the pupil premium pays for "
        "a family learning course each term.",
        impact="Attendance of disadvantaged pupils rose and more reached the expected standard.",
    )
    story = services.save_story(story=story, by=author)
    SuccessStory.objects.filter(pk=story.pk).update(published_on=date(last + 1, 9, 15))
    return story


def make_engagement(context, partner, primaries, measure, group, baseline, last):
    """The head's school supported by a primary from another cluster, before/during/after on the chart."""
    supporting = next((s for s in primaries if s.cluster_id != partner.cluster_id), None) or next(
        (s for s in primaries if s.pk != partner.pk), None
    )
    if supporting is None:
        return None
    start = date(baseline - 1, 9, 1)
    engagement, created = SupportEngagement.objects.get_or_create(
        partner_school=partner,
        supporting_school=supporting,
        start_date=start,
        defaults=dict(
            leader_name="Sam Patel",
            leader_designation=SupportEngagement.Designation.NLE,
            commissioner=SupportEngagement.Commissioner.LA,
            end_date=date(last - 1, 7, 20),
            status=SupportEngagement.Status.COMPLETED,
            terms_of_reference="Practitioner-to-practitioner support for leaders: tracking of "
            "disadvantaged pupils, quality-first teaching of reading, and the use "
            "of the pupil premium.",
        ),
    )
    year_before = baseline - 1 if gap_of(partner, measure, group, baseline - 1) is not None else baseline
    before = gap_of(partner, measure, group, year_before)
    if before is not None:
        make_target(
            None,
            {"la": partner.la, "school": partner},
            Target.Type.CLOSE_GAP,
            measure,
            group,
            year_before,
            last,
            max(0.0, before - 5),
            engagement=engagement,
            title="Narrow the KS2 disadvantaged gap by 5 points",
        )
    return engagement
