"""Demo self-evaluation: two rounds (the later one is the "Any Borough" grid of the DCSF quality standards
(2009)), evidence, and a strategic plan board after Cheshire East's Raising Achievement Strategic Plan.
Idempotent: a round that exists is left as it is.

Every grade goes through ``services.record_judgement``, so the demo obeys the same rules as users:
ticks, figures and linked evidence are chosen so the grade is allowed, never forced in.
"""

from __future__ import annotations

from datetime import date, timedelta

from strategy.models import Target

from . import models, services
from .models import Descriptor, EvidenceItem, Grade, Judgement, Round
from .selectors import grid

SETS = ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4", "2.5"]
# DCSF quality standards (2009), "How the dashboard works": Local authority: Any Borough.
ANY_BOROUGH = {
    "EY": ["G", "G", "OS", "N/A", "NI", "G", "N/A", "N/A", "G", "SI"],
    "PRI": ["NI", "NI", "G", "G", "G", "NI", "G", "G", "G", "G"],
    "SEC": ["G", "G", "OS", "G", "G", "NI", "G", "NI", "G", "G"],
}
ANY_BOROUGH_OVERALL = {  # (phase, RAG) -> grade; phase "" is the Overall row
    ("EY", 1): "G",
    ("EY", 2): "NI",
    ("PRI", 1): "NI",
    ("PRI", 2): "G",
    ("SEC", 1): "G",
    ("SEC", 2): "NI",
    ("", 1): "G",
    ("", 2): "NI",
}
# The year before: weaker in places, so comparing rounds shows what changed.
EARLIER = {
    "EY": ["NI", "G", "G", "N/A", "NI", "NI", "N/A", "N/A", "NI", "SI"],
    "PRI": ["NI", "NI", "G", "NI", "G", "NI", "G", "NI", "G", "NI"],
    "SEC": ["G", "NI", "G", "G", "NI", "NI", "G", "NI", "NI", "G"],
}
# Cells where the LA judged itself better than the reviewer did (ticks support the LA's grade).
LA_MORE_GENEROUS = {("PRI", "1.1"): "G", ("SEC", "2.3"): "G"}

BAND_FIGURES = {
    "OS": {"targets_in_line_pct": 97, "ey_targets": "exceed_both"},
    "G": {"targets_in_line_pct": 86, "ey_targets": "meet_both"},
    "NI": {"targets_in_line_pct": 68, "ey_targets": "meet_one"},
    "SI": {"targets_in_line_pct": 42, "ey_targets": "meet_neither"},
}
EVIDENCE = [
    # title, kind, strength ("" = process evidence), summary
    (
        "Disadvantaged attainment analysis, KS2 and KS4",
        EvidenceItem.Kind.DATA,
        "substantial",
        "LA disadvantaged pupils against national other pupils over three years: the KS2 gap narrowed in each of the "
        "last two years in schools that received targeted support.",
    ),
    (
        "Targeted support outcomes review",
        EvidenceItem.Kind.DATA,
        "evidence",
        "Schools receiving targeted consultant support improved RWM at the expected standard faster than others.",
    ),
    (
        "SIP report quality-assurance sample",
        EvidenceItem.Kind.QA,
        "evidence",
        "Termly sample of SIP reports checked against the seven features; findings fed back to advisers.",
    ),
    (
        "Headteacher survey on challenge and support",
        EvidenceItem.Kind.SURVEY,
        "",
        "Most headteachers value adviser visits; few could say how support is matched to need.",
    ),
    (
        "Schools causing concern policy",
        EvidenceItem.Kind.POLICY,
        "",
        "Published criteria for categorising schools and the LA's use of its powers.",
    ),
    (
        "Early years quality improvement visits",
        EvidenceItem.Kind.VISIT,
        "evidence",
        "Settings visited by early years consultants improved their EYFS profile results more than others.",
    ),
]


