"""Ratings pages: the applicant's form, the public aggregates, the staff's list."""

from django.urls import path

from . import views

app_name = "ratings"
urlpatterns = [
    path("ho-so-cua-toi/<str:code>/danh-gia/", views.rate, name="rate"),
    path("danh-gia/", views.public, name="public"),
    path("can-bo/danh-gia/", views.staff, name="staff"),
]
