"""Sector figures in API v1, mounted under /api/v1/ by motcua.api.urls."""

from django.urls import path

from . import api

urlpatterns = [
    path("sector/figures", api.figures, name="api-sector-figures"),
    path("staff/sector/figures", api.figures_set, name="api-staff-sector-figures"),
]
