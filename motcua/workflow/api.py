"""Staff API of the workflow: inboxes, a dossier, and every action, token-authenticated.

Under ``/api/v1/staff/``. Each action endpoint reads its body with a
serializer (the fields' types, the revision the client last saw from
``If-Match`` or ``revision``, and the texts the service requires: 400 with
every field's message at once) and calls exactly one workflow service, which
refuses a stale revision or a state that does not allow the action (409) and
a caller without the role (403) under the dossier's row lock. A dossier outside
the caller's agencies is 404, as if it did not exist. Every response that
returns a dossier carries its revision as ``ETag``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
)
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.audit.models import AuditChannel, ReadAction
from motcua.audit.services import audit_dossier_read
from motcua.core.errors import Forbidden, NotFound, ValidationFailed
from motcua.core.query import QuerySerializer
from motcua.dossiers.models import Status
from motcua.dossiers.services import ReceivedComponent
from motcua.organisation.models import Agency
from motcua.staff.authentication import StaffTokenAuthentication
from motcua.staff.selectors import user_agency_roles

from . import selectors, services
from .actions import ACTIONS, ANY_REVISION, ActionSpec, action_run, person_by_username
from .serializers import InboxSerializer, StaffDossierSerializer

NO_SUCH_UNIT = _("No one-stop unit has this code.")
BAD_RECEIVED = _(
    'Give the components received as a JSON list: [{"component": id, "originals": n, "copies": n}].'
)
NOT_STAFF = _("This account holds no active staff role.")
PAGE_LIMIT = 100
MAX_OFFSET = 100_000

AUTH = [StaffTokenAuthentication]


def _error(description: str) -> OpenApiResponse:
    """An error response in the schema: the one JSON shape of ``motcua.api.errors``."""
    return OpenApiResponse(response={"$ref": "#/components/schemas/Error"}, description=description)


ERRORS = {
    400: _error("Invalid fields, every message at once"),
    401: _error("No token, or an invalid one"),
    403: _error("No staff role, or no role that may do this here"),
    404: _error("No dossier with this code among the caller's"),
    409: _error("Not possible in the dossier's state, or a stale revision"),
    413: _error("A file too large, or too many files"),
}
READ_ERRORS = {code: ERRORS[code] for code in (400, 401, 403, 404)}


class IsStaff(BasePermission):
    """Let through signed-in users who hold an active staff role."""

    message = NOT_STAFF

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated) and bool(
            user_agency_roles(user=request.user)
        )


def _staff(request: Request) -> AbstractBaseUser:
    user = request.user
    assert isinstance(user, AbstractBaseUser)  # noqa: S101 - IsStaff let only staff through
    return user


def _dossier(request: Request, code: str) -> selectors.StaffDossier:
    """Return the dossier as the caller sees it; one outside their agencies is 404, not 403."""
    try:
        return selectors.dossier_for_staff(user=request.user, code=code)
    except Forbidden as exc:
        raise NotFound(selectors.DOSSIER_NOT_FOUND) from exc


def _dossier_body(found: selectors.StaffDossier, *, status_code: int = 200) -> Response:
    response = Response(StaffDossierSerializer(found).data, status=status_code)
    response["ETag"] = f'"{found.revision}"'
    return response


def _dossier_response(request: Request, code: str, *, status_code: int = 200) -> Response:
    return _dossier_body(_dossier(request, code), status_code=status_code)


# --- Reads -------------------------------------------------------------------------------------


class InboxQuerySerializer(QuerySerializer):
    box = serializers.ChoiceField(
        choices=selectors.BOXES, required=False, help_text="Default: the caller's first box"
    )
    procedure = serializers.CharField(required=False, allow_blank=True, max_length=60)
    status = serializers.ChoiceField(choices=Status.values, required=False)
    due = serializers.ChoiceField(choices=["soon", "overdue"], required=False)
    channel = serializers.ChoiceField(choices=[1, 2, 3], required=False)
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Code or applicant's name"
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=PAGE_LIMIT)
    offset = serializers.IntegerField(required=False, min_value=0, max_value=MAX_OFFSET)


@extend_schema(
    operation_id="staff_inbox",
    parameters=[InboxQuerySerializer],
    responses={200: InboxSerializer, **{c: ERRORS[c] for c in (400, 401, 403)}},
    tags=["staff"],
    summary="List the dossiers of one of the caller's inboxes, most urgent first",
)
@api_view(["GET"])
@authentication_classes(AUTH)
@permission_classes([IsStaff])
def inbox(request: Request) -> Response:
    """Boxes: mine, unassigned, agency, intake, supplement, withdrawal, return, all."""
    query = InboxQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    params = query.validated_data
    roles = user_agency_roles(user=request.user)
    page = selectors.inbox_rows(
        user=request.user,
        box=params.get("box") or selectors.inbox_boxes(roles)[0],
        filters=selectors.InboxFilters(
            procedure=params.get("procedure", ""),
            status=params.get("status"),
            due=params.get("due", ""),
            channel=params.get("channel"),
            q=params.get("q", ""),
        ),
        offset=params.get("offset", 0),
        limit=params.get("limit", 50),
    )
    return Response(InboxSerializer(page).data)


@extend_schema(
    operation_id="staff_dossier",
    responses={200: StaffDossierSerializer, **READ_ERRORS},
    tags=["staff"],
    summary="A dossier with the applicant's answers, components, files, control slip, timeline "
    "and allowed actions",
)
@api_view(["GET"])
@authentication_classes(AUTH)
@permission_classes([IsStaff])
def dossier(request: Request, code: str) -> Response:
    """The ETag header is the dossier's revision, to send back as If-Match with an action."""
    found = _dossier(request, code)
    response = _dossier_body(found)
    audit_dossier_read(
        action=ReadAction.DOSSIER,
        dossier_id=found.id,
        code=found.code,
        actor=request.user,
        channel=AuditChannel.API,
    )
    return response


