from django.urls import path

from . import views

app_name = "ragboard"

urlpatterns = [
    path("", views.home, name="home"),
]
