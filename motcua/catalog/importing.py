"""Import and export of the procedure catalogue, as JSON or as a spreadsheet.

One record per procedure, with the same keys in both formats:

- JSON: a list of objects; each has the keys of ``PROCEDURE_COLUMNS`` plus
  ``components`` (list of objects with the keys of ``COMPONENT_COLUMNS``
  minus ``procedure_code``), ``fees`` (likewise ``FEE_COLUMNS``; ``tiers`` a
  list of ``{"from": 3, "amount": 1000}``), ``fee_exemptions`` (likewise
  ``EXEMPTION_COLUMNS``; ``fee_codes`` a list, dates as YYYY-MM-DD) and
  ``eform`` (the list of field specs).
- XLSX: sheet ``procedures`` with one row per procedure (``PROCEDURE_COLUMNS``,
  ``eform`` as JSON text in its cell); sheets ``components``, ``fees`` and
  ``fee_exemptions`` with one row per component, fee or exemption, keyed by
  ``procedure_code``, in order (tiers as text "3: 1000; 10: 500", fee codes
  separated by commas).

Every record is imported in its own savepoint through the catalogue
services: a new code creates the procedure; a known code updates its
identity and publishes a new version only if the content changed. The report
says, per row, what happened and why a row was rejected.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from openpyxl import Workbook, load_workbook

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
    tiers_to_text,
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
    TimeUnit,
)
from motcua.catalog.services import (
    ComponentSpec,
    VersionContent,
    eform_spec_errors,
    field_upsert,
    procedure_create,
    procedure_publish_content,
    procedure_update,
    version_content,
)
from motcua.core.errors import DomainError
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
CHILD_SHEETS = ("components", "fees", "fee_exemptions")

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


class RowStatus:
    CREATED = "created"
    NEW_VERSION = "new version"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass
class RowResult:
    """What happened to one row: ``row`` is its number in the file (1-based)."""

    row: str
    code: str
    status: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        """Return the number of rows per status."""
        out: dict[str, int] = defaultdict(int)
        for row in self.rows:
            out[row.status] += 1
        return dict(out)

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == RowStatus.REJECTED]

    def as_text(self) -> str:
        """Return the report as lines of text, one per row, then the totals."""
        lines = []
        for r in self.rows:
            line = f"{r.row:>6}  {r.code or '-':<28} {r.status}"
            if r.reasons:
                line += ": " + "; ".join(r.reasons)
            lines.append(line)
        totals = ", ".join(f"{n} {status}" for status, n in sorted(self.counts().items()))
        lines.append(("dry run, nothing saved: " if self.dry_run else "") + (totals or "no rows"))
        return "\n".join(lines)


class ImportFileError(Exception):
    """The file cannot be read at all (not JSON, not a workbook, wrong shape)."""


# --- export ---------------------------------------------------------------


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def procedures_for_export() -> QuerySet[Procedure]:
    """Return every procedure with a current version, with what the export reads."""
    return (
        Procedure.objects.filter(current_version__isnull=False)
        .select_related("agency", "field")
        .prefetch_related(
            Prefetch(
                "current_version",
                queryset=ProcedureVersion.objects.prefetch_related(
                    Prefetch("components", queryset=Component.objects.order_by("order", "id")),
                    Prefetch("fees", queryset=Fee.objects.order_by("id")),
                    Prefetch("fee_exemptions", queryset=FeeExemption.objects.order_by("id")),
                ),
            )
        )
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
    }


def export_json(procedures: Iterable[Procedure] | None = None) -> bytes:
    """Return the catalogue (or ``procedures``) as UTF-8 JSON."""
    records = [
        procedure_record(p) for p in (procedures_for_export() if procedures is None else procedures)
    ]
    return json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def export_xlsx(procedures: Iterable[Procedure] | None = None) -> bytes:
    """Return the catalogue (or ``procedures``) as an XLSX workbook."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = "procedures"
    sheet.append(list(PROCEDURE_COLUMNS))
    components = book.create_sheet("components")
    components.append(list(COMPONENT_COLUMNS))
    fees = book.create_sheet("fees")
    fees.append(list(FEE_COLUMNS))
    exemptions = book.create_sheet("fee_exemptions")
    exemptions.append(list(EXEMPTION_COLUMNS))
    for procedure in procedures_for_export() if procedures is None else procedures:
        record = procedure_record(procedure)
        row = [record[key] for key in PROCEDURE_COLUMNS]
        row[PROCEDURE_COLUMNS.index("eform")] = json.dumps(record["eform"], ensure_ascii=False)
        sheet.append(row)
        for c in record["components"]:
            components.append([record["code"], *(c[k] for k in COMPONENT_COLUMNS[1:])])
        for f in record["fees"]:
            cells = {**f, "tiers": tiers_to_text(tiers_from_json(f["tiers"]))}
            fees.append([record["code"], *(cells[k] for k in FEE_COLUMNS[1:])])
        for e in record["fee_exemptions"]:
            cells = {**e, "fee_codes": ", ".join(e["fee_codes"])}
            exemptions.append([record["code"], *(cells[k] for k in EXEMPTION_COLUMNS[1:])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading files ---------------------------------------------------------

Row = tuple[str, dict[str, Any]]


def read_json(data: bytes) -> list[Row]:
    """Return the records of a JSON file, numbered from 1."""
    try:
        records = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError(f"not a JSON file: {exc}") from exc
    if not isinstance(records, list):
        raise ImportFileError("a JSON catalogue is a list of procedure objects")
    return [(str(n), r if isinstance(r, dict) else {}) for n, r in enumerate(records, start=1)]


def _sheet_rows(book: Any, name: str, required: bool) -> list[tuple[int, dict[str, Any]]]:
    if name not in book.sheetnames:
        if required:
            raise ImportFileError(f"the workbook has no sheet named '{name}'")
        return []
    rows = book[name].iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    out = []
    for number, values in enumerate(rows, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        out.append((number, dict(zip(header, values, strict=False))))
    return out


def read_xlsx(data: bytes) -> list[Row]:
    """Return the records of a workbook, numbered by their row in sheet ``procedures``.

    Rows of the other sheets whose procedure is not in the ``procedures``
    sheet come back as records with only an ``_orphan`` message.
    """
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError(f"not an XLSX workbook: {exc}") from exc
    procedures = _sheet_rows(book, "procedures", required=True)
    children: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: {sheet: [] for sheet in CHILD_SHEETS}
    )
    known = {str(values.get("code") or "").strip() for _, values in procedures}
    records: list[Row] = []
    for sheet in CHILD_SHEETS:
        for number, values in _sheet_rows(book, sheet, required=False):
            code = str(values.pop("procedure_code", "") or "").strip()
            if code not in known:
                records.append(
                    (
                        f"{sheet}:{number}",
                        {"code": code, "_orphan": f"no procedure '{code}' in sheet procedures"},
                    )
                )
                continue
            children[code][sheet].append(values)
    for number, values in procedures:
        code = str(values.get("code") or "").strip()
        eform = values.get("eform")
        if isinstance(eform, str) and eform.strip():
            try:
                values["eform"] = json.loads(eform)
            except json.JSONDecodeError:
                values["eform"] = {"_invalid": "the eform cell is not valid JSON"}
        elif eform is None or eform == "":
            values["eform"] = []
        values.update(children[code])
        records.append((str(number), values))
    book.close()
    return sorted(records, key=lambda r: (not r[0].isdigit(), int(r[0]) if r[0].isdigit() else 0))


def read_file(name: str, data: bytes) -> list[Row]:
    """Return the records of ``data``, read as JSON or XLSX by the file name's extension."""
    lower = name.lower()
    if lower.endswith(".json"):
        return read_json(data)
    if lower.endswith(".xlsx"):
        return read_xlsx(data)
    raise ImportFileError("the file must be .json or .xlsx")


# --- parsing records -------------------------------------------------------


def _text(record: Mapping[str, Any], key: str) -> str:
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
        code=_text(f, "code"),
        kind=_text(f, "kind"),
        name=_text(f, "name") or _text(f, "description"),
        basis=_text(f, "basis") or FeeBasis.DOSSIER,
        amount=_int(f.get("amount"), f"{where} amount", reasons),
        tiers=_tiers(f.get("tiers"), f"{where} tiers", reasons),
        cap=_optional_int(f.get("cap"), f"{where} cap", reasons),
        due=_text(f, "due") or FeeDue.BEFORE,
        quantity_source=_text(f, "quantity_source") or "eform",
        copies_field=_text(f, "copies_field"),
        pages_field=_text(f, "pages_field"),
        legal_basis=_text(f, "legal_basis"),
        note=_text(f, "note") or _text(f, "exemptions"),
    )


def parse_exemption(e: Mapping[str, Any], n: int, reasons: list[str]) -> FeeExemptionSpec:
    """Read one exemption record; reasons name it ``exemption <n>``."""
    where = f"exemption {n}"
    return FeeExemptionSpec(
        code=_text(e, "code"),
        name=_text(e, "name"),
        fee_codes=_fee_codes(e.get("fee_codes")),
        trigger=_text(e, "trigger") or ExemptionTrigger.CLAIM,
        channel=_optional_int(e.get("channel"), f"{where} channel", reasons),
        percent=_int(e.get("percent"), f"{where} percent", reasons, default=100),
        proof=_text(e, "proof"),
        legal_basis=_text(e, "legal_basis"),
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
    code = _text(record, "code")
    name = _text(record, "name")
    if not code:
        reasons.append("missing code")
    if not name:
        reasons.append("missing name")
    national_code = _text(record, "national_code")
    if not national_code:
        reasons.append("missing national code")

    agency_code = _text(record, "agency")
    agency = Agency.objects.filter(code=agency_code).first() if agency_code else None
    if agency is None:
        reasons.append(f"unknown agency code '{agency_code}'" if agency_code else "missing agency")

    field_code = _text(record, "field_code")
    field_name = _text(record, "field_name")
    if not field_code:
        reasons.append("missing field code")
    elif not field_name and not Field.objects.filter(code=field_code).exists():
        reasons.append(f"unknown field code '{field_code}' (give field_name to create it)")

    level = _text(record, "level") or (agency.level if agency else "")
    if level not in GovernmentLevel.values:
        reasons.append(f"unknown level '{level}'")
    online_level = _text(record, "online_level") or OnlineLevel.NONE
    if online_level not in OnlineLevel.values:
        reasons.append(f"unknown online level '{online_level}'")
    legacy_text = _text(record, "legacy_online_level")
    legacy: int | None = None
    if legacy_text:
        legacy = _int(legacy_text, "legacy_online_level", reasons)
        if legacy not in (1, 2, 3, 4):
            reasons.append(f"legacy online level '{legacy_text}' is not 1 to 4")

    flags = {key: _bool(record, key, default, reasons) for key, default in BOOLEAN_DEFAULTS.items()}

    unit = _text(record, "processing_time_unit") or TimeUnit.WORKING_DAYS
    time_text = _text(record, "processing_time_value")
    try:
        time_value = Decimal(time_text)
    except InvalidOperation:
        time_value = Decimal(-1)
    if (
        not time_value.is_finite()
        or time_value < 0
        or time_value >= 10_000
        or unit not in TimeUnit.values
    ):
        reasons.append(f"invalid processing time '{time_text}' {unit}")
    elif time_value == 0 and not flags["same_day_cutoff_applies"]:
        reasons.append("invalid processing time: 0 (same day) needs same_day_cutoff_applies")

    components = []
    raw_components = record.get("components") or []
    if not isinstance(raw_components, list):
        reasons.append("components must be a list")
        raw_components = []
    for n, c in enumerate(raw_components, start=1):
        if not isinstance(c, dict) or not _text(c, "name"):
            reasons.append(f"component {n}: missing name")
            continue
        components.append(
            ComponentSpec(
                name=_text(c, "name"),
                originals=_int(c.get("originals"), f"component {n} originals", reasons),
                copies=_int(c.get("copies"), f"component {n} copies", reasons),
                is_required=_bool(c, "is_required", True, reasons),
                reusable=_bool(c, "reusable", False, reasons),
                template_name=_text(c, "template_name"),
            )
        )

    eform = record.get("eform")
    if eform is None:
        eform = []
    fees, exemptions = _fee_rules(record, eform, reasons)
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
                processing_time_note=_text(record, "processing_time_note"),
                same_day_cutoff_applies=flags["same_day_cutoff_applies"],
                fee_note=_text(record, "fee_note"),
                legal_basis=_text(record, "legal_basis"),
                requirements=_text(record, "requirements"),
                result_name=_text(record, "result_name"),
                components=tuple(components),
                fees=fees,
                fee_exemptions=exemptions,
                eform=list(eform),
            ),
        ),
        [],
    )


