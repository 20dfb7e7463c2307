"""JSON API of the procedure catalogue: search, the published procedure, and fee quotes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
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

from motcua.catalog.cases import time_text, version_time_summary
from motcua.catalog.fees import (
    MAX_PROOF_LENGTH,
    MAX_QUANTITY,
    Claim,
    FeeInputNames,
    FeeLine,
    FeeQuote,
    exemption_spec,
    exemption_text,
    fee_rule_text,
    fee_spec,
    tiers_from_json,
    tiers_to_json,
    version_fees,
)
from motcua.catalog.models import (
    Component,
    ExemptionTrigger,
    Fee,
    FeeBasis,
    FeeDue,
    FeeExemption,
    FeeKind,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    ProcessingCase,
    QuantitySource,
    SubmissionChannel,
    TimeUnit,
)
from motcua.catalog.selectors import procedure_get_published, procedure_search
from motcua.core.query import refuse_repeated
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


TIERS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "Other amounts from a given unit on (e.g. from the 3rd page), in order.",
    "items": {
        "type": "object",
        "required": ["from", "amount"],
        "properties": {
            "from": {"type": "integer", "description": "The first unit (page or copy)."},
            "amount": {"type": "integer", "description": "VND per unit from there on."},
        },
    },
}


class FeeSerializer(serializers.Serializer[Fee]):
    """A fee rule as published; ``summary`` is the rule in words, in the request's language."""

    code = serializers.CharField(help_text="The fee line's code, e.g. in payments.")
    kind = serializers.ChoiceField(choices=FeeKind.choices)
    name = serializers.CharField()
    basis = serializers.ChoiceField(choices=FeeBasis.choices)
    amount = serializers.IntegerField(help_text="VND per unit (dossier, copy or page)")
    tiers = serializers.SerializerMethodField()
    cap = serializers.IntegerField(
        allow_null=True, help_text="VND: most a copy costs (per page) or the line (per copy)."
    )
    due = serializers.ChoiceField(choices=FeeDue.choices)
    quantity_source = serializers.ChoiceField(
        choices=QuantitySource.choices,
        help_text="Who gives the counts: the applicant (e-form fields) or the officer.",
    )
    copies_field = serializers.CharField(help_text="Name of the count of copies (quote key).")
    pages_field = serializers.CharField(help_text="Name of the count of pages (quote key).")
    legal_basis = serializers.CharField()
    note = serializers.CharField()
    summary = serializers.SerializerMethodField()
    description = serializers.CharField(source="name", help_text="Deprecated: use `name`.")
    exemptions = serializers.CharField(source="note", help_text="Deprecated: use `note`.")

    @extend_schema_field(TIERS_SCHEMA)
    def get_tiers(self, obj: Fee) -> list[dict[str, int]]:
        return tiers_to_json(tiers_from_json(obj.tiers))

    def get_summary(self, obj: Fee) -> str:
        return fee_rule_text(fee_spec(obj))


class FeeExemptionSerializer(serializers.Serializer[FeeExemption]):
    code = serializers.CharField(help_text="What a claim names (`claims[].code`).")
    name = serializers.CharField()
    fee_codes = serializers.SerializerMethodField(help_text="Fees it applies to; empty: all.")
    trigger = serializers.ChoiceField(choices=ExemptionTrigger.choices)
    channel = serializers.ChoiceField(choices=SubmissionChannel.choices, allow_null=True)
    percent = serializers.IntegerField(help_text="100: exempt; 50: half the amount.")
    proof = serializers.CharField(help_text="The proof the officer checks for a claim.")
    legal_basis = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    summary = serializers.SerializerMethodField()

    def get_fee_codes(self, obj: FeeExemption) -> list[str]:
        return list(exemption_spec(obj).fee_codes)

    def get_summary(self, obj: FeeExemption) -> str:
        return exemption_text(exemption_spec(obj))


class ClaimSerializer(serializers.Serializer[Claim]):
    code = serializers.CharField(max_length=40, help_text="An exemption's code.")
    proof = serializers.CharField(
        max_length=MAX_PROOF_LENGTH,
        required=False,
        allow_blank=True,
        help_text="Number or reference of the proof the officer will check.",
    )


class FeeLineSerializer(serializers.Serializer[FeeLine]):
    """One fee a dossier owes; ``amount`` is null while a count is still unknown."""

    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=FeeKind.choices)
    kind_label = serializers.CharField()
    name = serializers.CharField()
    basis = serializers.ChoiceField(choices=FeeBasis.choices)
    due = serializers.ChoiceField(choices=FeeDue.choices)
    due_label = serializers.CharField()
    rule_text = serializers.CharField(help_text="How the amount was counted, in words.")
    copies = serializers.IntegerField(allow_null=True)
    pages = serializers.IntegerField(allow_null=True)
    base_amount = serializers.IntegerField(allow_null=True, help_text="VND before reductions")
    amount = serializers.IntegerField(allow_null=True, help_text="VND")
    exemption_code = serializers.CharField()
    exemption_text = serializers.CharField()
    reduction_percent = serializers.IntegerField()
    claims = ClaimSerializer(many=True)
    legal_basis = serializers.CharField()
    waiting_for = serializers.ListField(
        child=serializers.CharField(), help_text="Counts still unknown (the officer counts them)."
    )


