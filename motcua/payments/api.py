"""The applicant's payments API: what is owed, start a payment, where a payment stands.

Under ``/api/v1/applicant/payments``. The applicant is the national
identity's bearer token only (``ApplicantBearerAuthentication``), as for
their other actions: none is 401; a payment of someone else is 404. The
same services as the pages: the dossier moves only when the gateway's
notification confirms the payment.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
)
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from motcua.applicants.selectors import applicant_of
from motcua.workflow.api_applicant import AUTH, ERRORS, pin_of

from . import selectors, services
from .models import Payment


class PayableFeeLineSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    kind = serializers.CharField(help_text="fee (phí) or charge (lệ phí)")
    name = serializers.CharField()
    amount = serializers.IntegerField(allow_null=True, help_text="VND; null: still to be counted")
    rule_text = serializers.CharField(help_text="How the amount was counted")


class PayableSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(source="dossier.code")
    procedure = serializers.CharField(source="dossier.procedure_version.name")
    receiving_unit = serializers.CharField(source="dossier.receiving_unit.code")
    amount = serializers.IntegerField(help_text="VND owed now")
    lines = PayableFeeLineSerializer(many=True)


class PaymentSerializer(serializers.Serializer[Payment]):
    """Where a payment stands (our record: paid only once the gateway confirmed it)."""

    reference = serializers.CharField()
    state = serializers.CharField(help_text="not_paid, pending, paid, failed, cancelled, refunded")
    amount = serializers.IntegerField(help_text="VND")
    gateway = serializers.CharField()
    dossiers = serializers.SerializerMethodField()
    receipt_url = serializers.SerializerMethodField()

    def get_dossiers(self, payment: Payment) -> list[str]:
        return list(selectors.payment_dossiers(payment).values_list("code", flat=True))

    def get_receipt_url(self, payment: Payment) -> str | None:
        if not hasattr(payment, "receipt"):
            return None
        return reverse("payments:receipt", args=[payment.reference])


class StartedSerializer(PaymentSerializer):
    redirect_url = serializers.CharField(help_text="Send the payer there (GET)")


class StartSerializer(serializers.Serializer[Any]):
    dossiers = serializers.ListField(
        child=serializers.CharField(max_length=70), min_length=1, max_length=20
    )
    gateway = serializers.CharField(max_length=20, help_text="A code of the gateways on offer")


@extend_schema(
    operation_id="applicant_payable",
    responses={200: PayableSerializer(many=True), 401: ERRORS[401]},
    tags=["applicant"],
    summary="The applicant's dossiers waiting for payment, with each fee line owed",
)
@api_view(["GET"])
@authentication_classes(AUTH)
@permission_classes([])
def payable(request: Request) -> Response:
    pin = pin_of(request)
    return Response(PayableSerializer(selectors.payable_dossiers(pin), many=True).data)


@extend_schema(
    operation_id="applicant_payment_start",
    request=StartSerializer,
    responses={201: StartedSerializer, **{c: ERRORS[c] for c in (400, 401, 409)}},
    tags=["applicant"],
    summary="Pay one or several dossiers of one one-stop unit online: where to send the payer",
)
@api_view(["POST"])
@authentication_classes(AUTH)
@permission_classes([])
@parser_classes([JSONParser, FormParser])
def start(request: Request) -> Response:
    pin = pin_of(request)
    body = StartSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    code = body.validated_data["gateway"]
    applicant = applicant_of(request)
    started = services.payment_start(
        payer_id_number=pin,
        payer_name=applicant.name if applicant else "",
        dossier_codes=body.validated_data["dossiers"],
        gateway_code=code,
        client_ip=str(request.META.get("REMOTE_ADDR") or ""),
        return_url=request.build_absolute_uri(reverse("payments:return", args=[code])),
        ipn_url=request.build_absolute_uri(reverse("payments:ipn", args=[code])),
    )
    data = {**PaymentSerializer(started.payment).data, "redirect_url": started.redirect_url}
    return Response(data, status=status.HTTP_201_CREATED)


@extend_schema(
    operation_id="applicant_payment",
    responses={200: PaymentSerializer, **{c: ERRORS[c] for c in (401, 404)}},
    tags=["applicant"],
    summary="Where one of the applicant's payments stands",
)
@api_view(["GET"])
@authentication_classes(AUTH)
@permission_classes([])
def payment(request: Request, reference: str) -> Response:
    pin = pin_of(request)
    found = selectors.payer_payment(reference=reference, id_number=pin)
    if found is None:
        raise NotFound()
    return Response(PaymentSerializer(found).data)
