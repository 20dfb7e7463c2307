"""The periodic report's staff pages, under /can-bo/thong-ke/bao-cao/."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.periodic, name="periodic"),
    path("bao-cao.xlsx", views.periodic_xlsx, name="periodic-xlsx"),
    path("bao-cao.pdf", views.periodic_pdf, name="periodic-pdf"),
    path("ho-so.xlsx", views.dossiers, name="dossiers-xlsx"),
]
