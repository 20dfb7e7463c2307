"""What the staff API returns: output serializers of the workflow's reads.

Each body is its serializer applied to a selector's result (``InboxRows``,
``StaffDossier``): the schema and the body are one class.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from motcua.api.output import OutputSerializer
from motcua.catalog.api import FeeQuoteSerializer
from motcua.esign.models import SignedState

from .rules import Action


class NamedSerializer(OutputSerializer):
    code = serializers.CharField()
    name = serializers.CharField()


def _username(source: str, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(source=f"{source}.username", allow_null=True, **kwargs)


class OpenStepSerializer(OutputSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    agency = NamedSerializer()
    role = serializers.CharField()
    assignee = _username("assignee", help_text="Username")
    due_at = serializers.DateTimeField(allow_null=True)
    working_hours_left = serializers.FloatField(
        source="left.hours", allow_null=True, help_text="Negative when overdue"
    )


class InboxRowSerializer(OutputSerializer):
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
    working_hours_left = serializers.FloatField(source="left.hours", allow_null=True)
    overdue = serializers.BooleanField(source="left.overdue")
    current_step = OpenStepSerializer(source="open_step", allow_null=True)
    supplement_online = serializers.BooleanField(
        help_text="The last supplement request was answered by the applicant online"
    )


class InboxSerializer(OutputSerializer):
    box = serializers.CharField()
    results = InboxRowSerializer(source="rows", many=True)
    next_offset = serializers.IntegerField(allow_null=True)


class FileSerializer(OutputSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class DossierComponentSerializer(OutputSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    originals = serializers.IntegerField()
    copies = serializers.IntegerField()
    is_digitised = serializers.BooleanField()
    files = FileSerializer(many=True)


class SignedResultSerializer(OutputSerializer):
    signed_at = serializers.DateTimeField()
    signer = serializers.CharField(help_text="The approving leader's name, as on the stamp")
    signer_username = serializers.CharField(help_text="Username of the approving leader")
    sha256 = serializers.CharField(help_text="SHA-256 of the signed PDF, hexadecimal")
    state = serializers.ChoiceField(choices=SignedState.values)
    replaced_by = serializers.CharField(
        help_text="Code of the result that replaced this one (state replaced), else empty"
    )
    verification_url = serializers.URLField(help_text="The public verification page")


class ResultSerializer(OutputSerializer):
    code = serializers.CharField(help_text="<dossier code>-KQ<n>")
    name = serializers.CharField()
    is_electronic = serializers.BooleanField()
    recorded_at = serializers.DateTimeField()
    signed = SignedResultSerializer(
        allow_null=True,
        help_text="The agency's signed PDF (signed at the leader's approval); null: not signed",
    )


class SlipLineSerializer(OutputSerializer):
    name = serializers.CharField()
    agency = NamedSerializer()
    role = serializers.CharField()
    assignee = _username("handler")
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(help_text="early, on_time, late, or empty")
    note = serializers.CharField()


class EventSerializer(OutputSerializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    from_status = serializers.IntegerField(allow_null=True)
    to_status = serializers.IntegerField()
    actor = serializers.CharField(
        source="actor_text", help_text="Username of the staff member, or the role shown publicly"
    )
    note = serializers.CharField()


class ApplicantSerializer(OutputSerializer):
    kind = serializers.CharField(help_text="person or organisation")
    name = serializers.CharField()
    id_number = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    address = serializers.CharField()


class AnswerSerializer(OutputSerializer):
    name = serializers.CharField(help_text="The e-form field")
    label = serializers.CharField(help_text="As the e-form labels it")  # type: ignore[assignment]
    value = serializers.CharField(source="text", help_text="The answer, as text")


class SupplementRequestItemSerializer(OutputSerializer):
    name = serializers.CharField()
    reason = serializers.CharField()


class SupplementRequestSerializer(OutputSerializer):
    number = serializers.IntegerField()
    phase = serializers.CharField(help_text="intake or processing")
    agency = NamedSerializer(help_text="The agency asking")
    reason = serializers.CharField()
    requested_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField(allow_null=True)
    items = SupplementRequestItemSerializer(many=True)
    received_online = serializers.BooleanField(help_text="Answered by the applicant online")


class StaffDossierSerializer(InboxRowSerializer):
    supplement_online = None  # type: ignore[assignment]  # a list badge; a dossier lists its requests
    competent_agency = NamedSerializer()
    receiving_unit = NamedSerializer()
    applicant = ApplicantSerializer()
    answers = AnswerSerializer(many=True, help_text="What the applicant declared in the e-form")
    delivery = serializers.CharField()
    delivery_address = serializers.CharField()
    original_due_at = serializers.DateTimeField(
        allow_null=True, help_text="The due date before an extension (form 04)"
    )
    finished_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    supplement_requests = serializers.IntegerField()
    processing_case = serializers.CharField(
        help_text="Code of the processing-time case that applies; empty: the ordinary one"
    )
    legal_time = serializers.CharField(help_text="The legal time that applies, as people read it")
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=Action.values),
        help_text="What the caller may do now (the endpoints that would accept it).",
    )
    components = DossierComponentSerializer(many=True)
    results = ResultSerializer(many=True)
    steps = SlipLineSerializer(many=True, help_text="The control slip (form 06)")
    timeline = EventSerializer(many=True)
    supplements = SupplementRequestSerializer(
        many=True, help_text="Requests to supplement (form 02)"
    )
    fees = FeeQuoteSerializer(help_text="The fee lines of this dossier, each with its rule")
