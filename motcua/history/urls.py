"""The statistician's imports of a previous system's records, under /can-bo/thong-ke/nhap-lieu/."""

from django.urls import path

from . import views

app_name = "history"
urlpatterns = [
    path("", views.imports, name="imports"),
    path("<int:pk>/", views.batch, name="batch"),
    path("<int:pk>/bi-tu-choi.csv", views.rejections_download, name="rejections-csv"),
]
