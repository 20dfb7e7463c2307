"""Open data of statistics, mounted under /api/v1/ by motcua.api.urls."""

from django.urls import URLPattern, URLResolver, path

from . import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("statistics/figures", api.figures, name="api-statistics-figures"),
    path("statistics/agencies", api.agencies, name="api-statistics-agencies"),
]
