"""The catalogue's statistics pages for staff, mounted under /can-bo/thong-ke/."""

from django.urls import path

from . import views

app_name = "catalog_statistics"
urlpatterns = [
    path("muc-do-truc-tuyen/", views.online_provision_page, name="online-provision"),
]
