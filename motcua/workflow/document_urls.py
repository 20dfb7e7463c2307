"""Printable forms of a dossier (02-06) and the register (07), for staff, under /can-bo/."""

from django.urls import URLPattern, URLResolver

app_name = "documents"
urlpatterns: list[URLPattern | URLResolver] = []
