"""The dossier register (form 07, sổ theo dõi hồ sơ) of a unit or agency over a date range.

One row per dossier received in the range that the unit received (as a
one-stop unit) or decides (as the competent agency), in the order received:
entry number, code, procedure, applicant, receiving unit, deciding agency,
received and due times, status, when and to whom the result was returned,
and the verdict (early, on time, late).

The rows come from one query (the return time is a subquery on the
timeline), read in chunks; the spreadsheet is written row by row in
openpyxl's write-only mode into a file the caller gives, so memory stays
flat for a year of a busy unit. WeasyPrint lays a PDF out whole, so a PDF
holds at most ``MAX_PDF_ROWS`` rows (one COUNT query says so up front).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, NamedTuple

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from motcua.core.errors import Forbidden, ValidationFailed
from motcua.core.pdf import pdf_from_template
from motcua.dossiers.models import Dossier, DossierEvent, EventKind, Outcome, Status
from motcua.organisation.models import Agency
from motcua.staff.selectors import AnyUser, user_agency_roles

MAX_DAYS = 366
MAX_PDF_ROWS = 1000
BAD_RANGE = _("Give a start and an end date, the end not before the start.")
RANGE_TOO_LONG = _("A register covers at most 366 days; ask for a shorter range.")
NOT_YOUR_UNIT = _("You hold no role in this unit.")
TOO_MANY_FOR_PDF = _(
    "This register holds %(count)s dossiers, more than a PDF can (%(limit)s): "
    "download the spreadsheet or choose a shorter range."
)
# Form 07 is a Vietnamese document: its column titles are the form's own words.
HEADERS = (
    "STT",
    "Mã hồ sơ",
    "Thủ tục hành chính",
    "Người nộp hồ sơ",
    "Địa chỉ, số điện thoại",
    "Đơn vị tiếp nhận",
    "Cơ quan giải quyết",
    "Ngày, giờ nhận",
    "Ngày, giờ hẹn trả",
    "Trạng thái",
    "Ngày, giờ trả kết quả",
    "Người nhận kết quả",
    "Kết quả (trước/đúng/quá hạn)",
)
WIDTHS = (6, 26, 30, 22, 30, 24, 24, 16, 16, 20, 16, 20, 14)  # spreadsheet columns, in characters
PDF_WIDTHS = (3, 12, 10, 9, 11, 8, 8, 7, 7, 7, 7, 6, 5)  # PDF columns, in % of the page
VERDICTS = {Outcome.EARLY: "Trước hạn", Outcome.ON_TIME: "Đúng hạn", Outcome.LATE: "Quá hạn"}
WHEN = "%H:%M %d/%m/%Y"


@dataclass(frozen=True)
class RegisterRange:
    unit: Agency
    start: dt.date
    end: dt.date


class RegisterRow(NamedTuple):
    """One line of the register, in the order of ``HEADERS`` (times in local time)."""

    number: int
    code: str
    procedure: str
    applicant: str
    address_phone: str
    receiving_unit: str
    agency: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    status: str
    returned_at: dt.datetime | None
    returned_to: str
    verdict: str


def register_range(*, user: AnyUser, unit_id: str, start: str, end: str) -> RegisterRange:
    """Check the dates (ISO, at most ``MAX_DAYS``) and the unit (one where ``user`` holds a role).

    Raises ValidationFailed for bad dates and Forbidden for a unit of others.
    """
    errors: dict[str, list[Any]] = {}
    try:
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except ValueError:
        errors["start"] = [BAD_RANGE]
        first = last = dt.date.min
    if not errors and last < first:
        errors["end"] = [BAD_RANGE]
    elif not errors and (last - first).days >= MAX_DAYS:
        errors["end"] = [RANGE_TOO_LONG]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    roles = user_agency_roles(user=user)
    pk = int(unit_id) if unit_id.isdigit() else 0
    unit = Agency.objects.filter(pk=pk).first() if pk in roles else None
    if unit is None:
        raise Forbidden(NOT_YOUR_UNIT)
    return RegisterRange(unit, first, last)


def register_units(*, user: AnyUser) -> list[Agency]:
    """Return the units and agencies whose register ``user`` may print."""
    return list(Agency.objects.filter(pk__in=list(user_agency_roles(user=user))).order_by("name"))


def _dossiers(scope: RegisterRange) -> QuerySet[Dossier]:
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(scope.start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(scope.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return Dossier.objects.filter(
        Q(receiving_unit=scope.unit) | Q(competent_agency=scope.unit),
        received_at__gte=since,
        received_at__lt=until,
    )


def register_count(scope: RegisterRange) -> int:
    """Return how many dossiers the register of ``scope`` holds (one query)."""
    return _dossiers(scope).count()


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value else None


def register_rows(scope: RegisterRange) -> Iterator[RegisterRow]:
    """Yield the register's rows in the order received, from one query read in chunks."""
    returned = DossierEvent.objects.filter(
        dossier=OuterRef("pk"), kind=EventKind.RESULT_RETURNED
    ).order_by("-at")
    dossiers = (
        _dossiers(scope)
        .select_related("procedure_version", "competent_agency", "receiving_unit")
        .only(
            "code",
            "applicant_name",
            "applicant_address",
            "applicant_phone",
            "received_at",
            "due_at",
            "status",
            "outcome",
            "result_returned_to",
            "procedure_version__name",
            "competent_agency__name",
            "receiving_unit__name",
        )
        .annotate(returned_at=Subquery(returned.values("at")[:1]))
        .order_by("received_at", "id")
    )
    for number, d in enumerate(dossiers.iterator(chunk_size=1000), start=1):
        contact = ", ".join(part for part in (d.applicant_address, d.applicant_phone) if part)
        yield RegisterRow(
            number=number,
            code=d.code,
            procedure=d.procedure_version.name,
            applicant=d.applicant_name,
            address_phone=contact,
            receiving_unit=d.receiving_unit.name,
            agency=d.competent_agency.name,
            received_at=_local(d.received_at),
            due_at=_local(d.due_at),
            status=f"{d.status}. {Status(d.status).label}",
            returned_at=_local(getattr(d, "returned_at", None)),
            returned_to=d.result_returned_to,
            verdict=VERDICTS.get(Outcome(d.outcome), "") if d.outcome else "",
        )


