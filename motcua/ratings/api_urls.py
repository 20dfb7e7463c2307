"""Ratings API, mounted under /api/v1/ by motcua.api.urls."""

from django.urls import URLPattern, URLResolver, path

from . import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("applicant/dossiers/<str:code>/rating", api.rate, name="api-applicant-rating"),
    path("ratings", api.ratings, name="api-ratings"),
]
