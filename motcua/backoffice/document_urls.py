"""Printed forms of a dossier (the receipt 01, 02-06) and the register (07), under /can-bo/ (the
same URLs as before they moved from the workflow app); included by ``backoffice.urls`` in its
namespace."""

from django.urls import path

from . import documents

urlpatterns = [
    path("ho-so/<str:code>/bien-nhan.pdf", documents.dossier_receipt, name="dossier-receipt"),
    path("ho-so/<str:code>/mau-<str:form>.pdf", documents.dossier_form, name="dossier-form"),
    path("so-theo-doi/", documents.register_page, name="register"),
]
