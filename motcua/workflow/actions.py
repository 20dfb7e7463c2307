"""The one table of the workflow's actions: what each takes, which service it calls, and how.

The back-office page draws each action's form from ``inputs`` and posts it
here; the staff API takes the same fields as JSON (or multipart). Both run
``action_run``: the action's ``body`` serializer reads and checks the fields
(every message at once), ``call`` turns them into the service's arguments,
and the service decides (the rules, under the dossier's lock). Nothing about
an action is written twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Delivery
from motcua.esign.selectors import signed_valid_results
from motcua.payments import services as payment_services

from . import services
from .rules import Action
from .selectors import StaffDossier, assignable_users

REVISION_REQUIRED = _(
    "Send the revision of the dossier you last saw (the If-Match header or the revision field)."
)
NO_SUCH_PERSON = _("No active staff member has this username.")
INVALID = _("Some fields are not valid: see the messages next to them.")
CHOOSE_ANSWER = _("Choose whether to accept the withdrawal.")
BAD_DATETIME = _("Enter a date and time, for example 2026-12-01 16:30.")

Service = Callable[..., Any]
ANY_REVISION = "*"  # If-Match: * (HTTP): act on the dossier whatever its revision now


# --- Fields the actions take --------------------------------------------------------------------


def _text(message: Any, *, max_length: int = 2000, **kwargs: Any) -> serializers.CharField:
    """A text the service requires: blank or missing says ``message`` (the service's words)."""
    errors = {"required": message, "blank": message, "null": message}
    return serializers.CharField(max_length=max_length, error_messages=errors, **kwargs)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string"},
            {
                "type": "object",
                "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
                "required": ["name"],
            },
        ]
    }
)
class MissingItemField(serializers.Field):  # type: ignore[type-arg]
    """One missing or incorrect component: its name, or ``{"name", "reason"}``."""

    default_error_messages = {"invalid": _("Give the item's name, and why it is asked for.")}

    def to_internal_value(self, data: Any) -> services.Missing:
        if isinstance(data, str):
            return services.Missing(data[:500])
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            reason = data.get("reason", "")
            if isinstance(reason, str):
                return services.Missing(data["name"][:500], reason[:1000])
        self.fail("invalid")
        raise AssertionError  # fail() raised

    def to_representation(self, value: Any) -> Any:
        return value


class LinesField(serializers.ListField):
    """A list; from a form, a text of one item per line."""

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, str):
            data = [data]
        if isinstance(data, list):
            split: list[Any] = []
            for item in data:
                split.extend(item.splitlines() if isinstance(item, str) else [item])
            data = [i for i in split if not (isinstance(i, str) and not i.strip())]
        return super().to_internal_value(data)


