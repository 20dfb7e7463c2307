"""API v1: each app contributes its endpoints from its own ``api_urls`` module."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        # Its start script is a file of its own, for the Content Security Policy.
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/docs.html"),
        name="api-docs",
    ),
    path("", include("motcua.calendar.api_urls")),
    path("", include("motcua.catalog.api_urls")),
    path("", include("motcua.dossiers.api_urls")),
    path("", include("motcua.workflow.api_urls")),
    path("", include("motcua.ratings.api_urls")),
    path("", include("motcua.applicants.api_urls")),
    path("", include("motcua.payments.api_urls")),
    path("", include("motcua.postal.api_urls")),
    path("", include("motcua.indicators.api_urls")),
    path("", include("motcua.sector.api_urls")),
    path("", include("motcua.targets.api_urls")),
    path("", include("motcua.statistics.api_urls")),
    path("", include("motcua.reports.api_urls")),
]
