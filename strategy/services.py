"""Writes that keep the strategy app's invariants. Keyword-only, atomic.

* A visit report stores the school's figures as they stood (``strategy.visits``: one results year per
  measure, disclosed), so later imports do not rewrite what was discussed; its focus areas come from the
  flagged gaps or free text; the last visit's actions are reviewed (a dated update each); the actions agreed
  at the visit land on the school's plan.
* An action's status is its latest dated update: updates are appended, never edited.
* Quality assurance records the seven features of a good SIP report of the DCSF National Strategies
  "Quality standards and criteria for LA self-evaluation" (2009, standard 2.4) and whether all are met.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from schools.disclosure import disclose, needed_groups, partitions_of
from schools.figures import figures
from schools.gaps import gap
from schools.models import Measure, PupilGroup, School
from schools.selectors import pupil_groups

from . import access
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
from .visits import (
    academic_results_year,
    focus_area_for,
    focus_choices,
    visit_figures,
)

__all__ = ["academic_results_year"]


def _disclosed_for_everyone(found: dict) -> dict:
    """Figures as roles that must not see small cohorts see them (``schools.disclosure.disclose``)."""
    return disclose(
        found,
        viewer_sees_small_cohorts=False,
        partitions=partitions_of(pupil_groups()),
    )


def _needed(codes) -> set[str]:
    return needed_groups(codes, partitions_of(pupil_groups()))


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


def new_plan_initial(user, today: date) -> dict:
    """A new plan's starting values: this academic year's results and the next, in draft; a head's school plan."""
    year = academic_results_year(today)
    initial = {"start_year": year, "end_year": year + 1, "status": Plan.Status.DRAFT}
    school = access.head_school(user)
    if school is not None:
        initial.update(level=Plan.Level.SCHOOL, school=school)
    return initial


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


@dataclass
class ActionReview:
    action: Action
    rag: str
    note: str = ""


def review_actions(reviews, *, on: date, by, visit_label: str) -> list:
    """Record a dated update for each reviewed action whose RAG changed or that has a note; the latest update
    is the action's status, so its RAG changes in place on the plan and every page that shows it."""
    made = []
    for review in reviews:
        if not review.rag or (review.rag == review.action.rag and not review.note.strip()):
            continue
        note = review.note.strip() or f"Reviewed at the {visit_label}."
        made.append(record_update(action=review.action, rag=review.rag, note=note, on=on, by=by))
    return made


@dataclass
class FocusAreas:
    """This visit's focus areas: flagged gaps picked (keys of the stored figures) and free text, one a line."""

    gaps: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


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
    focus: FocusAreas | None = None,
    reviews=(),
    agreed_actions=(),
    measures=None,
    groups=None,
) -> VisitReport:
    """Record a visit: freeze the school's figures (``strategy.visits.visit_figures``), add the focus areas
    (flagged gaps picked, free text, RAG judgements), record the review of the last visit's actions, and put
    the actions agreed now on the school's plan for that academic year (created if it has none)."""
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
    report.gap_snapshot = visit_figures(school, as_of=visit_date, measures=measures, groups=groups)
    report.snapshot_taken_at = timezone.now()
    report.save()
    add_focus_areas(report=report, focus=focus or FocusAreas(), judgements=judgements)
    review_actions(reviews, on=visit_date, by=adviser, visit_label=f"visit on {visit_date:%-d %b %Y}")
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


def add_focus_areas(*, report: VisitReport, focus: FocusAreas, judgements=()) -> list[VisitJudgement]:
    """Focus areas picked from the report's flagged gaps (worded from its stored figures), free-text ones,
    and (focus area, RAG, comment) judgements. A gap not flagged in the stored figures is refused."""
    flagged = {key for key, _label in visit_focus_choices(report)}
    unknown = [key for key in focus.gaps if key not in flagged]
    if unknown:
        raise ValidationError(f"Not a flagged gap in this report's figures: {', '.join(unknown)}.")
    taken = {j.gap for j in report.judgements.all() if j.gap}
    items = [(focus_area_for(report.gap_snapshot, key), key, "", "") for key in focus.gaps if key not in taken]
    items += [(text.strip()[:160], "", "", "") for text in focus.other if text.strip()]
    items += [(area, "", rag, comment) for area, rag, comment in judgements]
    made = []
    for area, key, rag, comment in items:
        judgement = VisitJudgement(report=report, focus_area=area, gap=key, rag=rag, comment=comment)
        judgement.full_clean(exclude=["report"])
        judgement.save()
        made.append(judgement)
    return made


def visit_focus_choices(report: VisitReport) -> list[tuple[str, str]]:
    """The flagged gaps of the report's stored figures, as focus areas to pick."""
    return focus_choices(report.gap_snapshot)


@transaction.atomic
def update_visit(*, report: VisitReport, by, details: dict, focus: FocusAreas, judged=(), reviews=()) -> VisitReport:
    """The adviser's corrections before the head acknowledges: the visit's details, its focus areas (added,
    judged — ``judged`` is (judgement, rag, comment, delete) — or removed), and further reviews of the last
    visit's actions. The stored figures are not retaken."""
    if not access.can_edit_visit(by, report):
        raise PermissionDenied("Only the report's adviser can change it, until the headteacher acknowledges it.")
    for name, value in details.items():
        setattr(report, name, value)
    report.full_clean()
    report.save()
    for judgement, rag, comment, delete in judged:
        if judgement.report_id != report.pk:
            raise ValidationError("That focus area belongs to another report.")
        if delete:
            judgement.delete()
            continue
        judgement.rag, judgement.comment = rag, comment
        judgement.full_clean(exclude=["report"])
        judgement.save()
    add_focus_areas(report=report, focus=focus)
    review_actions(reviews, on=report.visit_date, by=by, visit_label=f"visit on {report.visit_date:%-d %b %Y}")
    return report


@transaction.atomic
def acknowledge_visit(*, report: VisitReport, head, comment: str = "") -> VisitReport:
    """The headteacher's acknowledgement. Only the school's own head may acknowledge, once."""
    if not access.can_acknowledge(head, report):
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
    if not access.can_quality_assure(reviewer):
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
    story._history_user = by  # type: ignore[attr-defined]  # read by simple_history when the story is saved
    story.save()
    return story


def write_story(*, data: dict, by, story: SuccessStory | None = None) -> SuccessStory:
    """A new story (or ``story`` changed) from the story form's fields, saved through ``save_story``."""
    story = story or SuccessStory()
    for name, value in data.items():
        setattr(story, name, value)
    return save_story(story=story, by=by)
