"""Ratings API: the applicant rates their dossier; anyone reads the aggregates.

``POST /api/v1/applicant/dossiers/<code>/rating`` takes the applicant from the
request attribute the identity sets (``workflow.applicant_access``; 401
without, 404 for another person's dossier, 409 for a second rating).
``GET /api/v1/ratings`` returns the tallies per agency and per procedure
(counts and shares per level; no comment).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
)
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from motcua.workflow.api_applicant import AUTH, ERRORS, pin_of

from . import selectors, services
from .models import Rating


class RatingInputSerializer(serializers.Serializer[Any]):
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5),
        help_text="Level per criterion code (GET /api/v1/ratings lists the criteria): "
        "5 very satisfied ... 1 very dissatisfied",
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class RatingOutputSerializer(serializers.Serializer[Rating]):
    code = serializers.CharField(source="dossier.code")
    created_at = serializers.DateTimeField()


class LevelShareSerializer(serializers.Serializer[Any]):
    level = serializers.IntegerField(help_text="5 very satisfied ... 1 very dissatisfied")
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
    percent = serializers.FloatField()


class CriterionSummarySerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    total = serializers.IntegerField()
    satisfied_percent = serializers.FloatField(help_text="Very satisfied and satisfied, in %")
    levels = LevelShareSerializer(many=True)


class ScopeSummarySerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    ratings = serializers.IntegerField()
    criteria = CriterionSummarySerializer(many=True)


class CriterionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    source = serializers.CharField()  # type: ignore[assignment]


class RatingsSerializer(serializers.Serializer[Any]):
    criteria = CriterionSerializer(many=True)
    agencies = ScopeSummarySerializer(many=True)
    procedures = ScopeSummarySerializer(many=True)


@extend_schema(
    operation_id="applicant_rating",
    request=RatingInputSerializer,
    responses={201: RatingOutputSerializer, **{c: ERRORS[c] for c in (400, 401, 404, 409)}},
    tags=["applicant"],
    summary="Rate the service once the result is returned: a level per criterion, a comment",
)
@api_view(["POST"])
@authentication_classes(AUTH)
@permission_classes([])
@parser_classes([JSONParser])
def rate(request: Request, code: str) -> Response:
    """Once per dossier: a second rating is 409. The comment is read by staff only."""
    pin = pin_of(request)
    body = RatingInputSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    rating = services.rating_submit(
        dossier=code,
        applicant_id_number=pin,
        scores=body.validated_data["scores"],
        comment=body.validated_data.get("comment", ""),
    )
    return Response(RatingOutputSerializer(rating).data, status=201)


@extend_schema(
    operation_id="ratings",
    responses={200: RatingsSerializer},
    tags=["ratings"],
    summary="The ratings per agency and per procedure: counts and shares per level",
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def ratings(request: Request) -> Response:
    """Read from the tallies the ratings keep up to date: three queries, no comment."""
    body = {
        "criteria": selectors.criteria_asked(),
        "agencies": selectors.agency_summaries(),
        "procedures": selectors.procedure_summaries(),
    }
    return Response(RatingsSerializer(body).data)
