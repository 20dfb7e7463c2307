"""Only the catalogue's API, so its tests do not depend on the other apps' URLs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include("motcua.catalog.api_urls")),
]
