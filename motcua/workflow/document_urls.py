"""Printable forms of a dossier (02-06) and the register (07), for staff, under /can-bo/."""

from django.urls import path

from . import document_views

app_name = "documents"
urlpatterns = [
    path("ho-so/<str:code>/mau-<str:form>.pdf", document_views.form, name="form"),
    path("so-theo-doi/", document_views.register_page, name="register"),
]