class AnswerField(serializers.BooleanField):
    """A yes or no that must be given: an unticked form answer is missing, not "no"."""

    default_empty_html = serializers.empty


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file sent in a multipart body: binary in the schema (a FileField says a URL there)."""


@extend_schema_field(OpenApiTypes.DATETIME)
class LocalDateTimeField(serializers.DateTimeField):
    """A moment, ISO 8601 or as a form's date-time input sends it, in the site's time zone."""

    default_error_messages = {"invalid": BAD_DATETIME}

    def to_internal_value(self, value: Any) -> dt.datetime:
        if isinstance(value, str):
            value = value.strip().replace(" ", "T", 1)
        return super().to_internal_value(value)


class RevisionSerializer(serializers.Serializer[Any]):
    """The revision is required unless the If-Match header carries it."""

    revision = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="Or the If-Match header (the ETag of the dossier)",
        error_messages={"invalid": REVISION_REQUIRED},
    )


class NoteSerializer(RevisionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AcceptSerializer(NoteSerializer):
    case = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="Code of the processing-time case whose legal time applies; empty: ordinary",
    )


class CaseSerializer(NoteSerializer):
    case = serializers.CharField(
        allow_blank=True,
        max_length=40,
        help_text="Code of the processing-time case; empty: the ordinary one",
    )


class ReasonSerializer(RevisionSerializer):
    reason = _text(services.REASON_REQUIRED)


class RefuseSerializer(RevisionSerializer):
    reasons = _text(services.REASON_REQUIRED)


class SupplementBodySerializer(ReasonSerializer):
    missing = LinesField(
        child=MissingItemField(),
        allow_empty=False,
        max_length=100,
        error_messages={
            "required": services.MISSING_ITEMS_REQUIRED,
            "empty": services.MISSING_ITEMS_REQUIRED,
        },
        help_text="Everything missing, at once: names, or objects with a name and a reason",
    )


class AssignSerializer(RevisionSerializer):
    assignee = serializers.CharField(max_length=150, help_text="Username of the person given it")


class ForwardSerializer(NoteSerializer):
    to_step = serializers.IntegerField(
        required=False, min_value=1, help_text="Process step id, when the step leads to several"
    )
    assignee = serializers.CharField(
        required=False, allow_blank=True, max_length=150, help_text="Username"
    )


class SendBackSerializer(ReasonSerializer):
    to_step = serializers.IntegerField(required=False, min_value=1)


class RecordResultSerializer(RevisionSerializer):
    name = _text(services.RESULT_NAME_REQUIRED, max_length=255)
    file = UploadField(
        help_text="The signed result: PDF, JPEG, PNG",
        error_messages={
            "required": services.RESULT_FILE_REQUIRED,
            "empty": services.RESULT_FILE_REQUIRED,
        },
    )
    is_electronic = serializers.BooleanField(required=False, default=True)


class ExtendSerializer(RevisionSerializer):
    new_due_at = LocalDateTimeField(error_messages={"required": BAD_DATETIME, "null": BAD_DATETIME})
    reason = _text(services.REASON_REQUIRED)


class WithdrawalDecisionSerializer(NoteSerializer):
    approve = AnswerField(
        help_text="Refusing needs a note saying why",
        error_messages={"required": CHOOSE_ANSWER, "invalid": CHOOSE_ANSWER},
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs["approve"] and not attrs.get("note", "").strip():
            raise serializers.ValidationError({"note": [services.REASON_REQUIRED]})
        return attrs


class PaymentRecordSerializer(NoteSerializer):
    method = serializers.ChoiceField(
        choices=[("cash", "cash"), ("transfer", "transfer")],
        help_text="cash or transfer (bank transfer)",
        error_messages={
            "required": payment_services.CHOOSE_METHOD,
            "invalid_choice": payment_services.CHOOSE_METHOD,
        },
    )
    receipt_number = _text(payment_services.RECEIPT_NUMBER_REQUIRED, max_length=40)


class ReturnSerializer(RevisionSerializer):
    to_whom = serializers.CharField(
        required=False, allow_blank=True, max_length=255, help_text="Empty when returned online"
    )
    via = serializers.ChoiceField(
        choices=Delivery.choices,
        required=False,
        allow_blank=True,
        help_text="How: counter (default), post, online (the signed electronic result)",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("via") != Delivery.ONLINE and not attrs.get("to_whom", "").strip():
            raise serializers.ValidationError({"to_whom": [services.RECIPIENT_REQUIRED]})
        return attrs


class RevokeResultSerializer(RevisionSerializer):
    result = _text(services.NO_SUCH_RESULT, max_length=70, help_text="Result code")
    reason = _text(services.REASON_REQUIRED)


class ReplaceResultSerializer(RevokeResultSerializer):
    name = _text(services.RESULT_NAME_REQUIRED, max_length=255)
    file = UploadField(
        help_text="The new result: a PDF, signed by the agency when recorded",
        error_messages={
            "required": services.RESULT_FILE_REQUIRED,
            "empty": services.RESULT_FILE_REQUIRED,
        },
    )


def person_by_username(username: str, name: str = "assignee") -> AbstractBaseUser:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationFailed(NO_SUCH_PERSON, field_errors={name: [NO_SUCH_PERSON]})
    return user


# --- What the page draws ------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


Choices = Callable[[StaffDossier], list[Choice]]


@dataclass(frozen=True)
class Input:
    """One input of an action's form: its field name, label and kind."""

    name: str
    label: str | Promise
    kind: str = "textarea"  # textarea, text, select, file, datetime, checkbox, radio
    required: bool = False
    help: str | Promise = ""
    choices: Choices | None = None
    # A select shown only when there is more than one choice (else the service picks).
    only_if_several: bool = False


def _forward_choices(d: StaffDossier) -> list[Choice]:
    return [Choice(str(m.step_id), m.name) for m in d.forward_moves]


