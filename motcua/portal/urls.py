from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.search, name="search"),
    path("thu-tuc/<str:code>/", views.procedure, name="procedure"),
    path(
        "thu-tuc/<str:code>/mau/<int:component_id>/",
        views.component_template,
        name="component-template",
    ),
    path("thu-tuc/<str:code>/nop-ho-so/", views.submit, name="submit"),
    path("thu-tuc/<str:code>/phi/", views.fee_quote, name="fee-quote"),
    path("ho-so/<str:code>/da-nop/", views.submitted, name="submitted"),
    path("tra-cuu/", views.track, name="track"),
    path("tra-cuu/<str:code>/", views.track_detail, name="track-detail"),
]
