"""JSON API of the indicators: a subject's scorecard for a period.

``GET /api/v1/indicators/scorecard``.

The body is ``ScorecardSerializer(selectors.scorecard(...)).data``: the same
read as the page, each number with the link to the dossiers behind it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from motcua.staff.authentication import StaffTokenAuthentication
from motcua.statistics.permissions import subject_check
from motcua.workflow.api import IsStaff

from . import selectors
from .query import asked

AUTH = [StaffTokenAuthentication]


class TermSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="A statistics measure, or open_* / procedures*")
    label = serializers.CharField()  # type: ignore[assignment]  # the field, not its label
    value = serializers.IntegerField()
    weight = serializers.FloatField()
    href = serializers.CharField(allow_null=True, help_text="The dossiers behind the number")


class IndicatorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    formula = serializers.CharField()
    legal_source = serializers.CharField()
    max_points = serializers.FloatField()
    value = serializers.FloatField(allow_null=True, help_text="null: no data")
    unit = serializers.CharField(help_text="% or days")
    points = serializers.FloatField(allow_null=True, help_text="null: not scored (no data)")
    note = serializers.CharField()
    numerator_total = serializers.FloatField(allow_null=True)
    denominator_total = serializers.FloatField(allow_null=True)
    numerator = TermSerializer(many=True)
    denominator = TermSerializer(many=True)


class GroupSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    max_points = serializers.FloatField()
    points = serializers.FloatField()
    scorable = serializers.FloatField(help_text="Points of the indicators that had data")
    indicators = IndicatorSerializer(many=True)


class SubjectSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()


class PeriodSerializer(serializers.Serializer[Any]):
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()  # type: ignore[assignment]  # the field, not its label


class RulesSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    legal_source = serializers.CharField()
    valid_from = serializers.DateField()


class ScorecardSerializer(serializers.Serializer[Any]):
    subject = SubjectSerializer()
    period = PeriodSerializer()
    merged = serializers.BooleanField()
    rules = RulesSerializer()
    total = serializers.FloatField()
    scorable = serializers.FloatField(help_text="Points that could be scored (with data)")
    max_points = serializers.FloatField()
    out_of_100 = serializers.FloatField(allow_null=True)
    open_counted = serializers.BooleanField()
    groups = GroupSerializer(many=True)


PARAMS = [
    OpenApiParameter("doi-tuong", str, enum=["province", "agency", "unit", "procedure", "commune"]),
    OpenApiParameter("id", int, description="The subject's id (the home province by default)"),
    OpenApiParameter("gop", int, enum=[0, 1], description="1: with the units merged into it"),
    OpenApiParameter(
        "ky", str, enum=["month", "quarter", "half", "year", "dates"], description="Period kind"
    ),
    OpenApiParameter("nam", int, description="Year"),
    OpenApiParameter("so", int, description="Month, quarter or half"),
    OpenApiParameter("tu", str, description="From, dd/mm/yyyy (dates)"),
    OpenApiParameter("den", str, description="To, dd/mm/yyyy (dates)"),
]


@extend_schema(
    operation_id="indicators_scorecard",
    parameters=PARAMS,
    responses={
        200: ScorecardSerializer,
        400: OpenApiResponse(description="Bad subject or period"),
        401: OpenApiResponse(description="Not signed in"),
        403: OpenApiResponse(description="Not a reader of this subject's statistics"),
        404: OpenApiResponse(description="No such subject, or no indicator set in force"),
    },
)
@api_view(["GET"])
@authentication_classes(AUTH)
@permission_classes([IsStaff])
def scorecard(request: Request) -> Response:
    """Return the scorecard of a subject over a period under the set in force at its end."""
    ask = asked(request.query_params, request.user)
    subject_check(request.user, ask.subject)
    card = selectors.scorecard(subject=ask.subject, period=ask.period, merged=ask.merged)
    return Response(ScorecardSerializer(card).data)
