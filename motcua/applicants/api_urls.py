"""API of the lookup by one-time code, mounted under /api/v1/ by motcua.api.urls."""

from django.urls import URLPattern, URLResolver, path

from . import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("lookup/code", api.code_request, name="api-lookup-code"),
    path("lookup/dossiers", api.dossiers, name="api-lookup-dossiers"),
]
