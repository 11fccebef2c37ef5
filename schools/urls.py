from django.urls import include, path

from . import views

app_name = "schools"

urlpatterns = [
    path("overview/", views.la_overview, name="la_overview"),
    path("schools/", views.school_list, name="school_list"),
    path("schools/<int:urn>/", views.school_detail, name="school"),
    path("imports/", include("schools.imports.urls")),
]