class FeeQuoteSerializer(serializers.Serializer[FeeQuote]):
    lines = FeeLineSerializer(many=True)
    due_now = serializers.IntegerField(help_text="VND paid at submission (thu trước)")
    due_later = serializers.IntegerField(help_text="VND paid with the result (thu sau)")
    total = serializers.IntegerField(help_text="VND")
    pending = serializers.BooleanField(help_text="Some count is unknown: the total may grow.")


class ComponentSerializer(serializers.Serializer[Component]):
    id = serializers.IntegerField(
        help_text="Send this component's files as `component-<id>` (submission, counter intake)."
    )
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


class ProcessingCaseSerializer(serializers.Serializer[ProcessingCase]):
    """A case with a legal time of its own; ``summary`` is the time in words."""

    code = serializers.CharField(help_text="Identifies the case (the officer chooses it).")
    name = serializers.CharField()
    processing_time = serializers.SerializerMethodField(
        help_text="The case's legal processing time, in working days or working hours."
    )
    note = serializers.CharField(help_text="When the case applies.")
    legal_basis = serializers.CharField()
    summary = serializers.SerializerMethodField()

    @extend_schema_field(ProcessingTimeSerializer)
    def get_processing_time(self, obj: ProcessingCase) -> dict[str, Any]:
        return {"value": _number(obj.processing_time_value), "unit": obj.processing_time_unit}

    def get_summary(self, obj: ProcessingCase) -> str:
        return time_text(obj.processing_time_value, obj.processing_time_unit)


class VersionSerializer(serializers.Serializer[ProcedureVersion]):
    number = serializers.IntegerField()
    processing_time = serializers.SerializerMethodField(
        help_text="The legal processing time of the ordinary case, in working days or hours."
    )
    processing_cases = ProcessingCaseSerializer(
        many=True,
        help_text="Cases with a legal time of their own, e.g. when verification is needed.",
    )
    processing_time_summary = serializers.SerializerMethodField(
        help_text="The legal time with its cases, in words, in the request's language."
    )
    processing_time_note = serializers.CharField()
    same_day_cutoff_applies = serializers.BooleanField(
        help_text="Same-day procedure: received after the daily cut-off, due the next working day."
    )
    fees = FeeSerializer(many=True)
    fee_exemptions = FeeExemptionSerializer(many=True)
    fee_note = serializers.CharField()
    legal_basis = serializers.CharField()
    requirements = serializers.CharField()
    result_name = serializers.CharField()

    @extend_schema_field(ProcessingTimeSerializer)
    def get_processing_time(self, obj: ProcedureVersion) -> dict[str, Any]:
        return {"value": _number(obj.processing_time_value), "unit": obj.processing_time_unit}

    def get_processing_time_summary(self, obj: ProcedureVersion) -> str:
        return version_time_summary(obj)


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


SEARCH_PARAMETERS = ("q", "agency", "field", "level", "online", "page")


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
        refuse_repeated(params, SEARCH_PARAMETERS)
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
    description=(
        "The version's `processing_time` is the ordinary case; `processing_cases` are the "
        "cases with a legal time of their own (e.g. when verification is needed), and "
        "`processing_time_summary` says both in words."
    ),
    responses={200: ProcedureDetailSerializer},
)
@api_view(["GET"])
def procedure_detail(request: Request, code: str) -> Response:
    procedure = procedure_get_published(code=code)
    return Response(ProcedureDetailSerializer(procedure, context={"request": request}).data)


class QuoteRequestSerializer(serializers.Serializer[Any]):
    channel = serializers.ChoiceField(
        choices=SubmissionChannel.choices,
        default=SubmissionChannel.ONLINE,
        help_text="1 counter, 2 online, 3 post: some reductions depend on it.",
    )
    quantities = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY),
        required=False,
        help_text="Counts by name (a fee's `copies_field` / `pages_field`), e.g. "
        '`{"pages": 5, "copies": 2}`. A missing count leaves its line pending.',
    )
    claims = ClaimSerializer(
        many=True, required=False, help_text="Exemptions claimed (trigger `claim`)."
    )


@extend_schema(
    operation_id="procedure_fees_quote",
    summary="Compute the fees of a dossier before submitting it",
    description=(
        "The fee lines a dossier of this procedure would owe, from its published rules, the "
        "channel, the counts and the exemptions claimed. A claim's proof is checked only at "
        "submission; an unknown claim or a count that is not a whole number is a 400."
    ),
    request=QuoteRequestSerializer,
    responses={200: FeeQuoteSerializer},
)
@api_view(["POST"])
def procedure_fees_quote(request: Request, code: str) -> Response:
    procedure = procedure_get_published(code=code)
    body = QuoteRequestSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    assert procedure.current_version is not None  # noqa: S101 - published procedures have one
    quote = version_fees(procedure.current_version).quote(
        channel=int(data["channel"]),
        quantities=data.get("quantities", {}),
        claims=[Claim(c["code"], c.get("proof", "")) for c in data.get("claims", [])],
        on=timezone.localdate(),
        counted=True,
        partial=True,
        names=FeeInputNames(quantity="quantities.{}", claims="claims", proof="claims.{}.proof"),
    )
    return Response(FeeQuoteSerializer(quote).data)
