"""JSON API of the yearly targets: the targets of a year, public (the province publishes them)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes
from rest_framework.request import Request
from rest_framework.response import Response

from motcua.api.output import OutputSerializer
from motcua.core.query import QuerySerializer

from . import selectors


class ScopeSerializer(OutputSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class TargetSerializer(OutputSerializer):
    indicator = serializers.CharField(source="indicator.code")
    name = serializers.CharField(source="indicator.name")
    unit = serializers.ChoiceField(source="indicator.unit", choices=["percent", "number", "per100"])
    unit_label = serializers.CharField(source="indicator.unit_label")
    direction = serializers.ChoiceField(
        source="indicator.direction", choices=["at_least", "at_most"]
    )
    year = serializers.IntegerField()
    province = ScopeSerializer(allow_null=True)
    agency = ScopeSerializer(allow_null=True)
    value = serializers.DecimalField(max_digits=24, decimal_places=4)
    note = serializers.CharField()


class TargetsQuerySerializer(QuerySerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


@extend_schema(
    operation_id="targets_list",
    parameters=[TargetsQuerySerializer],
    responses={
        200: TargetSerializer(many=True),
        400: OpenApiResponse(
            response={"$ref": "#/components/schemas/Error"}, description="Invalid year"
        ),
    },
    tags=["statistics"],
    summary="The targets of a year, for the province and for agencies",
)
@api_view(["GET"])
@authentication_classes([])
def targets(request: Request) -> Response:
    """Each target is for a province or an agency (exactly one of them is set)."""
    query = TargetsQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    rows: list[Any] = selectors.targets_of_year(year=query.validated_data["year"])
    return Response(TargetSerializer(rows, many=True).data)
