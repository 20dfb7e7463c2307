"""The public statistics page, mounted under /thong-ke/ by config/urls.py."""

from django.urls import path

from . import public_views

app_name = "statistics_public"
urlpatterns = [path("", public_views.public, name="public")]
