from django.urls import path

from . import views

app_name = "ragboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("judgements/<int:pk>/", views.judgement, name="judgement"),
    path("overall/<int:pk>/", views.overall, name="overall"),
    path("compare/", views.compare, name="compare"),
    path("evidence/", views.evidence_list, name="evidence"),
    path("evidence/new/", views.evidence_new, name="evidence_new"),
    path("evidence/<int:pk>/", views.evidence_detail, name="evidence_detail"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path("plan/", views.plan_board, name="plan_board"),
    path("plan/workstreams/new/", views.workstream_edit, name="workstream_new"),
    path("plan/workstreams/<int:pk>/", views.workstream_edit, name="workstream_edit"),
    path("plan/targets/new/", views.target_edit, name="target_new"),
    path("plan/targets/<int:pk>/", views.target_edit, name="target_edit"),
    path("framework/", views.framework, name="framework"),
]
