"""Visit reports: thin views. The figures, flags and the last visit's actions come from ``strategy.visits``;
writes go through ``strategy.services``; a report outside the user's scope is a 404."""

from __future__ import annotations

from datetime import date
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from schools.access import default_la, get_visible_school, sees_small_cohorts, visible_schools

from . import access, selectors, services, visits
from .models import SEVEN_FEATURES, VisitQualityAssurance
from .tables import VisitTable
from .visit_forms import (
    AcknowledgeForm,
    AgreedActionFormSet,
    FocusForm,
    JudgedFormSet,
    QualityAssuranceForm,
    ReviewFormSet,
    VisitForm,
    judged,
)


def _write(request, write, focus, *, done: str):
    """Run ``write`` (a service call that returns the report) and go to the report; a refusal (a focus area
    that is not a flagged gap, say) is shown on the focus-area form instead, and None returned."""
    try:
        report = write()
    except ValidationError as error:
        focus.add_error(None, error)
        return None
    messages.success(request, done)
    return redirect(report)


@login_required
def visit_list(request):
    table = VisitTable(selectors.visible_visits(request.user))
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
    data = request.POST or None
    form = VisitForm(data)
    as_of = form.cleaned_data["visit_date"] if form.is_bound and form.is_valid() else date.today()
    figures = visits.visit_figures(school, as_of=as_of)
    last, actions = visits.actions_to_review(school)
    focus = FocusForm(data, choices=visits.focus_choices(figures), prefix="focus")
    reviews = ReviewFormSet(data, actions=actions, prefix="review")
    agreed = AgreedActionFormSet(data, prefix="agreed")
    if request.method == "POST" and all(f.is_valid() for f in (form, focus, reviews, agreed)):
        write = partial(
            services.record_visit,
            adviser=request.user,
            school=school,
            **form.cleaned_data,
            focus=focus.focus(),
            reviews=reviews.reviews(),
            agreed_actions=[services.AgreedAction(**a) for a in agreed.cleaned_data if a.get("key_action")],
        )
        if written := _write(
            request, write, focus, done="Visit recorded, with the school's figures as they stand today."
        ):
            return written
    return render(
        request,
        "strategy/visit_form.html",
        {
            "school": school,
            "form": form,
            "figures": figures,
            "years_text": visits.years_text(figures),
            "focus": focus,
            "last_visit": last,
            "reviews": reviews,
            "agreed": agreed,
        },
    )


@login_required
def visit_edit(request, pk):
    report = selectors.get_visible_visit(request.user, pk)
    access.require(access.can_edit_visit(request.user, report))
    data = request.POST or None
    form = VisitForm(data, instance=report)
    content = visits.visit_content(report, show_small=sees_small_cohorts(request.user))
    focus = FocusForm(data, choices=services.visit_focus_choices(report), prefix="focus")
    judgements = JudgedFormSet(data, queryset=report.judgements.all(), prefix="judged")
    last, actions = visits.actions_to_review(report.school, before=report)
    reviews = ReviewFormSet(data, actions=actions, prefix="review")
    if request.method == "POST" and all(f.is_valid() for f in (form, focus, judgements, reviews)):
        write = partial(
            services.update_visit,
            report=report,
            by=request.user,
            details=form.cleaned_data,
            focus=focus.focus(),
            judged=judged(judgements),
            reviews=reviews.reviews(),
        )
        if written := _write(request, write, focus, done="Visit report updated."):
            return written
    return render(
        request,
        "strategy/visit_form.html",
        {
            "school": report.school,
            "report": report,
            "form": form,
            "figures": content.figures,
            "years_text": content.years_text,
            "focus": focus,
            "judgements": judgements,
            "last_visit": last,
            "reviews": reviews,
        },
    )


def _visit_context(request, report, **extra):
    try:
        qa = report.quality_assurance
    except VisitQualityAssurance.DoesNotExist:
        qa = None
    context = {
        "report": report,
        "content": visits.visit_content(report, show_small=sees_small_cohorts(request.user)),
        "qa": qa,
        "can_edit": access.can_edit_visit(request.user, report),
        "can_acknowledge": access.can_acknowledge(request.user, report) and not report.acknowledged_at,
        "can_quality_assure": access.can_quality_assure(request.user),
        "acknowledge_form": AcknowledgeForm(),
    }
    return context | extra


@login_required
def visit_detail(request, pk):
    report = selectors.get_visible_visit(request.user, pk)
    return render(request, "strategy/visit_detail.html", _visit_context(request, report))


@login_required
def visit_print(request, pk):
    """The report on paper, for the head and the chair of governors: the content only, printable as is."""
    report = selectors.get_visible_visit(request.user, pk)
    return render(request, "strategy/visit_print.html", _visit_context(request, report))


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
    return render(request, "strategy/visit_quality.html", selectors.quality_summary(request.user, la))
