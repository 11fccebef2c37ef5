from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from schools.roles import Role, has_role
from django.http import Http404


@login_required
def home(request):
    if not has_role(request.user, Role.LA_OFFICER, Role.ADMINISTRATOR):
        raise Http404
    return render(request, "ragboard/home.html")
