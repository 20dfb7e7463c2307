"""The applicant's API for their own dossier: answer a supplement request, ask to withdraw.

Under ``/api/v1/applicant/dossiers/<code>/``. Who the applicant is comes
from the national identity's bearer token only (``ApplicantBearerAuthentication``;
never the session, so no other site's form can act with a browser's cookie):
none is 401, another person's dossier 404. Each endpoint calls one service, which checks
the identification number again under the dossier's lock.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
)
from rest_framework.exceptions import NotAuthenticated
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from motcua.applicants.oidc import ApplicantBearerAuthentication
from motcua.dossiers.models import Dossier

from .applicant_access import applicant_pin
from .applicant_views import item_files
from .services import applicant as services

NO_APPLICANT = _("Sign in with your national identity to act on your dossier.")


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response={"$ref": "#/components/schemas/Error"}, description=description)


ERRORS = {
    400: _error("Invalid fields, every message at once"),
    401: _error("No applicant identity on the request"),
    404: _error("No dossier with this code among the applicant's"),
    409: _error("Not possible in the dossier's state (a second answer, a finished dossier)"),
    413: _error("A file too large, or too many files"),
}


AUTH = [ApplicantBearerAuthentication]


def pin_of(request: Request) -> str:
    """Return the applicant's identification number set by the identity, or raise 401."""
    pin = applicant_pin(request)
    if not pin:
        raise NotAuthenticated(NO_APPLICANT)
    return pin


class ApplicantDossierSerializer(serializers.Serializer[Dossier]):
    """Where the applicant's dossier stands after an action."""

    code = serializers.CharField()
    state = serializers.CharField()
    status = serializers.IntegerField(help_text="National status 1-10")
    status_label = serializers.CharField(source="get_status_display")
    revision = serializers.IntegerField()
    due_at = serializers.DateTimeField()


class SupplementAnswerSerializer(serializers.Serializer[Any]):
    """The answer's text; the files are multipart parts named ``item-<item id>``."""

    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class WithdrawalSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


@extend_schema(
    operation_id="applicant_supplement_answer",
    request={
        "multipart/form-data": {
            "type": "object",
            "properties": {
                "note": {"type": "string", "maxLength": 2000},
                "item-{id}": {
                    "type": "array",
                    "items": {"type": "string", "format": "binary"},
                    "description": "Files for the item of the supplement request with this id "
                    "(one part per file; PDF, JPEG or PNG)",
                },
            },
        }
    },
    responses={200: ApplicantDossierSerializer, **ERRORS},
    tags=["applicant"],
    summary="Answer the dossier's supplement request: files per item and a note",
)
@api_view(["POST"])
@authentication_classes(AUTH)
@permission_classes([])
@parser_classes([MultiPartParser, FormParser])
def supplement_answer(request: Request, code: str) -> Response:
    """The request is closed as received online and the clock resumes; a second answer is 409."""
    pin = pin_of(request)
    body = SupplementAnswerSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    request_closed = services.supplement_answer_online(
        dossier=code,
        applicant_id_number=pin,
        files=item_files(request.FILES),
        note=body.validated_data.get("note", ""),
    )
    return Response(ApplicantDossierSerializer(request_closed.dossier).data)


@extend_schema(
    operation_id="applicant_withdrawal_request",
    request=WithdrawalSerializer,
    responses={200: ApplicantDossierSerializer, **{c: ERRORS[c] for c in (400, 401, 404, 409)}},
    tags=["applicant"],
    summary="Ask to withdraw the dossier (national status 7), with the reason",
)
@api_view(["POST"])
@authentication_classes(AUTH)
@permission_classes([])
@parser_classes([JSONParser, FormParser])
def withdrawal(request: Request, code: str) -> Response:
    """The agency answers as it answers a request recorded at the counter."""
    pin = pin_of(request)
    body = WithdrawalSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    dossier = services.applicant_withdrawal_request(
        dossier=code, applicant_id_number=pin, reason=body.validated_data["reason"]
    )
    return Response(ApplicantDossierSerializer(dossier).data)
