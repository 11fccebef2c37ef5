"""Writes that keep the strategy app's invariants. Keyword-only, atomic.

* A visit report stores a snapshot of the school's gap figures as they stood, so later imports do not
  rewrite what was discussed; the actions agreed at the visit land on the school's plan.
* An action's status is its latest dated update: updates are appended, never edited.
* Quality assurance records the seven features of a good SIP report (DCSF quality standards (2009), 2.4)
  and whether all are met.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from schools.disclosure import disclose, needed_groups, partitions_of
from schools.figures import figures, national_figures_by_basis, national_for
from schools.gaps import MISSING, gap
from schools.models import Measure, PupilGroup, School
from schools.selectors import pupil_groups

from .models import (
    SEVEN_FEATURES,
    Action,
    ActionUpdate,
    Plan,
    Rag,
    Strand,
    SuccessStory,
    VisitJudgement,
    VisitQualityAssurance,
    VisitReport,
    year_label,
)

DEFAULT_SNAPSHOT_GROUPS = ("disadvantaged", "fsm", "sen_any", "eal")
SNAPSHOT_LOOKBACK = 6  # results years before the visit searched for the latest figures


def academic_results_year(day: date) -> int:
    """The results year of the academic year a date falls in (September starts a new one)."""
    return day.year + 1 if day.month >= 9 else day.year


# --------------------------------------------------------------------------- gap snapshot
def _disclosed_for_everyone(found: dict) -> dict:
    """Figures as roles that must not see small cohorts see them (``schools.disclosure.disclose``)."""
    return disclose(
        found,
        viewer_sees_small_cohorts=False,
        partitions=partitions_of(pupil_groups()),
    )


def _needed(codes) -> set[str]:
    return needed_groups(codes, partitions_of(pupil_groups()))


def gap_snapshot(school: School, *, as_of: date, measures=None, groups=None) -> list[dict]:
    """The school's gaps for each (measure, focus group): the latest results year up to ``as_of`` with a gap,
    the year before it, and the national gap for that year. Plain JSON, frozen into the report.

    The figures are stored as they were (LA officers see them); ``suppressed`` and ``previous_suppressed``
    record whether ``schools.disclosure.disclose`` hid them from everyone else that day."""
    if measures is None:
        measures = list(Measure.objects.filter(headline=True))
    if groups is None:
        groups = list(PupilGroup.objects.filter(code__in=DEFAULT_SNAPSHOT_GROUPS).select_related("comparison"))
    groups = [g for g in groups if g.comparison_id]
    if not measures or not groups:
        return []
    last = academic_results_year(as_of)
    # Results of the current academic year arrive in July: before then the latest is last year's.
    if as_of < date(last, 7, 15):
        last -= 1
    years = list(range(last - SNAPSHOT_LOOKBACK, last + 1))
    codes = {g.code for g in groups} | {g.comparison.code for g in groups}
    measure_codes = {m.code for m in measures}
    here = figures(school, measures=measure_codes, groups=_needed(codes), years=years)
    shown = _disclosed_for_everyone(here)
    _basis, national = national_for(
        school, national_figures_by_basis(measures=measure_codes, groups=codes, years=years)
    )  # special schools and AP: their own type only

    def hidden(year, measure, group):
        return any(
            shown.get((year, measure.code, code), MISSING).suppressed for code in (group.code, group.comparison.code)
        )

    rows = []
    for measure in measures:
        for group in groups:
            series = []
            for year in years:
                focus = here.get((year, measure.code, group.code))
                comparison = here.get((year, measure.code, group.comparison.code))
                value = gap(measure, focus, comparison)
                if value is not None and focus is not None and comparison is not None:
                    series.append((year, focus, comparison, value))
            if not series:
                continue
            year, focus, comparison, value = series[-1]
            previous = series[-2] if len(series) > 1 else None
            national_gap = gap(
                measure,
                national.get((year, measure.code, group.code)),
                national.get((year, measure.code, group.comparison.code)),
            )
            rows.append(
                {
                    "measure": measure.code,
                    "measure_name": measure.short_name or measure.name,
                    "unit": measure.unit,
                    "higher_is_better": measure.higher_is_better,
                    "group": group.code,
                    "group_name": group.name,
                    "comparison": group.comparison.code,
                    "comparison_name": group.comparison.name,
                    "year": year,
                    "focus_value": focus.value,
                    "focus_cohort": focus.cohort,
                    "comparison_value": comparison.value,
                    "comparison_cohort": comparison.cohort,
                    "gap": round(value, 2),
                    "previous_year": previous[0] if previous else None,
                    "previous_gap": round(previous[3], 2) if previous else None,
                    "national_gap": round(national_gap, 2) if national_gap is not None else None,
                    "suppressed": hidden(year, measure, group),
                    "previous_suppressed": hidden(previous[0], measure, group) if previous else False,
                }
            )
    return rows


# --------------------------------------------------------------------------- plans and actions
def school_plan_for(school: School, *, results_year: int, owner=None) -> Plan:
    """The school's plan covering ``results_year``: its active (else draft) plan, created if there is none."""
    plans = Plan.objects.filter(
        school=school, level=Plan.Level.SCHOOL, start_year__lte=results_year, end_year__gte=results_year
    ).exclude(status=Plan.Status.CLOSED)
    plan = plans.filter(status=Plan.Status.ACTIVE).order_by("-start_year").first() or plans.first()
    if plan is None:
        title = f"{school.name}: narrowing the gap {year_label_short(results_year)}"
        plan, _ = Plan.objects.get_or_create(
            la=school.la,
            title=title,
            defaults=dict(
                level=Plan.Level.SCHOOL,
                school=school,
                start_year=results_year,
                end_year=results_year,
                status=Plan.Status.ACTIVE,
                owner_name="Headteacher and senior leadership team",
                owner=owner,
            ),
        )
    return plan


