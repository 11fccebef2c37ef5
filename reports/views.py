"""Downloads of the briefing, the school profile and the visit report, scoped like the pages: a user who
may not see the page gets a 404 for its document too."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404

from schools import access
from schools.figures import years_with_results
from strategy import selectors as strategy_selectors

from .briefing import build_briefing
from .profile import build_profile
from .render import FORMATS, download
from .visit import build_visit_report


def _year(request, la) -> int | None:
    """``?year=`` when given: a results year the LA has results for, else 404."""
    raw = request.GET.get("year")
    if not raw:
        return None
    try:
        year = int(raw)
    except ValueError:
        raise Http404("No such year.") from None
    if year not in years_with_results(la):
        raise Http404("No results for that year.")
    return year


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Http404("No such format.")


@login_required
def briefing(request, fmt):
    _check(fmt)
    user = request.user
    area = None
    if request.GET.get("area"):
        try:
            area = access.get_visible_area(user, int(request.GET["area"]))
        except ValueError:
            raise Http404("No such area.") from None
        la = area.la
    else:
        la = access.default_la(user)  # 404 for roles that see no whole LA
    year = _year(request, la)
    document = build_briefing(la, area=area, year=year, user=user)
    return download(document, fmt, document.title.replace(":", "") + " briefing")


@login_required
def profile(request, urn, fmt):
    _check(fmt)
    school = access.get_visible_school(request.user, urn)
    document = build_profile(school, user=request.user, year=_year(request, school.la))
    return download(document, fmt, document.title)


@login_required
def visit_report(request, pk, fmt):
    _check(fmt)
    report = strategy_selectors.get_visible_visit(request.user, pk)
    document = build_visit_report(report, user=request.user)
    return download(document, fmt, f"visit report {report.school.name} {report.visit_date:%Y-%m-%d}")
