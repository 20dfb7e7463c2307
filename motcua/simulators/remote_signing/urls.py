from django.urls import path

from . import tsa, views

app_name = "remote_signing_sim"
urlpatterns = [
    path("control/", views.control, name="control"),
    path("tsa/", tsa.timestamp, name="tsa"),
    path("v1/credentials/get_certificate", views.get_certificate, name="get-certificate"),
    path("v1/signatures/sign", views.sign, name="sign"),
    path("v1/signatures/sign/<str:transaction_id>/status", views.status, name="status"),
]
