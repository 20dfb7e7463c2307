"""The one-stop unit's postal pages, under /can-bo/buu-chinh/."""

from django.urls import path

from . import office_views, views

app_name = "postal_staff"
urlpatterns = [
    path("", office_views.dashboard, name="dashboard"),
    path("doi-soat/", office_views.money_statement, name="money"),
    path(
        "doi-soat/<str:postal_unit>/<str:unit>/",
        office_views.money_detail,
        name="money-detail",
    ),
    # Receiving packages from the post (postin).
    path("nhan/", views.receive, name="receive"),
    path("nhan/bien-ban/<str:number>/", views.handover_page, name="handover"),
    path("nhan/bien-ban/<str:number>/pdf/", views.handover_download, name="handover-pdf"),
    path("nhan/goi/<int:line_id>/tiep-nhan/", views.intake, name="intake"),
]
