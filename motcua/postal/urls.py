from django.urls import path

from . import webhooks

app_name = "postal"
urlpatterns = [
    # postcarrier (issue 12): the post's pushed tracking events.
    path("webhook/<slug:carrier>/", webhooks.webhook, name="webhook"),
]
