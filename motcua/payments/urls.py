from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("thanh-toan/", views.basket, name="basket"),
    path("thanh-toan/ket-qua/<slug:code>/", views.checkout_return, name="return"),
    path("thanh-toan/ipn/<slug:code>/", views.ipn, name="ipn"),
    path("thanh-toan/bien-lai/<str:reference>/", views.receipt_download, name="receipt"),
    path("can-bo/doi-soat/", views.reconciliation, name="reconciliation"),
]
