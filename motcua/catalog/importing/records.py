"""Catalogue records: a procedure and its current version as one record, and back.

``procedure_record`` writes the record of a procedure (the JSON form; the
spreadsheet writes the same keys, see ``files``); ``parse_record`` reads one
(from either format), checks it, and says why it is rejected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Prefetch, QuerySet

from motcua.catalog.cases import ProcessingCaseSpec, case_spec_problems
from motcua.catalog.fees import (
    FeeExemptionSpec,
    FeeSpec,
    Tier,
    eform_number_fields,
    exemption_spec_problems,
    fee_codes_from_text,
    fee_spec_problems,
    tiers_from_json,
    tiers_from_text,
    tiers_to_json,
)
from motcua.catalog.models import (
    Component,
    ExemptionTrigger,
    Fee,
    FeeBasis,
    FeeDue,
    FeeExemption,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    ProcessingCase,
    TimeUnit,
)
from motcua.catalog.services import ComponentSpec, VersionContent, eform_spec_errors
from motcua.organisation.models import Agency, GovernmentLevel

PROCEDURE_COLUMNS = (
    "code",
    "national_code",
    "name",
    "agency",
    "field_code",
    "field_name",
    "level",
    "online_level",
    "legacy_online_level",
    "accepts_counter",
    "accepts_online",
    "accepts_post",
    "returns_by_post",
    "boundary_free",
    "is_published",
    "processing_time_value",
    "processing_time_unit",
    "processing_time_note",
    "same_day_cutoff_applies",
    "fee_note",
    "legal_basis",
    "requirements",
    "result_name",
    "applicants",
    "steps",
    "eform",
)
COMPONENT_COLUMNS = (
    "procedure_code",
    "name",
    "originals",
    "copies",
    "is_required",
    "reusable",
    "template_name",
)
FEE_COLUMNS = (
    "procedure_code",
    "code",
    "kind",
    "name",
    "basis",
    "amount",
    "tiers",
    "cap",
    "due",
    "quantity_source",
    "copies_field",
    "pages_field",
    "legal_basis",
    "note",
)
EXEMPTION_COLUMNS = (
    "procedure_code",
    "code",
    "name",
    "fee_codes",
    "trigger",
    "channel",
    "percent",
    "proof",
    "legal_basis",
    "valid_from",
    "valid_until",
)
CASE_COLUMNS = (
    "procedure_code",
    "code",
    "name",
    "processing_time_value",
    "processing_time_unit",
    "note",
    "legal_basis",
)
CHILD_SHEETS = ("components", "fees", "fee_exemptions", "processing_cases")

BOOLEAN_DEFAULTS = {
    "accepts_counter": True,
    "accepts_online": False,
    "accepts_post": False,
    "returns_by_post": True,
    "boundary_free": True,
    "is_published": True,
    "same_day_cutoff_applies": False,
}
TRUE_WORDS = {"1", "true", "yes", "y", "x", "có", "co"}
FALSE_WORDS = {"0", "false", "no", "n", "không", "khong", ""}


# --- serialising ------------------------------------------------------------


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def versions_with_content() -> QuerySet[ProcedureVersion]:
    """Return versions with their components, fees, exemptions and cases, each in order."""
    return ProcedureVersion.objects.prefetch_related(
        Prefetch("components", queryset=Component.objects.order_by("order", "id")),
        Prefetch("fees", queryset=Fee.objects.order_by("id")),
        Prefetch("fee_exemptions", queryset=FeeExemption.objects.order_by("id")),
        Prefetch("processing_cases", queryset=ProcessingCase.objects.order_by("order", "id")),
    )


def procedures_for_export() -> QuerySet[Procedure]:
    """Return every procedure with a current version, with what the export reads."""
    return (
        Procedure.objects.filter(current_version__isnull=False)
        .select_related("agency", "field")
        .prefetch_related(Prefetch("current_version", queryset=versions_with_content()))
        .order_by("code")
    )


def fee_record(fee: Fee) -> dict[str, Any]:
    """Return the import record of a fee rule (JSON form)."""
    return {
        "code": fee.code,
        "kind": fee.kind,
        "name": fee.name,
        "basis": fee.basis,
        "amount": fee.amount,
        "tiers": tiers_to_json(tiers_from_json(fee.tiers)),
        "cap": fee.cap,
        "due": fee.due,
        "quantity_source": fee.quantity_source,
        "copies_field": fee.copies_field,
        "pages_field": fee.pages_field,
        "legal_basis": fee.legal_basis,
        "note": fee.note,
    }


def exemption_record(exemption: FeeExemption) -> dict[str, Any]:
    """Return the import record of a fee exemption or reduction (JSON form)."""
    return {
        "code": exemption.code,
        "name": exemption.name,
        "fee_codes": list(fee_codes_from_text(exemption.fee_codes)),
        "trigger": exemption.trigger,
        "channel": exemption.channel,
        "percent": exemption.percent,
        "proof": exemption.proof,
        "legal_basis": exemption.legal_basis,
        "valid_from": exemption.valid_from.isoformat() if exemption.valid_from else None,
        "valid_until": exemption.valid_until.isoformat() if exemption.valid_until else None,
    }


def case_record(case: ProcessingCase) -> dict[str, Any]:
    """Return the import record of a processing-time case (JSON form)."""
    return {
        "code": case.code,
        "name": case.name,
        "processing_time_value": _number(case.processing_time_value),
        "processing_time_unit": case.processing_time_unit,
        "note": case.note,
        "legal_basis": case.legal_basis,
    }


def procedure_record(procedure: Procedure) -> dict[str, Any]:
    """Return the import record of ``procedure`` and its current version."""
    version = procedure.current_version
    assert version is not None  # noqa: S101 - procedures_for_export() filters them
    return {
        "code": procedure.code,
        "national_code": procedure.national_code,
        "name": version.name,
        "agency": procedure.agency.code,
        "field_code": procedure.field.code,
        "field_name": procedure.field.name,
        "level": procedure.level,
        "online_level": procedure.online_level,
        "legacy_online_level": procedure.legacy_online_level,
        "accepts_counter": procedure.accepts_counter,
        "accepts_online": procedure.accepts_online,
        "accepts_post": procedure.accepts_post,
        "returns_by_post": procedure.returns_by_post,
        "boundary_free": procedure.boundary_free,
        "is_published": procedure.is_published,
        "processing_time_value": _number(version.processing_time_value),
        "processing_time_unit": version.processing_time_unit,
        "processing_time_note": version.processing_time_note,
        "same_day_cutoff_applies": version.same_day_cutoff_applies,
        "fee_note": version.fee_note,
        "legal_basis": version.legal_basis,
        "requirements": version.requirements,
        "result_name": version.result_name,
        "applicants": version.applicants,
        "steps": [str(step) for step in version.steps or []],
        "eform": version.eform,
        "components": [
            {
                "name": c.name,
                "originals": c.originals,
                "copies": c.copies,
                "is_required": c.is_required,
                "reusable": c.reusable,
                "template_name": c.template_name,
            }
            for c in version.components.all()
        ],
        "fees": [fee_record(f) for f in version.fees.all()],
        "fee_exemptions": [exemption_record(e) for e in version.fee_exemptions.all()],
        "processing_cases": [case_record(c) for c in version.processing_cases.all()],
    }


# --- parsing ----------------------------------------------------------------


def text_value(record: Mapping[str, Any], key: str) -> str:
    """Return the value of ``key`` as stripped text ("" when missing; 3.0 reads "3")."""
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _bool(record: Mapping[str, Any], key: str, default: bool, reasons: list[str]) -> bool:
    value = record.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    reasons.append(f"{key}: '{value}' is not yes or no")
    return default


def _int(value: Any, key: str, reasons: list[str], default: int = 0) -> int:
    if value is None or value == "":
        return default
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = Decimal(-1)
    if not number.is_finite() or number < 0 or number != number.to_integral_value():
        reasons.append(f"{key}: '{value}' is not a whole number of 0 or more")
        return default
    return int(number)


def _optional_int(value: Any, key: str, reasons: list[str]) -> int | None:
    if value is None or value == "":
        return None
    return _int(value, key, reasons)


def _date(value: Any, key: str, reasons: list[str]) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):  # a spreadsheet's date cell
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        reasons.append(f"{key}: '{value}' is not a date (YYYY-MM-DD)")
        return None


def _tiers(value: Any, key: str, reasons: list[str]) -> tuple[Tier, ...]:
    try:
        if isinstance(value, str):
            return tiers_from_text(value)
        return tiers_from_json(value)
    except ValueError:
        reasons.append(f"{key}: '{value}' is not a list of tiers (e.g. '3: 1000')")
        return ()


def _fee_codes(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return fee_codes_from_text("" if value is None else str(value))


def parse_fee(f: Mapping[str, Any], n: int, reasons: list[str]) -> FeeSpec:
    """Read one fee record (JSON object or spreadsheet row); reasons name it ``fee <n>``."""
    where = f"fee {n}"
    # ``description`` and ``exemptions`` are the names of catalogue files written before rules.
    return FeeSpec(
        code=text_value(f, "code"),
        kind=text_value(f, "kind"),
        name=text_value(f, "name") or text_value(f, "description"),
        basis=text_value(f, "basis") or FeeBasis.DOSSIER,
        amount=_int(f.get("amount"), f"{where} amount", reasons),
        tiers=_tiers(f.get("tiers"), f"{where} tiers", reasons),
        cap=_optional_int(f.get("cap"), f"{where} cap", reasons),
        due=text_value(f, "due") or FeeDue.BEFORE,
        quantity_source=text_value(f, "quantity_source") or "eform",
        copies_field=text_value(f, "copies_field"),
        pages_field=text_value(f, "pages_field"),
        legal_basis=text_value(f, "legal_basis"),
        note=text_value(f, "note") or text_value(f, "exemptions"),
    )


def parse_exemption(e: Mapping[str, Any], n: int, reasons: list[str]) -> FeeExemptionSpec:
    """Read one exemption record; reasons name it ``exemption <n>``."""
    where = f"exemption {n}"
    return FeeExemptionSpec(
        code=text_value(e, "code"),
        name=text_value(e, "name"),
        fee_codes=_fee_codes(e.get("fee_codes")),
        trigger=text_value(e, "trigger") or ExemptionTrigger.CLAIM,
        channel=_optional_int(e.get("channel"), f"{where} channel", reasons),
        percent=_int(e.get("percent"), f"{where} percent", reasons, default=100),
        proof=text_value(e, "proof"),
        legal_basis=text_value(e, "legal_basis"),
        valid_from=_date(e.get("valid_from"), f"{where} valid_from", reasons),
        valid_until=_date(e.get("valid_until"), f"{where} valid_until", reasons),
    )


def _fee_rules(
    record: Mapping[str, Any], eform: Any, reasons: list[str]
) -> tuple[tuple[FeeSpec, ...], tuple[FeeExemptionSpec, ...]]:
    fees: list[FeeSpec] = []
    raw_fees = record.get("fees") or []
    if not isinstance(raw_fees, list):
        reasons.append("fees must be a list")
        raw_fees = []
    numbers = eform_number_fields(eform)
    for n, f in enumerate(raw_fees, start=1):
        if not isinstance(f, dict):
            reasons.append(f"fee {n}: not an object")
            continue
        spec = parse_fee(f, n, reasons)
        problems = [str(m) for _k, m in fee_spec_problems(spec, numbers)]
        if spec.code and spec.code in {x.code for x in fees}:
            problems.append(f"code '{spec.code}' appears twice")
        reasons.extend(f"fee {n} ({spec.code or '-'}): {p}" for p in problems)
        fees.append(spec)
    codes = frozenset(f.code for f in fees)
    exemptions: list[FeeExemptionSpec] = []
    raw = record.get("fee_exemptions") or []
    if not isinstance(raw, list):
        reasons.append("fee_exemptions must be a list")
        raw = []
    for n, e in enumerate(raw, start=1):
        if not isinstance(e, dict):
            reasons.append(f"exemption {n}: not an object")
            continue
        spec_e = parse_exemption(e, n, reasons)
        problems = [str(m) for _k, m in exemption_spec_problems(spec_e, codes)]
        if spec_e.code and spec_e.code in {x.code for x in exemptions}:
            problems.append(f"code '{spec_e.code}' appears twice")
        reasons.extend(f"exemption {n} ({spec_e.code or '-'}): {p}" for p in problems)
        exemptions.append(spec_e)
    return tuple(fees), tuple(exemptions)


def parse_steps(value: Any, reasons: list[str]) -> tuple[str, ...]:
    """Read the steps: a list of texts (JSON), or one step per line (a spreadsheet cell)."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        reasons.append("steps must be a list of texts")
        return ()
    return tuple(v.strip() for v in value if v.strip())


