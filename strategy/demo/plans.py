"""The LA team's plan and the area, cluster, council and partnership plans of the strategy demo."""

from __future__ import annotations

from datetime import date, timedelta

from ..models import Plan, Target
from .rows import AG, AR, A, C, G, K, M, N, R, gap_of, make_action, make_plan, make_target, value_of
from .setting import Setting


def write_la_team_plan(setting: Setting) -> None:
    """The LA school-improvement team's plan (after Suffolk, Narrowing the Gap, Appendix 1): actions in all four
    strands, and LA targets set from the demo figures."""
    la, last, baseline, officer, ks2, att8, gld, dis, sen, autumn, current, primaries = (
        setting.la,
        setting.last,
        setting.baseline,
        setting.officer,
        setting.ks2,
        setting.att8,
        setting.gld,
        setting.dis,
        setting.sen,
        setting.autumn,
        setting.current,
        setting.primaries,
    )
    la_plan = make_plan(
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
    make_action(
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
    make_action(
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
    make_action(
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
    make_action(
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
    make_action(
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
    make_action(
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
    make_action(
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
    make_action(
        la_plan,
        C,
        "Share practice from gap-busting schools through cluster networks",
        lead_role="Cluster leads",
        timescale="Spring term",
        outcome="Every cluster hears from a gap-busting school",
        monitored="Area teams",
    )

    ks2_gap = gap_of(la, ks2, dis, baseline)
    att8_gap = gap_of(la, att8, dis, baseline)
    la_scope = {"la": la}
    if ks2_gap is not None:
        make_target(
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
    make_target(
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
        make_target(
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
    make_target(
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


def write_local_plans(setting: Setting) -> None:
    """Area, cluster, council and partnership plans."""
    context, la, last, baseline, ks2, dis, autumn, current = (
        setting.context,
        setting.la,
        setting.last,
        setting.baseline,
        setting.ks2,
        setting.dis,
        setting.autumn,
        setting.current,
    )
    area = context.areas[0]
    area_plan = make_plan(
        la,
        f"{area.name} area team: narrowing the gap",
        Plan.Level.AREA,
        current,
        current,
        area=area,
        owner_name="Area management team",
    )
    make_action(
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
    make_action(
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
    area_value = value_of(area, ks2, dis, baseline)
    if area_value is not None:
        make_target(
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
    cluster_plan = make_plan(
        la,
        f"{cluster.name}: cluster gap plan",
        Plan.Level.CLUSTER,
        current,
        current,
        cluster=cluster,
        owner_name="Cluster headteachers",
    )
    make_action(
        cluster_plan,
        K,
        "Pool the cluster's gap data and agree one shared priority",
        lead_role="Cluster chair",
        due=autumn + timedelta(days=40),
        outcome="A cluster plan with targets from local and national data",
        monitored="Area management team",
        updates=[(autumn + timedelta(days=42), AG, "Shared priority: KS2 writing.")],
    )
    make_action(
        cluster_plan,
        M,
        "Moderate disadvantaged pupils' writing across the cluster each term",
        lead_role="Cluster English leads",
        timescale="Each term",
        outcome="Reliable tracking of writing",
        monitored="Cluster headteachers",
    )
    cluster_value = value_of(cluster, ks2, dis, baseline)
    if cluster_value is not None:
        make_target(
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

    council_plan = make_plan(
        la,
        f"{la.name} Council: child poverty and the gaps",
        Plan.Level.COUNCIL,
        last + 1,
        current,
        owner_name="Children's trust board",
    )
    make_action(
        council_plan,
        K,
        "Support the development of the council's child poverty action plan",
        lead_role="Director of children's services",
        timescale="This year",
        outcome="A council-wide plan to reduce child poverty",
        monitored="Children's trust board",
    )
    partnership_plan = make_plan(
        la,
        "Children's partnership board: narrowing the gap",
        Plan.Level.PARTNERSHIP,
        last + 1,
        last + 2,
        owner_name="Children's partnership board",
    )
    make_action(
        partnership_plan,
        C,
        "Communications plan so residents know the narrowing the gap aims",
        lead_role="Communications lead",
        timescale="Spring–summer",
        outcome="Residents aware of the aims",
        monitored="Children's partnership board",
        updates=[(autumn + timedelta(days=28), AR, "Draft plan delayed by the consultation timetable.")],
    )
