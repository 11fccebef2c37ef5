"""Thin views: parse the request, ask a selector (which scopes to the user), render."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors


@login_required
def la_overview(request):
    la = selectors.default_la(request.user)
    areas = selectors.visible_areas(request.user).filter(la=la).prefetch_related("clusters")
    return render(request, "schools/la_overview.html", {"la": la, "areas": areas})


@login_required
def school_list(request):
    schools = selectors.visible_schools(request.user).filter(status="open").order_by("name")
    return render(request, "schools/school_list.html", {"schools": schools})


@login_required
def school_detail(request, urn):
    school = selectors.get_visible_school(request.user, urn)
    return render(request, "schools/school_detail.html", {"school": school})