def _back_choices(d: StaffDossier) -> list[Choice]:
    return [Choice(str(m.step_id), m.name) for m in d.back_moves]


def _assignees(d: StaffDossier) -> list[Choice]:
    step = d.open_step
    if step is None:
        return []
    from motcua.core.names import person_name

    return [
        Choice(u.get_username(), person_name(u))
        for u in assignable_users(agency_id=step.agency.id, role=step.role)
    ]


def _cases(d: StaffDossier) -> list[Choice]:
    return [Choice(c.code, f"{c.label}: {c.text}") for c in d.cases]


def _other_cases(d: StaffDossier) -> list[Choice]:
    return [Choice(c.code, f"{c.label}: {c.text}") for c in d.cases if c.code != d.processing_case]


def _issued_results(d: StaffDossier) -> list[Choice]:
    return [Choice(code, f"{code}: {name}") for code, name in signed_valid_results(dossier_id=d.id)]


def _return_ways(_d: StaffDossier) -> list[Choice]:
    # By post is not a way an officer records: the post's delivery confirmation returns it.
    return [Choice(str(v), str(text)) for v, text in Delivery.choices if v != Delivery.POST]


def _payment_methods(_d: StaffDossier) -> list[Choice]:
    return [Choice("cash", str(_("Cash"))), Choice("transfer", str(_("Bank transfer")))]


def _answers(_d: StaffDossier) -> list[Choice]:
    return [
        Choice("yes", str(_("Accept the withdrawal"))),
        Choice("no", str(_("Refuse the withdrawal"))),
    ]


NOTE = Input("note", _("Note (optional)"))
REASON = Input("reason", _("Reason"), required=True)


@dataclass(frozen=True)
class ActionSpec:
    """An action: the fields it takes, the service it calls with them, how the page offers it."""

    action: Action
    body: type[serializers.Serializer[Any]]
    call: Callable[[Mapping[str, Any]], tuple[Service, dict[str, Any]]]
    summary: str
    inputs: tuple[Input, ...] = ()
    primary: bool = False
    multipart: bool = False

    @property
    def label(self) -> str:
        return str(self.action.label)

    @property
    def slug(self) -> str:
        return self.action.value.replace("_", "-")


