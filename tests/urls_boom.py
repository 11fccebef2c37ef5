"""A URLconf for testing the 500 page: one view that fails."""

from django.urls import include, path


def boom(request):
    raise RuntimeError("pupil Jane Doe, URN 123456")  # must never reach the page


urlpatterns = [path("boom/", boom), path("", include("gapmonitor.urls"))]
handler500 = "gapmonitor.views.server_error"
