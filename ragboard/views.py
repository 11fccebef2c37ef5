"""Self-evaluation pages: parse the request, authorise through ``ragboard.access`` (404 for anyone but LA
officers and administrators), read through ``ragboard.selectors``, write through ``ragboard.services``."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import access, selectors, services
from .forms import (
    EvidenceForm,
    JudgementForm,
    LinkEvidenceForm,
    OverallForm,
    RoundForm,
    StrategicTargetForm,
    WorkstreamForm,
)
from .grid import VIEWS
from .models import (
    DASHBOARD_KEY,
    PLAN_RAG_LETTERS,
    EvidenceItem,
    Grade,
    PlanRag,
    StrategicTarget,
    Workstream,
)


def _messages_from(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return list(exc.messages)


def _grades(data: dict, *, reviewer: bool, row) -> dict:
    """The LA's grade and its rationale from the form; the reviewer's grade from it only when the user is the
    round's reviewer, else as ``row`` has it."""
    reviewer_grade = data["reviewer_grade"] if reviewer else row.reviewer_grade
    return {"la_grade": data["la_grade"], "reviewer_grade": reviewer_grade, "rationale": data["rationale"]}


# --------------------------------------------------------------------------- dashboard
@login_required
def home(request):
    """The current round's grid for the user's LA."""
    la = access.working_la(request.user)
    return _dashboard(request, la, selectors.current_round(request.user, la))


@login_required
def round_detail(request, pk):
    round_ = selectors.get_visible_round(request.user, pk)
    return _dashboard(request, round_.la, round_)


def _dashboard(request, la, round_):
    context = selectors.dashboard(request.user, la, round_, request.GET.get("view", "reviewer"))
    context |= {
        "la": la,
        "round": round_,
        "key": DASHBOARD_KEY,
        "grades": Grade,
        "views": VIEWS,
        "round_form": RoundForm(rounds=context["rounds"], la=la, user=request.user),
    }
    return render(request, "ragboard/home.html", context)


@login_required
@require_POST
def round_new(request):
    la = access.working_la(request.user)
    rounds = selectors.visible_rounds(request.user).filter(la=la)
    form = RoundForm(request.POST, rounds=rounds, la=la, user=request.user)
    if form.is_valid():
        try:
            round_ = services.start_round(
                la=la,
                user=request.user,
                label=form.cleaned_data["label"],
                as_of=form.cleaned_data["as_of"],
                reviewer=form.cleaned_data["reviewer"],
                copy_from=form.cleaned_data["copy_from"],
            )
        except ValidationError as exc:
            for message in _messages_from(exc):
                messages.error(request, message)
        else:
            messages.success(request, f"Round “{round_.label}” started: {round_.judgements.count()} cells to judge.")
            return redirect(round_)
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label if field in form.fields else field}: {error}")
    return redirect("ragboard:home")


