"""JSON API of the catalogue's statistics: procedures offered online as of a date."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.catalog.history import (
    EARLIEST_DAY,
    SCHEME_CURRENT,
    SCHEME_LEGACY,
    AgencyTally,
    LevelTally,
    ProvisionCounts,
    Tally,
    online_provision,
)
from motcua.catalog.models import ProvisionLevel
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.query import QuerySerializer
from motcua.organisation.models import Agency
from motcua.staff.authentication import StaffTokenAuthentication
from motcua.staff.selectors import user_agency_roles

NOT_STAFF = _("This account holds no active staff role.")
UNKNOWN_AGENCY = _("No agency has this number.")
DATE_OUT_OF_RANGE = _("Enter a date from 01/01/2000 to today.")


class IsStaff(BasePermission):
    """Let through signed-in users who hold an active staff role."""

    message = NOT_STAFF

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated) and bool(
            user_agency_roles(user=request.user)
        )


def _share_field(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        allow_null=True,
        coerce_to_string=False,
        help_text=help_text + " (percent of the published, one decimal; null when none).",
    )


class TallySerializer(serializers.Serializer[Tally]):
    published = serializers.IntegerField()
    full = serializers.IntegerField(help_text="Fully online (toàn trình, Decree 42/2022).")
    # The metaclass takes declared fields off the class: no clash with Serializer.partial.
    partial = serializers.IntegerField(  # type: ignore[assignment]
        help_text="Partially online (một phần)."
    )
    not_online = serializers.IntegerField()
    unclassified = serializers.IntegerField(help_text="No level under Decree 42/2022.")
    online = serializers.IntegerField(help_text="full + partial")
    level_1 = serializers.IntegerField(help_text="Level 1 of Decree 43/2011.")
    level_2 = serializers.IntegerField()
    level_3 = serializers.IntegerField(help_text="Mức độ 3.")
    level_4 = serializers.IntegerField(help_text="Mức độ 4.")
    level_3_4 = serializers.IntegerField(help_text="level_3 + level_4")
    no_legacy_level = serializers.IntegerField()
    share_full = _share_field("Fully online")
    share_partial = _share_field("Partially online")
    share_online = _share_field("Fully or partially online")
    share_level_3 = _share_field("Level 3")
    share_level_4 = _share_field("Level 4")
    share_level_3_4 = _share_field("Levels 3 and 4")


class AgencyTallySerializer(serializers.Serializer[AgencyTally]):
    id = serializers.IntegerField(source="agency_id")
    code = serializers.CharField()
    name = serializers.CharField()
    is_active = serializers.BooleanField(help_text="False for a former agency (merged away).")
    tally = TallySerializer()


class LevelTallySerializer(serializers.Serializer[LevelTally]):
    level = serializers.ChoiceField(choices=ProvisionLevel.choices)
    name = serializers.CharField(source="label", help_text="The level, in the request's language.")
    tally = TallySerializer()


class OnlineProvisionSerializer(serializers.Serializer[ProvisionCounts]):
    as_of = serializers.DateField()
    scheme = serializers.ChoiceField(
        choices=[SCHEME_CURRENT, SCHEME_LEGACY],
        help_text="The levels in force on the date: `current` (toàn trình / một phần) or "
        "`legacy` (levels 1-4); both are counted.",
    )
    switch = serializers.DateField(help_text="The day Decree 42/2022's levels took over.")
    under_successors = serializers.BooleanField()
    total = TallySerializer()
    by_level = LevelTallySerializer(many=True)
    by_agency = AgencyTallySerializer(many=True)


class OnlineProvisionQuerySerializer(QuerySerializer):
    as_of = serializers.DateField(required=False, help_text="YYYY-MM-DD; default: today.")
    agency = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="An agency's id: its procedures and those of the former agencies it took over.",
    )
    under_successors = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Count a former agency's procedures under the agency that took over its work.",
    )


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response={"$ref": "#/components/schemas/Error"}, description=description)


@extend_schema(
    operation_id="statistics_online_provision",
    summary="Procedures offered online as of a date, by level of government and agency",
    description=(
        "From the catalogue's history: the procedures published on the date, by online level "
        "(toàn trình / một phần, Decree 42/2022) and by level 1-4 (Decree 43/2011), with "
        "shares. Staff tokens only."
    ),
    parameters=[OnlineProvisionQuerySerializer],
    responses={
        200: OnlineProvisionSerializer,
        400: _error("A date that is not YYYY-MM-DD, or outside 2000..today"),
        401: _error("No token, or an invalid one"),
        403: _error("No staff role"),
        404: _error("No agency with this id"),
    },
    tags=["statistics"],
)
@api_view(["GET"])
@authentication_classes([StaffTokenAuthentication])
@permission_classes([IsStaff])
def online_provision_view(request: Request) -> Response:
    query = OnlineProvisionQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    params: dict[str, Any] = query.validated_data
    day = params.get("as_of") or timezone.localdate()
    if not EARLIEST_DAY <= day <= timezone.localdate():
        raise ValidationFailed(DATE_OUT_OF_RANGE, field_errors={"as_of": [DATE_OUT_OF_RANGE]})
    agency_id = params.get("agency")
    if agency_id is not None and not Agency.objects.filter(pk=agency_id).exists():
        raise NotFound(UNKNOWN_AGENCY)
    counts = online_provision(
        as_of=day,
        agency_ids=[agency_id] if agency_id is not None else None,
        under_successors=params["under_successors"],
    )
    return Response(OnlineProvisionSerializer(counts).data)