ACTIONS: dict[Action, ActionSpec] = {
    spec.action: spec
    for spec in (
        ActionSpec(
            Action.ACCEPT,
            AcceptSerializer,
            lambda d: (
                services.dossier_accept,
                {"note": d.get("note", ""), "case": d.get("case", "")},
            ),
            "Accept a dossier waiting for intake (status 2); the due date is computed from the "
            "legal time of the processing-time case chosen",
            (
                Input(
                    "case",
                    _("Processing-time case"),
                    "select",
                    choices=_cases,
                    only_if_several=True,
                ),
                NOTE,
            ),
            primary=True,
        ),
        ActionSpec(
            Action.CHOOSE_CASE,
            CaseSerializer,
            lambda d: (
                services.dossier_case_choose,
                {"case": d["case"], "note": d.get("note", "")},
            ),
            "Change the processing-time case (e.g. verification needed): the due date follows",
            (
                Input("case", _("Processing-time case"), "select", True, choices=_other_cases),
                NOTE,
            ),
        ),
        ActionSpec(
            Action.REFUSE,
            RefuseSerializer,
            lambda d: (services.dossier_refuse, {"reasons": d["reasons"]}),
            "Refuse a dossier at intake, with the reasons (form 03; status 3)",
            (Input("reasons", _("Reasons"), required=True),),
        ),
        ActionSpec(
            Action.REQUEST_SUPPLEMENT,
            SupplementBodySerializer,
            lambda d: (
                services.dossier_request_supplement,
                {"missing": d["missing"], "reason": d["reason"]},
            ),
            "Ask for everything missing at once (form 02; status 5; the clock stops). Once at "
            "intake, once per agency during processing",
            (
                Input(
                    "missing",
                    _("What is missing or must be corrected"),
                    required=True,
                    help=_("One item per line: the applicant gets the whole list at once."),
                ),
                REASON,
            ),
        ),
        ActionSpec(
            Action.RECEIVE_SUPPLEMENT,
            NoteSerializer,
            lambda d: (services.dossier_receive_supplement, {"note": d.get("note", "")}),
            "Record the supplement received; the clock resumes where it stopped",
            (NOTE,),
            primary=True,
        ),
        ActionSpec(
            Action.ASSIGN,
            AssignSerializer,
            lambda d: (services.dossier_assign, {"assignee": person_by_username(d["assignee"])}),
            "Give the open step to a person holding its role (leaders)",
            (Input("assignee", _("Assign to"), "select", True, choices=_assignees),),
        ),
        ActionSpec(
            Action.CLAIM,
            RevisionSerializer,
            lambda d: (services.dossier_claim, {}),
            "Take the open, unassigned step for oneself",
            primary=True,
        ),
        ActionSpec(
            Action.FORWARD,
            ForwardSerializer,
            lambda d: (
                services.dossier_forward,
                {
                    "to_step": d.get("to_step"),
                    "assignee": person_by_username(d["assignee"]) if d.get("assignee") else None,
                    "note": d.get("note", ""),
                },
            ),
            "Hand the dossier to the next step (another agency's: an inter-agency transfer)",
            (
                Input(
                    "to_step",
                    _("Next step"),
                    "select",
                    True,
                    choices=_forward_choices,
                    only_if_several=True,
                ),
                NOTE,
            ),
            primary=True,
        ),
        ActionSpec(
            Action.SEND_BACK,
            SendBackSerializer,
            lambda d: (
                services.dossier_send_back,
                {"to_step": d.get("to_step"), "reason": d["reason"]},
            ),
            "Send the dossier back to an earlier step for rework",
            (
                Input(
                    "to_step",
                    _("Send back to step"),
                    "select",
                    True,
                    choices=_back_choices,
                    only_if_several=True,
                ),
                REASON,
            ),
        ),
        ActionSpec(
            Action.RECORD_RESULT,
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
            (
                Input("name", _("Name of the result document"), "text", True),
                Input("file", _("Signed result (PDF or image)"), "file", True),
                Input("is_electronic", _("Electronic result"), "checkbox"),
            ),
            multipart=True,
        ),
        ActionSpec(
            Action.MARK_PROCESSED,
            NoteSerializer,
            lambda d: (services.dossier_mark_processed, {"note": d.get("note", "")}),
            "Approve: processing done (status 9); a result must be recorded",
            (NOTE,),
            primary=True,
        ),
        ActionSpec(
            Action.EXTEND,
            ExtendSerializer,
            lambda d: (
                services.dossier_extend,
                {"new_due_at": d["new_due_at"], "reason": d["reason"]},
            ),
            "Extend once, with an apology (form 04), until one working day before the due time",
            (
                Input("new_due_at", _("New due time"), "datetime", True),
                Input("reason", _("Reason and apology"), required=True),
            ),
        ),
        ActionSpec(
            Action.STOP,
            ReasonSerializer,
            lambda d: (services.dossier_stop, {"reason": d["reason"]}),
            "Stop processing, with the reason (form 05; status 8)",
            (REASON,),
        ),
        ActionSpec(
            Action.REQUEST_WITHDRAWAL,
            ReasonSerializer,
            lambda d: (services.dossier_withdrawal_request, {"reason": d["reason"]}),
            "Record the applicant's request to withdraw the dossier (status 7)",
            (REASON,),
        ),
        ActionSpec(
            Action.DECIDE_WITHDRAWAL,
            WithdrawalDecisionSerializer,
            lambda d: (
                services.dossier_withdrawal_decide,
                {"approve": d["approve"], "note": d.get("note", "")},
            ),
            "Accept or refuse the withdrawal request",
            (Input("approve", _("Answer"), "radio", True, choices=_answers), NOTE),
        ),
        ActionSpec(
            Action.RETURN_RESULT,
            ReturnSerializer,
            lambda d: (
                services.dossier_return_result,
                {"to_whom": d.get("to_whom", ""), "via": d.get("via", "")},
            ),
            "Hand the result over (status 10), recording to whom and how (online: the applicant "
            "downloads the signed electronic result)",
            (
                Input("via", _("Returned"), "select", choices=_return_ways),
                Input(
                    "to_whom",
                    _("Handed to"),
                    "text",
                    help=_(
                        "Name and ID number of the person who takes the result; empty when "
                        "returned online."
                    ),
                ),
            ),
            primary=True,
        ),
        ActionSpec(
            Action.REVOKE_RESULT,
            RevokeResultSerializer,
            lambda d: (
                services.dossier_result_revoke,
                {"result": d["result"], "reason": d["reason"]},
            ),
            "Revoke an issued electronic result (leaders of the deciding agency); it stays on "
            "record, marked, and its verification page says so",
            (
                Input("result", _("Result"), "select", True, choices=_issued_results),
                REASON,
            ),
        ),
        ActionSpec(
            Action.REPLACE_RESULT,
            ReplaceResultSerializer,
            lambda d: (
                services.dossier_result_replace,
                {
                    "result": d["result"],
                    "name": d["name"],
                    "upload": d.get("file"),
                    "reason": d["reason"],
                },
            ),
            "Replace an issued electronic result by a new PDF, signed now (multipart upload); "
            "the old one stays on record, marked replaced",
            (
                Input("result", _("Result replaced"), "select", True, choices=_issued_results),
                Input("name", _("Name of the new result document"), "text", True),
                Input("file", _("New result (PDF)"), "file", True),
                REASON,
            ),
            multipart=True,
        ),
        ActionSpec(
            Action.REQUEST_PAYMENT,
            NoteSerializer,
            lambda d: (services.dossier_request_payment, {"note": d.get("note", "")}),
            "Ask the applicant for the fees owed now (status 6): while processing, the fees paid "
            "before (processing waits); once processed, also those paid after (the result waits)",
            (NOTE,),
        ),
        ActionSpec(
            Action.RECORD_PAYMENT,
            PaymentRecordSerializer,
            lambda d: (
                payment_services.payment_record_counter,
                {
                    "method": d["method"],
                    "receipt_number": d["receipt_number"],
                    "note": d.get("note", ""),
                },
            ),
            "Record the fees owed now as paid in cash or by bank transfer, with the receipt's "
            "number; refused when already paid (unless refunded). Issues the electronic receipt",
            (
                Input("method", _("Paid by"), "radio", True, choices=_payment_methods),
                Input("receipt_number", _("Receipt or transfer number"), "text", True),
                NOTE,
            ),
        ),
    )
}