# --------------------------------------------------------------------------- one judgement
@login_required
@require_http_methods(["GET", "POST"])
def judgement(request, pk):
    j = selectors.get_visible_judgement(request.user, pk)
    reviewer = access.can_review(request.user, j.round)
    initial = {
        "la_grade": j.la_grade,
        "reviewer_grade": j.reviewer_grade,
        "rationale": j.rationale,
        "strengths": j.strengths,
        "areas_for_improvement": j.areas_for_improvement,
        "ticked": list(j.ticked.all()),
        "override_reason": j.override_reason,
    }
    refusal = None
    status = 200
    if request.method == "POST":
        if j.not_applicable:
            raise Http404("This cell is N/A.")
        form = JudgementForm(request.POST, judgement=j, reviewer=reviewer, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_judgement(
                    judgement=j,
                    user=request.user,
                    **_grades(data, reviewer=reviewer, row=j),
                    strengths=data["strengths"],
                    areas_for_improvement=data["areas_for_improvement"],
                    ticked=data["ticked"],
                    metrics={k: (float(v) if not isinstance(v, str) else v) for k, v in form.metrics().items()},
                    override_reason=data.get("override_reason", ""),
                )
            except services.RuleRefusal as exc:
                refusal = exc
                status = 400
            except ValidationError as exc:
                for message in _messages_from(exc):
                    form.add_error(None, message)
                status = 400
            else:
                messages.success(request, f"Saved {j}.")
                return redirect(j)
        else:
            status = 400
        ticked_ids = (
            {d.pk for d in form.cleaned_data.get("ticked", [])}
            if form.is_bound and hasattr(form, "cleaned_data")
            else None
        )
    else:
        form = JudgementForm(initial=initial, judgement=j, reviewer=reviewer)
        for code, name in form.metric_fields:
            form.fields[name].initial = j.metrics.get(code)
        ticked_ids = None
    context = selectors.judgement_page(j, ticked_ids)
    context |= {"j": j, "form": form, "reviewer": reviewer, "refusal": refusal}
    return render(request, "ragboard/judgement.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def overall(request, pk):
    rating = selectors.get_visible_overall(request.user, pk)
    reviewer = access.can_review(request.user, rating.round)
    initial = {"la_grade": rating.la_grade, "reviewer_grade": rating.reviewer_grade, "rationale": rating.rationale}
    form = OverallForm(request.POST or None, initial=initial, reviewer=reviewer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_overall(rating=rating, user=request.user, **_grades(data, reviewer=reviewer, row=rating))
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Overall rating saved.")
            return redirect(rating.round)
    return render(
        request,
        "ragboard/overall.html",
        {
            "rating": rating,
            "form": form,
            "la_suggestion": selectors.overall_suggestion(rating, "la"),
            "reviewer_suggestion": selectors.overall_suggestion(rating, "reviewer"),
        },
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------- compare rounds
@login_required
def compare(request):
    la = access.working_la(request.user)
    view = request.GET.get("view", "reviewer")
    context = selectors.comparison(
        request.user, la, earlier=request.GET.get("earlier"), later=request.GET.get("later"), view=view
    )
    context |= {"view": view, "views": VIEWS}
    return render(request, "ragboard/compare.html", context)


# --------------------------------------------------------------------------- evidence
@login_required
def evidence_list(request):
    la = access.working_la(request.user)
    kind, impact = request.GET.get("kind", ""), request.GET.get("impact", "")
    items = selectors.evidence_list(request.user, la, kind=kind, impact=impact)
    return render(
        request,
        "ragboard/evidence_list.html",
        {
            "items": items,
            "kinds": EvidenceItem.Kind.choices,
            "kind": kind,
            "impact": impact,
            "la": la,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_new(request):
    la = access.working_la(request.user)
    judgement = None
    if request.GET.get("judgement"):
        judgement = selectors.get_visible_judgement(request.user, request.GET["judgement"])
        la = judgement.round.la
    form = EvidenceForm(request.POST or None, request.FILES or None, judgement=judgement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.add_evidence(
                la=la,
                user=request.user,
                kind=data["kind"],
                title=data["title"],
                date=data["date"],
                summary=data["summary"],
                file=data.get("file"),
                link=data["link"],
                shows_impact=data["shows_impact"],
                impact_strength=data["impact_strength"],
                judgements=[judgement] if judgement else [],
                descriptors=data.get("descriptors") or [],
            )
        except ValidationError as exc:
            for message in _messages_from(exc):
                form.add_error(None, message)
        else:
            messages.success(request, f"Evidence “{item.title}” added.")
            return redirect(judgement or item)
    return render(
        request,
        "ragboard/evidence_form.html",
        {"form": form, "judgement": judgement},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_detail(request, pk):
    item = selectors.get_visible_evidence(request.user, pk)
    link_form = LinkEvidenceForm(request.POST or None, judgements=selectors.linkable_judgements(request.user, item))
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "unlink":
                target = selectors.get_linkable_judgement(request.user, item, request.POST.get("judgement"))
                services.unlink_evidence(item=item, judgement=target, user=request.user)
                messages.success(request, f"Unlinked from {target}.")
                return redirect(item)
            if link_form.is_valid():
                services.link_evidence(item=item, judgement=link_form.cleaned_data["judgement"], user=request.user)
                messages.success(request, f"Linked to {link_form.cleaned_data['judgement']}.")
                return redirect(item)
        except services.RuleRefusal as exc:
            for reason in exc.reasons:
                messages.error(request, reason)
            return redirect(item)
    return render(
        request,
        "ragboard/evidence_detail.html",
        {
            "item": item,
            "link_form": link_form,
            "linked": item.judgements.select_related("standard_set", "round"),
            "descriptors": item.descriptors.select_related("standard_set"),
        },
    )


@login_required
def evidence_file(request, pk):
    """The stored file, only to users who may see the evidence (media is never served directly)."""
    item = selectors.get_visible_evidence(request.user, pk)
    if not item.file:
        raise Http404("No file.")
    name = item.original_filename or item.file.name.rsplit("/", 1)[-1]
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=name.rsplit("/", 1)[-1])


# --------------------------------------------------------------------------- strategic plan board
@login_required
def plan_board(request):
    la = access.working_la(request.user)
    areas, targets = selectors.plan_board(request.user, la)
    return render(
        request,
        "ragboard/plan_board.html",
        {
            "la": la,
            "areas": areas,
            "targets": targets,
            "rags": PlanRag.choices,
            "letters": PLAN_RAG_LETTERS,
        },
    )


def _plan_form(request, form, save, *, done: str, title: str):
    """A form of the strategic plan board. A valid POST is written by ``save(**fields)`` (a service call) and
    ``done`` shown, formatted with what it saved; a refusal is shown on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(**{name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as exc:
            for message in _messages_from(exc):
                form.add_error(None, message)
        else:
            messages.success(request, done.format(saved))
            return redirect("ragboard:plan_board")
    context = {"form": form, "title": title}
    return render(request, "ragboard/plan_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def workstream_edit(request, pk=None):
    la = access.working_la(request.user)
    workstream = selectors.get_visible_workstream(request.user, pk, la=la) if pk else Workstream()
    form = WorkstreamForm(request.POST or None, instance=workstream, la=la)
    save = partial(services.save_workstream, workstream=workstream, user=request.user)
    return _plan_form(
        request, form, save, done="Workstream “{0.title}” saved.", title=workstream.title or "New workstream"
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request, pk=None):
    la = access.working_la(request.user)
    target = selectors.get_visible_strategic_target(request.user, pk, la=la) if pk else StrategicTarget(la=la)
    form = StrategicTargetForm(request.POST or None, instance=target, la=la)
    save = partial(services.save_strategic_target, target=target, user=request.user)
    return _plan_form(request, form, save, done="Strategic target saved.", title="Strategic target")


# --------------------------------------------------------------------------- the framework
@login_required
def framework(request):
    access.require(request.user)
    fw = selectors.active_framework()
    if fw is None:
        raise Http404("No framework loaded.")
    sets = selectors.framework_sets(request.user, fw)
    return render(request, "ragboard/framework.html", {"framework": fw, "sets": sets, "key": DASHBOARD_KEY})
