"""Staff notices, under /can-bo/."""

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("thong-bao/", views.notifications, name="list"),
    path("thong-bao/da-doc/", views.mark_read, name="mark-read"),
]
