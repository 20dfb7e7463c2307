"""JSON API of dossiers: submit online, track publicly."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, parser_classes
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from motcua.applicants.claims import LOA_TOO_LOW
from motcua.applicants.oidc import ApplicantBearerAuthentication
from motcua.applicants.selectors import applicant_may_submit, applicant_of, identity_answers
from motcua.applicants.submission import answers_with_identity
from motcua.catalog.api import (
    CodeNameSerializer,  # one "CodeName" in the OpenAPI schema
    FeeQuoteSerializer,
)
from motcua.core.errors import ValidationFailed
from motcua.core.middleware import UNSTORABLE_INPUT, unstorable_fields

from .fees import dossier_fee_lines
from .models import Channel, Dossier, Status
from .selectors import dossier_public_get, dossier_receipt_url, dossier_tracking_url
from .services import dossier_submit

MAX_KEY_LENGTH = 100  # Dossier.idempotency_key
KEY_TOO_LONG = _("The Idempotency-Key header is longer than 100 characters.")
IDENTITY_REQUIRED = _(
    "Online submission needs the applicant's national identity: send its access token as "
    "Authorization: Bearer <token>."
)


class SubmissionSerializer(serializers.Serializer[Any]):
    """The multipart body; ``dossier_submit`` validates it (this describes it for OpenAPI).

    The fields named after the procedure's data (``component-<id>`` files,
    ``eform-<name>``, ``fee_proof-<code>``) are added by ``motcua.api.schema``.
    """

    procedure = serializers.CharField(help_text="Procedure code, e.g. 1.001193.000.00.00.H17")
    applicant_kind = serializers.ChoiceField(choices=["person", "organisation"], required=False)
    applicant_name = serializers.CharField()
    applicant_id_number = serializers.CharField(help_text="12-digit citizen identity number")
    applicant_phone = serializers.CharField()
    applicant_email = serializers.EmailField(required=False)
    applicant_address = serializers.CharField()
    delivery = serializers.ChoiceField(choices=["counter", "post", "online"])
    delivery_address = serializers.CharField(required=False, help_text="Required for post")
    fee_claim = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Codes of the fee exemptions claimed (the procedure's `fee_exemptions` with "
        "trigger `claim`); repeat the field for several. Reductions by channel apply by "
        "themselves.",
    )
    message_email = serializers.BooleanField(
        required=False,
        default=True,
        help_text="Send the applicant e-mails about the dossier (to `applicant_email`); "
        "`true` or `false`, default `true`. The procedure may send none anyway.",
    )
    message_sms = serializers.BooleanField(
        required=False,
        default=True,
        help_text="Send the applicant SMS about the dossier (to `applicant_phone`); "
        "`true` or `false`, default `true`. The procedure may send none anyway.",
    )
    message_language = serializers.ChoiceField(
        choices=[("vi", "Tiếng Việt"), ("en", "English")],
        required=False,
        default="vi",
        help_text="Language of the messages; the acknowledgement already follows this "
        "choice. Another value is refused (400).",
    )


class SubmittedSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    status = serializers.IntegerField()
    status_label = serializers.CharField()
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    receipt_url = serializers.URLField()
    tracking_url = serializers.URLField()
    fees = FeeQuoteSerializer(
        help_text="The fee lines recorded for the dossier: counted on the e-form's answers, "
        "with the exemptions applied; lines the officer counts at intake have no amount yet."
    )


class HistorySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    event = serializers.CharField()
    status = serializers.IntegerField()
    status_label = serializers.CharField()
    actor = serializers.CharField()


class PublicDossierSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    status = serializers.IntegerField()
    status_label = serializers.CharField()
    procedure = CodeNameSerializer()
    competent_agency = CodeNameSerializer()
    channel = serializers.IntegerField()
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    history = HistorySerializer(many=True)


def _submitted(request: Request, dossier: Dossier) -> dict[str, Any]:
    return {
        "code": dossier.code,
        "status": dossier.status,
        "status_label": Status(dossier.status).label,
        "received_at": localtime(dossier.received_at),
        "due_at": localtime(dossier.due_at),
        "receipt_url": request.build_absolute_uri(dossier_receipt_url(dossier)),
        "tracking_url": request.build_absolute_uri(dossier_tracking_url(dossier)),
        "fees": FeeQuoteSerializer(dossier_fee_lines(dossier=dossier)).data,
    }


@extend_schema(
    operation_id="dossier_submit",
    request={"multipart/form-data": SubmissionSerializer},
    parameters=[
        OpenApiParameter(
            "Idempotency-Key",
            str,
            OpenApiParameter.HEADER,
            description=(
                "At most 100 characters, e.g. a UUID. A retried submission with the same key "
                "returns the first dossier (200); the same key with other data is 409."
            ),
        )
    ],
    responses={
        201: SubmittedSerializer,
        200: OpenApiResponse(SubmittedSerializer, description="Replay of an earlier submission"),
        400: OpenApiResponse(description="Invalid fields, one message per field"),
        404: OpenApiResponse(description="Unknown procedure"),
        409: OpenApiResponse(description="Idempotency-Key reused for another submission"),
        413: OpenApiResponse(description="Too many or too large files"),
    },
    tags=["dossiers"],
)
@api_view(["POST"])
@authentication_classes([ApplicantBearerAuthentication])
@parser_classes([MultiPartParser, FormParser])
def dossier_create(request: Request) -> Response:
    """Submit a dossier online (channel 2) with its e-form data and files.

    ``Authorization: Bearer <access token>`` of the national identity: the
    applicant's kind, name, identification number (and phone, e-mail when the
    identity has them) come from it, whatever the body says. Without a token
    only when ``MOTCUA_ANONYMOUS_SUBMISSION`` is on.
    """
    data = request.data
    if not isinstance(data, Mapping):  # a JSON list: nothing of a submission
        data = {}
    applicant = applicant_of(request.user)
    if applicant is None and not settings.MOTCUA_ANONYMOUS_SUBMISSION:
        raise NotAuthenticated(IDENTITY_REQUIRED)
    if applicant is not None:
        if not applicant_may_submit(applicant):
            required: int = settings.MOTCUA_SUBMIT_MIN_LOA
            raise PermissionDenied(LOA_TOO_LOW % {"loa": applicant.loa, "required": required})
        data = answers_with_identity(data, identity_answers(applicant))
    key = (request.headers.get("Idempotency-Key") or "").strip() or None
    if key is not None and len(key) > MAX_KEY_LENGTH:
        # Cutting it would make two different keys one: refuse instead.
        raise ValidationFailed(KEY_TOO_LONG, field_errors={"Idempotency-Key": [KEY_TOO_LONG]})
    unstorable = unstorable_fields(data)
    if unstorable:
        raise ValidationFailed(
            UNSTORABLE_INPUT, field_errors={name: [UNSTORABLE_INPUT] for name in unstorable}
        )
    result = dossier_submit(
        procedure_code=str(data.get("procedure", "")),
        data=data,
        files={name: request.FILES.getlist(name) for name in request.FILES},
        channel=Channel.ONLINE,
        idempotency_key=key,
    )
    return Response(
        _submitted(request, result.dossier),
        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
    )


@extend_schema(
    operation_id="dossier_track",
    responses={200: PublicDossierSerializer, 404: OpenApiResponse(description="Unknown code")},
    tags=["dossiers"],
)
@api_view(["GET"])
def dossier_detail(request: Request, code: str) -> Response:
    """Return a dossier's public status and history; never the applicant's personal data."""
    dossier = dossier_public_get(code=code)
    history = [
        {
            "at": localtime(event.at),
            "event": event.get_kind_display(),
            "status": event.to_status,
            "status_label": Status(event.to_status).label,
            "actor": event.actor_label,
        }
        for event in getattr(dossier, "public_events", [])
    ]
    # Built by hand: this is the hottest public endpoint, and the serializers above
    # only document the shape (instantiating them costs a deep copy per request).
    body = {
        "code": dossier.code,
        "status": dossier.status,
        "status_label": Status(dossier.status).label,
        "procedure": {"code": dossier.procedure.code, "name": dossier.procedure_version.name},
        "competent_agency": {
            "code": dossier.competent_agency.code,
            "name": dossier.competent_agency.name,
        },
        "channel": dossier.channel,
        "received_at": localtime(dossier.received_at),
        "due_at": localtime(dossier.due_at),
        "history": history,
    }
    return Response(body)
