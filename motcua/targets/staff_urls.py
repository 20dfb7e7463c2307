"""The yearly targets in the back office, under /can-bo/thong-ke/chi-tieu/."""

from django.urls import path

from . import views

app_name = "targets"
urlpatterns = [
    path("", views.target_list, name="index"),
    path("dat/", views.target_save, name="save"),
    path("<int:pk>/xoa/", views.target_remove, name="delete"),
]
