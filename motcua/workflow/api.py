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

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import TokenAuthentication
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

from motcua.core.errors import Forbidden, NotFound, ValidationFailed
from motcua.dossiers.models import Status
from motcua.dossiers.services import ReceivedComponent
from motcua.organisation.models import Agency
from motcua.staff.selectors import user_agency_roles

from . import selectors, services
from .rules import Action

REVISION_REQUIRED = _(
    "Send the revision of the dossier you last saw (the If-Match header or the revision field)."
)
NO_SUCH_PERSON = _("No active staff member has this username.")
NO_SUCH_UNIT = _("No one-stop unit has this code.")
BAD_RECEIVED = _(
    'Give the components received as a JSON list: [{"component": id, "originals": n, "copies": n}].'
)
NOT_STAFF = _("This account holds no active staff role.")
PAGE_LIMIT = 100

AUTH = [TokenAuthentication]


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


# --- What the API returns ----------------------------------------------------------------------


class NamedSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class OpenStepSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    agency = NamedSerializer()
    role = serializers.CharField()
    assignee = serializers.CharField(allow_null=True, help_text="Username")
    due_at = serializers.DateTimeField(allow_null=True)
    working_hours_left = serializers.FloatField(allow_null=True, help_text="Negative when overdue")


class DossierRowSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    revision = serializers.IntegerField()
    state = serializers.CharField()
    status = serializers.IntegerField()
    status_label = serializers.CharField()
    channel = serializers.IntegerField()
    procedure = NamedSerializer()
    applicant_name = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    intake_due_at = serializers.DateTimeField(allow_null=True)
    working_hours_left = serializers.FloatField(allow_null=True)
    overdue = serializers.BooleanField()
    current_step = OpenStepSerializer(allow_null=True)


class InboxSerializer(serializers.Serializer[Any]):
    box = serializers.CharField()
    results = DossierRowSerializer(many=True)
    next_offset = serializers.IntegerField(allow_null=True)


class FileSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class DossierComponentSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    originals = serializers.IntegerField()
    copies = serializers.IntegerField()
    is_digitised = serializers.BooleanField()
    files = FileSerializer(many=True)


class ResultSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    is_electronic = serializers.BooleanField()
    recorded_at = serializers.DateTimeField()


class SlipLineSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    agency = NamedSerializer()
    role = serializers.CharField()
    assignee = serializers.CharField(allow_null=True)
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(help_text="early, on_time, late, or empty")
    note = serializers.CharField()


class EventSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    from_status = serializers.IntegerField(allow_null=True)
    to_status = serializers.IntegerField()
    actor = serializers.CharField()
    note = serializers.CharField()


class ApplicantSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    id_number = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    address = serializers.CharField()


class StaffDossierSerializer(DossierRowSerializer):
    competent_agency = NamedSerializer()
    receiving_unit = NamedSerializer()
    applicant = ApplicantSerializer()
    delivery = serializers.CharField()
    finished_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    supplement_requests = serializers.IntegerField()
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=Action.values),
        help_text="What the caller may do now (the endpoints that would accept it).",
    )
    components = DossierComponentSerializer(many=True)
    results = ResultSerializer(many=True)
    steps = SlipLineSerializer(many=True, help_text="The control slip (form 06)")
    timeline = EventSerializer(many=True)


def _named(row: Mapping[str, Any], prefix: str) -> dict[str, str]:
    return {"code": row[f"{prefix}__code"], "name": row[f"{prefix}__name"]}


def _local(value: Any) -> Any:
    return localtime(value) if value is not None else None


def _hours(left: selectors.TimeLeft) -> float | None:
    return None if left.hours is None else round(left.hours, 2)


def _open_step(step: Mapping[str, Any] | None, left: selectors.TimeLeft) -> dict[str, Any] | None:
    if step is None:
        return None
    return {
        "id": step["id"],
        "name": step["step__name"],
        "agency": _named(step, "agency"),
        "role": step["role"],
        "assignee": step["assignee_username"],
        "due_at": _local(step["due_at"]),
        "working_hours_left": _hours(left),
    }


def _row(
    d: Mapping[str, Any], step: Mapping[str, Any] | None, lefts: list[selectors.TimeLeft]
) -> dict[str, Any]:
    """A dossier's row, from the plain rows of ``selectors.inbox_rows`` or ``dossier_for_api``."""
    left, step_left = lefts
    return {
        "code": d["code"],
        "revision": d["revision"],
        "state": d["state"],
        "status": d["status"],
        "status_label": str(Status(d["status"]).label),
        "channel": d["channel"],
        "procedure": _named(d, "procedure"),
        "applicant_name": d["applicant_name"],
        "received_at": _local(d["received_at"]),
        "due_at": _local(d["due_at"]),
        "intake_due_at": _local(d["intake_due_at"]),
        "working_hours_left": _hours(left),
        "overdue": left.overdue,
        "current_step": _open_step(step, step_left),
    }


