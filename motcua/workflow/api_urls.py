"""Staff API of the workflow, mounted under /api/v1/ by motcua.api.urls."""

from django.urls import URLPattern, URLResolver, path

from . import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/dossiers", api.inbox, name="api-staff-inbox"),
    path("staff/dossiers/assign", api.assign_many, name="api-staff-assign"),
    path("staff/counter-intake", api.counter_intake, name="api-staff-counter-intake"),
    path("staff/dossiers/<str:code>", api.dossier, name="api-staff-dossier"),
    *(
        path(
            f"staff/dossiers/<str:code>/{action.value.replace('_', '-')}",
            view,
            name=f"api-staff-{action.value.replace('_', '-')}",
        )
        for action, view in api.action_views.items()
    ),
]
