from django.urls import include, path

from . import views

app_name = "schools"

EXPORT = "export/<slug:table>.<str:fmt>"

urlpatterns = [
    path("overview/", views.la_overview, name="la_overview"),
    path("overview/detail/", views.la_overview, {"detail": True}, name="la_overview_detail"),
    path(f"overview/{EXPORT}", views.la_overview, name="la_overview_export"),
    path("areas/<int:pk>/", views.area, name="area"),
    path(f"areas/<int:pk>/{EXPORT}", views.area, name="area_export"),
    path("clusters/<int:pk>/", views.cluster, name="cluster"),
    path(f"clusters/<int:pk>/{EXPORT}", views.cluster, name="cluster_export"),
    path("schools/", views.school_list, name="school_list"),
    path("schools/<int:urn>/", views.school_detail, name="school"),
    path(f"schools/<int:urn>/{EXPORT}", views.school_detail, name="school_export"),
    path("schools/<int:urn>/groups/", views.school_groups, name="school_groups"),
    path("schools/<int:urn>/measures/<slug:code>/", views.school_measure, name="school_measure"),
    path("priority/", views.priority, name="priority"),
    path(f"priority/{EXPORT}", views.priority, name="priority_export"),
    path("gap-busters/", views.gap_busters, name="gap_busters"),
    path(f"gap-busters/{EXPORT}", views.gap_busters, name="gap_busters_export"),
    path("cluster-rag/", views.cluster_rag, name="cluster_rag"),
    path(f"cluster-rag/{EXPORT}", views.cluster_rag, name="cluster_rag_export"),
    path("national/", views.national, name="national"),
    path(f"national/{EXPORT}", views.national, name="national_export"),
    path("imports/", include("schools.imports.urls")),
]
