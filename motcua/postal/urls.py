"""Public and postal-worker pages, under /buu-chinh/."""

from django.urls import path

from . import office_views, views, webhooks

app_name = "postal"
urlpatterns = [
    path("thu-tuc-khong-qua-buu-chinh/", office_views.not_carried, name="not-carried"),
    # The post's pushed tracking events.
    path("webhook/<slug:carrier>/", webhooks.webhook, name="webhook"),
    # Collections (postin): the applicant's order, the postal worker's phone pages.
    path("thu-gom/", views.collection_order, name="order"),
    path("thu-gom/da-dat/<str:number>/", views.collection_ordered, name="ordered"),
    path("nhan-vien/", views.worker_home, name="worker-home"),
    path("nhan-vien/don/<str:number>/", views.worker_order, name="worker-order"),
    path("nhan-vien/don/<str:number>/nhan-viec/", views.worker_take, name="worker-take"),
    path("nhan-vien/bien-ban/<str:number>/ky/", views.worker_sign, name="worker-sign"),
]
