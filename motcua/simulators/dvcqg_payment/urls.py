from django.urls import path

from . import views

app_name = "dvcqg_payment_sim"
urlpatterns = [
    path("api/transaction/create", views.create, name="create"),
    path("api/transaction/detail", views.detail, name="detail"),
    path("api/transaction/statement", views.statement, name="statement"),
    path("thanh-toan/<str:code>/", views.page, name="page"),
]
