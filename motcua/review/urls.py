"""The annual review's staff pages, mounted under /can-bo/thong-ke/tong-ket/."""

from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    path("", views.annual, name="annual"),
    path("tai/docx/", views.download, {"fmt": "docx"}, name="docx"),
    path("tai/pdf/", views.download, {"fmt": "pdf"}, name="pdf"),
    path("mau/<int:pk>/", views.template_page, name="template"),
]
