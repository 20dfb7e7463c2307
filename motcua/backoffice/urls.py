"""Back-office pages for staff, under /can-bo/."""

from django.urls import URLPattern, URLResolver

app_name = "backoffice"
urlpatterns: list[URLPattern | URLResolver] = []
