"""Catalogue endpoints, mounted under /api/v1/."""

from django.urls import path

from motcua.catalog import api, statistics_api

urlpatterns = [
    path("procedures", api.ProcedureListView.as_view(), name="api-procedure-list"),
    path("procedures/<str:code>", api.procedure_detail, name="api-procedure-detail"),
    path(
        "procedures/<str:code>/fees/quote",
        api.procedure_fees_quote,
        name="api-procedure-fees-quote",
    ),
    path(
        "statistics/online-provision",
        statistics_api.online_provision_view,
        name="api-statistics-online-provision",
    ),
]