# --- importing -------------------------------------------------------------


def _domain_reasons(exc: DomainError) -> list[str]:
    if not exc.field_errors:
        return [str(exc.message)]
    return [f"{name}: {m}" for name, msgs in exc.field_errors.items() for m in msgs]


def _import_one(parsed: ParsedRecord, actor: Any) -> str:
    field_obj = (
        field_upsert(code=parsed.field_code, name=parsed.field_name)
        if parsed.field_name
        else Field.objects.get(code=parsed.field_code)
    )
    identity = {**parsed.identity, "field": field_obj}
    procedure = Procedure.objects.select_related("agency", "field").filter(code=parsed.code).first()
    if procedure is None:
        procedure = procedure_create(
            code=parsed.code, name=parsed.content.name, actor=actor, **identity
        )
        procedure_publish_content(procedure=procedure, content=parsed.content, actor=actor)
        return RowStatus.CREATED
    changed = procedure_update(procedure=procedure, actor=actor, **identity)
    current = (
        ProcedureVersion.objects.prefetch_related(
            Prefetch("components", queryset=Component.objects.order_by("order", "id")),
            Prefetch("fees", queryset=Fee.objects.order_by("id")),
            Prefetch("fee_exemptions", queryset=FeeExemption.objects.order_by("id")),
        )
        .filter(procedure=procedure, pk=procedure.current_version_id or 0)
        .first()
    )
    if current is None or version_content(current) != parsed.content:
        procedure_publish_content(procedure=procedure, content=parsed.content, actor=actor)
        return RowStatus.NEW_VERSION if current is not None else RowStatus.CREATED
    return RowStatus.UPDATED if changed else RowStatus.UNCHANGED


