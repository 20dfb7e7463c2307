"""JSON API of the procedure catalogue: search and the published procedure."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, serializers
from rest_framework.decorators import api_view
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from motcua.catalog.models import (
    Component,
    Fee,
    FeeKind,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    TimeUnit,
)
from motcua.catalog.selectors import procedure_get_published, procedure_search
from motcua.organisation.models import GovernmentLevel

# Gives hours-based procedures a number of days comparable with the others.
HOURS_PER_WORKING_DAY = 8


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def processing_days(value: Decimal, unit: str) -> int | float:
    """Return a processing time in working days; hours count 8 to the day."""
    if unit == TimeUnit.WORKING_HOURS:
        return round(float(value) / HOURS_PER_WORKING_DAY, 2)
    return _number(value)


class CodeNameSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class ProcessingTimeSerializer(serializers.Serializer[Any]):
    value = serializers.FloatField()
    unit = serializers.ChoiceField(choices=TimeUnit.choices)


class ProcedureListItemSerializer(serializers.Serializer[Procedure]):
    code = serializers.CharField()
    national_code = serializers.CharField()
    name = serializers.CharField()
    agency = CodeNameSerializer()
    field = CodeNameSerializer()
    level = serializers.ChoiceField(choices=GovernmentLevel.choices)
    online_level = serializers.ChoiceField(choices=OnlineLevel.choices)
    processing_days = serializers.SerializerMethodField(
        help_text="Legal processing time in working days (hours count 8 to the day; 0 = same day)."
    )
    processing_time = serializers.SerializerMethodField(
        help_text="The legal processing time as published, in working days or working hours."
    )
    accepts_online = serializers.BooleanField()
    url = serializers.SerializerMethodField(help_text="The API URL of the full procedure.")

    def get_processing_days(self, obj: Procedure) -> float:
        return processing_days(obj.processing_time_value, obj.processing_time_unit)

    @extend_schema_field(ProcessingTimeSerializer)
    def get_processing_time(self, obj: Procedure) -> dict[str, Any]:
        return {"value": _number(obj.processing_time_value), "unit": obj.processing_time_unit}

    def get_url(self, obj: Procedure) -> str:
        path = reverse("api-procedure-detail", kwargs={"code": obj.code})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class FeeSerializer(serializers.Serializer[Fee]):
    kind = serializers.ChoiceField(choices=FeeKind.choices)
    amount = serializers.IntegerField(help_text="VND")
    description = serializers.CharField()
    exemptions = serializers.CharField()


class ComponentSerializer(serializers.Serializer[Component]):
    order = serializers.IntegerField()
    name = serializers.CharField()
    originals = serializers.IntegerField()
    copies = serializers.IntegerField()
    is_required = serializers.BooleanField()
    reusable = serializers.BooleanField(help_text="May be reused from digitised data.")
    template_name = serializers.CharField()
    template_url = serializers.SerializerMethodField()

    def get_template_url(self, obj: Component) -> str | None:
        if not obj.template:
            return None
        request = self.context.get("request")
        url = obj.template.url
        return request.build_absolute_uri(url) if request is not None else url


class VersionSerializer(serializers.Serializer[ProcedureVersion]):
    number = serializers.IntegerField()
    processing_time = serializers.SerializerMethodField(
        help_text="The legal processing time, in working days or working hours."
    )
    processing_time_note = serializers.CharField()
    same_day_cutoff_applies = serializers.BooleanField(
        help_text="Same-day procedure: received after the daily cut-off, due the next working day."
    )
    fees = FeeSerializer(many=True)
    fee_note = serializers.CharField()
    legal_basis = serializers.CharField()
    requirements = serializers.CharField()
    result_name = serializers.CharField()

    @extend_schema_field(ProcessingTimeSerializer)
    def get_processing_time(self, obj: ProcedureVersion) -> dict[str, Any]:
        return {"value": _number(obj.processing_time_value), "unit": obj.processing_time_unit}


class ChannelsSerializer(serializers.Serializer[Procedure]):
    counter = serializers.BooleanField(source="accepts_counter")
    online = serializers.BooleanField(source="accepts_online")
    post = serializers.BooleanField(source="accepts_post")
    returns_by_post = serializers.BooleanField()


EFORM_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "The e-form: one spec per field, in display order.",
    "items": {
        "type": "object",
        "required": ["name", "label", "type", "required"],
        "properties": {
            "name": {"type": "string"},
            "label": {"type": "string"},
            "label_en": {"type": "string"},
            "type": {
                "type": "string",
                "enum": [
                    "text",
                    "textarea",
                    "date",
                    "number",
                    "email",
                    "tel",
                    "select",
                    "checkbox",
                ],
            },
            "required": {"type": "boolean"},
            "max_length": {"type": "integer"},
            "min": {"type": "number"},
            "max": {"type": "number"},
            "pattern": {"type": "string"},
            "options": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"value": {"type": "string"}, "label": {"type": "string"}},
                },
            },
            "help": {"type": "string"},
        },
    },
}


class CompetentAgencySerializer(CodeNameSerializer):
    level = serializers.ChoiceField(choices=GovernmentLevel.choices)
    address = serializers.CharField()
    phone = serializers.CharField()


class ProcedureDetailSerializer(ProcedureListItemSerializer):
    legacy_online_level = serializers.IntegerField(allow_null=True)
    boundary_free = serializers.BooleanField()
    competent_agency = CompetentAgencySerializer(source="agency")
    channels = ChannelsSerializer(source="*")
    version = VersionSerializer(source="current_version")
    components = ComponentSerializer(many=True, source="current_version.components")
    eform = serializers.SerializerMethodField()

    @extend_schema_field(EFORM_SCHEMA)
    def get_eform(self, obj: Procedure) -> list[dict[str, Any]]:
        version = obj.current_version
        return list(version.eform) if version is not None else []


class ProcedurePagination(PageNumberPagination):
    page_size = 20


@extend_schema_view(
    get=extend_schema(
        operation_id="procedures_search",
        summary="Search the published procedures",
        description=(
            "Every word of `q` must match the name, code, national code, field or agency, "
            "with or without diacritics and in any case. Most relevant first on PostgreSQL. "
            "An unknown `level` or `online` value is a 400 with a message for that parameter."
        ),
        parameters=[
            OpenApiParameter("q", str, description="Words to look for, e.g. `dang ky khai sinh`."),
            OpenApiParameter("agency", str, description="Competent agency code."),
            OpenApiParameter("field", str, description="Field (lĩnh vực) code."),
            OpenApiParameter("level", str, enum=GovernmentLevel.values),
            OpenApiParameter("online", str, enum=OnlineLevel.values),
        ],
    )
)
class ProcedureListView(generics.ListAPIView):  # type: ignore[type-arg]
    """Search the catalogue; a thin interface over ``procedure_search``."""

    serializer_class = ProcedureListItemSerializer
    pagination_class = ProcedurePagination

    def get_queryset(self) -> QuerySet[Procedure]:
        params = self.request.query_params
        return procedure_search(
            q=params.get("q", ""),
            agency=params.get("agency") or None,
            field=params.get("field") or None,
            level=params.get("level") or None,
            online=params.get("online") or None,
        )


@extend_schema(
    operation_id="procedures_retrieve",
    summary="A published procedure with its current version, components and e-form",
    responses={200: ProcedureDetailSerializer},
)
@api_view(["GET"])
def procedure_detail(request: Request, code: str) -> Response:
    procedure = procedure_get_published(code=code)
    return Response(ProcedureDetailSerializer(procedure, context={"request": request}).data)