def parse_case(c: Mapping[str, Any]) -> ProcessingCaseSpec:
    """Read one processing-time case (JSON object or spreadsheet row)."""
    try:
        value = Decimal(text_value(c, "processing_time_value") or "-1")
    except InvalidOperation:
        value = Decimal(-1)
    return ProcessingCaseSpec(
        code=text_value(c, "code"),
        name=text_value(c, "name"),
        processing_time_value=value,
        processing_time_unit=text_value(c, "processing_time_unit") or TimeUnit.WORKING_DAYS,
        note=text_value(c, "note"),
        legal_basis=text_value(c, "legal_basis"),
    )


def _cases(
    record: Mapping[str, Any], ordinary: tuple[Decimal, str] | None, reasons: list[str]
) -> tuple[ProcessingCaseSpec, ...]:
    raw = record.get("processing_cases") or []
    if not isinstance(raw, list):
        reasons.append("processing_cases must be a list")
        raw = []
    cases: list[ProcessingCaseSpec] = []
    for n, c in enumerate(raw, start=1):
        if not isinstance(c, dict):
            reasons.append(f"case {n}: not an object")
            continue
        spec = parse_case(c)
        problems = [str(m) for _k, m in case_spec_problems(spec, ordinary)]
        if spec.code and spec.code in {x.code for x in cases}:
            problems.append(f"code '{spec.code}' appears twice")
        reasons.extend(f"case {n} ({spec.code or '-'}): {p}" for p in problems)
        cases.append(spec)
    return tuple(cases)


