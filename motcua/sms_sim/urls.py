from django.urls import path

from . import views

app_name = "sms_sim"
urlpatterns = [
    path(
        "MainService.svc/json/SendMultipleMessage_V4_post_json/",
        views.send,
        name="send",
    ),
]
