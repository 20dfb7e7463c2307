"""Yearly targets in API v1, mounted under /api/v1/ by motcua.api.urls."""

from django.urls import path

from . import api

urlpatterns = [
    path("targets", api.targets, name="api-targets"),
]
