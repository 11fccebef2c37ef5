"""Building the strategy demo (:func:`generate`), called by ``generate_demo_data`` after the schools generator.

Plans at six owner levels (after Suffolk, Narrowing the Gap, Appendix 1) with actions in all four strands,
RAG update histories, targets of every type set from the demo figures, milestones, visit reports (one
acknowledged, two quality-assured), a published success story and a school-to-school support engagement.
Idempotent: every row is found by a natural key before it is created, and nothing depends on the clock."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from .. import services
from ..models import Plan, Target
from .plans import write_la_team_plan, write_local_plans
from .rows import A, C, G, K, N, gap_of, make_action, make_target
from .setting import Setting
from .stories import make_engagement, make_story
from .visits import write_visits


@transaction.atomic
def generate(context):
    setting = Setting.of(context)
    write_la_team_plan(setting)
    write_local_plans(setting)
    write_school_plan(setting)
    visits = write_visits(setting)
    # The head's report is left unacknowledged, for the head to acknowledge in the demo.

    make_story(context, setting.ks2, setting.dis, setting.baseline, setting.last, setting.officer)
    make_engagement(
        context, setting.head_school, setting.primaries, setting.ks2, setting.dis, setting.baseline, setting.last
    )
    return {"plans": Plan.objects.filter(la=setting.la).count(), "visits": len(visits)}


def write_school_plan(setting: Setting) -> None:
    """The head's school plan, with a target to halve the school's gap."""
    la, last, baseline, ks2, dis, autumn, current, head_school = (
        setting.la,
        setting.last,
        setting.baseline,
        setting.ks2,
        setting.dis,
        setting.autumn,
        setting.current,
        setting.head_school,
    )
    school_plan = services.school_plan_for(head_school, results_year=current)
    make_action(
        school_plan,
        K,
        "Progress tracking that shows every disadvantaged pupil's progress each half term",
        lead_role="Deputy headteacher",
        due=autumn + timedelta(days=30),
        completed=autumn + timedelta(days=28),
        outcome="Disadvantaged pupils are known by all staff",
        monitored="Governors, SIP, LA",
        updates=[(autumn + timedelta(days=28), G, "Tracking live in the MIS; staff trained.")],
    )
    make_action(
        school_plan,
        N,
        "One-to-one tuition in maths for Year 6 disadvantaged pupils",
        lead_role="Year 6 lead",
        due=date(last + 2, 5, 10),
        intervention="tuition",
        funding="pupil_premium",
        amount=6500,
        groups=["disadvantaged"],
        outcome="Year 6 disadvantaged pupils reach the expected standard in maths",
        monitored="Governors, SIP, LA",
        schools=[head_school],
        updates=[(autumn + timedelta(days=21), A, "Tutor recruited; sessions start after half term.")],
    )
    make_action(
        school_plan,
        C,
        "Celebrate progress with families at the spring achievement assembly",
        lead_role="Headteacher",
        timescale="Spring term",
        outcome="Families see their children's success",
        monitored="Governors",
    )
    head_gap = gap_of(head_school, ks2, dis, baseline)
    if head_gap is not None:
        make_target(
            school_plan,
            {"la": la, "school": head_school},
            Target.Type.CLOSE_GAP,
            ks2,
            dis,
            baseline,
            current,
            max(0.0, head_gap / 2),
            title="Halve the school's KS2 disadvantaged gap",
        )
