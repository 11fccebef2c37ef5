from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("reports/la/briefing.<str:fmt>", views.briefing, name="briefing"),
    path("reports/schools/<int:urn>/profile.<str:fmt>", views.profile, name="profile"),
    path("strategy/visits/<int:pk>/report.<str:fmt>", views.visit_report, name="visit_report"),
]
