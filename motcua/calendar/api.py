"""JSON API of the working-day calendar: when a time limit expires."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from motcua.calendar.selectors import due_date
from motcua.core.query import QuerySerializer

MAX_WORKING_DAYS = 1000
# A thousand days of eight hours: the same ceiling in hours, whatever the working time.
MAX_WORKING_HOURS = 8000
MIN_YEAR, MAX_YEAR = 1900, 2200

LIMIT_MISSING = _("Give working_days or working_hours.")
LIMIT_BOTH = _("Give working_days or working_hours, not both.")
DAYS_NOT_HALF = _("Give whole or half working days, e.g. 3 or 2.5.")
DAYS_TOO_MANY = format_lazy(_("Give at most {max} working days."), max=MAX_WORKING_DAYS)
DAYS_NEGATIVE = _("Give zero or more working days; zero means the same day.")
HOURS_TOO_MANY = format_lazy(_("Give at most {max} working hours."), max=MAX_WORKING_HOURS)
HOURS_NOT_POSITIVE = _("Give more than zero working hours.")
START_INVALID = _("Give an ISO 8601 date and time, e.g. 2026-02-13T09:30:00+07:00.")
START_OUT_OF_RANGE = format_lazy(
    _("Give a date between the years {min} and {max}."), min=MIN_YEAR, max=MAX_YEAR
)

# In a query string an unescaped "+" arrives as a space: "...T09:30:00 07:00".
PLUS_READ_AS_SPACE = re.compile(r"^(\S+T\S+) (\d{2}(?::?\d{2})?)$")


class StartField(serializers.DateTimeField):
    """An ISO 8601 moment; naive means Vietnam time, and a "+" read as a space still counts."""

    def to_internal_value(self, value: Any) -> dt.datetime:
        if isinstance(value, str):
            value = PLUS_READ_AS_SPACE.sub(r"\1+\2", value.strip())
        return super().to_internal_value(value)


class DueDateQuerySerializer(QuerySerializer):
    start = StartField(
        input_formats=["iso-8601"],
        error_messages={"invalid": START_INVALID},
        help_text=_(
            "When the clock starts, ISO 8601. Without an offset it is read as Vietnam time "
            "(Asia/Ho_Chi_Minh). Escape '+' as %2B."
        ),
    )
    working_days = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(MAX_WORKING_DAYS),
        error_messages={"min_value": DAYS_NEGATIVE, "max_value": DAYS_TOO_MANY},
        help_text=_("Working days, whole or half; 0 is the same-day rule with the cut-off."),
    )
    working_hours = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal(MAX_WORKING_HOURS),
        error_messages={"min_value": HOURS_NOT_POSITIVE, "max_value": HOURS_TOO_MANY},
        help_text=_("Working hours, counting only the morning and afternoon periods."),
    )

    def validate_start(self, value: dt.datetime) -> dt.datetime:
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise serializers.ValidationError(START_OUT_OF_RANGE)
        return value

    def validate_working_days(self, value: Decimal) -> Decimal:
        if (value * 2) % 1:
            raise serializers.ValidationError(DAYS_NOT_HALF)
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [name for name in ("working_days", "working_hours") if name in attrs]
        if not given:
            raise serializers.ValidationError(
                {"working_days": [LIMIT_MISSING], "working_hours": [LIMIT_MISSING]}
            )
        if len(given) > 1:
            raise serializers.ValidationError(
                {"working_days": [LIMIT_BOTH], "working_hours": [LIMIT_BOTH]}
            )
        return attrs


class DueDateSerializer(serializers.Serializer[Any]):
    start = serializers.DateTimeField(help_text=_("The start as read, with its offset."))
    due_at = serializers.DateTimeField(help_text=_("When the time limit expires."))
    skipped = serializers.ListField(
        child=serializers.DateField(),
        help_text=_("Non-working dates passed over from the start to the due date."),
    )


@extend_schema(
    operation_id="calendar_due_date",
    summary="Due date of a time limit in working days or working hours",
    description=(
        "The clock starts at the first working moment at or after `start`. "
        "`working_days=N` ends at the same time of day N working days later (a due moment "
        "on a boundary is told as the end of the earlier working day); `working_days=0` "
        "is the same-day rule: received on a working day up to the daily cut-off, due at "
        "the end of that day, otherwise at the end of the next working day. "
        "`working_hours=H` counts H hours of the morning and afternoon periods. "
        "Give exactly one of the two."
    ),
    parameters=[
        OpenApiParameter(
            "start",
            OpenApiTypes.DATETIME,
            required=True,
            description="ISO 8601; without an offset, Vietnam time. Escape '+' as %2B.",
        ),
        OpenApiParameter(
            "working_days",
            OpenApiTypes.NUMBER,
            description=f"0 to {MAX_WORKING_DAYS}, whole or half days.",
        ),
        OpenApiParameter(
            "working_hours",
            OpenApiTypes.NUMBER,
            description=f"More than 0, at most {MAX_WORKING_HOURS}.",
        ),
    ],
    responses={200: DueDateSerializer},
    tags=["calendar"],
)
@api_view(["GET"])
def due_date_view(request: Request) -> Response:
    """Return when a time limit from ``start`` expires, and the non-working dates skipped."""
    query = DueDateQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    result = due_date(
        start=data["start"],
        working_days=data.get("working_days"),
        working_hours=data.get("working_hours"),
    )
    body = {"start": data["start"], "due_at": result.due_at, "skipped": result.skipped}
    return Response(DueDateSerializer(body).data)
