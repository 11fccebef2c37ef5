from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("gapmonitor.accounts")),
    path("admin/", admin.site.urls),
    path("audit/", views.audit_log, name="audit_log"),
    path("", include("schools.urls")),
    path("", include("reports.urls")),
    path("api/", include("feed.urls")),
    path("strategy/", include("strategy.urls")),
    path("ragboard/", include("ragboard.urls")),
]

handler400 = "gapmonitor.views.bad_request"
handler403 = "gapmonitor.views.permission_denied"
handler404 = "gapmonitor.views.page_not_found"
handler500 = "gapmonitor.views.server_error"
