"""The lookup by one-time code through the API: ask for a code, then send it for the list.

``POST /api/v1/lookup/code`` answers 202 with the same body whether or not a
dossier matched, and an opaque ``reference`` to send back with the code;
``POST /api/v1/lookup/dossiers`` answers the dossiers the code opens (the
same selector as the page, read-only, each read audited). No session and no
token: the code is the credential, once. Errors as everywhere in the API
(``motcua.api.errors``), bilingual through ``Accept-Language``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
)
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from motcua.audit.context import current_address
from motcua.audit.models import AuditChannel

from . import lookup
from .selectors import MyDossier


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response={"$ref": "#/components/schemas/Error"}, description=description)


class CodeRequestSerializer(serializers.Serializer[Any]):
    id_number = serializers.CharField(
        max_length=40,
        help_text="The identification number on the dossier: 12-digit personal number, or an "
        "organisation's tax or enterprise code",
    )
    phone = serializers.CharField(max_length=40, help_text="The phone number on the dossier")


class CodeRequestedSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="The same words whether or not a dossier matched")
    reference = serializers.CharField(help_text="Send it back with the code")
    expires_in = serializers.IntegerField(help_text="Seconds the code is valid")


class CodeSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=20, help_text="The 6 digits sent by SMS")


class LookupDossierSerializer(serializers.Serializer[MyDossier]):
    """A dossier as the lookup shows it: read-only, with its public tracking page."""

    code = serializers.CharField()
    procedure = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    status = serializers.IntegerField(help_text="National status 1-10")
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    finished = serializers.BooleanField()
    asked_now = serializers.CharField(help_text="What the applicant is asked to do now, if any")
    tracking_url = serializers.CharField(source="url", help_text="Path of the public tracking page")


class LookupDossiersSerializer(serializers.Serializer[Any]):
    dossiers = LookupDossierSerializer(many=True)


@extend_schema(
    operation_id="lookup_code_request",
    request=CodeRequestSerializer,
    responses={
        202: CodeRequestedSerializer,
        400: _error("Details that cannot be an identification number or a phone"),
        429: _error("Too many codes asked for these details or from this address"),
    },
    tags=["lookup"],
    summary="Ask for a one-time code by SMS to look up one's dossiers without an account",
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([])
@parser_classes([JSONParser, FormParser])
def code_request(request: Request) -> Response:
    """If dossiers carry both details, a 6-digit code goes to that phone; the answer is the
    same either way."""
    body = CodeRequestSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    row = lookup.lookup_code_request(
        id_number=body.validated_data["id_number"],
        phone=body.validated_data["phone"],
        address=current_address(),
        language=get_language() or "vi",
    )
    seconds = int((row.expires_at - row.created_at).total_seconds())
    answer = {
        "detail": str(lookup.CODE_SENT % {"minutes": seconds // 60}),
        "reference": lookup.lookup_reference(row),
        "expires_in": seconds,
    }
    return Response(CodeRequestedSerializer(answer).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    operation_id="lookup_dossiers",
    request=CodeSerializer,
    responses={
        200: LookupDossiersSerializer,
        400: _error("A wrong code (try again), or one expired, used or out of tries"),
    },
    tags=["lookup"],
    summary="Send the code for the dossiers it opens",
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([])
@parser_classes([JSONParser, FormParser])
def dossiers(request: Request) -> Response:
    """A right code is used up: ask for a new one to look again."""
    body = CodeSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    lookup_id = lookup.lookup_of_reference(body.validated_data["reference"])
    opened = lookup.lookup_code_verify(lookup_id=lookup_id, code=body.validated_data["code"])
    rows = lookup.lookup_dossiers(opened.dossier_ids, lookup_id=lookup_id, channel=AuditChannel.API)
    return Response(LookupDossiersSerializer({"dossiers": rows}).data)
