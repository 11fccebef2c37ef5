"""Self-evaluation pages. Every read goes through ``ragboard.selectors`` (404 for anyone but LA officers
and administrators); every write through ``ragboard.services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from schools.access import default_la

from . import indicators, selectors, services
from .forms import (
    EvidenceForm,
    JudgementForm,
    LinkEvidenceForm,
    OverallForm,
    RoundForm,
    StrategicTargetForm,
    WorkstreamForm,
)
from .models import (
    DASHBOARD_KEY,
    PHASE_ORDER,
    PLAN_RAG_LETTERS,
    EvidenceItem,
    Grade,
    Judgement,
    PlanRag,
    StrategicTarget,
    Workstream,
)


def _la(request):
    selectors._require(request.user)
    return default_la(request.user)


def _messages_from(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return list(exc.messages)


# --------------------------------------------------------------------------- dashboard
@login_required
def home(request):
    """The current round's grid for the user's LA."""
    la = _la(request)
    return _dashboard(request, la, selectors.current_round(request.user, la))


@login_required
def round_detail(request, pk):
    round_ = selectors.get_visible_round(request.user, pk)
    return _dashboard(request, round_.la, round_)


def _dashboard(request, la, round_):
    view = request.GET.get("view", "reviewer")
    rounds = selectors.visible_rounds(request.user).filter(la=la)
    context = {
        "la": la,
        "round": round_,
        "rounds": rounds,
        "key": DASHBOARD_KEY,
        "grades": Grade,
        "views": selectors.VIEWS,
        "round_form": RoundForm(rounds=rounds, la=la, user=request.user),
    }
    if round_ is not None:
        context["grid"] = selectors.grid(round_, view)
        context["highlights"] = [
            (phase.label, indicators.disadvantaged_gap(la, phase.value, as_of_year=round_.as_of.year))
            for phase in PHASE_ORDER
        ]
    return render(request, "ragboard/home.html", context)


@login_required
@require_POST
def round_new(request):
    la = _la(request)
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
    reviewer = selectors.can_review(request.user, j.round)
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
                    la_grade=data["la_grade"],
                    reviewer_grade=data["reviewer_grade"] if reviewer else j.reviewer_grade,
                    rationale=data["rationale"],
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
    previous, following = selectors.neighbours(j)
    context = {
        "j": j,
        "form": form,
        "reviewer": reviewer,
        "refusal": refusal,
        "assessment": selectors.judgement_assessment(j),
        "columns": selectors.descriptor_columns(j, ticked_ids),
        "ticked_ids": ticked_ids if ticked_ids is not None else {d.pk for d in j.ticked.all()},
        "standards": j.standard_set.standards.filter(parent__isnull=True).prefetch_related("children__children"),
        "evidence": j.evidence.all(),
        "indicators": indicators.for_judgement(j),
        "history": j.history.select_related("history_user")[:10],
        "previous": previous,
        "following": following,
    }
    return render(request, "ragboard/judgement.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def overall(request, pk):
    rating = selectors.get_visible_overall(request.user, pk)
    reviewer = selectors.can_review(request.user, rating.round)
    initial = {"la_grade": rating.la_grade, "reviewer_grade": rating.reviewer_grade, "rationale": rating.rationale}
    form = OverallForm(request.POST or None, initial=initial, reviewer=reviewer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_overall(
                rating=rating,
                user=request.user,
                la_grade=data["la_grade"],
                reviewer_grade=data["reviewer_grade"] if reviewer else rating.reviewer_grade,
                rationale=data["rationale"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Overall rating saved.")
            return redirect(rating.round)
    grid = selectors.grid(rating.round, "la")
    suggestion = None
    for row in grid.rows:
        if row.kind in ("phase_overall", "overall") and row.phase == rating.phase:
            suggestion = next((c for c in row.cells if c.key_rating.pk == rating.key_rating_id), None)
    la_suggestion = suggestion
    reviewer_grid = selectors.grid(rating.round, "reviewer")
    reviewer_suggestion = None
    for row in reviewer_grid.rows:
        if row.kind in ("phase_overall", "overall") and row.phase == rating.phase:
            reviewer_suggestion = next((c for c in row.cells if c.key_rating.pk == rating.key_rating_id), None)
    return render(
        request,
        "ragboard/overall.html",
        {
            "rating": rating,
            "form": form,
            "la_suggestion": la_suggestion,
            "reviewer_suggestion": reviewer_suggestion,
        },
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------- compare rounds
@login_required
def compare(request):
    la = _la(request)
    rounds = list(selectors.visible_rounds(request.user).filter(la=la))
    view = request.GET.get("view", "reviewer")
    earlier = later = None
    if request.GET.get("earlier") and request.GET.get("later"):
        earlier = selectors.get_visible_round(request.user, request.GET["earlier"])
        later = selectors.get_visible_round(request.user, request.GET["later"])
    elif len(rounds) >= 2:
        later, earlier = rounds[0], rounds[1]
    changes = selectors.compare(earlier, later, view) if earlier and later else []
    summary = {
        k.replace(" ", "_"): sum(1 for c in changes if c.direction == k)
        for k in ("improved", "declined", "unchanged", "newly rated")
    }
    return render(
        request,
        "ragboard/compare.html",
        {
            "rounds": rounds,
            "earlier": earlier,
            "later": later,
            "changes": changes,
            "view": view,
            "views": selectors.VIEWS,
            "summary": summary,
        },
    )


# --------------------------------------------------------------------------- evidence
@login_required
def evidence_list(request):
    la = _la(request)
    items = (
        selectors.visible_evidence(request.user)
        .filter(la=la)
        .prefetch_related("judgements__standard_set", "judgements__round")
    )
    kind = request.GET.get("kind", "")
    impact = request.GET.get("impact", "")
    if kind in EvidenceItem.Kind.values:
        items = items.filter(kind=kind)
    if impact == "substantial":
        items = items.filter(impact_strength=EvidenceItem.Strength.SUBSTANTIAL)
    elif impact == "impact":
        items = items.filter(shows_impact=True)
    elif impact == "process":
        items = items.filter(shows_impact=False)
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
    la = _la(request)
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
    judgements = (
        Judgement.objects.filter(
            round__in=selectors.visible_rounds(request.user).filter(la=item.la), not_applicable=False
        )
        .select_related("standard_set", "round")
        .order_by("-round__as_of", "standard_set__order", "phase")
    )
    link_form = LinkEvidenceForm(request.POST or None, judgements=judgements)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "unlink":
                target = get_object_or_404(judgements, pk=selectors._pk(request.POST.get("judgement")))
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
    la = _la(request)
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


@login_required
@require_http_methods(["GET", "POST"])
def workstream_edit(request, pk=None):
    la = _la(request)
    workstream = selectors.get_visible_workstream(request.user, pk, la=la) if pk else Workstream()
    form = WorkstreamForm(request.POST or None, instance=workstream, la=la)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.save_workstream(workstream=workstream, user=request.user, **fields)
        except ValidationError as exc:
            for message in _messages_from(exc):
                form.add_error(None, message)
        else:
            messages.success(request, f"Workstream “{workstream.title}” saved.")
            return redirect("ragboard:plan_board")
    return render(
        request,
        "ragboard/plan_form.html",
        {"form": form, "title": workstream.title or "New workstream"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request, pk=None):
    la = _la(request)
    target = selectors.get_visible_strategic_target(request.user, pk, la=la) if pk else StrategicTarget(la=la)
    form = StrategicTargetForm(request.POST or None, instance=target, la=la)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.save_strategic_target(target=target, user=request.user, **fields)
        except ValidationError as exc:
            for message in _messages_from(exc):
                form.add_error(None, message)
        else:
            messages.success(request, "Strategic target saved.")
            return redirect("ragboard:plan_board")
    return render(
        request,
        "ragboard/plan_form.html",
        {"form": form, "title": "Strategic target"},
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------- the framework
@login_required
def framework(request):
    selectors._require(request.user)
    fw = selectors.active_framework()
    if fw is None:
        raise Http404("No framework loaded.")
    sets = fw.sets.select_related("key_rating").prefetch_related("descriptors", "standards")
    return render(request, "ragboard/framework.html", {"framework": fw, "sets": sets, "key": DASHBOARD_KEY})
