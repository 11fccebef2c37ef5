"""Strategy pages: parse the request, authorise through ``strategy.access``, call one selector or service,
render. Anything outside the user's scope is a 404 (the selectors' get_* functions); anything the user may
see but not change is a 403 (``access.require``)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from schools.access import default_la, get_visible_school, sees_small_cohorts, visible_schools
from schools.gaps import suppression_threshold

from . import access, selectors, services
from .forms import (
    AcknowledgeForm,
    ActionForm,
    ActionUpdateForm,
    AgreedActionFormSet,
    EngagementForm,
    JudgementFormSet,
    MilestoneForm,
    PlanForm,
    QualityAssuranceForm,
    StoryForm,
    TargetForm,
    VisitForm,
)
from .models import SEVEN_FEATURES, Strand, VisitQualityAssurance, year_label
from .tables import PlanTable, VisitTable


# --------------------------------------------------------------------------- home and plans
@login_required
def home(request):
    """The four strands across the plans the user may see, and the overdue or red actions in one list."""
    today = date.today()
    context = selectors.home(request.user, today)
    context.update(today=today, can_create=access.can_create_plans(request.user))
    return render(request, "strategy/home.html", context)


@login_required
def plan_list(request):
    table = PlanTable(selectors.visible_plans(request.user).order_by("level", "title"))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request, "strategy/plan_list.html", {"table": table, "can_create": access.can_create_plans(request.user)}
    )


@login_required
def plan_detail(request, pk):
    plan = selectors.get_visible_plan(request.user, pk)
    today = date.today()
    context = selectors.plan_page(request.user, plan, today)
    context.update(plan=plan, can_edit=access.can_edit_plan(request.user, plan), today=today)
    return render(request, "strategy/plan_detail.html", context)


@login_required
def plan_create(request):
    access.require(access.can_create_plans(request.user))
    la = access.plan_la(request.user)
    initial = services.new_plan_initial(request.user, date.today())
    form = PlanForm(request.POST or None, user=request.user, la=la, initial=initial)
    if request.method == "POST" and form.is_valid():
        plan = services.create_plan(plan=form.save(commit=False), owner=request.user)
        messages.success(request, f"Plan “{plan.title}” created.")
        return redirect(plan)
    return render(
        request, "strategy/form.html", {"form": form, "title": "New gap action plan", "back": "strategy:plans"}
    )


@login_required
def plan_edit(request, pk):
    plan = selectors.get_visible_plan(request.user, pk)
    access.require(access.can_edit_plan(request.user, plan))
    form = PlanForm(request.POST or None, instance=plan, user=request.user, la=plan.la)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Plan saved.")
        return redirect(plan)
    return render(request, "strategy/form.html", {"form": form, "title": f"Edit {plan.title}", "object": plan})


# --------------------------------------------------------------------------- actions
@login_required
def action_create(request, pk):
    plan = selectors.get_visible_plan(request.user, pk)
    access.require(access.can_edit_plan(request.user, plan))
    initial = {"strand": request.GET.get("strand")} if request.GET.get("strand") in Strand.values else {}
    form = ActionForm(request.POST or None, user=request.user, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        action = form.save()
        messages.success(request, "Action added.")
        return redirect(action.plan)
    return render(request, "strategy/form.html", {"form": form, "title": f"New action on {plan.title}", "object": plan})


@login_required
def action_detail(request, pk):
    action = selectors.get_visible_action(request.user, pk)
    can_edit = access.can_edit_plan(request.user, action.plan)
    context = selectors.action_page(action)
    context.update(can_edit=can_edit, form=ActionUpdateForm() if can_edit else None)
    return render(request, "strategy/action_detail.html", context)


@login_required
def action_edit(request, pk):
    action = selectors.get_visible_action(request.user, pk)
    access.require(access.can_edit_plan(request.user, action.plan))
    form = ActionForm(request.POST or None, instance=action, user=request.user, plan=action.plan)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Action saved.")
        return redirect(action)
    return render(request, "strategy/form.html", {"form": form, "title": "Edit action", "object": action})


@login_required
@require_POST
def action_update(request, pk):
    action = selectors.get_visible_action(request.user, pk)
    access.require(access.can_edit_plan(request.user, action.plan))
    form = ActionUpdateForm(request.POST)
    if form.is_valid():
        services.record_update(
            action=action,
            rag=form.cleaned_data["rag"],
            note=form.cleaned_data["note"],
            on=form.cleaned_data["date"],
            by=request.user,
        )
        messages.success(request, "Update recorded.")
        return redirect(action)
    context = selectors.action_page(action)
    context.update(can_edit=True, form=form)
    return render(request, "strategy/action_detail.html", context, status=400)


# --------------------------------------------------------------------------- targets
@login_required
def target_list(request):
    targets = selectors.with_status(request.user, selectors.visible_targets(request.user).order_by("target_year", "pk"))
    return render(request, "strategy/target_list.html", {"targets": targets})


@login_required
def target_detail(request, pk):
    target = selectors.get_visible_target(request.user, pk)
    status = selectors.target_status(request.user, target)
    can_edit = access.can_edit_target(request.user, target)
    return render(
        request,
        "strategy/target_detail.html",
        {
            "target": target,
            "status": status,
            "can_edit": can_edit,
            "milestone_form": MilestoneForm() if can_edit else None,
        },
    )


def _target_form(request, *, scope, plan=None, engagement=None, back):
    form = TargetForm(request.POST or None, scope=scope, plan=plan, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        target = form.save()
        messages.success(request, "Target added. Its status is computed from the imported results.")
        return redirect(target)
    return render(request, "strategy/form.html", {"form": form, "title": f"New target for {scope}", "object": back})


@login_required
def target_create(request, pk):
    plan = selectors.get_visible_plan(request.user, pk)
    access.require(access.can_edit_plan(request.user, plan))
    return _target_form(request, scope=plan.scope, plan=plan, back=plan)


@login_required
def objective_create(request, pk):
    engagement = selectors.get_visible_engagement(request.user, pk)
    access.require(access.can_manage_support(request.user))
    return _target_form(request, scope=engagement.partner_school, engagement=engagement, back=engagement)


@login_required
def target_edit(request, pk):
    target = selectors.get_visible_target(request.user, pk)
    access.require(access.can_edit_target(request.user, target))
    form = TargetForm(request.POST or None, instance=target, scope=target.scope)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Target saved.")
        return redirect(target)
    return render(request, "strategy/form.html", {"form": form, "title": "Edit target", "object": target})


@login_required
@require_POST
def milestone_create(request, pk):
    target = selectors.get_visible_target(request.user, pk)
    access.require(access.can_edit_target(request.user, target))
    form = MilestoneForm(request.POST)
    if form.is_valid():
        services.add_milestone(target=target, **form.cleaned_data)
        messages.success(request, "Milestone added.")
        return redirect(target)
    context = {"target": target, "status": selectors.target_status(request.user, target), "can_edit": True}
    return render(request, "strategy/target_detail.html", {**context, "milestone_form": form}, status=400)


# --------------------------------------------------------------------------- visits
@login_required
def visit_list(request):
    visits = selectors.visible_visits(request.user)
    table = VisitTable(visits)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    schools = visible_schools(request.user).filter(status="open") if access.can_record_visits(request.user) else None
    return render(
        request,
        "strategy/visit_list.html",
        {
            "table": table,
            "schools": schools,
            "can_see_quality_summary": access.can_see_quality_summary(request.user),
        },
    )


@login_required
def visit_start(request):
    """The school chooser's target (works without JavaScript): ?urn= → the report form for that school."""
    urn = request.GET.get("urn", "")
    if not urn.isdigit():
        raise Http404("Choose a school.")
    school = get_visible_school(request.user, int(urn))
    return redirect("strategy:visit_create", urn=school.urn)


