"""Thin views: parse the request, ask a selector (scoped to the user) or a service, render.
Anything outside the user's scope is a 404 (the selectors' get_* functions)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from schools.access import default_la, get_visible_school, sees_small_cohorts, visible_schools
from schools.models import Measure, PupilGroup
from schools.roles import Role, has_role

from . import selectors, services
from .charts import engagement_chart
from .forms import (
    ActionForm,
    ActionUpdateForm,
    EngagementForm,
    MilestoneForm,
    PlanForm,
    StoryForm,
    TargetForm,
    head_school,
)
from .models import Plan, Strand, Target
from .tables import PlanTable
from .targets import evaluate, status_of


def _deny_unless(allowed: bool):
    if not allowed:
        raise PermissionDenied("You cannot change this.")


def _plan_la(user):
    school = head_school(user)
    if school is not None:
        return school.la
    if has_role(user, Role.ADVISER):
        first = visible_schools(user).first()
        if first is None:
            raise Http404("No schools assigned.")
        return first.la
    return default_la(user)


# --------------------------------------------------------------------------- home and plans
@login_required
def home(request):
    """The four strands across the plans the user may see, and the overdue or red actions in one list."""
    plans = selectors.visible_plans(request.user).exclude(status=Plan.Status.CLOSED)
    actions = list(selectors.visible_actions(request.user).filter(plan__in=plans).order_by("due_date", "pk"))
    open_actions = [a for a in actions if not a.completed_on]
    return render(
        request,
        "strategy/home.html",
        {
            "plans": plans.order_by("level", "title"),
            "strands": selectors.actions_by_strand(open_actions),
            "attention": selectors.overdue_or_red(actions),
            "today": date.today(),
            "can_create": selectors.can_create_plans(request.user),
            "visits": selectors.visible_visits(request.user)[:5],
        },
    )


@login_required
def plan_list(request):
    table = PlanTable(selectors.visible_plans(request.user).order_by("level", "title"))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request, "strategy/plan_list.html", {"table": table, "can_create": selectors.can_create_plans(request.user)}
    )


@login_required
def plan_detail(request, pk):
    plan = selectors.get_visible_plan(request.user, pk)
    actions = list(selectors.actions_with_updates(plan.actions.all()).prefetch_related("pupil_groups"))
    targets = list(selectors.visible_targets(request.user).filter(plan=plan))
    statuses = evaluate(targets, show_small_cohorts=sees_small_cohorts(request.user))
    today = date.today()
    return render(
        request,
        "strategy/plan_detail.html",
        {
            "plan": plan,
            "strands": selectors.actions_by_strand(actions),
            "overdue": [a for a in actions if a.is_overdue(today)],
            "progress": plan.progress(actions),
            "targets": [(t, statuses[t.pk]) for t in targets],
            "can_edit": selectors.can_edit_plan(request.user, plan),
            "today": today,
        },
    )


@login_required
def plan_create(request):
    _deny_unless(selectors.can_create_plans(request.user))
    la = _plan_la(request.user)
    initial = {
        "start_year": services.academic_results_year(date.today()),
        "end_year": services.academic_results_year(date.today()) + 1,
        "status": Plan.Status.DRAFT,
    }
    school = head_school(request.user)
    if school is not None:
        initial.update(level=Plan.Level.SCHOOL, school=school)
    form = PlanForm(request.POST or None, user=request.user, la=la, initial=initial)
    if request.method == "POST" and form.is_valid():
        plan = form.save(commit=False)
        plan.owner = request.user
        plan.save()
        messages.success(request, f"Plan “{plan.title}” created.")
        return redirect(plan)
    return render(
        request, "strategy/form.html", {"form": form, "title": "New gap action plan", "back": "strategy:plans"}
    )


@login_required
def plan_edit(request, pk):
    plan = selectors.get_visible_plan(request.user, pk)
    _deny_unless(selectors.can_edit_plan(request.user, plan))
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
    _deny_unless(selectors.can_edit_plan(request.user, plan))
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
    can_edit = selectors.can_edit_plan(request.user, action.plan)
    return render(
        request,
        "strategy/action_detail.html",
        {
            "action": action,
            "updates": list(action.updates.all()),
            "can_edit": can_edit,
            "form": ActionUpdateForm() if can_edit else None,
            "history": action.history.select_related("history_user")[:20],
        },
    )


@login_required
def action_edit(request, pk):
    action = selectors.get_visible_action(request.user, pk)
    _deny_unless(selectors.can_edit_plan(request.user, action.plan))
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
    _deny_unless(selectors.can_edit_plan(request.user, action.plan))
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
    return render(
        request,
        "strategy/action_detail.html",
        {
            "action": action,
            "updates": list(action.updates.all()),
            "can_edit": True,
            "form": form,
            "history": action.history.select_related("history_user")[:20],
        },
        status=400,
    )


# --------------------------------------------------------------------------- targets
@login_required
def target_list(request):
    targets = list(selectors.visible_targets(request.user).order_by("target_year", "pk"))
    statuses = evaluate(targets, show_small_cohorts=sees_small_cohorts(request.user))
    return render(request, "strategy/target_list.html", {"targets": [(t, statuses[t.pk]) for t in targets]})


@login_required
def target_detail(request, pk):
    target = selectors.get_visible_target(request.user, pk)
    status = status_of(target, show_small_cohorts=sees_small_cohorts(request.user))
    can_edit = _can_edit_target(request.user, target)
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


def _can_edit_target(user, target: Target) -> bool:
    if target.plan_id:
        return selectors.can_edit_plan(user, target.plan)
    return has_role(user, *selectors.LA_EDITOR_ROLES)


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
    _deny_unless(selectors.can_edit_plan(request.user, plan))
    return _target_form(request, scope=plan.scope, plan=plan, back=plan)


@login_required
def objective_create(request, pk):
    engagement = selectors.get_visible_engagement(request.user, pk)
    _deny_unless(has_role(request.user, *selectors.LA_EDITOR_ROLES))
    return _target_form(request, scope=engagement.partner_school, engagement=engagement, back=engagement)


@login_required
def target_edit(request, pk):
    target = selectors.get_visible_target(request.user, pk)
    _deny_unless(_can_edit_target(request.user, target))
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
    _deny_unless(_can_edit_target(request.user, target))
    form = MilestoneForm(request.POST)
    if form.is_valid():
        milestone = form.save(commit=False)
        milestone.target = target
        milestone.save()
        messages.success(request, "Milestone added.")
        return redirect(target)
    status = status_of(target, show_small_cohorts=sees_small_cohorts(request.user))
    return render(
        request,
        "strategy/target_detail.html",
        {
            "target": target,
            "status": status,
            "can_edit": True,
            "milestone_form": form,
        },
        status=400,
    )


# --------------------------------------------------------------------------- success stories
def _can_write_story(user) -> bool:
    return has_role(user, *selectors.LA_EDITOR_ROLES, Role.ADVISER, Role.HEADTEACHER)


@login_required
def story_list(request):
    stories = selectors.visible_stories(request.user)
    return render(
        request, "strategy/story_list.html", {"stories": stories, "can_write": _can_write_story(request.user)}
    )


@login_required
def story_create(request):
    """Start a story, prefilled from a gap-buster candidate: ?school=<urn>&measure=<code>&group=<code>."""
    _deny_unless(_can_write_story(request.user))
    initial = {}
    urn, measure_code, group_code = (request.GET.get(k) for k in ("school", "measure", "group"))
    if urn:
        school = get_visible_school(request.user, urn)
        initial["school"] = school
        measure = Measure.objects.filter(code=measure_code).first()
        group = PupilGroup.objects.filter(code=group_code).select_related("comparison").first()
        if measure and group and group.comparison:
            initial.update(measure=measure, pupil_group=group, comparison_group=group.comparison)
            first, last = services.suggest_story_years(school, measure, group, group.comparison)
            if first:
                initial.update(from_year=first, to_year=last)
            initial["title"] = (
                f"{school.name}: closing the {group.name.lower()} gap in {measure.short_name or measure.name}"
            )
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
    return render(request, "strategy/story_detail.html", {"story": story, "can_write": _can_write_story(request.user)})


@login_required
def story_edit(request, pk):
    story = selectors.get_visible_story(request.user, pk)
    _deny_unless(_can_write_story(request.user))
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
            "can_create": has_role(request.user, *selectors.LA_EDITOR_ROLES),
        },
    )


@login_required
def engagement_detail(request, pk):
    engagement = selectors.get_visible_engagement(request.user, pk)
    objectives = list(selectors.visible_targets(request.user).filter(engagement=engagement))
    show_small = sees_small_cohorts(request.user)
    statuses = evaluate(objectives, show_small_cohorts=show_small)
    chart = engagement_chart(engagement, objectives, show_small_cohorts=show_small)
    return render(
        request,
        "strategy/engagement_detail.html",
        {
            "engagement": engagement,
            "objectives": [(t, statuses[t.pk]) for t in objectives],
            "chart": chart,
            "can_edit": has_role(request.user, *selectors.LA_EDITOR_ROLES),
        },
    )


@login_required
def engagement_create(request):
    _deny_unless(has_role(request.user, *selectors.LA_EDITOR_ROLES))
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
    _deny_unless(has_role(request.user, *selectors.LA_EDITOR_ROLES))
    form = EngagementForm(request.POST or None, instance=engagement, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Engagement saved.")
        return redirect(engagement)
    return render(request, "strategy/form.html", {"form": form, "title": "Edit engagement", "object": engagement})