def catalog_import(
    *, rows: Iterable[Row], dry_run: bool = False, actor: Any = None
) -> ImportReport:
    """Import ``rows``, each in its own savepoint; return the per-row report.

    A rejected row changes nothing and does not stop the others. With
    ``dry_run`` everything is rolled back at the end, so the report tells
    what an import would do. Changes are audited as made by ``actor``
    (None: the system, e.g. the demo loader).
    """
    report = ImportReport(dry_run=dry_run)
    seen: set[str] = set()
    with transaction.atomic():
        for number, record in rows:
            parsed, reasons = parse_record(record)
            code = _text(record, "code")
            if parsed is not None and parsed.code in seen:
                parsed, reasons = None, [f"code '{code}' appears twice in the file"]
            if parsed is None:
                report.rows.append(RowResult(number, code, RowStatus.REJECTED, reasons))
                continue
            seen.add(parsed.code)
            try:
                with transaction.atomic():
                    status = _import_one(parsed, actor)
            except DomainError as exc:
                report.rows.append(
                    RowResult(number, code, RowStatus.REJECTED, _domain_reasons(exc))
                )
                continue
            report.rows.append(RowResult(number, code, status))
        if dry_run:
            transaction.set_rollback(True)
    return report


def catalog_import_file(
    *, name: str, data: bytes, dry_run: bool = False, actor: Any = None
) -> ImportReport:
    """Read ``data`` as JSON or XLSX (by ``name``) and import it; see ``catalog_import``.

    Raises ``ImportFileError`` when the file cannot be read at all.
    """
    return catalog_import(rows=read_file(name, data), dry_run=dry_run, actor=actor)
