"""The catalogue as it was in a given year, imported from a previous system (CSV or XLSX).

One row per procedure and period, with the columns of ``HISTORY_COLUMNS``
(documented in ``docs/imports.md``, "Catalogue as it was"). Each row is
written to the procedure's history (``history.procedure_provision_record``)
in its own savepoint; a procedure code the catalogue does not know creates a
procedure that is not published today, with a minimal version, so the old
catalogue's procedures count in the statistics of their years. A row with an
unknown agency or field, a bad level or date, or a procedure already given
for an overlapping period earlier in the file is rejected with its reasons;
the rest is imported. A second run of the same file changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.history import ProvisionState, procedure_provision_record
from motcua.catalog.importing import ImportFileError, ImportReport, RowResult
from motcua.catalog.importing.records import FALSE_WORDS, TRUE_WORDS, text_value
from motcua.catalog.models import (
    Field,
    LegacyOnlineLevel,
    OnlineLevel,
    Procedure,
    ProvisionLevel,
    ProvisionSource,
)
from motcua.catalog.services import procedure_create, procedure_publish_version
from motcua.core.errors import DomainError, ValidationFailed
from motcua.organisation.models import Agency

HISTORY_COLUMNS = (
    "procedure_code",
    "national_code",
    "name",
    "field_code",
    "agency_code",
    "government_level",
    "online_level",
    "legacy_level",
    "published",
    "valid_from",
    "valid_to",
)
EARLIEST_YEAR = 2000
YEAR_OUT_OF_RANGE = _(
    "Give a past year from 2000 on: the catalogue of the current year is the catalogue itself."
)
UNKNOWN_TIME_NOTE = "Không rõ: thủ tục của danh mục cũ (năm {year}), nhập để thống kê."

Row = tuple[str, dict[str, Any]]


class HistoryStatus:
    CREATED = "created"  # a new procedure, not published today, and its history row
    RECORDED = "recorded"  # the history of a known procedure for the period
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


# --- files ------------------------------------------------------------------


def read_history_file(name: str, data: bytes) -> list[Row]:
    """Return the rows of a CSV (comma or semicolon, UTF-8) or XLSX file, numbered as in it.

    Raises ``ImportFileError`` when the file cannot be read at all.
    """
    lower = name.lower()
    if lower.endswith(".csv"):
        return _read_csv(data)
    if lower.endswith(".xlsx"):
        return _read_xlsx(data)
    raise ImportFileError("the file must be .csv or .xlsx")


def _blank(values: Iterable[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _read_csv(data: bytes) -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"not a UTF-8 CSV file: {exc}") from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in next(reader, [])]
    _check_header(header)
    return [
        (str(number), dict(zip(header, values, strict=False)))
        for number, values in enumerate(reader, start=2)
        if not _blank(values)
    ]


def _read_xlsx(data: bytes) -> list[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError(f"not an XLSX workbook: {exc}") from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    _check_header(header)
    out = [
        (str(number), dict(zip(header, values, strict=False)))
        for number, values in enumerate(rows, start=2)
        if not _blank(values)
    ]
    book.close()
    return out


def _check_header(header: list[str]) -> None:
    missing = [c for c in ("procedure_code", "agency_code") if c not in header]
    if missing:
        raise ImportFileError(f"the first row must name the columns; missing: {', '.join(missing)}")


# --- rows -------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    code: str
    national_code: str
    name: str
    field: Field | None
    agency: Agency
    state: ProvisionState
    valid_from: dt.date
    valid_to: dt.date


def _date(value: Any, key: str, reasons: list[str]) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):  # a spreadsheet's date cell
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    reasons.append(f"{key}: '{value}' is not a date (YYYY-MM-DD or DD/MM/YYYY)")
    return None


def _published(record: Mapping[str, Any], reasons: list[str]) -> bool:
    value = record.get("published")
    if value is None or value == "":
        return True
    if isinstance(value, bool):
        return value
    word = text_value(record, "published").lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    reasons.append(f"published: '{value}' is not 1 or 0")
    return True


def parse_history_row(
    record: Mapping[str, Any],
    *,
    year: int,
    agencies: Mapping[str, Agency],
    fields: Mapping[str, Field],
    known_codes: set[str],
) -> tuple[HistoryRow | None, list[str]]:
    """Check one row; return it parsed, or None and the reasons it is rejected."""
    reasons: list[str] = []
    code = text_value(record, "procedure_code")
    if not code:
        reasons.append("missing procedure_code")
    is_new = bool(code) and code not in known_codes
    name = text_value(record, "name")
    national_code = text_value(record, "national_code")
    field_code = text_value(record, "field_code")
    field = fields.get(field_code) if field_code else None
    if field_code and field is None:
        reasons.append(f"unknown field code '{field_code}'")
    if is_new:
        for key, value in (("name", name), ("national_code", national_code)):
            if not value:
                reasons.append(f"missing {key} (needed for a procedure not in the catalogue)")
        if not field_code:
            reasons.append("missing field_code (needed for a procedure not in the catalogue)")

    agency_code = text_value(record, "agency_code")
    agency = agencies.get(agency_code) if agency_code else None
    if agency is None:
        reasons.append(
            f"unknown agency code '{agency_code}'" if agency_code else "missing agency_code"
        )

    level = text_value(record, "government_level") or (agency.level if agency else "")
    if level not in ProvisionLevel.values:
        reasons.append(f"unknown government level '{level}'")
    online = text_value(record, "online_level")
    if online and online not in OnlineLevel.values:
        reasons.append(f"online_level '{online}' is not full, partial, none or empty")
    legacy_text = text_value(record, "legacy_level")
    legacy: int | None = None
    if legacy_text:
        if legacy_text.isdigit() and int(legacy_text) in LegacyOnlineLevel.values:
            legacy = int(legacy_text)
        else:
            reasons.append(f"legacy_level '{legacy_text}' is not 1 to 4")
    published = _published(record, reasons)

    valid_from = _date(record.get("valid_from"), "valid_from", reasons) or (
        dt.date(year, 1, 1) if not text_value(record, "valid_from") else None
    )
    valid_to = _date(record.get("valid_to"), "valid_to", reasons) or (
        dt.date(year + 1, 1, 1) if not text_value(record, "valid_to") else None
    )
    today = timezone.localdate()
    if valid_from is not None and not dt.date(EARLIEST_YEAR, 1, 1) <= valid_from <= today:
        reasons.append(f"valid_from {valid_from.isoformat()} is out of range (2000 to today)")
    if valid_to is not None and valid_to > today:
        reasons.append(f"valid_to {valid_to.isoformat()} is after today")
    if valid_from is not None and valid_to is not None and valid_to <= valid_from:
        reasons.append(f"valid_to {valid_to.isoformat()} is not after valid_from")
    if reasons or agency is None or valid_from is None or valid_to is None:
        return None, reasons
    return (
        HistoryRow(
            code=code,
            national_code=national_code,
            name=name,
            field=field,
            agency=agency,
            state=ProvisionState(
                online_level=online,
                legacy_online_level=legacy,
                is_published=published,
                agency_id=agency.pk,
                level=level,
            ),
            valid_from=valid_from,
            valid_to=valid_to,
        ),
        [],
    )


def _procedure_for_history(row: HistoryRow, year: int, actor: Any) -> Procedure:
    """Create the procedure of an old catalogue's row, not published today."""
    assert row.field is not None  # noqa: S101 - parse_history_row asks for it
    procedure = procedure_create(
        code=row.code,
        national_code=row.national_code,
        name=row.name,
        field=row.field,
        agency=row.agency,
        level=row.agency.level,
        online_level=row.state.online_level or OnlineLevel.NONE,
        legacy_online_level=row.state.legacy_online_level,
        accepts_online=False,
        is_published=False,
        actor=actor,
        history_source=ProvisionSource.IMPORT,
    )
    # Its content is not known: a minimal version, as the catalogue's import makes one.
    procedure_publish_version(
        procedure=procedure,
        name=row.name,
        processing_time_value=Decimal(0),
        same_day_cutoff_applies=True,
        processing_time_note=UNKNOWN_TIME_NOTE.format(year=year),
        actor=actor,
    )
    return procedure