# --- Actions -----------------------------------------------------------------------------------


def _if_match(request: Request) -> int | str | None:
    """Return the revision in the If-Match header (``"3"``, ``W/"3"`` or ``3``), if any.

    ``*`` (any revision, as HTTP defines it) is returned as is: the caller asks
    for the action whatever changed since it looked; the rules still apply.
    """
    header = request.headers.get("If-Match", "").strip()
    if header == "*":
        return ANY_REVISION
    if header.startswith("W/"):
        header = header[2:]
    header = header.strip('"')
    # ASCII digits only: "²" is a digit to str.isdigit and not to int().
    return int(header) if header.isascii() and header.isdigit() and len(header) < 10 else None


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The revision (ETag) the caller last saw, or `*` for whatever it is now; or "
    "send `revision` in the body",
)


def _action_view(spec: ActionSpec) -> Callable[..., Response]:
    media = "multipart/form-data" if spec.multipart else "application/json"

    @extend_schema(
        operation_id=f"staff_dossier_{spec.action.value}",
        request={media: spec.body},
        parameters=[IF_MATCH],
        responses={200: StaffDossierSerializer, **ERRORS},
        tags=["staff"],
        summary=spec.summary,
    )
    @api_view(["POST"])
    @authentication_classes(AUTH)
    @permission_classes([IsStaff])
    @parser_classes([MultiPartParser, FormParser] if spec.multipart else [JSONParser, FormParser])
    def view(request: Request, code: str) -> Response:
        action_run(
            spec.action,
            dossier=code,
            actor=_staff(request),
            data=request.data,
            revision=_if_match(request),
        )
        return _dossier_response(request, code)

    view.__doc__ = spec.summary
    return view


action_views = {action: _action_view(spec) for action, spec in ACTIONS.items()}


# --- Bulk assignment and the counter -----------------------------------------------------------


class BulkAssignSerializer(serializers.Serializer[Any]):
    codes = serializers.ListField(child=serializers.CharField(max_length=70), max_length=200)
    assignee = serializers.CharField(help_text="Username")


class BulkOutcomeSerializer(serializers.Serializer[Any]):
    done = serializers.ListField(child=serializers.CharField())
    refused = serializers.DictField(
        child=serializers.CharField(), help_text="Code -> why it was not assigned"
    )


@extend_schema(
    operation_id="staff_dossiers_assign",
    request=BulkAssignSerializer,
    responses={200: BulkOutcomeSerializer, **{c: ERRORS[c] for c in (400, 401, 403)}},
    tags=["staff"],
    summary="Assign several dossiers' open steps to one person (leaders)",
)
@api_view(["POST"])
@authentication_classes(AUTH)
@permission_classes([IsStaff])
def assign_many(request: Request) -> Response:
    """Each dossier is assigned in its own transaction; refusals say why, code by code."""
    body = BulkAssignSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    outcome = services.dossiers_assign(
        codes=body.validated_data["codes"],
        actor=_staff(request),
        assignee=person_by_username(body.validated_data["assignee"]),
    )
    return Response({"done": outcome.done, "refused": outcome.refused})


class CounterIntakeSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField(help_text="Code of the one-stop unit receiving the dossier")
    procedure = serializers.CharField(help_text="Procedure code")
    applicant_kind = serializers.ChoiceField(choices=["person", "organisation"], required=False)
    applicant_name = serializers.CharField(required=False, allow_blank=True)
    applicant_id_number = serializers.CharField(required=False, allow_blank=True)
    applicant_phone = serializers.CharField(required=False, allow_blank=True)
    applicant_email = serializers.CharField(required=False, allow_blank=True)
    applicant_address = serializers.CharField(required=False, allow_blank=True)
    delivery = serializers.ChoiceField(choices=["counter", "post", "online"], required=False)
    delivery_address = serializers.CharField(required=False, allow_blank=True)
    received = serializers.CharField(
        help_text='JSON list: [{"component": id, "originals": n, "copies": n}]; the scans go '
        "as files `component-<id>`."
    )
    decision = serializers.ChoiceField(choices=["accept", "supplement", "refuse"])
    case = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="For an accepted dossier: the processing-time case whose legal time applies",
    )
    fee_claim = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text="Codes of the fee exemptions claimed, each with its proof's reference in "
        "`fee_proof-<code>`; counts the fees depend on go in `fee_qty-<name>`.",
    )
    reason = serializers.CharField(required=False, allow_blank=True)
    missing = serializers.ListField(child=serializers.CharField(), required=False)
    note = serializers.CharField(required=False, allow_blank=True)


def _counter_data(validated: Mapping[str, Any], posted: Any) -> dict[str, Any]:
    """Return the applicant's fields and the fee inputs (claims, proofs, counts) of a body."""
    data = {k: v for k, v in validated.items() if k.startswith(("applicant_", "delivery"))}
    data["fee_claim"] = validated.get("fee_claim", [])
    for name in posted:
        if name.startswith(("fee_proof-", "fee_qty-")):
            data[name] = posted.get(name)
    return data


def _received(raw: str, files: Any) -> list[ReceivedComponent]:
    try:
        items = json.loads(raw)
        if not isinstance(items, list):
            raise TypeError
        return [
            ReceivedComponent(
                component_id=int(item["component"]),
                originals=int(item.get("originals", 0)),
                copies=int(item.get("copies", 0)),
                files=files.getlist(f"component-{int(item['component'])}"),
            )
            for item in items
        ]
    # OverflowError: int(Infinity), which json reads; RecursionError: "[[[[...".
    except (ValueError, TypeError, KeyError, OverflowError, RecursionError):
        raise ValidationFailed(BAD_RECEIVED, field_errors={"received": [BAD_RECEIVED]}) from None


@extend_schema(
    operation_id="staff_counter_intake",
    request={"multipart/form-data": CounterIntakeSerializer},
    responses={201: StaffDossierSerializer, **ERRORS},
    tags=["staff"],
    summary="Take a dossier at the counter and decide on it in one go",
)
@api_view(["POST"])
@authentication_classes(AUTH)
@permission_classes([IsStaff])
@parser_classes([MultiPartParser, FormParser])
def counter_intake(request: Request) -> Response:
    """Accept (receipt, due date), ask for what is missing (form 02) or refuse (form 03)."""
    body = CounterIntakeSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    unit = Agency.objects.filter(code=data["unit"], is_one_stop_unit=True).first()
    if unit is None:
        raise ValidationFailed(NO_SUCH_UNIT, field_errors={"unit": [NO_SUCH_UNIT]})
    created = services.dossier_counter_intake(
        actor=_staff(request),
        unit=unit,
        procedure_code=data["procedure"],
        data=_counter_data(data, request.data),
        received=_received(data["received"], request.FILES),
        decision=services.CounterDecision(
            action=data["decision"],
            reason=data.get("reason", ""),
            missing=data.get("missing", []),
            note=data.get("note", ""),
            case=data.get("case", ""),
        ),
    )
    return _dossier_response(request, created.code, status_code=status.HTTP_201_CREATED)