def _ticks_for(descriptors: list[Descriptor], grade: str) -> list[Descriptor]:
    """Criteria that make ``grade`` allowed: the Good column (and Outstanding's own) for the top grades;
    the weaknesses of the grade's column, and a checklist short by the right number, for the lower ones."""
    manual = [d for d in descriptors if not d.is_automatic]
    if grade in (Grade.OUTSTANDING, Grade.GOOD):
        columns = {"G", "OS"} if grade == Grade.OUTSTANDING else {"G"}
        return [d for d in manual if d.column in columns]
    ticks = [d for d in manual if d.column == grade and d.rule == Descriptor.Rule.STATEMENT]
    for checklist in (d for d in descriptors if d.rule == Descriptor.Rule.CHECKLIST):
        items = [d for d in manual if d.parent_id == checklist.pk]
        keep = len(items) - 1 if grade == Grade.SOME_IMPROVEMENT else 1
        ticks += items[:keep]
    return ticks


def _evidence(la, officer):
    items = {}
    for index, (title, kind, strength, summary) in enumerate(EVIDENCE):
        item, _ = EvidenceItem.objects.get_or_create(
            la=la,
            title=title,
            defaults=dict(
                kind=kind,
                date=date(2025, 7, 1) - timedelta(days=30 * index),
                summary=summary,
                link=f"https://intranet.example.org/school-improvement/evidence/{index + 1}",
                shows_impact=bool(strength),
                impact_strength=strength,
                added_by=officer,
            ),
        )
        items[strength or "process"] = items.get(strength or "process") or item
    return items


def _judge(round_: Round, grades: dict, *, user, evidence: dict, generous: dict) -> None:
    judgements = {
        (j.standard_set.code, j.phase): j
        for j in round_.judgements.select_related("standard_set__framework").prefetch_related(
            "standard_set__descriptors"
        )
    }
    for phase, row in grades.items():
        for code, grade in zip(SETS, row, strict=True):
            j = judgements[(code, phase)]
            if grade == "N/A":
                assert j.not_applicable, f"{code} {phase} should be N/A"
                continue
            la_grade = generous.get((phase, code), grade)
            best = min((la_grade, grade), key=lambda g: "OS G NI SI".split().index(g))
            descriptors = [d for d in j.standard_set.descriptors.all() if d.applies_to(phase)]
            item = (
                evidence["substantial"]
                if best == "OS"
                else evidence["evidence"]
                if best == "G"
                else evidence["process"]
            )
            item.judgements.add(j)
            services.record_judgement(
                judgement=j,
                user=user,
                la_grade=la_grade,
                reviewer_grade=grade,
                ticked=_ticks_for(descriptors, best),
                metrics=BAND_FIGURES[best],
                rationale=_rationale(code, phase, grade, la_grade),
                strengths=_strengths(grade),
                areas_for_improvement=_areas(grade),
            )


def _rationale(code, phase, grade, la_grade):
    words = dict(Grade.choices)
    text = f"{code} ({phase}): judged {words[grade]} against the criteria ticked and the linked evidence."
    if la_grade != grade:
        text += f" The LA judged {words[la_grade]}; the reviewer found the impact on outcomes not yet secure."
    return text


def _strengths(grade):
    return {
        "OS": "Practice is highly effective and has substantial evidence of impact.",
        "G": "Practice is effective and there is evidence of impact on outcomes.",
        "NI": "Some effective practice; systems are in place.",
        "SI": "Committed staff; early work has begun.",
    }[grade]


def _areas(grade):
    return {
        "OS": "Share practice with other LAs.",
        "G": "Secure the impact across all providers.",
        "NI": "Show the impact on outcomes, not only the process.",
        "SI": "Put basic systems in place and quality-assure them.",
    }[grade]


def _overall(round_: Round, grades: dict, *, user) -> None:
    for rating in round_.overall_ratings.select_related("key_rating"):
        grade = grades.get((rating.phase, rating.key_rating.number), "")
        services.record_overall(
            rating=rating,
            user=user,
            la_grade=grade,
            reviewer_grade=grade,
            rationale="Agreed in the improvement dialogue." if grade else "",
        )


