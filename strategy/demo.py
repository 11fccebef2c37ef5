"""Demo content for the strategy app, called by ``generate_demo_data`` after the schools generator.

Plans at six owner levels (after Suffolk, Narrowing the Gap, Appendix 1) with actions in all four strands,
RAG update histories, targets of every type set from the demo figures, milestones, visit reports (one
acknowledged, two quality-assured), a published success story and a school-to-school support engagement.
Idempotent: every row is found by a natural key before it is created, and nothing depends on the clock."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from schools.figures import figures, figures_by
from schools.gaps import gap
from schools.models import Measure, PupilGroup

from . import services
from .models import (
    SEVEN_FEATURES,
    Action,
    ActionUpdate,
    Milestone,
    Plan,
    Rag,
    Strand,
    SuccessStory,
    SupportEngagement,
    Target,
    VisitReport,
)

K, N, M, C = Strand.KNOW, Strand.NARROW, Strand.MIND, Strand.CELEBRATE
R, AR, A, AG, G = Rag.RED, Rag.AMBER_RED, Rag.AMBER, Rag.AMBER_GREEN, Rag.GREEN


def _gap_of(scope, measure, group, year):
    found = figures(scope, measures=[measure.code], groups=[group.code, group.comparison.code], years=[year])
    return gap(
        measure, found.get((year, measure.code, group.code)), found.get((year, measure.code, group.comparison.code))
    )


def _value_of(scope, measure, group, year):
    figure = figures(scope, measures=[measure.code], groups=[group.code], years=[year]).get(
        (year, measure.code, group.code)
    )
    return figure.value if figure else None


def _plan(la, title, level, start, end, *, owner=None, owner_name="", summary="", **scope):
    plan, _ = Plan.objects.get_or_create(
        la=la,
        title=title,
        defaults=dict(
            level=level,
            start_year=start,
            end_year=end,
            status=Plan.Status.ACTIVE,
            owner=owner,
            owner_name=owner_name,
            summary=summary,
            **scope,
        ),
    )
    return plan


def _action(
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


def _target(
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


@transaction.atomic
def generate(context):
    la, users, years = context.la, context.users, sorted(context.years)
    last = years[-1]
    baseline = years[-3] if len(years) >= 3 else years[0]
    officer, adviser, head = users.get("officer"), users.get("adviser"), users.get("head")
    ks2 = Measure.objects.get(code="ks2_rwm_exp")
    att8 = Measure.objects.get(code="ks4_att8")
    gld = Measure.objects.get(code="eyfs_gld")
    dis = PupilGroup.objects.select_related("comparison").get(code="disadvantaged")
    sen = PupilGroup.objects.select_related("comparison").get(code="sen_any")
    # The autumn term a year after the latest results: the demo is set in the current academic year.
    autumn = date(last + 1, 10, 1)
    current = last + 2  # its results year

    primaries = [s for s in context.schools if s.phase == "primary"]
    head_school = head.profile.school if head is not None else primaries[0]
    adviser_schools = list(adviser.profile.schools.order_by("urn")) if adviser is not None else primaries[:2]

    # ------------------------------------------ the LA team's plan (Suffolk, Narrowing the Gap, Appendix 1)
    la_plan = _plan(
        la,
        f"{la.name} narrowing the gap strategy",
        Plan.Level.LA_TEAM,
        last + 1,
        last + 2,
        owner=officer,
        owner_name="School improvement leadership team",
        summary="Know the gaps, narrow the gaps, mind the gaps and celebrate gap busting: the LA school-"
        "improvement team's actions for disadvantaged pupils, pupils with SEN and children in care.",
    )
    officer_lead = dict(lead_user=officer)
    _action(
        la_plan,
        K,
        "Identify wide-gap schools and plan interventions",
        lead_role="Head of school improvement",
        due=autumn + timedelta(days=60),
        outcome="Priority list of schools for targeted interventions; gaps narrow",
        monitored="School improvement leadership team",
        completed=autumn + timedelta(days=45),
        updates=[
            (autumn + timedelta(days=14), AG, "Priority list drafted from the latest results."),
            (autumn + timedelta(days=45), G, "Priority list agreed; support allocated to 9 schools."),
        ],
        **officer_lead,
    )
    _action(
        la_plan,
        K,
        "Provide every school with gap data compared with cluster, LA and national figures",
        lead_role="Data manager",
        due=autumn + timedelta(days=90),
        timescale="Autumn term",
        outcome="All schools have benchmarked gap data",
        monitored="School improvement leadership team",
        updates=[(autumn + timedelta(days=30), A, "Primary packs sent; secondary packs waiting for KS4 data.")],
    )
    _action(
        la_plan,
        N,
        "Wave 2 reading groups for disadvantaged pupils in priority primaries",
        lead_role="Primary English adviser",
        due=date(last + 2, 7, 18),
        timescale="Summer term",
        outcome="Disadvantaged pupils in priority schools make accelerated progress in reading",
        monitored="SIPs at termly visits",
        groups=["disadvantaged"],
        intervention="wave2",
        funding="pupil_premium",
        amount=24000,
        schools=primaries[:4],
        updates=[
            (autumn + timedelta(days=20), AR, "Only two of four schools have started groups."),
            (autumn + timedelta(days=48), A, "All four schools running groups; tracking set up."),
        ],
    )
    _action(
        la_plan,
        N,
        "Governors' briefing on the narrowing the gap strategy",
        lead_role="Governor services",
        due=autumn + timedelta(days=30),
        timescale="Autumn term",
        outcome="Governors hold senior leaders to account for the gaps",
        monitored="Governor services manager",
        updates=[(autumn + timedelta(days=40), R, "Briefing postponed: venue unavailable; not yet rearranged.")],
    )
    _action(
        la_plan,
        M,
        "Make the gaps a standing item at every termly SIP visit",
        lead_role="SIP manager",
        due=autumn + timedelta(days=75),
        outcome="Every visit report records the school's gaps and agreed actions",
        monitored="SIP quality assurance",
        intervention="data",
        updates=[(autumn + timedelta(days=50), G, "New report form in use; gaps snapshot stored with each report.")],
        **officer_lead,
    )
    _action(
        la_plan,
        M,
        "Termly review of gap targets at the strategy board",
        lead_role="Head of school improvement",
        due=date(last + 2, 3, 31),
        timescale="Each term",
        outcome="Targets off track are challenged early",
        monitored="Children's partnership board",
        **officer_lead,
    )
    _action(
        la_plan,
        C,
        "Celebrate gap-busting schools in the termly newsletter and the annual awards",
        lead_role="Communications officer",
        due=date(last + 2, 6, 30),
        timescale="Summer term",
        outcome="Gap-busting practice is known and shared",
        monitored="School improvement leadership team",
        updates=[(autumn + timedelta(days=50), AG, "First story published; awards shortlist being drawn up.")],
    )
    _action(
        la_plan,
        C,
        "Share practice from gap-busting schools through cluster networks",
        lead_role="Cluster leads",
        timescale="Spring term",
        outcome="Every cluster hears from a gap-busting school",
        monitored="Area teams",
    )

    ks2_gap = _gap_of(la, ks2, dis, baseline)
    att8_gap = _gap_of(la, att8, dis, baseline)
    la_scope = {"la": la}
    if ks2_gap is not None:
        _target(
            la_plan,
            la_scope,
            Target.Type.CLOSE_GAP,
            ks2,
            dis,
            baseline,
            last + 2,
            max(0.0, ks2_gap - 6),
            title="Close the KS2 disadvantaged gap by 6 percentage points",
            milestones=[
                ("Priority schools identified", autumn + timedelta(days=45), autumn + timedelta(days=45)),
                ("Interim tracking shows the gap narrowing in priority schools", date(last + 2, 3, 31), None),
            ],
        )
    _target(
        la_plan,
        la_scope,
        Target.Type.FASTER,
        ks2,
        sen,
        baseline,
        last + 2,
        3,
        title="Pupils with SEN improve 3 points a year faster than other pupils",
    )
    if att8_gap is not None:
        _target(
            la_plan,
            la_scope,
            Target.Type.GAP_NATIONAL,
            att8,
            dis,
            baseline,
            last + 2,
            0,
            title="KS4 disadvantaged gap no wider than the national gap",
        )
    _target(
        la_plan,
        la_scope,
        Target.Type.IN_LINE_NATIONAL,
        gld,
        dis,
        baseline,
        current,
        0,
        title="Disadvantaged children's GLD in line with disadvantaged children nationally",
    )

    # ---------------------------------------------------------------- area, cluster, council, partnership plans
    area = context.areas[0]
    area_plan = _plan(
        la,
        f"{area.name} area team: narrowing the gap",
        Plan.Level.AREA,
        current,
        current,
        area=area,
        owner_name="Area management team",
    )
    _action(
        area_plan,
        K,
        "Area team members briefed on the narrowing the gap strategy and the area's gaps",
        lead_role="Area director",
        due=autumn + timedelta(days=21),
        completed=autumn + timedelta(days=18),
        outcome="All area team members aware of the strategy",
        monitored="Area management team",
        updates=[(autumn + timedelta(days=18), G, "Briefing held; slides shared.")],
    )
    _action(
        area_plan,
        N,
        "Family learning courses in the three wards with the widest gaps",
        lead_role="Area manager",
        due=date(last + 2, 5, 1),
        intervention="family",
        funding="la_budget",
        amount=9000,
        outcome="Parents of disadvantaged pupils support reading at home",
        monitored="Area management team",
        updates=[(autumn + timedelta(days=35), A, "Two of three courses booked.")],
    )
    area_value = _value_of(area, ks2, dis, baseline)
    if area_value is not None:
        _target(
            area_plan,
            {"la": la, "area": area},
            Target.Type.REACH,
            ks2,
            dis,
            baseline,
            current,
            area_value + 8,
            title=f"Disadvantaged pupils in {area.name} reach {area_value + 8:.0f}% at KS2",
        )

    cluster = context.clusters[0]
    cluster_plan = _plan(
        la,
        f"{cluster.name}: cluster gap plan",
        Plan.Level.CLUSTER,
        current,
        current,
        cluster=cluster,
        owner_name="Cluster headteachers",
    )
    _action(
        cluster_plan,
        K,
        "Pool the cluster's gap data and agree one shared priority",
        lead_role="Cluster chair",
        due=autumn + timedelta(days=40),
        outcome="A cluster plan with targets from local and national data",
        monitored="Area management team",
        updates=[(autumn + timedelta(days=42), AG, "Shared priority: KS2 writing.")],
    )
    _action(
        cluster_plan,
        M,
        "Moderate disadvantaged pupils' writing across the cluster each term",
        lead_role="Cluster English leads",
        timescale="Each term",
        outcome="Reliable tracking of writing",
        monitored="Cluster headteachers",
    )
    cluster_value = _value_of(cluster, ks2, dis, baseline)
    if cluster_value is not None:
        _target(
            cluster_plan,
            {"la": la, "cluster": cluster},
            Target.Type.CHANGE,
            ks2,
            dis,
            baseline,
            current,
            5,
            title="Disadvantaged KS2 attainment in the cluster up 5 points",
        )

    council_plan = _plan(
        la,
        f"{la.name} Council: child poverty and the gaps",
        Plan.Level.COUNCIL,
        last + 1,
        current,
        owner_name="Children's trust board",
    )
    _action(
        council_plan,
        K,
        "Support the development of the council's child poverty action plan",
        lead_role="Director of children's services",
        timescale="This year",
        outcome="A council-wide plan to reduce child poverty",
        monitored="Children's trust board",
    )
    partnership_plan = _plan(
        la,
        "Children's partnership board: narrowing the gap",
        Plan.Level.PARTNERSHIP,
        last + 1,
        last + 2,
        owner_name="Children's partnership board",
    )
    _action(
        partnership_plan,
        C,
        "Communications plan so residents know the narrowing the gap aims",
        lead_role="Communications lead",
        timescale="Spring–summer",
        outcome="Residents aware of the aims",
        monitored="Children's partnership board",
        updates=[(autumn + timedelta(days=28), AR, "Draft plan delayed by the consultation timetable.")],
    )

    # ---------------------------------------------------------------- the head's school plan
    school_plan = services.school_plan_for(head_school, results_year=current)
    _action(
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
    _action(
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
    _action(
        school_plan,
        C,
        "Celebrate progress with families at the spring achievement assembly",
        lead_role="Headteacher",
        timescale="Spring term",
        outcome="Families see their children's success",
        monitored="Governors",
    )
    head_gap = _gap_of(head_school, ks2, dis, baseline)
    if head_gap is not None:
        _target(
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

    # ---------------------------------------------------------------- visits
    visits = []
    if adviser is not None:
        plans = [
            (
                adviser,
                adviser_schools[0] if adviser_schools else primaries[0],
                date(last + 1, 10, 7),
                VisitReport.VisitType.TERMLY,
            ),
            (
                adviser,
                adviser_schools[1] if len(adviser_schools) > 1 else primaries[-1],
                date(last + 1, 10, 21),
                VisitReport.VisitType.PUPIL_PREMIUM,
            ),
        ]
        if officer is not None:
            plans.append((officer, head_school, date(last + 1, 11, 12), VisitReport.VisitType.KIT))
        for visitor, school, when, visit_type in plans:
            visits.append(_visit(visitor, school, when, visit_type))
    if officer is not None and visits:
        services.quality_assure_visit(
            report=visits[0],
            reviewer=officer,
            on=date(last + 1, 10, 20),
            features=dict.fromkeys(_FEATURE_NAMES, True),
            comment="A model report: clear agenda for action with timescales.",
        )
        if len(visits) > 1:
            services.quality_assure_visit(
                report=visits[1],
                reviewer=officer,
                on=date(last + 1, 11, 2),
                features={name: name not in ("challenge", "feeds_risk_register") for name in _FEATURE_NAMES},
                comment="Record the challenge given and send the risk rating to the register.",
            )
    # The head's report is left unacknowledged, for the head to acknowledge in the demo.

    # ---------------------------------------------------------------- success story and support
    _story(context, ks2, dis, baseline, last, officer)
    _engagement(context, head_school, primaries, ks2, dis, baseline, last)
    return {"plans": Plan.objects.filter(la=la).count(), "visits": len(visits)}


_FEATURE_NAMES = [name for name, _ in SEVEN_FEATURES]


def _visit(visitor, school, when, visit_type):
    existing = VisitReport.objects.filter(school=school, adviser=visitor, visit_date=when).first()
    if existing:
        return existing
    return services.record_visit(
        adviser=visitor,
        school=school,
        visit_date=when,
        visit_type=visit_type,
        purpose="Review the progress of disadvantaged pupils and pupils with SEN against the school's gap plan.",
        strengths="Leaders know which pupils are behind and why; tracking is half-termly.",
        areas_for_development="Interventions are not yet evaluated for impact; governors need sharper gap reports.",
        next_visit_date=when + timedelta(days=84),
        judgements=[
            ("Knowing the gaps", Rag.GREEN, "Gaps analysed by group and year."),
            ("Impact of interventions", Rag.AMBER, "Too early to see impact in attainment."),
            ("Use of the pupil premium", Rag.AMBER_GREEN, "Spending linked to needs; report to parents due."),
        ],
        agreed_actions=[
            services.AgreedAction(
                key_action="Evaluate the impact of each intervention at the end of the half term",
                strand=Strand.MIND,
                lead_role="Deputy headteacher",
                due_date=when + timedelta(days=42),
                intended_outcome="Ineffective interventions are changed quickly",
            ),
            services.AgreedAction(
                key_action="Report the disadvantaged gap to governors each term",
                strand=Strand.KNOW,
                lead_role="Headteacher",
                due_date=when + timedelta(days=70),
                intended_outcome="Governors challenge the school on the gap",
            ),
        ],
    )


def _story(context, measure, group, first, last, author):
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


def _engagement(context, partner, primaries, measure, group, baseline, last):
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
    year_before = baseline - 1 if _gap_of(partner, measure, group, baseline - 1) is not None else baseline
    before = _gap_of(partner, measure, group, year_before)
    if before is not None:
        _target(
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
