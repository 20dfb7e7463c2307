"""The dossier register (form 07, sổ theo dõi hồ sơ): a one-stop unit's book of a year.

One row per entry of the book (``dossiers.RegisterBook``: every dossier the
unit accepted that year), in entry order, optionally only those accepted in
a date range: entry number, code, procedure, number of sets, applicant,
address and phone, deciding agency; the dates received, due, handed to the
deciding agency (the first step there started), processed (the result
ready) and returned, to whom; a blank column for the signature of the
person who takes the result on paper; notes (channel, extension, verdict).

The rows come from one query (the dates are subqueries on the control slip
and the timeline), read in chunks; the spreadsheet is written row by row in
openpyxl's write-only mode into a file the caller gives, so memory stays
flat for a year of a busy unit. WeasyPrint lays a PDF out whole, so a PDF
holds at most ``MAX_PDF_ROWS`` rows (one COUNT query says so up front).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, NamedTuple

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from motcua.core.errors import Forbidden, ValidationFailed
from motcua.core.pdf import pdf_from_template
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierEvent,
    DossierState,
    EventKind,
    Outcome,
    RegisterBook,
)
from motcua.organisation.models import Agency
from motcua.staff.selectors import AnyUser, user_agency_roles

from .models import DossierStep, StepKind

MAX_PDF_ROWS = 1000
FIRST_YEAR, LAST_YEAR = 2000, 2100
BAD_YEAR = _("Give the year of the register book, e.g. 2026.")
BAD_RANGE = _("Give dates as day, month and year, the end not before the start.")
NOT_IN_YEAR = _("The dates must fall in the year of the register book.")
NOT_YOUR_UNIT = _("You hold no role in this one-stop unit.")
TOO_MANY_FOR_PDF = _(
    "This register holds %(count)s dossiers, more than a PDF can (%(limit)s): "
    "download the spreadsheet or choose a shorter range."
)


class Column(NamedTuple):
    """A column of form 07: its title, the group above it on paper, its widths."""

    title: str  # the spreadsheet's header, whole
    group: str  # the header spanning several columns on paper ("" for none)
    label: str  # the header under the group on paper
    pdf_width: float  # % of the page
    xlsx_width: int  # characters


# Form 07 is a Vietnamese document: its headers are the form's own words.
COLUMNS = (
    Column("Số thứ tự", "", "Số thứ tự", 3, 8),
    Column("Mã hồ sơ", "", "Mã hồ sơ", 9, 26),
    Column("Tên thủ tục hành chính", "", "Tên thủ tục hành chính", 10, 32),
    Column("Số lượng hồ sơ (bộ)", "", "Số lượng hồ sơ (bộ)", 4.5, 10),
    Column("Tên cá nhân, tổ chức", "", "Tên cá nhân, tổ chức", 8, 24),
    Column("Địa chỉ, số điện thoại", "", "Địa chỉ, số điện thoại", 9, 30),
    Column("Cơ quan chủ trì giải quyết", "", "Cơ quan chủ trì giải quyết", 7, 24),
    Column("Ngày, giờ nhận hồ sơ", "Ngày, giờ", "Nhận hồ sơ", 6.2, 16),
    Column("Ngày, giờ hẹn trả kết quả", "Ngày, giờ", "Hẹn trả kết quả", 6.2, 16),
    Column(
        "Ngày, giờ chuyển hồ sơ đến cơ quan giải quyết",
        "Ngày, giờ",
        "Chuyển hồ sơ đến cơ quan giải quyết",
        6.2,
        16,
    ),
    Column("Ngày, giờ có kết quả giải quyết", "Ngày, giờ", "Có kết quả giải quyết", 6.2, 16),
    Column("Ngày, giờ trả kết quả", "Trả kết quả", "Ngày, giờ", 6.2, 16),
    Column("Người nhận kết quả", "Trả kết quả", "Người nhận", 6.5, 20),
    Column("Ký nhận", "Trả kết quả", "Ký nhận", 5, 12),
    Column("Ghi chú", "", "Ghi chú", 7, 24),
)
HEADERS = tuple(c.title for c in COLUMNS)
VERDICTS = {Outcome.EARLY: "Trước hạn", Outcome.ON_TIME: "Đúng hạn", Outcome.LATE: "Quá hạn"}
CHANNEL_NOTES = {Channel.ONLINE: "Nộp trực tuyến", Channel.POST: "Nộp qua bưu chính công ích"}
STATE_NOTES = {
    DossierState.STOPPED: "Dừng giải quyết",
    DossierState.WITHDRAWN: "Đã rút hồ sơ",
}
WHEN = "%H:%M %d/%m/%Y"


@dataclass(frozen=True)
class RegisterScope:
    """A unit's book of a year (None if nothing was entered in it yet), maybe a date range."""

    unit: Agency
    year: int
    book: RegisterBook | None
    start: dt.date | None = None
    end: dt.date | None = None


