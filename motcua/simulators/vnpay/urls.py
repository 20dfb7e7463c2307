from django.urls import path

from . import views

app_name = "vnpay_sim"
urlpatterns = [
    path("paymentv2/vpcpay.html", views.pay, name="pay"),
    path("paymentv2/thanh-toan/<str:number>/", views.page, name="page"),
    path("merchant_webapi/api/transaction", views.api, name="api"),
    path("statement", views.statement, name="statement"),
]