def _cell(sheet: Any, value: Any, **style: Any) -> Cell:
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def register_xlsx(scope: RegisterRange, out: IO[bytes]) -> None:
    """Write the register as an .xlsx workbook to ``out`` (write-only: memory stays flat).

    Times are spreadsheet dates in local time, so the sheet sorts and filters them.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet("So theo doi ho so")
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    sheet.append([_cell(sheet, f"SỔ THEO DÕI HỒ SƠ - {scope.unit.name}", font=bold)])
    sheet.append([f"Từ ngày {scope.start:%d/%m/%Y} đến ngày {scope.end:%d/%m/%Y}"])
    sheet.append([_cell(sheet, text, font=bold, alignment=wrap) for text in HEADERS])
    with translation.override("vi"):
        for row in register_rows(scope):
            sheet.append(
                [
                    _cell(sheet, v.replace(tzinfo=None), number_format="dd/mm/yyyy hh:mm")
                    if isinstance(v, dt.datetime)
                    else v
                    for v in row
                ]
            )
    book.save(out)


def _text(value: object) -> object:
    if isinstance(value, dt.datetime):
        return f"{value:{WHEN}}"
    return "" if value is None else value


def register_pdf(scope: RegisterRange) -> bytes:
    """Return the register as a landscape A4 PDF; ValidationFailed past ``MAX_PDF_ROWS`` rows."""
    count = register_count(scope)
    if count > MAX_PDF_ROWS:
        raise ValidationFailed(TOO_MANY_FOR_PDF % {"count": count, "limit": MAX_PDF_ROWS})
    with translation.override("vi"):
        rows = (
            [
                row.number,
                # A dossier code may wrap after a hyphen, not inside its numbers.
                row.code.replace("-", "-\u200b"),
                *(_text(value) for value in row[2:]),
            ]
            for row in register_rows(scope)
        )
        return pdf_from_template(
            "workflow/forms/07_register.html",
            {
                "scope": scope,
                "columns": list(zip(HEADERS, PDF_WIDTHS, strict=True)),
                "rows": rows,
                "printed_at": timezone.localtime(),
            },
        )