@login_required
def visit_create(request, urn):
    school = get_visible_school(request.user, urn)
    access.require(access.can_record_visit(request.user, school))
    form = VisitForm(request.POST or None)
    judgements = JudgementFormSet(request.POST or None, prefix="judgement")
    agreed = AgreedActionFormSet(request.POST or None, prefix="agreed")
    if request.method == "POST" and form.is_valid() and judgements.is_valid() and agreed.is_valid():
        data = form.cleaned_data
        report = services.record_visit(
            adviser=request.user,
            school=school,
            visit_date=data["visit_date"],
            visit_type=data["visit_type"],
            purpose=data["purpose"],
            strengths=data["strengths"],
            areas_for_development=data["areas_for_development"],
            next_visit_date=data["next_visit_date"],
            judgements=[
                (j["focus_area"], j["rag"], j["comment"]) for j in judgements.cleaned_data if j.get("focus_area")
            ],
            agreed_actions=[services.AgreedAction(**a) for a in agreed.cleaned_data if a.get("key_action")],
            groups=list(data["groups"]) or None,
        )
        messages.success(request, "Visit recorded, with the school's current gap figures.")
        return redirect(report)
    return render(
        request,
        "strategy/visit_form.html",
        {"form": form, "judgements": judgements, "agreed": agreed, "school": school},
    )


