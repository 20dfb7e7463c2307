"""The one-stop unit's postal pages, under /can-bo/buu-chinh/."""

from django.urls import path

from . import office_views

app_name = "postal_staff"
urlpatterns = [
    path("", office_views.dashboard, name="dashboard"),
    path("doi-soat/", office_views.money_statement, name="money"),
    path(
        "doi-soat/<str:postal_unit>/<str:unit>/",
        office_views.money_detail,
        name="money-detail",
    ),
]
