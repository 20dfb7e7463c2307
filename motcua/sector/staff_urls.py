"""The sector figures in the back office, under /can-bo/thong-ke/nganh/."""

from django.urls import path

from . import views

app_name = "sector"
urlpatterns = [
    path("", views.figures, name="figures"),
    path("luu/", views.figures_save, name="save"),
    path("nhap/", views.figures_import, name="import"),
    path("chi-so/", views.metrics, name="metrics"),
    path("ky/<int:pk>/dong/", views.period_close, name="close"),
    path("ky/<int:pk>/mo-lai/", views.period_reopen, name="reopen"),
]
