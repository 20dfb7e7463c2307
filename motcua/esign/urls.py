from django.urls import path

from . import staff_views, views

app_name = "esign"
urlpatterns = [
    path("xac-minh/", views.verify_upload, name="verify-upload"),
    path("xac-minh/<str:code>/", views.verify, name="verify"),
    path(
        "ho-so-cua-toi/<str:code>/ket-qua/<str:result_code>.pdf",
        views.applicant_download,
        name="applicant-download",
    ),
    path(
        "tra-cuu/<str:code>/ket-qua/<str:result_code>.pdf",
        views.tracking_download,
        name="tracking-download",
    ),
    path(
        "can-bo/ho-so/<str:code>/ket-qua/<str:result_code>/ban-in.pdf",
        staff_views.result_print,
        name="print",
    ),
]
