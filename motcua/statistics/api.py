"""Open data of statistics: public, non-personal figures as JSON or CSV (``?format=csv``).

``GET /api/v1/statistics/figures`` returns every measure of a subject
(the home province by default) over a period (the current year by default),
with its Vietnamese and English label, and the derived rates;
``GET /api/v1/statistics/agencies`` one row per agency of the home province.
Both read the rollups only (a constant number of queries), take no login and
are throttled per address (``STATISTICS_OPEN_DATA_RATE``). Counts only: no
dossier, no name, no code of a person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    content_negotiation_class,
    permission_classes,
    throttle_classes,
)
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from motcua.core.errors import ValidationFailed
from motcua.organisation.models import Agency

from . import dashboard as board
from .periods import Period
from .scopes import KINDS, Subject
from .selectors import Measures
from .selectors import figures as read_figures
from .views import csv_response


class OpenDataThrottle(AnonRateThrottle):
    scope = "open_data"


class JSONOnly(DefaultContentNegotiation):
    """Answer JSON whatever ``format`` says: the views write their CSV, errors stay JSON."""

    def select_renderer(
        self, request: Any, renderers: Any, format_suffix: Any = None
    ) -> tuple[Any, str]:
        renderer = renderers[0]
        return renderer, renderer.media_type


BAD_FORMAT = gettext_lazy("Unknown format: use json or csv.")


def _labels(label: str | Promise) -> dict[str, str]:
    out = {}
    for language in ("vi", "en"):
        with translation.override(language):
            out[f"label_{language}"] = str(label)
    return out


class OpenDataPeriodSerializer(serializers.Serializer[Period]):
    kind = serializers.CharField(help_text="month, quarter, half, year or dates")
    number = serializers.IntegerField(help_text="The month, quarter or half (0: a year, dates)")
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()  # type: ignore[assignment]


class OpenDataSubjectSerializer(serializers.Serializer[Subject]):
    kind = serializers.CharField(help_text="province, agency, unit, procedure or commune")
    id = serializers.IntegerField()
    name = serializers.CharField()


class CountSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    label_vi = serializers.CharField()
    label_en = serializers.CharField()
    value = serializers.IntegerField(help_text="A count (dossiers; components; seconds)")


class RateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    label_vi = serializers.CharField()
    label_en = serializers.CharField()
    value = serializers.FloatField(
        allow_null=True, help_text="A rate or days (null: nothing counts)"
    )


class FiguresSerializer(serializers.Serializer[Any]):
    period = OpenDataPeriodSerializer()
    subject = OpenDataSubjectSerializer()
    carried_over = serializers.IntegerField(
        help_text="Received before the period, not finished by its start"
    )
    measures = CountSerializer(many=True)
    rates = RateSerializer(many=True)


class LabelSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    label_vi = serializers.CharField()
    label_en = serializers.CharField()


class AgencyRowSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    measures = serializers.DictField(child=serializers.IntegerField())
    rates = serializers.DictField(child=serializers.FloatField(allow_null=True))


class AgenciesSerializer(serializers.Serializer[Any]):
    period = OpenDataPeriodSerializer()
    measures = LabelSerializer(many=True)
    rates = LabelSerializer(many=True)
    agencies = AgencyRowSerializer(many=True)


def figures_body(
    subject: Subject, period: Period, carried_over: int, m: Measures
) -> dict[str, Any]:
    """Return the one body of the figures (JSON and CSV)."""
    return {
        "period": period,
        "subject": subject,
        "carried_over": carried_over,
        "measures": [
            {"name": n, **_labels(board.label_of(n)), "value": m[n]} for n in board.PUBLIC_MEASURES
        ],
        "rates": [{"name": r.name, **_labels(r.label), "value": r.of(m)} for r in board.RATES],
    }


def _period(get: Callable[[str], str]) -> Period:
    return board.period_from(
        kind=get("ky"),
        year=get("nam"),
        number=get("so"),
        start=get("tu"),
        end=get("den"),
        today=timezone.localdate(),
    )


PERIOD_PARAMETERS = [
    OpenApiParameter("format", str, enum=["json", "csv"], description="csv: the same as CSV"),
    OpenApiParameter(
        "ky",
        str,
        enum=["month", "quarter", "half", "year", "dates"],
        description="The kind of period (default: year; dates when tu and den are given)",
    ),
    OpenApiParameter("nam", int, description="The year (default: this year)"),
    OpenApiParameter("so", int, description="The month (1-12), quarter (1-4) or half (1-2)"),
    OpenApiParameter("tu", OpenApiTypes.DATE, description="First day (ky=dates); also dd/mm/yyyy"),
    OpenApiParameter("den", OpenApiTypes.DATE, description="Last day (ky=dates); also dd/mm/yyyy"),
]
CSV_RESPONSE = OpenApiResponse(OpenApiTypes.STR, description="CSV (UTF-8)")
THROTTLED = OpenApiResponse(description="Too many requests from this address: wait a minute")


def _is_csv(request: Request) -> bool:
    """Return whether ``format=csv`` is asked; raise for a format other than json or csv."""
    value = request.query_params.get("format", "")
    if value not in ("", "json", "csv"):
        raise ValidationFailed(BAD_FORMAT, field_errors={"format": [BAD_FORMAT]})
    return value == "csv"


def _csv(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    return csv_response(filename, header, rows)


@extend_schema(
    operation_id="statistics_figures",
    parameters=[
        OpenApiParameter(
            "doi_tuong",
            str,
            enum=list(KINDS),
            description="The subject's kind (default: the province)",
        ),
        OpenApiParameter("id", int, description="The subject's id (default: the home province)"),
        OpenApiParameter(
            "gop",
            str,
            enum=["0", "1"],
            description="1 (default): with the units merged into it; 0: the old unit alone",
        ),
        *PERIOD_PARAMETERS,
    ],
    responses={
        (200, "application/json"): FiguresSerializer,
        (200, "text/csv"): CSV_RESPONSE,
        429: THROTTLED,
    },
    tags=["statistics"],
    summary="Every public figure of a province, agency, unit, procedure or commune over a period",
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([OpenDataThrottle])
@content_negotiation_class(JSONOnly)
def figures(request: Request) -> Response | HttpResponse:
    """Read from the rollups (a constant number of queries); counts only."""
    as_csv = _is_csv(request)
    get = request.query_params.get
    subject = board.subject_from(
        kind=get("doi_tuong", ""),
        pk=get("id", ""),
        merged=get("gop", "1"),
        default=board.home_subject,
    )
    period = _period(lambda name: get(name, ""))
    found = read_figures(where=subject.where, period=period)
    body = FiguresSerializer(figures_body(subject, period, found.carried_over, found.totals)).data
    if as_csv:
        rows = [("carried_over", "", "", body["carried_over"])]
        rows += [
            (f["name"], f["label_vi"], f["label_en"], f["value"])
            for f in (*body["measures"], *body["rates"])
        ]
        return _csv(
            f"thong-ke-{subject.kind}-{subject.id}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv",
            ("name", "label_vi", "label_en", "value"),
            rows,
        )
    return Response(body)


@extend_schema(
    operation_id="statistics_agencies",
    parameters=PERIOD_PARAMETERS,
    responses={
        (200, "application/json"): AgenciesSerializer,
        (200, "text/csv"): CSV_RESPONSE,
        429: THROTTLED,
    },
    tags=["statistics"],
    summary="The public figures of each agency of the province over a period",
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([OpenDataThrottle])
@content_negotiation_class(JSONOnly)
def agencies(request: Request) -> Response | HttpResponse:
    """One row per agency of the home province; read from the rollups (5 queries)."""
    as_csv = _is_csv(request)
    period = _period(lambda name: request.query_params.get(name, ""))
    groups = board.agency_rows(period)
    codes = dict(Agency.objects.filter(pk__in=[g.key for g in groups]).values_list("pk", "code"))
    body = AgenciesSerializer(
        {
            "period": period,
            "measures": [{"name": n, **_labels(board.label_of(n))} for n in board.PUBLIC_MEASURES],
            "rates": [{"name": r.name, **_labels(r.label)} for r in board.RATES],
            "agencies": [
                {
                    "id": g.key,
                    "code": codes.get(g.key, ""),
                    "name": g.name,
                    "measures": {n: g.measures[n] for n in board.PUBLIC_MEASURES},
                    "rates": {r.name: r.of(g.measures) for r in board.RATES},
                }
                for g in groups
            ],
        }
    ).data
    if as_csv:
        header = ("id", "code", "name", *board.PUBLIC_MEASURES, *(r.name for r in board.RATES))
        rows = [
            (a["id"], a["code"], a["name"], *a["measures"].values(), *a["rates"].values())
            for a in body["agencies"]
        ]
        return _csv(f"thong-ke-co-quan-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv", header, rows)
    return Response(body)