def _plan_board(context, officer):
    la = context.la
    areas = {
        title: models.PriorityArea.objects.get_or_create(la=la, title=title, defaults={"order": i})[0]
        for i, title in enumerate(["Vulnerable groups", "School improvement", "Business links and employability"], 1)
    }
    workstreams = [
        (
            "Vulnerable groups",
            "Improving the outcomes for disadvantaged pupils",
            "amber-green",
            "Disadvantaged pupils are further behind other pupils than nationally, especially at key stage 4.",
            "a. Appoint Pupil Premium leads.\nb. Pupil Premium champions in all schools, including governors.\n"
            "c. Commission Pupil Premium reviews.\nd. Establish similar structures at key stage 2.",
            "A reduction in the key stage 4 gap to below the national gap.",
            "Gap narrowed in most targeted schools; not yet below national.",
            "Termly gap tracking in project schools.",
            "Extend the network to primary schools.",
        ),
        (
            "Vulnerable groups",
            "Alternative provision placements",
            "red",
            "Not all alternative provision placements are known to the LA.",
            "a. Update the directory of alternative provision providers.\nb. Quality-assure placements.",
            "All alternative provision placements are known and are safe.",
            "Directory started; a quarter of placements still unverified.",
            "Placement audit.",
            "Complete the directory; termly checks.",
        ),
        (
            "School improvement",
            "Monitoring and intervention team",
            "green",
            "Schools need support and challenge matched to their level of need.",
            "a. Categorise every school (universal, targeted, targeted plus, intensive).\n"
            "b. Risk-assess schools approaching inspection.",
            "The percentage of schools judged good or outstanding moves above 90%.",
            "All schools categorised; visits matched to category.",
            "Categorisation records; visit notes.",
            "Make the categorisation criteria visible to schools.",
        ),
    ]
    for order, (area, title, rag, need, interventions, impact, narrative, evidence, next_) in enumerate(workstreams, 1):
        models.Workstream.objects.get_or_create(
            priority_area=areas[area],
            title=title,
            defaults=dict(
                order=order,
                analysis_of_need=need,
                interventions=interventions,
                intended_impact=impact,
                rag=rag,
                rag_narrative=narrative,
                evidence=evidence,
                next_priorities=next_,
                updated_by=officer,
            ),
        )
    linked = (
        Target.objects.filter(la=la, school__isnull=True, area__isnull=True, cluster__isnull=True)
        .order_by("pk")
        .first()
    )
    targets = [
        ("Close the gap between disadvantaged pupils and others", linked, "", "Gap tracked each year from results."),
        (
            "Over 90% of schools are judged good or outstanding",
            None,
            "amber-green",
            "Most schools are good or better; four are being supported to good.",
        ),
    ]
    for order, (text, target, judged, evidence) in enumerate(targets, 1):
        models.StrategicTarget.objects.get_or_create(
            la=la,
            text=text,
            defaults=dict(
                order=order,
                target_year=f"{context.years[-1] + 1}/{(context.years[-1] + 2) % 100:02d}",
                strategy_target=target,
                judged_on_track=judged if target is None else "",
                evidence=evidence,
            ),
        )


def generate(context) -> None:
    framework = models.Framework.objects.filter(is_active=True).order_by("-version").first()
    if framework is None:
        return
    users = context.users
    officer, admin = users.get("officer"), users.get("admin")
    if officer is None or admin is None:
        return
    la = context.la
    last = max(context.years)
    evidence = _evidence(la, officer)
    for year, grades, overall, generous in (
        (last - 1, EARLIER, None, {}),
        (last, ANY_BOROUGH, ANY_BOROUGH_OVERALL, LA_MORE_GENEROUS),
    ):
        label = f"{year}/{(year + 1) % 100:02d} autumn"
        if Round.objects.filter(la=la, label=label).exists():
            continue
        round_ = services.start_round(
            la=la, label=label, as_of=date(year, 10, 15), user=officer, framework=framework, reviewer=admin
        )
        _judge(round_, grades, user=admin, evidence=evidence, generous=generous)
        if overall is None:
            suggested = {}
            for row in grid(round_, "reviewer").rows:
                if row.kind != "phase":
                    for cell in row.cells:
                        suggested[(row.phase, cell.key_rating.number)] = cell.suggested or ""
            overall = suggested
        _overall(round_, overall, user=admin)
        Round.objects.filter(pk=round_.pk).update(status=Round.Status.AGREED)
    _plan_board(context, officer)
    context.stats["ragboard_rounds"] = Round.objects.filter(la=la).count()
    context.stats["ragboard_judgements"] = Judgement.objects.filter(round__la=la).exclude(reviewer_grade="").count()
    context.stats["ragboard_overall"] = models.OverallRating.objects.filter(round__la=la).count()
