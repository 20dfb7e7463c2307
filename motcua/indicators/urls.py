"""The indicators of Decision 766 in the back office, under /can-bo/thong-ke/chi-so-766/."""

from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.scorecard, name="scorecard"),
    path("xep-hang/", views.ranking, name="ranking"),
    path("bo-chi-so/", views.sets, name="sets"),
    path("bo-chi-so/<int:pk>/", views.set_detail, name="set"),
]
