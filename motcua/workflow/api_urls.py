"""Staff API of the workflow, mounted under /api/v1/ by motcua.api.urls."""

from django.urls import URLPattern, URLResolver, path

from . import api, api_applicant, api_documents

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "applicant/dossiers/<str:code>/supplement",
        api_applicant.supplement_answer,
        name="api-applicant-supplement",
    ),
    path(
        "applicant/dossiers/<str:code>/withdrawal",
        api_applicant.withdrawal,
        name="api-applicant-withdrawal",
    ),
    path("staff/dossiers", api.inbox, name="api-staff-inbox"),
    path("staff/dossiers/assign", api.assign_many, name="api-staff-assign"),
    path("staff/counter-intake", api.counter_intake, name="api-staff-counter-intake"),
    path("staff/dossiers/<str:code>", api.dossier, name="api-staff-dossier"),
    path(
        "staff/dossiers/<str:code>/files/<int:file_id>",
        api_documents.dossier_file,
        name="api-staff-dossier-file",
    ),
    path(
        "staff/dossiers/<str:code>/results/<str:result_code>",
        api_documents.result_file,
        name="api-staff-result-file",
    ),
    path(
        "staff/dossiers/<str:code>/forms/<str:form>.pdf",
        api_documents.form,
        name="api-staff-form",
    ),
    *(
        path(
            f"staff/dossiers/<str:code>/{action.value.replace('_', '-')}",
            view,
            name=f"api-staff-{action.value.replace('_', '-')}",
        )
        for action, view in api.action_views.items()
    ),
]