def _messages(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten a serializer's errors into ``{"field": [messages]}`` (list items by index)."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_messages(value, name))
        return out
    if isinstance(detail, list) and all(not isinstance(i, dict | list) for i in detail):
        return {prefix or "non_field_errors": [str(i) for i in detail]}
    if isinstance(detail, list):
        out = {}
        for index, item in enumerate(detail):
            out.update(_messages(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def action_arguments(
    action: Action, data: Any, *, revision: int | str | None = None
) -> tuple[Service, dict[str, Any], int | None]:
    """Read the fields of ``action`` from ``data``; return its service, arguments and revision.

    ``revision`` (the If-Match header) stands for the body's ``revision``; one
    of them is required. Raises ValidationFailed with every field's message at once.
    """
    spec = ACTIONS[action]
    body = spec.body(data=data)
    fields = {} if body.is_valid() else _messages(body.errors)
    raw = data.get("revision") if hasattr(data, "get") else None
    if revision is None and raw in (None, "") and "revision" not in fields:
        fields["revision"] = [str(REVISION_REQUIRED)]
    if fields:
        first = next(iter(fields.values()))
        raise ValidationFailed(first[0] if len(fields) == 1 else INVALID, field_errors=fields)
    service, kwargs = spec.call(body.validated_data)
    if isinstance(revision, str):  # ANY_REVISION
        return service, kwargs, None
    seen: int = revision if revision is not None else body.validated_data["revision"]
    return service, kwargs, seen


def action_run(
    action: Action,
    *,
    dossier: int | str,
    actor: AbstractBaseUser,
    data: Any,
    revision: int | str | None = None,
) -> Any:
    """Do ``action`` on ``dossier`` (id or code) with the fields in ``data`` (a form's or a body).

    ``revision`` (the If-Match header) stands for the body's ``revision``; one
    of them is required: the service refuses a client that saw an older one.
    ``ANY_REVISION`` (``If-Match: *``) acts whatever the revision is now.
    """
    service, kwargs, seen = action_arguments(action, data, revision=revision)
    return service(dossier=dossier, actor=actor, expected_revision=seen, **kwargs)
