"""Staff API: a dossier's scanned files, result documents and printable forms (02-06).

The same rules as the dossier endpoint: token authentication, a staff role,
and a dossier outside the caller's agencies is 404 like an unknown code.
"""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.request import Request

from motcua.core.errors import Forbidden, NotFound
from motcua.core.query import QuerySerializer
from motcua.dossiers.files import private_file_response
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_file_of, dossier_result_of

from . import documents, selectors
from .api import AUTH, READ_ERRORS, IsStaff


def _dossier(request: Request, code: str, *, for_print: bool = False) -> Dossier:
    try:
        if for_print:
            return selectors.dossier_for_print(user=request.user, code=code)
        return selectors.dossier_visible(user=request.user, code=code)
    except Forbidden as exc:
        raise NotFound(selectors.DOSSIER_NOT_FOUND) from exc


# More supplement requests than a dossier can have (one at intake, one per agency).
MAX_SUPPLEMENT_INDEX = 100
FILE = OpenApiResponse(OpenApiTypes.BINARY, description="The file, as it was stored")
# The types a stored file may have (MOTCUA_ALLOWED_FILE_TYPES): its own is sent.
FILE_RESPONSES = {(200, media): FILE for media in ("application/pdf", "image/jpeg", "image/png")}
PDF = OpenApiResponse(OpenApiTypes.BINARY, description="The form, as a PDF")


@extend_schema(
    operation_id="staff_dossier_file",
    responses={**FILE_RESPONSES, **READ_ERRORS},
    tags=["staff"],
    summary="A scanned or uploaded file of one of the dossier's components",
)
@api_view(["GET"])
@authentication_classes(AUTH)
@permission_classes([IsStaff])
def dossier_file(request: Request, code: str, file_id: int) -> FileResponse:
    """The file ids are in the dossier's ``components[].files[].id``."""
    return private_file_response(dossier_file_of(dossier=_dossier(request, code), file_id=file_id))


@extend_schema(
    operation_id="staff_dossier_result_file",
    responses={**FILE_RESPONSES, **READ_ERRORS},
    tags=["staff"],
    summary="A result document of the dossier (the signed decision, licence, certificate)",
)
@api_view(["GET"])
@authentication_classes(AUTH)
@permission_classes([IsStaff])
def result_file(request: Request, code: str, result_code: str) -> FileResponse:
    """The result codes (``<dossier code>-KQ<n>``) are in the dossier's ``results[].code``."""
    dossier = _dossier(request, code)
    return private_file_response(dossier_result_of(dossier=dossier, code=result_code))


class FormQuerySerializer(QuerySerializer):
    n = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_SUPPLEMENT_INDEX,
        help_text="Form 02 only: which supplement request (1 = the first; default: latest)",
    )


@extend_schema(
    operation_id="staff_dossier_form",
    parameters=[FormQuerySerializer],
    responses={(200, "application/pdf"): PDF, **READ_ERRORS},
    tags=["staff"],
    summary="Print form 02 (supplement), 03 (refusal), 04 (extension), 05 (stop) or 06 (slip)",
)
@api_view(["GET"])
@authentication_classes(AUTH)
@permission_classes([IsStaff])
def form(request: Request, code: str, form: str) -> HttpResponse:
    """A form that does not apply to the dossier yet (say 03 before a refusal) is 404."""
    query = FormQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    dossier = _dossier(request, code, for_print=True)
    body = documents.form_pdf(dossier, form, index=query.validated_data.get("n"))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mau-{form}-{dossier.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
