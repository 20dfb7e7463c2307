from django.urls import path

from . import api

urlpatterns = [
    path("indicators/scorecard", api.scorecard, name="api-indicators-scorecard"),
]
