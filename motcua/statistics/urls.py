"""Staff statistics pages, mounted under /can-bo/thong-ke/ by config/urls.py."""

from django.urls import path

from . import views

app_name = "statistics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # The dossiers behind a number: doi-tuong, id, gop, chi-so, tu, den (others link here).
    path("ho-so/", views.facts, name="facts"),
]