def year_label_short(results_year: int) -> str:
    return year_label(results_year)


@transaction.atomic
def record_update(*, action: Action, rag: str, note: str, on: date, by=None) -> ActionUpdate:
    """Append a dated RAG update; the latest one becomes the action's status."""
    if rag not in Rag.values:
        raise ValidationError({"rag": f"{rag!r} is not a RAG rating."})
    if not note.strip():
        raise ValidationError({"note": "Say what happened."})
    if on > date.today():
        raise ValidationError({"date": "An update cannot be dated in the future."})
    return ActionUpdate.objects.create(action=action, rag=rag, note=note.strip(), date=on, recorded_by=by)


# --------------------------------------------------------------------------- visits
@dataclass
class AgreedAction:
    key_action: str
    strand: str = Strand.NARROW
    lead_role: str = ""
    due_date: date | None = None
    intended_outcome: str = ""


@transaction.atomic
def record_visit(
    *,
    adviser,
    school: School,
    visit_date: date,
    visit_type: str,
    purpose: str,
    strengths: str = "",
    areas_for_development: str = "",
    next_visit_date: date | None = None,
    judgements=(),
    agreed_actions=(),
    measures=None,
    groups=None,
) -> VisitReport:
    """Record a visit: freeze the gap figures, add the RAG judgements, and put the agreed actions on the
    school's plan for that academic year (created if it has none)."""
    report = VisitReport(
        school=school,
        adviser=adviser,
        visit_date=visit_date,
        visit_type=visit_type,
        purpose=purpose,
        strengths=strengths,
        areas_for_development=areas_for_development,
        next_visit_date=next_visit_date,
    )
    report.full_clean()
    report.gap_snapshot = gap_snapshot(school, as_of=visit_date, measures=measures, groups=groups)
    report.snapshot_taken_at = timezone.now()
    report.save()
    for focus_area, rag, comment in judgements:
        judgement = VisitJudgement(report=report, focus_area=focus_area, rag=rag, comment=comment)
        judgement.full_clean(exclude=["report"])
        judgement.save()
    agreed = [a for a in agreed_actions if a.key_action.strip()]
    if agreed:
        plan = school_plan_for(school, results_year=academic_results_year(visit_date))
        for item in agreed:
            action = Action(
                plan=plan,
                strand=item.strand,
                key_action=item.key_action.strip(),
                lead_role=item.lead_role,
                due_date=item.due_date,
                intended_outcome=item.intended_outcome,
                monitored_by=f"Adviser ({adviser.get_full_name() or adviser.username})",
                source_visit=report,
            )
            action.full_clean(exclude=["plan", "source_visit"])
            action.save()
            action.schools.add(school)
    return report


