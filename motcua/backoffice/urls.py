"""Back-office pages for staff, under /can-bo/."""

from django.urls import include, path

from . import views

app_name = "backoffice"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("phan-cong/", views.bulk_assign, name="bulk-assign"),
    path("tiep-nhan/", views.counter, name="counter"),
    path("ho-so/<str:code>/", views.dossier, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<slug:action>/", views.act, name="act"),
    path("ho-so/<str:code>/tep/<int:file_id>/", views.dossier_file, name="dossier-file"),
    path("ho-so/<str:code>/ket-qua/<int:result_id>/", views.result_file, name="result-file"),
    path("", include("motcua.backoffice.document_urls")),
]
