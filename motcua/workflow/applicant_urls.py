"""The applicant's actions on their dossier, under ``/ho-so-cua-toi/<code>/``."""

from django.urls import path

from . import applicant_views

app_name = "applicant"
urlpatterns = [
    path("<str:code>/bo-sung/", applicant_views.supplement_answer, name="supplement"),
    path("<str:code>/rut/", applicant_views.withdraw, name="withdraw"),
]