def _visit_context(request, report, **extra):
    try:
        qa = report.quality_assurance
    except VisitQualityAssurance.DoesNotExist:
        qa = None
    context = {
        "report": report,
        "qa": qa,
        "judgements": list(report.judgements.all()),
        "agreed_actions": list(selectors.actions_with_updates(report.agreed_actions.all())),
        "snapshot": _snapshot_rows(report.gap_snapshot, sees_small_cohorts(request.user)),
        "can_acknowledge": access.can_acknowledge(request.user, report) and not report.acknowledged_at,
        "can_quality_assure": access.can_quality_assure(request.user),
        "acknowledge_form": AcknowledgeForm(),
    }
    context.update(extra)
    return context


def _snapshot_rows(rows, show_small):
    """Snapshot rows as this viewer may see them: what ``schools.disclosure.disclose`` hid on the day
    (stored with each row) is hidden from roles that do not see small cohorts. Rows stored before that
    was recorded hide small cohorts and, having no counts for it, the year before."""
    threshold = suppression_threshold()
    out = []
    for row in rows:
        if "suppressed" in row and "previous_suppressed" in row:
            current, previous = row["suppressed"], row["previous_suppressed"]
        else:
            cohorts = [row.get("focus_cohort"), row.get("comparison_cohort")]
            current = any(c is not None and c < threshold for c in cohorts)
            previous = row.get("previous_gap") is not None
        hide_previous = (previous or current) and not show_small
        out.append(
            {
                **row,
                "suppressed": current and not show_small,
                "previous_gap": None if hide_previous else row.get("previous_gap"),
                "year_label": _label(row["year"]),
                "previous_label": _label(row.get("previous_year")),
            }
        )
    return out


def _label(year):
    return year_label(year) if year else ""


@login_required
def visit_detail(request, pk):
    report = selectors.get_visible_visit(request.user, pk)
    return render(request, "strategy/visit_detail.html", _visit_context(request, report))


