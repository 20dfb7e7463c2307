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

from motcua.audit.models import AuditChannel, ReadAction
from motcua.audit.services import audit_dossier_read
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


def _read(request: Request, dossier: Dossier, action: ReadAction, note: str) -> None:
    """Write the audit entry of a document of ``dossier`` sent through the API."""
    audit_dossier_read(
        action=action,
        dossier_id=dossier.pk,
        code=dossier.code,
        actor=request.user,
        channel=AuditChannel.API,
        note=note,
    )


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
    dossier = _dossier(request, code)
    response = private_file_response(dossier_file_of(dossier=dossier, file_id=file_id))
    _read(request, dossier, ReadAction.FILE, f"file {file_id}")
    return response


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
    stored = dossier_result_of(dossier=dossier, code=result_code)
    response = private_file_response(stored)
    _read(request, dossier, ReadAction.RESULT, f"result {stored.code}")
    return response


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
    number = query.validated_data.get("n")
    body = documents.form_pdf(dossier, form, index=number)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mau-{form}-{dossier.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    _read(
        request,
        dossier,
        ReadAction.FORM,
        f"form {form}" + (f" n={number}" if number is not None else ""),
    )
    return response
