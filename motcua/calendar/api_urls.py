"""Calendar endpoints, mounted under /api/v1/."""

from django.urls import path

from motcua.calendar import api

urlpatterns = [
    path("calendar/due-date", api.due_date_view, name="api-calendar-due-date"),
]