@login_required
@require_POST
def visit_acknowledge(request, pk):
    report = selectors.get_visible_visit(request.user, pk)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            services.acknowledge_visit(report=report, head=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Report acknowledged.")
    return redirect(report)


@login_required
def visit_quality(request, pk):
    report = selectors.get_visible_visit(request.user, pk)
    access.require(access.can_quality_assure(request.user))
    try:
        instance = report.quality_assurance
    except VisitQualityAssurance.DoesNotExist:
        instance = None
    form = QualityAssuranceForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.quality_assure_visit(
            report=report,
            reviewer=request.user,
            comment=form.cleaned_data["comment"],
            features={name: form.cleaned_data[name] for name, _ in SEVEN_FEATURES},
        )
        messages.success(request, "Quality assurance recorded.")
        return redirect(report)
    return render(
        request,
        "strategy/form.html",
        {
            "form": form,
            "title": f"Quality-assure: {report}",
            "object": report,
            "intro": "Tick each of the seven features of a good SIP report (National Strategies quality standard "
            "2.4) that this report shows.",
        },
    )


@login_required
def visit_quality_summary(request):
    """The share of quality-assured reports meeting all seven features, for the LA."""
    access.require(access.can_see_quality_summary(request.user))
    la = default_la(request.user)
    meeting, assured = selectors.visit_reports_meeting_all_features(la)
    reports = selectors.visible_visits(request.user).filter(school__la=la, quality_assurance__isnull=False)
    feature_counts = [
        (label, reports.filter(**{f"quality_assurance__{name}": True}).count()) for name, label in SEVEN_FEATURES
    ]
    return render(
        request,
        "strategy/visit_quality.html",
        {
            "la": la,
            "meeting": meeting,
            "assured": assured,
            "share": round(100 * meeting / assured) if assured else None,
            "feature_counts": feature_counts,
            "reports": reports,
            "unassured": selectors.visible_visits(request.user)
            .filter(school__la=la, quality_assurance__isnull=True)
            .count(),
        },
    )


# --------------------------------------------------------------------------- success stories
@login_required
def story_list(request):
    stories = selectors.visible_stories(request.user)
    return render(
        request, "strategy/story_list.html", {"stories": stories, "can_write": access.can_write_story(request.user)}
    )


@login_required
def story_create(request):
    """Start a story, prefilled from a gap-buster candidate: ?school=<urn>&measure=<code>&group=<code>."""
    access.require(access.can_write_story(request.user))
    initial = selectors.story_initial(request.user, *(request.GET.get(k) for k in ("school", "measure", "group")))
    form = StoryForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        story = services.save_story(story=form.save(commit=False), by=request.user)
        messages.success(request, "Story saved.")
        return redirect(story)
    return render(
        request, "strategy/form.html", {"form": form, "title": "Start a success story", "back": "strategy:stories"}
    )


@login_required
def story_detail(request, pk):
    story = selectors.get_visible_story(request.user, pk)
    return render(
        request, "strategy/story_detail.html", {"story": story, "can_write": access.can_write_story(request.user)}
    )


@login_required
def story_edit(request, pk):
    story = selectors.get_visible_story(request.user, pk)
    access.require(access.can_write_story(request.user))
    form = StoryForm(request.POST or None, instance=story, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.save_story(story=form.save(commit=False), by=request.user)
        messages.success(request, "Story saved.")
        return redirect(story)
    return render(request, "strategy/form.html", {"form": form, "title": f"Edit {story.title}", "object": story})


@login_required
def story_print(request):
    stories = selectors.visible_stories(request.user).filter(published=True)
    return render(request, "strategy/story_print.html", {"stories": stories})


# --------------------------------------------------------------------------- school-to-school support
@login_required
def engagement_list(request):
    return render(
        request,
        "strategy/engagement_list.html",
        {
            "engagements": selectors.visible_engagements(request.user),
            "can_create": access.can_manage_support(request.user),
        },
    )


@login_required
def engagement_detail(request, pk):
    engagement = selectors.get_visible_engagement(request.user, pk)
    context = selectors.engagement_page(request.user, engagement)
    context.update(engagement=engagement, can_edit=access.can_manage_support(request.user))
    return render(request, "strategy/engagement_detail.html", context)


@login_required
def engagement_create(request):
    access.require(access.can_manage_support(request.user))
    form = EngagementForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        engagement = form.save()
        messages.success(request, "Engagement recorded. Add its objectives as targets.")
        return redirect(engagement)
    return render(
        request, "strategy/form.html", {"form": form, "title": "New support engagement", "back": "strategy:engagements"}
    )


@login_required
def engagement_edit(request, pk):
    engagement = selectors.get_visible_engagement(request.user, pk)
    access.require(access.can_manage_support(request.user))
    form = EngagementForm(request.POST or None, instance=engagement, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Engagement saved.")
        return redirect(engagement)
    return render(request, "strategy/form.html", {"form": form, "title": "Edit engagement", "object": engagement})
