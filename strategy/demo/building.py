"""Building the strategy demo (:func:`generate`), called by ``generate_demo_data`` after the schools generator.

Plans at six owner levels (after Suffolk, Narrowing the Gap, Appendix 1) with actions in all four strands,
RAG update histories, targets of every type set from the demo figures, milestones, visit reports (one
acknowledged, two quality-assured), a published success story and a school-to-school support engagement.
Idempotent: every row is found by a natural key before it is created, and nothing depends on the clock."""

from __future__ import annotations

from django.db import transaction

from ..models import Plan
from .plans import write_plans
from .setting import Setting
from .stories import make_engagement, make_story
from .visits import write_visits


@transaction.atomic
def generate(context):
    setting = Setting.of(context)
    write_plans(setting)
    visits = write_visits(setting)
    # The head's report is left unacknowledged, for the head to acknowledge in the demo.

    make_story(context, setting.ks2, setting.dis, setting.baseline, setting.last, setting.officer)
    make_engagement(
        context, setting.head_school, setting.primaries, setting.ks2, setting.dis, setting.baseline, setting.last
    )
    return {"plans": Plan.objects.filter(la=setting.la).count(), "visits": len(visits)}