def _detail(found: selectors.StaffDossier) -> dict[str, Any]:
    d, step = found.row, found.open_step
    lefts = selectors.time_left([d["due_at"], step["due_at"] if step else None])
    body = _row(d, step, lefts)
    body.update(
        {
            "competent_agency": _named(d, "competent_agency"),
            "receiving_unit": _named(d, "receiving_unit"),
            "applicant": {
                "name": d["applicant_name"],
                "id_number": d["applicant_id_number"],
                "phone": d["applicant_phone"],
                "email": d["applicant_email"],
                "address": d["applicant_address"],
            },
            "delivery": d["delivery"],
            "finished_at": _local(d["finished_at"]),
            "outcome": d["outcome"],
            "supplement_requests": d["supplement_requests"],
            "actions": [a.value for a in found.actions],
            "components": [
                {
                    "name": c["name"],
                    "originals": c["originals"],
                    "copies": c["copies"],
                    "is_digitised": c["is_digitised"],
                    "files": [
                        {
                            "id": f["id"],
                            "name": f["original_name"],
                            "content_type": f["content_type"],
                            "size": f["size"],
                            "sha256": f["sha256"],
                        }
                        for f in c["files"]
                    ],
                }
                for c in found.components
            ],
            "results": [
                {
                    "code": r["code"],
                    "name": r["name"],
                    "is_electronic": r["is_electronic"],
                    "recorded_at": _local(r["recorded_at"]),
                }
                for r in found.results
            ],
            "steps": [
                {
                    "name": s["step__name"],
                    "agency": _named(s, "agency"),
                    "role": s["role"],
                    "assignee": s["assignee_username"],
                    "started_at": _local(s["started_at"]),
                    "due_at": _local(s["due_at"]),
                    "finished_at": _local(s["finished_at"]),
                    "outcome": s["outcome"],
                    "note": s["note"],
                }
                for s in found.steps
            ],
            "timeline": [
                {
                    "at": _local(e["at"]),
                    "kind": e["kind"],
                    "from_status": e["from_status"],
                    "to_status": e["to_status"],
                    "actor": e["actor_username"] if e["actor_id"] is not None else e["actor_label"],
                    "note": e["note"],
                }
                for e in found.timeline
            ],
        }
    )
    return body


def _dossier(request: Request, code: str) -> selectors.StaffDossier:
    """Return the dossier for the caller; one outside their agencies is 404, not 403."""
    try:
        return selectors.dossier_for_api(user=request.user, code=code)
    except Forbidden as exc:
        raise NotFound(selectors.DOSSIER_NOT_FOUND) from exc


def _dossier_response(request: Request, code: str, *, status_code: int = 200) -> Response:
    found = _dossier(request, code)
    response = Response(_detail(found), status=status_code)
    response["ETag"] = f'"{found.row["revision"]}"'
    return response


# --- Reads -------------------------------------------------------------------------------------


class InboxQuerySerializer(serializers.Serializer[Any]):
    box = serializers.ChoiceField(
        choices=selectors.BOXES, required=False, help_text="Default: the caller's first box"
    )
    procedure = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Status.values, required=False)
    due = serializers.ChoiceField(choices=["soon", "overdue"], required=False)
    channel = serializers.ChoiceField(choices=[1, 2, 3], required=False)
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Code or applicant's name"
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=PAGE_LIMIT)
    offset = serializers.IntegerField(required=False, min_value=0)


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
    box = params.get("box") or selectors.inbox_boxes(roles)[0]
    limit, offset = params.get("limit", 50), params.get("offset", 0)
    filters = selectors.InboxFilters(
        procedure=params.get("procedure", ""),
        status=params.get("status"),
        due=params.get("due", ""),
        channel=params.get("channel"),
        q=params.get("q", ""),
    )
    page = selectors.inbox_rows(
        user=request.user, box=box, filters=filters, offset=offset, limit=limit
    )
    found = page.rows
    steps = [d["open_step"] for d in found]
    due = "intake_due_at" if box == "intake" else "due_at"
    lefts = selectors.time_left(
        [*(d[due] for d in found), *(s["due_at"] if s else None for s in steps)]
    )
    n = len(found)
    rows = [
        _row(d, s, [lefts[i], lefts[n + i]])
        for i, (d, s) in enumerate(zip(found, steps, strict=True))
    ]
    return Response(
        {"box": box, "results": rows, "next_offset": offset + limit if page.more else None}
    )


