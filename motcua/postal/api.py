"""JSON API of the post: an applicant orders a collection of their dossier."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, parser_classes
from rest_framework.exceptions import NotAuthenticated
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from motcua.applicants.oidc import ApplicantBearerAuthentication
from motcua.applicants.selectors import applicant_of
from motcua.dossiers.api import IDENTITY_REQUIRED

from . import inbound
from .models import Order


class CollectionOrderSerializer(serializers.Serializer[Any]):
    """The body; ``inbound.order_request`` checks it (this describes it for OpenAPI)."""

    procedure = serializers.CharField(help_text="Procedure code; the post must carry it")
    name = serializers.CharField()
    id_number = serializers.CharField(help_text="12-digit citizen identity number")
    phone = serializers.CharField()
    email = serializers.EmailField(required=False)
    address = serializers.CharField(help_text="Where the post collects the dossier")
    commune = serializers.IntegerField(required=False, help_text="Administrative unit id")
    at_postal_point = serializers.BooleanField(required=False, default=False)
    wanted_on = serializers.DateField(required=False, help_text="Today to 60 days ahead")


class CollectionOrderedSerializer(serializers.Serializer[Any]):
    """The order as recorded: one body for the API's answer."""

    number = serializers.CharField()
    state = serializers.CharField()
    procedure = serializers.CharField(source="procedure.code")
    unit = serializers.CharField(source="unit.code")
    charge_amount = serializers.IntegerField(help_text="Postal charge (VND)")
    fees_amount = serializers.IntegerField(help_text="Fees the post collects (VND)")
    wanted_on = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()


@extend_schema(
    operation_id="postal_collection_order",
    request={"application/json": CollectionOrderSerializer},
    responses={
        201: CollectionOrderedSerializer,
        400: OpenApiResponse(description="Invalid fields, or a procedure the post may not carry"),
        401: OpenApiResponse(description="No identity and anonymous submission is off"),
        404: OpenApiResponse(description="Unknown procedure"),
    },
    tags=["postal"],
)
@api_view(["POST"])
@authentication_classes([ApplicantBearerAuthentication])
@parser_classes([JSONParser, FormParser, MultiPartParser])
def collection_create(request: Request) -> Response:
    """Order the collection of a paper dossier by the public postal service (channel 3).

    ``Authorization: Bearer <access token>`` of the national identity, or
    anonymous when ``MOTCUA_ANONYMOUS_SUBMISSION`` is on (as submission).
    The order waits for the post's registration (state ``requested``).
    """
    data = request.data if isinstance(request.data, Mapping) else {}
    applicant = applicant_of(request.user)
    if applicant is None and not settings.MOTCUA_ANONYMOUS_SUBMISSION:
        raise NotAuthenticated(IDENTITY_REQUIRED)
    clean = {k: ("1" if v is True else "" if v is False else v) for k, v in data.items()}
    order: Order = inbound.order_request(data=clean, actor=request.user, now=timezone.now())
    return Response(CollectionOrderedSerializer(order).data, status=status.HTTP_201_CREATED)
