"""Staff API of the workflow, mounted under /api/v1/ by motcua.api.urls."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
