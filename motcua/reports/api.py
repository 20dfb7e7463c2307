"""JSON API of the periodic report: the page's report (``report_build``) as one body."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from motcua.staff.authentication import StaffTokenAuthentication

from .params import query_from
from .selectors import NO_DOSSIERS, Report, ReportRow, report_build


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response={"$ref": "#/components/schemas/Error"}, description=description)


class ReportFormOutSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    circular = serializers.CharField(help_text="The legal source of the form")
    valid_from = serializers.DateField(help_text="The version applies to periods ending from")
    grouping = serializers.CharField(help_text="What the rows are: field, agency, procedure, unit")


class ReportColumnOutSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    group = serializers.CharField(help_text="Top header ('' when the column has none)")
    subgroup = serializers.CharField(help_text="Second header ('' when none)")
    header = serializers.CharField()
    expression = serializers.CharField(help_text="Measures summed (docs/reports.md)")


class ReportSubjectSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReportPeriodSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.CharField()
    number = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()


class ReportSpanSerializer(serializers.Serializer[Any]):
    start = serializers.DateField()
    end = serializers.DateField()


class ReportRowSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField(allow_null=True, help_text="STT; null for the total")
    key = serializers.IntegerField(allow_null=True, help_text="The field, agency, ... id")
    label = serializers.CharField()  # type: ignore[assignment]
    values = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        help_text="By column code; null: not counted (no daily count of open dossiers)",
    )


class ReportSerializer(serializers.Serializer[Report]):
    """The report: the one body of the API (the page shows the same ``Report``)."""

    form = ReportFormOutSerializer()
    subject = ReportSubjectSerializer()
    period = ReportPeriodSerializer(help_text="As asked for")
    span = ReportSpanSerializer(help_text="The days counted, after the form's cut-off rule")
    due_on = serializers.DateField(allow_null=True, help_text="When the report is due")
    columns = ReportColumnOutSerializer(many=True)
    rows = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    empty = serializers.BooleanField(help_text="No dossier counts in the period")
    message = serializers.SerializerMethodField()
    open_counted = serializers.BooleanField(help_text="Whether open dossiers were counted")

    def _row(self, report: Report, row: ReportRow) -> dict[str, Any]:
        return {
            "number": row.number,
            "key": row.key,
            "label": row.label,
            "values": report.named(row),
        }

    @extend_schema_field(ReportRowSerializer(many=True))
    def get_rows(self, report: Report) -> list[dict[str, Any]]:
        return [self._row(report, row) for row in report.rows]

    @extend_schema_field(ReportRowSerializer)
    def get_total(self, report: Report) -> dict[str, Any]:
        return self._row(report, report.total)

    def get_message(self, report: Report) -> str:
        return str(NO_DOSSIERS) if report.empty else ""


def _param(name: str, description: str, kind: Any = str) -> OpenApiParameter:
    return OpenApiParameter(name, kind, description=description, required=False)


@extend_schema(
    operation_id="reports_periodic",
    parameters=[
        _param("form", "Form code, e.g. 06a/VPCP/KSTT (default: the first form)"),
        _param("doi_tuong", "province, agency, unit, procedure or commune"),
        _param("id", "The subject's id (with doi_tuong; default: the caller's unit)", int),
        _param("gop", "0: without the units merged into it"),
        _param("ky", "month, quarter, half, year or dates (default: quarter)"),
        _param("nam", "Year", int),
        _param("so", "Month 1-12, quarter 1-4, half 1-2", int),
        _param("tu", "First day (ky=dates), yyyy-mm-dd"),
        _param("den", "Last day (ky=dates), yyyy-mm-dd"),
    ],
    responses={
        200: ReportSerializer,
        400: _error("Invalid parameters"),
        401: _error("No token, or an invalid one"),
        403: _error("The caller may not read this subject's statistics"),
        404: _error("Unknown form or subject"),
    },
    tags=["reports"],
    summary="The periodic report on settling procedures of a unit and period",
)
@api_view(["GET"])
@authentication_classes([StaffTokenAuthentication])
@permission_classes([IsAuthenticated])
def periodic(request: Request) -> Response:
    """Fill in a report form for a subject and period; ``empty`` says when nothing counts."""
    query = query_from(request.query_params, request.user)
    report = report_build(form=query.form, subject=query.subject, period=query.period)
    return Response(ReportSerializer(report).data)
