from django.urls import path

from . import api

urlpatterns = [
    path("dossiers", api.dossier_create, name="api-dossier-create"),
    path("dossiers/<str:code>", api.dossier_detail, name="api-dossier-detail"),
]
