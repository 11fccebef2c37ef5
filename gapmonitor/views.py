"""The home page, which sends each role to its dashboard, and the error pages."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import requires_csrf_token

from schools.access import profile_of
from schools.models import ImportBatch
from schools.roles import LA_WIDE_ROLES, Role, has_role

from .audit import site_log


@login_required
def home(request):
    user = request.user
    if has_role(user, Role.DATA_MANAGER) and not has_role(user, Role.LA_OFFICER):
        return redirect("schools:imports")
    if has_role(user, *LA_WIDE_ROLES):
        return redirect("schools:la_overview")
    if has_role(user, Role.NATIONAL_OFFICER):
        return redirect("schools:national")
    profile = profile_of(user)
    if has_role(user, Role.HEADTEACHER) and profile and profile.school_id:
        return redirect("schools:school", urn=profile.school.urn)
    if has_role(user, Role.ADVISER):
        return redirect("schools:school_list")
    return render(request, "home.html")


@login_required
def audit_log(request):
    """The site-wide audit log: administrators only."""
    if not has_role(request.user, Role.ADMINISTRATOR):
        raise Http404
    batches = ImportBatch.objects.select_related("uploaded_by", "rolled_back_by").order_by("-created_at", "-pk")[:50]
    return render(request, "audit/site_log.html", {"entries": site_log(), "batches": batches})


def _error(request, status, title, message):
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _error(request, 400, "Bad request", "The request could not be understood.")


@requires_csrf_token
def permission_denied(request, exception=None):
    return _error(request, 403, "Not allowed", "You do not have permission to use this page.")


@requires_csrf_token
def page_not_found(request, exception=None):
    return _error(request, 404, "Page not found", "There is no page here, or it is not one you can see.")


@requires_csrf_token
def server_error(request):
    return _error(request, 500, "Something went wrong", "The error has been logged. Please try again later.")