@transaction.atomic
def acknowledge_visit(*, report: VisitReport, head, comment: str = "") -> VisitReport:
    """The headteacher's acknowledgement. Only the school's own head may acknowledge, once."""
    from .selectors import can_acknowledge

    if not can_acknowledge(head, report):
        raise PermissionDenied("Only the school's headteacher can acknowledge its visit reports.")
    if report.acknowledged_at:
        raise ValidationError("This report has already been acknowledged.")
    report.acknowledged_by = head
    report.acknowledged_at = timezone.now()
    report.head_comment = comment.strip()
    report.save(update_fields=["acknowledged_by", "acknowledged_at", "head_comment"])
    return report


@transaction.atomic
def quality_assure_visit(
    *, report: VisitReport, reviewer, features: dict[str, bool], comment: str = "", on: date | None = None
) -> VisitQualityAssurance:
    """Record (or revise) the LA's check of a report against the seven features."""
    from .selectors import can_quality_assure

    if not can_quality_assure(reviewer):
        raise PermissionDenied("Only LA officers quality-assure visit reports.")
    unknown = set(features) - {name for name, _ in SEVEN_FEATURES}
    if unknown:
        raise ValidationError(f"Unknown features: {', '.join(sorted(unknown))}.")
    qa, _ = VisitQualityAssurance.objects.get_or_create(
        report=report, defaults=dict(reviewer=reviewer, reviewed_on=on or date.today())
    )
    qa.reviewer, qa.reviewed_on, qa.comment = reviewer, on or date.today(), comment.strip()
    for name, _label in SEVEN_FEATURES:
        setattr(qa, name, bool(features.get(name, False)))
    qa.save()
    return qa


# --------------------------------------------------------------------------- celebrate
def story_gaps(
    school: School, measure: Measure, group: PupilGroup, comparison: PupilGroup, from_year: int, to_year: int
) -> tuple[float | None, float | None]:
    """The school's gap at the start and end of a story, from the imported figures as everyone may see them
    (a published story is read by every role): None where either group is hidden."""
    found = figures(
        school, measures=[measure.code], groups=_needed([group.code, comparison.code]), years=[from_year, to_year]
    )
    found = _disclosed_for_everyone(found)
    start, end = (
        gap(measure, found.get((year, measure.code, group.code)), found.get((year, measure.code, comparison.code)))
        for year in (from_year, to_year)
    )
    return start, end


def suggest_story_years(
    school: School, measure: Measure, group: PupilGroup, comparison: PupilGroup, *, span: int = 6
) -> tuple[int | None, int | None]:
    """(first, last) results years with a gap within the last ``span`` years of the school's figures."""
    last = academic_results_year(date.today())
    years = list(range(last - span - 2, last + 1))
    found = figures(school, measures=[measure.code], groups=_needed([group.code, comparison.code]), years=years)
    found = _disclosed_for_everyone(found)
    with_gap = [
        y
        for y in years
        if gap(measure, found.get((y, measure.code, group.code)), found.get((y, measure.code, comparison.code)))
        is not None
    ]
    if len(with_gap) < 2:
        return None, None
    with_gap = with_gap[-(span):]
    return with_gap[0], with_gap[-1]


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.2f}")


@transaction.atomic
def save_story(*, story: SuccessStory, by=None) -> SuccessStory:
    """Fill the story's gaps from the figures and stamp the publication date."""
    gap_before, gap_after = story_gaps(
        story.school, story.measure, story.pupil_group, story.comparison_group, story.from_year, story.to_year
    )
    story.gap_before = _decimal(gap_before)
    story.gap_after = _decimal(gap_after)
    if story.published and not story.published_on:
        story.published_on = date.today()
    if not story.published:
        story.published_on = None
    if by is not None and story.created_by_id is None:
        story.created_by = by
    story.full_clean()
    story.save()
    return story
