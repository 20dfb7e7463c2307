"""Back-office pages of the post, under /can-bo/buu-chinh/ (postin: receiving from the post)."""

from django.urls import path

from . import views

app_name = "postal-staff"
urlpatterns = [
    path("nhan/", views.receive, name="receive"),
    path("nhan/bien-ban/<str:number>/", views.handover_page, name="handover"),
    path("nhan/bien-ban/<str:number>/pdf/", views.handover_download, name="handover-pdf"),
    path("nhan/goi/<int:line_id>/tiep-nhan/", views.intake, name="intake"),
]
