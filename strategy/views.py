"""Strategy pages: parse the request, authorise through ``strategy.access``, call one selector or service,
render. Anything outside the user's scope is a 404 (the selectors' get_* functions); anything the user may
see but not change is a 403 (``access.require``)."""

from __future__ import annotations

from datetime import date
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from . import access, pages, plan_services, selectors, services
from .forms import (
    ActionForm,
    ActionUpdateForm,
    EngagementForm,
    MilestoneForm,
    PlanForm,
    StoryForm,
    TargetForm,
)
from .models import Strand
from .tables import PlanTable


def _form_page(request, form, save, *, done: str, title: str, back):
    """The one form page of the strategy app. A valid POST is written by ``save(cleaned_data)`` (a service
    call, which returns the page to go to next) and ``done`` is shown, formatted with that page's object;
    otherwise the form is shown again, with ``back`` (a URL name, or the object the form belongs to)."""
    if request.method == "POST" and form.is_valid():
        saved = save(data=form.cleaned_data)
        messages.success(request, done.format(saved))
        return redirect(saved)
    context = {"form": form, "title": title, ("back" if isinstance(back, str) else "object"): back}
    return render(request, "strategy/form.html", context)


def _edit_page(request, form, row, *, done: str, title: str):
    """The form page for changing ``row`` (``plan_services.save_changes``), back to its own page."""
    return _form_page(
        request, form, partial(plan_services.save_changes, row=row, by=request.user), done=done, title=title, back=row
    )


# --------------------------------------------------------------------------- home and plans
@login_required
def home(request):
    """The four strands across the plans the user may see, and the overdue or red actions in one list."""
    today = date.today()
    context = selectors.home(request.user, today)
    context |= {"today": today, "can_create": access.can_create_plans(request.user)}
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
    context |= {"plan": plan, "can_edit": access.can_edit_plan(request.user, plan), "today": today}
    return render(request, "strategy/plan_detail.html", context)


@login_required
def plan_create(request):
    access.require(access.can_create_plans(request.user))
    la = access.plan_la(request.user)
    initial = services.new_plan_initial(request.user, date.today())
    form = PlanForm(request.POST or None, user=request.user, la=la, initial=initial)
    return _form_page(
        request,
        form,
        lambda data: plan_services.create_plan(la=la, data=data, owner=request.user),
        done="Plan “{0.title}” created.",
        title="New gap action plan",
        back="strategy:plans",
    )


@login_required
def plan_edit(request, pk):
    plan = selectors.get_visible_plan(request.user, pk)
    access.require(access.can_edit_plan(request.user, plan))
    form = PlanForm(request.POST or None, instance=plan, user=request.user, la=plan.la)
    return _edit_page(request, form, plan, done="Plan saved.", title=f"Edit {plan.title}")


# --------------------------------------------------------------------------- actions
@login_required
def action_create(request, pk):
    plan = selectors.get_visible_plan(request.user, pk)
    access.require(access.can_edit_plan(request.user, plan))
    initial = {"strand": request.GET.get("strand")} if request.GET.get("strand") in Strand.values else {}
    form = ActionForm(request.POST or None, user=request.user, plan=plan, initial=initial)
    save = partial(plan_services.create_action, plan=plan, by=request.user)
    title = f"New action on {plan.title}"
    return _form_page(request, form, lambda data: save(data=data).plan, done="Action added.", title=title, back=plan)


@login_required
def action_detail(request, pk):
    action = selectors.get_visible_action(request.user, pk)
    can_edit = access.can_edit_plan(request.user, action.plan)
    context = selectors.action_page(action)
    context |= {"can_edit": can_edit, "form": ActionUpdateForm() if can_edit else None}
    return render(request, "strategy/action_detail.html", context)


@login_required
def action_edit(request, pk):
    action = selectors.get_visible_action(request.user, pk)
    access.require(access.can_edit_plan(request.user, action.plan))
    form = ActionForm(request.POST or None, instance=action, user=request.user, plan=action.plan)
    return _edit_page(request, form, action, done="Action saved.", title="Edit action")


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
    context |= {"can_edit": True, "form": form}
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
    save = partial(plan_services.create_target, scope=scope, plan=plan, engagement=engagement, by=request.user)
    done = "Target added. Its status is computed from the imported results."
    return _form_page(request, form, save, done=done, title=f"New target for {scope}", back=back)


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
    return _edit_page(request, form, target, done="Target saved.", title="Edit target")


@login_required
@require_POST
def milestone_create(request, pk):
    target = selectors.get_visible_target(request.user, pk)
    access.require(access.can_edit_target(request.user, target))
    form = MilestoneForm(request.POST)
    if form.is_valid():
        plan_services.add_milestone(target=target, **form.cleaned_data, by=request.user)
        messages.success(request, "Milestone added.")
        return redirect(target)
    context = {"target": target, "status": selectors.target_status(request.user, target), "can_edit": True}
    return render(request, "strategy/target_detail.html", {**context, "milestone_form": form}, status=400)


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
    initial = pages.story_initial(request.user, *(request.GET.get(k) for k in ("school", "measure", "group")))
    form = StoryForm(request.POST or None, user=request.user, initial=initial)
    save = partial(services.write_story, by=request.user)
    return _form_page(request, form, save, done="Story saved.", title="Start a success story", back="strategy:stories")


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
    save = partial(services.write_story, story=story, by=request.user)
    return _form_page(request, form, save, done="Story saved.", title=f"Edit {story.title}", back=story)


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
    context = pages.engagement_page(request.user, engagement)
    context |= {"engagement": engagement, "can_edit": access.can_manage_support(request.user)}
    return render(request, "strategy/engagement_detail.html", context)


@login_required
def engagement_create(request):
    access.require(access.can_manage_support(request.user))
    form = EngagementForm(request.POST or None, user=request.user)
    save = partial(plan_services.create_engagement, by=request.user)
    done, title = "Engagement recorded. Add its objectives as targets.", "New support engagement"
    return _form_page(request, form, save, done=done, title=title, back="strategy:engagements")


@login_required
def engagement_edit(request, pk):
    engagement = selectors.get_visible_engagement(request.user, pk)
    access.require(access.can_manage_support(request.user))
    form = EngagementForm(request.POST or None, instance=engagement, user=request.user)
    return _edit_page(request, form, engagement, done="Engagement saved.", title="Edit engagement")