@dataclass
class ParsedRecord:
    code: str
    identity: dict[str, Any]
    field_code: str
    field_name: str
    content: VersionContent


def parse_record(record: Mapping[str, Any]) -> tuple[ParsedRecord | None, list[str]]:
    """Check one record; return it parsed, or None and the reasons it is rejected."""
    reasons: list[str] = []
    if "_orphan" in record:
        return None, [str(record["_orphan"])]
    code = text_value(record, "code")
    name = text_value(record, "name")
    if not code:
        reasons.append("missing code")
    if not name:
        reasons.append("missing name")
    national_code = text_value(record, "national_code")
    if not national_code:
        reasons.append("missing national code")

    agency_code = text_value(record, "agency")
    agency = Agency.objects.filter(code=agency_code).first() if agency_code else None
    if agency is None:
        reasons.append(f"unknown agency code '{agency_code}'" if agency_code else "missing agency")

    field_code = text_value(record, "field_code")
    field_name = text_value(record, "field_name")
    if not field_code:
        reasons.append("missing field code")
    elif not field_name and not Field.objects.filter(code=field_code).exists():
        reasons.append(f"unknown field code '{field_code}' (give field_name to create it)")

    level = text_value(record, "level") or (agency.level if agency else "")
    if level not in GovernmentLevel.values:
        reasons.append(f"unknown level '{level}'")
    online_level = text_value(record, "online_level") or OnlineLevel.NONE
    if online_level not in OnlineLevel.values:
        reasons.append(f"unknown online level '{online_level}'")
    legacy_text = text_value(record, "legacy_online_level")
    legacy: int | None = None
    if legacy_text:
        legacy = _int(legacy_text, "legacy_online_level", reasons)
        if legacy not in (1, 2, 3, 4):
            reasons.append(f"legacy online level '{legacy_text}' is not 1 to 4")

    flags = {key: _bool(record, key, default, reasons) for key, default in BOOLEAN_DEFAULTS.items()}

    unit = text_value(record, "processing_time_unit") or TimeUnit.WORKING_DAYS
    time_text = text_value(record, "processing_time_value")
    try:
        time_value = Decimal(time_text)
    except InvalidOperation:
        time_value = Decimal(-1)
    ordinary: tuple[Decimal, str] | None = (time_value, unit)
    if (
        not time_value.is_finite()
        or time_value < 0
        or time_value >= 10_000
        or unit not in TimeUnit.values
    ):
        reasons.append(f"invalid processing time '{time_text}' {unit}")
        ordinary = None
    elif time_value == 0 and not flags["same_day_cutoff_applies"]:
        reasons.append("invalid processing time: 0 (same day) needs same_day_cutoff_applies")
    cases = _cases(record, ordinary, reasons)

    components = []
    raw_components = record.get("components") or []
    if not isinstance(raw_components, list):
        reasons.append("components must be a list")
        raw_components = []
    for n, c in enumerate(raw_components, start=1):
        if not isinstance(c, dict) or not text_value(c, "name"):
            reasons.append(f"component {n}: missing name")
            continue
        components.append(
            ComponentSpec(
                name=text_value(c, "name"),
                originals=_int(c.get("originals"), f"component {n} originals", reasons),
                copies=_int(c.get("copies"), f"component {n} copies", reasons),
                is_required=_bool(c, "is_required", True, reasons),
                reusable=_bool(c, "reusable", False, reasons),
                template_name=text_value(c, "template_name"),
            )
        )

    eform = record.get("eform")
    if eform is None:
        eform = []
    fees, exemptions = _fee_rules(record, eform, reasons)
    steps = parse_steps(record.get("steps"), reasons)
    if isinstance(eform, dict) and "_invalid" in eform:
        reasons.append(f"invalid e-form spec: {eform['_invalid']}")
    else:
        reasons.extend(f"invalid e-form spec: {e}" for e in eform_spec_errors(eform))

    if reasons or agency is None:
        return None, reasons
    return (
        ParsedRecord(
            code=code,
            identity={
                "national_code": national_code,
                "agency": agency,
                "level": level,
                "online_level": online_level,
                "legacy_online_level": legacy,
                **{k: v for k, v in flags.items() if k != "same_day_cutoff_applies"},
            },
            field_code=field_code,
            field_name=field_name,
            content=VersionContent(
                name=name,
                processing_time_value=time_value,
                processing_time_unit=unit,
                processing_time_note=text_value(record, "processing_time_note"),
                same_day_cutoff_applies=flags["same_day_cutoff_applies"],
                fee_note=text_value(record, "fee_note"),
                legal_basis=text_value(record, "legal_basis"),
                requirements=text_value(record, "requirements"),
                result_name=text_value(record, "result_name"),
                steps=steps,
                applicants=text_value(record, "applicants"),
                components=tuple(components),
                fees=fees,
                fee_exemptions=exemptions,
                processing_cases=cases,
                eform=list(eform),
            ),
        ),
        [],
    )
