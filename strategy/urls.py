from django.urls import path

from . import views, visit_views

app_name = "strategy"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("plans/<int:pk>/targets/new/", views.target_create, name="target_create"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/update/", views.action_update, name="action_update"),
    path("targets/", views.target_list, name="targets"),
    path("targets/<int:pk>/", views.target_detail, name="target"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/milestones/new/", views.milestone_create, name="milestone_create"),
    path("visits/", visit_views.visit_list, name="visits"),
    path("visits/quality/", visit_views.visit_quality_summary, name="visit_quality_summary"),
    path("visits/new/", visit_views.visit_start, name="visit_start"),
    path("visits/new/<int:urn>/", visit_views.visit_create, name="visit_create"),
    path("visits/<int:pk>/", visit_views.visit_detail, name="visit"),
    path("visits/<int:pk>/edit/", visit_views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/print/", visit_views.visit_print, name="visit_print"),
    path("visits/<int:pk>/acknowledge/", visit_views.visit_acknowledge, name="visit_acknowledge"),
    path("visits/<int:pk>/quality/", visit_views.visit_quality, name="visit_quality"),
    path("stories/", views.story_list, name="stories"),
    path("stories/new/", views.story_create, name="story_create"),
    path("stories/published/", views.story_print, name="story_print"),
    path("stories/<int:pk>/", views.story_detail, name="story"),
    path("stories/<int:pk>/edit/", views.story_edit, name="story_edit"),
    path("support/", views.engagement_list, name="engagements"),
    path("support/new/", views.engagement_create, name="engagement_create"),
    path("support/<int:pk>/", views.engagement_detail, name="engagement"),
    path("support/<int:pk>/edit/", views.engagement_edit, name="engagement_edit"),
    path("support/<int:pk>/objectives/new/", views.objective_create, name="objective_create"),
]
