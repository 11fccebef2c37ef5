"""A URLconf with views the access rules do not list: the walk must report them."""

from django.http import HttpResponse
from django.urls import include, path


def secret_report(request, pk):
    return HttpResponse("every pupil's name")  # no login, no scoping: exactly what the walk must catch


extra = ([path("hidden/", secret_report, name="hidden")], "trust_extra")

urlpatterns = [
    path("", include("gapmonitor.urls")),
    path("secret/<int:pk>/", secret_report, name="secret_report"),
    path("extra/", include(extra)),
    path("unnamed/", secret_report),
]
