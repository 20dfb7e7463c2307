"""The one-stop unit's postal pages in the back office, under /can-bo/buu-chinh/."""

from django.urls import path

from . import office_views, staff_views, views

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
    # Results by post (postout): dispatch, failed deliveries.
    path("gui/", staff_views.dispatch, name="dispatch"),
    path("gui/giao/", staff_views.dispatch_hand_over, name="dispatch-hand-over"),
    path("gui/bien-ban/<str:number>/", staff_views.dispatch_record, name="dispatch-record"),
    path(
        "gui/bien-ban/<str:number>/pdf/",
        staff_views.dispatch_record_pdf,
        name="dispatch-record-pdf",
    ),
    path("khong-phat-duoc/", staff_views.failed, name="failed"),
    path("don/<str:number>/nhan-lai/", staff_views.order_received_back, name="received-back"),
    path("don/<str:number>/gui-lai/", staff_views.order_resend, name="resend"),
    path("don/<str:number>/tra-tai-quay/", staff_views.order_counter, name="counter"),
]
