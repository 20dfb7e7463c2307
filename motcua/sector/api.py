"""JSON API of the sector figures: read by anyone (public statistics), set by statisticians.

``GET /api/v1/sector/figures`` and ``PUT /api/v1/staff/sector/figures``
answer the same body (``FigureGridSerializer``) from the same selector as the
staff page (``selectors.sector_grid``); the PUT writes through
``services.sector_figures_save``.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.api.output import OutputSerializer
from motcua.core.errors import NotFound
from motcua.core.query import QuerySerializer
from motcua.staff.authentication import StaffTokenAuthentication
from motcua.staff.selectors import user_agency_roles

from . import selectors, services

NOT_STAFF = _("This account holds no active staff role.")


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response={"$ref": "#/components/schemas/Error"}, description=description)


class AssessmentSerializer(OutputSerializer):
    target = serializers.DecimalField(max_digits=24, decimal_places=4)
    achieved = serializers.BooleanField(allow_null=True, help_text="Null: no value to assess")
    distance = serializers.DecimalField(
        max_digits=24,
        decimal_places=4,
        allow_null=True,
        help_text="Value minus target, signed so that positive means better",
    )
    text = serializers.CharField(help_text='E.g. "Đạt (vượt 3,2 điểm %)"')
    scope = serializers.ChoiceField(choices=["province", "agency"])


class FigureRowSerializer(OutputSerializer):
    metric = serializers.CharField(source="metric.code")
    name = serializers.CharField(source="metric.name")
    unit_label = serializers.CharField(source="metric.unit_label")
    kind = serializers.CharField(
        source="metric.kind", help_text="count, percent or density (per 100 inhabitants)"
    )
    value = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    origin = serializers.ChoiceField(
        choices=["entered", "communes", "computed", ""],
        help_text="entered; communes: the sum of the province's communes; computed: a density "
        "or a percent from other figures; empty: no value",
    )
    previous = serializers.DecimalField(
        max_digits=24,
        decimal_places=4,
        allow_null=True,
        help_text="The same period a year before",
    )
    missing = serializers.CharField(help_text="Why a computed value is missing, if it is")
    note = serializers.CharField()
    assessment = AssessmentSerializer(
        allow_null=True, help_text="Against the year's target of the province, if one is set"
    )


class UnitSerializer(OutputSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    era = serializers.CharField()


class FigureGridSerializer(OutputSerializer):
    year = serializers.IntegerField()
    quarter = serializers.IntegerField(allow_null=True)
    month = serializers.IntegerField(allow_null=True)
    unit = UnitSerializer()
    state = serializers.ChoiceField(choices=["open", "closed"])
    figures = FigureRowSerializer(source="rows", many=True)


class FiguresQuerySerializer(QuerySerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="Unit id")
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4)
    month = serializers.IntegerField(required=False, min_value=1, max_value=12)


class FigureInSerializer(serializers.Serializer[Any]):
    metric = serializers.CharField(max_length=60)
    value = serializers.CharField(
        max_length=40,
        allow_null=True,
        allow_blank=True,
        help_text='"72,6", "72.6" or "1.169.375"; null or "" removes the figure',
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class FiguresInSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="Unit id")
    quarter = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=4)
    month = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=12)
    figures = FigureInSerializer(many=True, min_length=1, max_length=200)  # type: ignore[call-arg]


def _grid(year: int, unit: int, quarter: int | None, month: int | None) -> Response:
    grid = selectors.sector_grid(year=year, unit_id=unit, quarter=quarter, month=month)
    if grid is None:
        raise NotFound(services.UNKNOWN_UNIT)
    return Response(FigureGridSerializer(grid).data)


@extend_schema(
    operation_id="sector_figures",
    parameters=[FiguresQuerySerializer],
    responses={
        200: FigureGridSerializer,
        400: _error("Invalid parameters"),
        404: _error("No such unit"),
    },
    tags=["statistics"],
    summary="The sector figures of a unit for a year (or a quarter or a month of it)",
)
@api_view(["GET"])
@authentication_classes([])
def figures(request: Request) -> Response:
    """Densities are computed; a province without its own count sums its communes'."""
    query = FiguresQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    params = query.validated_data
    return _grid(params["year"], params["unit"], params.get("quarter"), params.get("month"))


class IsStaff(BasePermission):
    """Let through signed-in users who hold an active staff role."""

    message = NOT_STAFF

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated) and bool(
            user_agency_roles(user=request.user)
        )


@extend_schema(
    operation_id="staff_sector_figures_set",
    request={"application/json": FiguresInSerializer},
    responses={
        200: FigureGridSerializer,
        400: _error("Invalid fields: a message per metric"),
        401: _error("No token, or an invalid one"),
        403: _error("Not a statistician or a leader at the province"),
        404: _error("No such unit"),
        409: _error("The period is closed"),
    },
    tags=["statistics"],
    summary="Set sector figures of a unit for a period (statisticians)",
)
@api_view(["PUT"])
@authentication_classes([StaffTokenAuthentication])
@permission_classes([IsStaff])
@parser_classes([JSONParser])
def figures_set(request: Request) -> Response:
    """All figures are set or none; a closed period refuses them (409) until reopened."""
    body = FiguresInSerializer(data=request.data if isinstance(request.data, Mapping) else {})
    body.is_valid(raise_exception=True)
    data = body.validated_data
    entries: dict[str, tuple[Any, str]] = {}
    for item in data["figures"]:
        entries[item["metric"]] = (item["value"], item.get("note", ""))
    services.sector_figures_save(
        year=data["year"],
        quarter=data.get("quarter"),
        month=data.get("month"),
        unit_id=data["unit"],
        entries=entries,
        actor=request.user,
    )
    return _grid(data["year"], data["unit"], data.get("quarter"), data.get("month"))
