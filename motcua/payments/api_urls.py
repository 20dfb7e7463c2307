"""The applicant's payments API, mounted under /api/v1/ by motcua.api.urls."""

from django.urls import URLPattern, URLResolver, path

from . import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("applicant/payments", api.start, name="api-applicant-payment-start"),
    path("applicant/payments/payable", api.payable, name="api-applicant-payable"),
    path("applicant/payments/<str:reference>", api.payment, name="api-applicant-payment"),
]