class RegisterRow(NamedTuple):
    """One entry of the register, in the order of ``COLUMNS`` (times in local time)."""

    number: int
    code: str
    procedure: str
    sets: int
    applicant: str
    address_phone: str
    agency: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    handed_at: dt.datetime | None
    processed_at: dt.datetime | None
    returned_at: dt.datetime | None
    returned_to: str
    signature: str  # blank: signed on paper by whoever takes the result
    notes: str


def _date(value: str, field: str, errors: dict[str, list[Any]]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[field] = [BAD_RANGE]
        return None


def register_scope(
    *, user: AnyUser, unit_id: str, year: str, start: str = "", end: str = ""
) -> RegisterScope:
    """Check the unit (a one-stop unit where ``user`` holds a role), the year and the dates.

    ``start`` and ``end`` (ISO dates, both optional) narrow the book to the
    entries accepted between them, within its year. Raises ValidationFailed
    for a bad year or dates and Forbidden for a unit of others.
    """
    errors: dict[str, list[Any]] = {}
    number = int(year) if year.strip().isdigit() else 0
    if not FIRST_YEAR <= number <= LAST_YEAR:
        errors["year"] = [BAD_YEAR]
    first, last = _date(start, "start", errors), _date(end, "end", errors)
    if not errors:
        if any(d is not None and d.year != number for d in (first, last)):
            errors["start" if first and first.year != number else "end"] = [NOT_IN_YEAR]
        elif first is not None and last is not None and last < first:
            errors["end"] = [BAD_RANGE]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    roles = user_agency_roles(user=user)
    pk = int(unit_id) if unit_id.isdigit() else 0
    unit = Agency.objects.filter(pk=pk, is_one_stop_unit=True).first() if pk in roles else None
    if unit is None:
        raise Forbidden(NOT_YOUR_UNIT)
    book = RegisterBook.objects.filter(unit=unit, year=number).first()
    return RegisterScope(unit, number, book, first, last)


def register_units(*, user: AnyUser) -> list[Agency]:
    """Return the one-stop units whose register ``user`` may print (a role there)."""
    roles = list(user_agency_roles(user=user))
    return list(Agency.objects.filter(pk__in=roles, is_one_stop_unit=True).order_by("name"))


def _entries(scope: RegisterScope) -> QuerySet[Dossier]:
    if scope.book is None:
        return Dossier.objects.none()
    entries = Dossier.objects.filter(register_book=scope.book)
    tz = timezone.get_current_timezone()
    if scope.start is not None:
        entries = entries.filter(received_at__gte=dt.datetime.combine(scope.start, dt.time.min, tz))
    if scope.end is not None:
        until = dt.datetime.combine(scope.end + dt.timedelta(days=1), dt.time.min, tz)
        entries = entries.filter(received_at__lt=until)
    return entries


def register_count(scope: RegisterScope) -> int:
    """Return how many entries the register of ``scope`` holds (one query)."""
    return _entries(scope).count()


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value else None


def _notes(d: Dossier) -> str:
    notes = [CHANNEL_NOTES.get(Channel(d.channel), "")]
    if d.original_due_at is not None:
        notes.append(f"Gia hạn, hẹn ban đầu {timezone.localtime(d.original_due_at):%d/%m/%Y}")
    notes.append(STATE_NOTES.get(DossierState(d.state), ""))
    if d.outcome and d.state not in STATE_NOTES:
        notes.append(VERDICTS.get(Outcome(d.outcome), ""))
    return "; ".join(n for n in notes if n)


def register_rows(scope: RegisterScope) -> Iterator[RegisterRow]:
    """Yield the register's entries in entry order, from one query read in chunks."""
    handed = (
        DossierStep.objects.filter(dossier=OuterRef("pk"), agency=OuterRef("competent_agency"))
        .exclude(step__kind=StepKind.INTAKE)
        .order_by("started_at", "id")
    )
    processed = DossierEvent.objects.filter(
        dossier=OuterRef("pk"), kind=EventKind.PROCESSED
    ).order_by("at", "id")
    returned = DossierEvent.objects.filter(
        dossier=OuterRef("pk"), kind=EventKind.RESULT_RETURNED
    ).order_by("-at", "-id")
    entries = (
        _entries(scope)
        .select_related("procedure_version", "competent_agency")
        .only(
            "register_entry",
            "code",
            "channel",
            "state",
            "applicant_name",
            "applicant_address",
            "applicant_phone",
            "received_at",
            "due_at",
            "original_due_at",
            "outcome",
            "result_returned_to",
            "procedure_version__name",
            "competent_agency__name",
        )
        .annotate(
            handed_at=Subquery(handed.values("started_at")[:1]),
            processed_at=Subquery(processed.values("at")[:1]),
            returned_at=Subquery(returned.values("at")[:1]),
        )
        .order_by("register_entry")
    )
    for d in entries.iterator(chunk_size=1000):
        contact = ", ".join(part for part in (d.applicant_address, d.applicant_phone) if part)
        yield RegisterRow(
            number=d.register_entry or 0,
            code=d.code,
            procedure=d.procedure_version.name,
            sets=1,  # a dossier is one set (bộ)
            applicant=d.applicant_name,
            address_phone=contact,
            agency=d.competent_agency.name,
            received_at=_local(d.received_at),
            due_at=_local(d.due_at),
            handed_at=_local(getattr(d, "handed_at", None)),
            processed_at=_local(getattr(d, "processed_at", None)),
            returned_at=_local(getattr(d, "returned_at", None)),
            returned_to=d.result_returned_to,
            signature="",
            notes=_notes(d),
        )


def _cell(sheet: Any, value: Any, **style: Any) -> Cell:
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _range_text(scope: RegisterScope) -> str:
    if scope.start is None and scope.end is None:
        return ""
    first = scope.start or dt.date(scope.year, 1, 1)
    last = scope.end or dt.date(scope.year, 12, 31)
    return f"Từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y}"


def register_xlsx(scope: RegisterScope, out: IO[bytes]) -> None:
    """Write the register as an .xlsx workbook to ``out`` (write-only: memory stays flat).

    Times are spreadsheet dates in local time, so the sheet sorts and filters them.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet("So theo doi ho so")
    for column, spec in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = spec.xlsx_width
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    sheet.append([_cell(sheet, f"SỔ THEO DÕI HỒ SƠ - {scope.unit.name}", font=bold)])
    sheet.append([" ".join(p for p in (f"Quyển số: {scope.year}", _range_text(scope)) if p)])
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


def _header_rows() -> tuple[list[tuple[str, int, int]], list[str]]:
    """Return the paper header: (title, colspan, rowspan) cells on top, the labels below."""
    top: list[tuple[str, int, int]] = []
    below: list[str] = []
    for column in COLUMNS:
        if not column.group:
            top.append((column.label, 1, 2))
        elif top and top[-1][0] == column.group:
            top[-1] = (column.group, top[-1][1] + 1, 1)
            below.append(column.label)
        else:
            top.append((column.group, 1, 1))
            below.append(column.label)
    return top, below


def register_pdf(scope: RegisterScope) -> bytes:
    """Return the register as a landscape A4 PDF; ValidationFailed past ``MAX_PDF_ROWS`` rows."""
    count = register_count(scope)
    if count > MAX_PDF_ROWS:
        raise ValidationFailed(TOO_MANY_FOR_PDF % {"count": count, "limit": MAX_PDF_ROWS})
    top, below = _header_rows()
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
                "range": _range_text(scope),
                "widths": [c.pdf_width for c in COLUMNS],
                "numbers": range(1, len(COLUMNS) + 1),
                "top": top,
                "below": below,
                "rows": rows,
                "printed_at": timezone.localtime(),
            },
        )
