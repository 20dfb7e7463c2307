"""Public postal pages, under /buu-chinh/."""

from django.urls import path

from . import office_views, webhooks

app_name = "postal"
urlpatterns = [
    path("thu-tuc-khong-qua-buu-chinh/", office_views.not_carried, name="not-carried"),
    # The post's pushed tracking events.
    path("webhook/<slug:carrier>/", webhooks.webhook, name="webhook"),
]