def _import_one(row: HistoryRow, procedure: Procedure | None, year: int, actor: Any) -> str:
    status = HistoryStatus.RECORDED
    if procedure is None:
        procedure = _procedure_for_history(row, year, actor)
        status = HistoryStatus.CREATED
    written = procedure_provision_record(
        procedure=procedure,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        state=row.state,
        source=ProvisionSource.IMPORT,
        actor=actor,
    )
    return status if written is not None else HistoryStatus.UNCHANGED


def catalogue_history_import(
    *,
    rows: Iterable[Row],
    year: int,
    dry_run: bool = False,
    actor: Any = None,
    progress: Callable[[int, int], None] | None = None,
    every: int = 500,
) -> ImportReport:
    """Import the catalogue as it was in ``year``; return the per-row report.

    Each row in its own savepoint: a rejected row changes nothing and does
    not stop the others. ``progress(done, total)`` is called every
    ``every`` rows and at the end. With ``dry_run`` everything is rolled
    back, so the report tells what an import would do. Changes are audited
    as made by ``actor`` (None: the system). Raises ``ValidationFailed`` for
    a year that is not a past one.
    """
    if not EARLIEST_YEAR <= year < timezone.localdate().year:
        raise ValidationFailed(YEAR_OUT_OF_RANGE, field_errors={"year": [YEAR_OUT_OF_RANGE]})
    rows = list(rows)
    codes = {text_value(record, "procedure_code") for _n, record in rows}
    agencies = {a.code: a for a in Agency.objects.all()}
    fields = {f.code: f for f in Field.objects.all()}
    procedures = {p.code: p for p in Procedure.objects.filter(code__in=codes)}
    periods: dict[str, list[tuple[str, dt.date, dt.date]]] = {}
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        for done, (number, record) in enumerate(rows, start=1):
            parsed, reasons = parse_history_row(
                record,
                year=year,
                agencies=agencies,
                fields=fields,
                known_codes=set(procedures),
            )
            code = text_value(record, "procedure_code")
            if parsed is not None:
                for other, start, end in periods.get(parsed.code, []):
                    if start < parsed.valid_to and parsed.valid_from < end:
                        parsed, reasons = (
                            None,
                            [
                                f"procedure code '{code}' appears twice in the file for "
                                f"overlapping periods (row {other})"
                            ],
                        )
                        break
            if parsed is None:
                report.rows.append(RowResult(number, code, HistoryStatus.REJECTED, reasons))
            else:
                periods.setdefault(parsed.code, []).append(
                    (number, parsed.valid_from, parsed.valid_to)
                )
                try:
                    with transaction.atomic():
                        status = _import_one(parsed, procedures.get(parsed.code), year, actor)
                except DomainError as exc:
                    report.rows.append(
                        RowResult(number, code, HistoryStatus.REJECTED, [str(exc.message)])
                    )
                else:
                    if status == HistoryStatus.CREATED:
                        procedures[parsed.code] = Procedure.objects.get(code=parsed.code)
                    report.rows.append(RowResult(number, code, status))
            if progress is not None and (done % every == 0 or done == len(rows)):
                progress(done, len(rows))
        if dry_run:
            transaction.set_rollback(True)
    return report


def catalogue_history_import_file(
    *,
    name: str,
    data: bytes,
    year: int,
    dry_run: bool = False,
    actor: Any = None,
    progress: Callable[[int, int], None] | None = None,
    every: int = 500,
) -> ImportReport:
    """Read ``data`` as CSV or XLSX (by ``name``) and import it; see ``catalogue_history_import``.

    Raises ``ImportFileError`` when the file cannot be read at all.
    """
    return catalogue_history_import(
        rows=read_history_file(name, data),
        year=year,
        dry_run=dry_run,
        actor=actor,
        progress=progress,
        every=every,
    )
