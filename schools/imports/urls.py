"""Import pages (data managers and administrators). Included under /imports/ in the schools namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="imports"),
    path("<int:pk>/", views.batch_detail, name="import_batch"),
    path("<int:pk>/status.json", views.batch_status, name="import_status"),
    path("<int:pk>/confirm/", views.confirm, name="import_confirm"),
    path("<int:pk>/cancel/", views.cancel, name="import_cancel"),
    path("<int:pk>/rollback/", views.rollback, name="import_rollback"),
    path("<int:pk>/problems.csv", views.problems_download, name="import_problems"),
    path("templates/<slug:name>.csv", views.template_download, name="import_template"),
]