@extend_schema(
    operation_id="staff_dossier",
    responses={200: StaffDossierSerializer, **READ_ERRORS},
    tags=["staff"],
    summary="A dossier with its components, files, control slip, timeline and allowed actions",
)
@api_view(["GET"])
@authentication_classes(AUTH)
@permission_classes([IsStaff])
def dossier(request: Request, code: str) -> Response:
    """The ETag header is the dossier's revision, to send back as If-Match with an action."""
    return _dossier_response(request, code)


# --- Actions -----------------------------------------------------------------------------------


def _text(message: Any, *, max_length: int = 2000, **kwargs: Any) -> serializers.CharField:
    """A text the service requires: blank or missing says ``message`` (the service's words)."""
    errors = {"required": message, "blank": message, "null": message}
    return serializers.CharField(max_length=max_length, error_messages=errors, **kwargs)


class RevisionSerializer(serializers.Serializer[Any]):
    """The revision is required unless the If-Match header carries it (set by the view)."""

    revision = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="Or the If-Match header (the ETag of the dossier)",
        error_messages={"required": REVISION_REQUIRED},
    )


class NoteSerializer(RevisionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReasonSerializer(RevisionSerializer):
    reason = _text(services.REASON_REQUIRED)


class RefuseSerializer(RevisionSerializer):
    reasons = _text(services.REASON_REQUIRED)


class SupplementSerializer(ReasonSerializer):
    missing = serializers.ListField(
        child=serializers.CharField(max_length=500),
        allow_empty=False,
        error_messages={
            "required": services.MISSING_ITEMS_REQUIRED,
            "empty": services.MISSING_ITEMS_REQUIRED,
        },
        help_text="Everything missing, at once",
    )


class AssignSerializer(RevisionSerializer):
    assignee = serializers.CharField(help_text="Username of the person given the step")


class ForwardSerializer(NoteSerializer):
    to_step = serializers.IntegerField(
        required=False, help_text="Process step id, when the step leads to several"
    )
    assignee = serializers.CharField(required=False, help_text="Username")


class SendBackSerializer(ReasonSerializer):
    to_step = serializers.IntegerField(required=False)


class RecordResultSerializer(RevisionSerializer):
    name = _text(services.RESULT_NAME_REQUIRED, max_length=255)
    file = serializers.FileField(
        help_text="The signed result: PDF, JPEG, PNG",
        error_messages={"required": services.RESULT_FILE_REQUIRED},
    )
    is_electronic = serializers.BooleanField(required=False, default=True)


class ExtendSerializer(ReasonSerializer):
    new_due_at = serializers.DateTimeField()


class WithdrawalDecisionSerializer(NoteSerializer):
    approve = serializers.BooleanField(help_text="Refusing needs a note saying why")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs["approve"] and not attrs.get("note", "").strip():
            raise serializers.ValidationError({"note": [services.REASON_REQUIRED]})
        return attrs


class ReturnSerializer(RevisionSerializer):
    to_whom = _text(services.RECIPIENT_REQUIRED, max_length=255)


def _person(username: str, name: str = "assignee") -> AbstractBaseUser:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationFailed(NO_SUCH_PERSON, field_errors={name: [NO_SUCH_PERSON]})
    return user


def _maybe_person(username: str | None) -> AbstractBaseUser | None:
    return _person(username) if username else None


def _if_match(request: Request) -> int | None:
    """Return the revision in the If-Match header (``"3"``, ``W/"3"`` or ``3``), if any."""
    header = request.headers.get("If-Match", "").strip()
    if header.startswith("W/"):
        header = header[2:]
    header = header.strip('"')
    return int(header) if header.isdigit() else None


Build = Callable[[Mapping[str, Any]], tuple[Callable[..., Any], dict[str, Any]]]

ACTIONS: dict[Action, tuple[type[serializers.Serializer[Any]], Build, str]] = {
    Action.ACCEPT: (
        NoteSerializer,
        lambda d: (services.dossier_accept, {"note": d.get("note", "")}),
        "Accept a dossier waiting for intake (status 2); the due date is computed",
    ),
    Action.REFUSE: (
        RefuseSerializer,
        lambda d: (services.dossier_refuse, {"reasons": d["reasons"]}),
        "Refuse a dossier at intake, with the reasons (form 03; status 3)",
    ),
    Action.REQUEST_SUPPLEMENT: (
        SupplementSerializer,
        lambda d: (
            services.dossier_request_supplement,
            {"missing": d["missing"], "reason": d["reason"]},
        ),
        "Ask for everything missing at once (form 02; status 5; the clock stops)",
    ),
    Action.RECEIVE_SUPPLEMENT: (
        NoteSerializer,
        lambda d: (services.dossier_receive_supplement, {"note": d.get("note", "")}),
        "Record the supplement received; the clock runs again",
    ),
    Action.ASSIGN: (
        AssignSerializer,
        lambda d: (services.dossier_assign, {"assignee": _person(d["assignee"])}),
        "Give the open step to a person holding its role (leaders)",
    ),
    Action.CLAIM: (
        RevisionSerializer,
        lambda d: (services.dossier_claim, {}),
        "Take the open, unassigned step for oneself",
    ),
    Action.FORWARD: (
        ForwardSerializer,
        lambda d: (
            services.dossier_forward,
            {
                "to_step": d.get("to_step"),
                "assignee": _maybe_person(d.get("assignee")),
                "note": d.get("note", ""),
            },
        ),
        "Hand the dossier to the next step (another agency's: an inter-agency transfer)",
    ),
    Action.SEND_BACK: (
        SendBackSerializer,
        lambda d: (
            services.dossier_send_back,
            {"to_step": d.get("to_step"), "reason": d["reason"]},
        ),
        "Send the dossier back to an earlier step for rework",
    ),
    Action.RECORD_RESULT: (
        RecordResultSerializer,
        lambda d: (
            services.dossier_result_record,
            {
                "name": d["name"],
                "upload": d.get("file"),
                "is_electronic": d.get("is_electronic", True),
            },
        ),
        "Record a result document (multipart upload)",
    ),
    Action.MARK_PROCESSED: (
        NoteSerializer,
        lambda d: (services.dossier_mark_processed, {"note": d.get("note", "")}),
        "Approve: processing done (status 9); a result must be recorded",
    ),
    Action.EXTEND: (
        ExtendSerializer,
        lambda d: (
            services.dossier_extend,
            {"new_due_at": d["new_due_at"], "reason": d["reason"]},
        ),
        "Extend once, with an apology (form 04), until one working day before the due time",
    ),
    Action.STOP: (
        ReasonSerializer,
        lambda d: (services.dossier_stop, {"reason": d["reason"]}),
        "Stop processing, with the reason (form 05; status 8)",
    ),
    Action.REQUEST_WITHDRAWAL: (
        ReasonSerializer,
        lambda d: (services.dossier_withdrawal_request, {"reason": d["reason"]}),
        "Record the applicant's request to withdraw the dossier (status 7)",
    ),
    Action.DECIDE_WITHDRAWAL: (
        WithdrawalDecisionSerializer,
        lambda d: (
            services.dossier_withdrawal_decide,
            {"approve": d["approve"], "note": d.get("note", "")},
        ),
        "Accept or refuse the withdrawal request",
    ),
    Action.RETURN_RESULT: (
        ReturnSerializer,
        lambda d: (services.dossier_return_result, {"to_whom": d["to_whom"]}),
        "Hand the result over (status 10), recording to whom",
    ),
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The revision (ETag) the caller last saw; or send `revision` in the body",
)


def _action_view(action: Action) -> Callable[..., Response]:
    body_class, build, summary = ACTIONS[action]
    multipart = action == Action.RECORD_RESULT
    media = "multipart/form-data" if multipart else "application/json"

    @extend_schema(
        operation_id=f"staff_dossier_{action.value}",
        request={media: body_class},
        parameters=[IF_MATCH],
        responses={200: StaffDossierSerializer, **ERRORS},
        tags=["staff"],
        summary=summary,
    )
    @api_view(["POST"])
    @authentication_classes(AUTH)
    @permission_classes([IsStaff])
    @parser_classes([MultiPartParser, FormParser] if multipart else [JSONParser, FormParser])
    def view(request: Request, code: str) -> Response:
        found = _dossier(request, code)
        header = _if_match(request)
        body = body_class(data=request.data)
        body.fields["revision"].required = header is None
        body.is_valid(raise_exception=True)
        data = body.validated_data
        service, kwargs = build(data)
        service(
            dossier=found.row["id"],
            actor=_staff(request),
            expected_revision=header if header is not None else data["revision"],
            **kwargs,
        )
        return _dossier_response(request, found.row["code"])

    view.__doc__ = summary
    return view


action_views = {action: _action_view(action) for action in ACTIONS}


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
        assignee=_person(body.validated_data["assignee"]),
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
    reason = serializers.CharField(required=False, allow_blank=True)
    missing = serializers.ListField(child=serializers.CharField(), required=False)
    note = serializers.CharField(required=False, allow_blank=True)


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
    except (ValueError, TypeError, KeyError):
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
        data={k: v for k, v in data.items() if k.startswith(("applicant_", "delivery"))},
        received=_received(data["received"], request.FILES),
        decision=services.CounterDecision(
            action=data["decision"],
            reason=data.get("reason", ""),
            missing=data.get("missing", []),
            note=data.get("note", ""),
        ),
    )
    return _dossier_response(request, created.code, status_code=status.HTTP_201_CREATED)
