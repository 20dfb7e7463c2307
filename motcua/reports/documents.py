"""The report as a spreadsheet (openpyxl) and a PDF (WeasyPrint), and the streamed list of dossiers.

Both documents lay the form out the same way: the unit and the national
heading, the form's code, the title, the period with the days it counts,
the two-level merged header with the columns' numbers, a row per group, the
total, and the signers (NGƯỜI LẬP BIỂU / THỦ TRƯỞNG ĐƠN VỊ). A value not
counted prints as "—".

``dossiers_xlsx`` writes the facts behind a figure with openpyxl's
write-only workbook as the rows come from the database (``iterator`` over
``values_list``), into a temporary file the caller streams and closes: the
memory it takes does not grow with the number of rows.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from io import BytesIO
from types import SimpleNamespace
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from motcua.core.pdf import pdf_from_template, place_date
from motcua.statistics.periods import Period
from motcua.statistics.selectors import Where, facts_behind
from motcua.territory.models import AdministrativeUnit

from .selectors import NO_DOSSIERS, Report

NOT_COUNTED = "—"
NUMBER_FORMAT = "#,##0"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
SIGNERS = (("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"), ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)"))


def _days(span: Period) -> str:
    return f"từ ngày {span.start:%d/%m/%Y} đến ngày {span.end:%d/%m/%Y}"


def report_context(report: Report) -> dict[str, Any]:
    """Return what both documents print besides the table; one query (the place's province)."""
    unit = None
    if report.subject.province_id is not None:
        unit = AdministrativeUnit.objects.filter(pk=report.subject.province_id).first()
    return {
        "report": report,
        "issuer": report.subject.name,
        "place_date": place_date(SimpleNamespace(administrative_unit=unit), report.made_on),
        "period_line": f"Kỳ báo cáo: {report.period.label} ({_days(report.span)})",
        "empty_message": NO_DOSSIERS if report.empty else "",
        "nation": NATION,
        "motto": MOTTO,
        "signers": SIGNERS,
    }


def report_xlsx(report: Report) -> bytes:
    """Return the report as an XLSX workbook (one sheet laid out as the form)."""
    context = report_context(report)
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = report.form.code.split("/")[0][:31]
    width = 2 + len(report.columns)
    bold = Font(bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    half = max(3, width // 2)

    def put(row: int, col: int, value: Any, *, to: int | None = None, **style: Any) -> None:
        cell = sheet.cell(row=row, column=col, value=value)
        for name, item in style.items():
            setattr(cell, name, item)
        if to is not None and to > col:
            sheet.merge_cells(start_row=row, start_column=col, end_row=row, end_column=to)

    put(1, 1, context["issuer"].upper(), to=half - 1, font=bold, alignment=centre)
    put(1, half, NATION, to=width, font=bold, alignment=centre)
    put(2, half, MOTTO, to=width, font=bold, alignment=centre)
    put(3, 1, f"Biểu số {report.form.code}", to=half - 1, alignment=centre)
    put(3, half, context["place_date"], to=width, font=Font(italic=True), alignment=centre)
    put(5, 1, report.form.name.upper(), to=width, font=Font(bold=True, size=13), alignment=centre)
    put(6, 1, context["period_line"], to=width, alignment=centre)
    put(7, 1, "Đơn vị tính: Số hồ sơ", to=width, alignment=Alignment(horizontal="right"))
    row = 8
    if context["empty_message"]:
        put(row, 1, str(context["empty_message"]), to=width, font=bold, alignment=centre)
    row += 1

    header = report.header_rows
    depth = len(header)
    header_start = row
    for col, text in ((1, "STT"), (2, report.row_header)):
        put(row, col, text, font=bold, alignment=centre, border=box)
        sheet.merge_cells(start_row=row, start_column=col, end_row=row + depth - 1, end_column=col)
    for level, cells in enumerate(header):
        # Columns already covered by a cell from above are skipped.
        taken = {
            c
            for r in sheet.merged_cells.ranges
            if r.min_row <= row + level <= r.max_row and r.min_row < row + level
            for c in range(r.min_col, r.max_col + 1)
        }
        col = 3
        for cell in cells:
            while col in taken:
                col += 1
            put(row + level, col, cell.text, font=bold, alignment=centre, border=box)
            if cell.colspan > 1 or cell.rowspan > 1:
                sheet.merge_cells(
                    start_row=row + level,
                    start_column=col,
                    end_row=row + level + cell.rowspan - 1,
                    end_column=col + cell.colspan - 1,
                )
            col += cell.colspan
    for r in range(row, row + depth):  # borders on every cell of the merged areas
        for c in range(1, width + 1):
            sheet.cell(row=r, column=c).border = box
    row += depth
    for col in range(1, width + 1):
        put(row, col, f"({col})", alignment=centre, border=box, font=Font(italic=True))
    row += 1
    for item in [*report.rows, report.total]:
        is_total = item.number is None
        put(row, 1, item.number, alignment=centre, border=box)
        put(row, 2, item.label, border=box, font=bold if is_total else Font())
        for col, value in enumerate(item.values, start=3):
            put(
                row,
                col,
                NOT_COUNTED if value is None else value,
                border=box,
                number_format=NUMBER_FORMAT,
                font=bold if is_total else Font(),
                alignment=Alignment(horizontal="right"),
            )
        row += 1
    row += 1
    for index, (who, how) in enumerate(SIGNERS):
        start, end = (1, half - 1) if index == 0 else (half, width)
        put(row, start, who, to=end, font=bold, alignment=centre)
        put(row + 1, start, how, to=end, font=Font(italic=True), alignment=centre)
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 38
    for col in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 12
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = f"{header_start}:{header_start + depth}"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def report_pdf(report: Report) -> bytes:
    """Return the report as a PDF (landscape A4)."""
    return pdf_from_template("reports/print/periodic.html", report_context(report))


# The list of dossiers: (header, the fact's column). Dates are local dates (Excel has no zones).
DOSSIER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Mã hồ sơ", "code"),
    ("Nguồn", "source"),
    ("Mã thủ tục", "procedure__code"),
    ("Cơ quan giải quyết", "agency__name"),
    ("Bộ phận tiếp nhận", "receiving_unit__name"),
    ("Kênh (1 trực tiếp, 2 trực tuyến, 3 bưu chính)", "channel"),
    ("Mức độ trực tuyến", "online_level"),
    ("Trạng thái", "state"),
    ("Ngày tiếp nhận", "received_on"),
    ("Hạn giải quyết", "due_at"),
    ("Ngày kết thúc xử lý", "finished_on"),
    ("Kết thúc bởi", "ended"),
    ("Đúng hạn / trễ hạn", "outcome"),
    ("Số lần bổ sung", "supplements"),
    ("Ngày trả kết quả", "returned_on"),
    ("Trả qua", "returned_via"),
)
DUE_AT = [name for _h, name in DOSSIER_COLUMNS].index("due_at")


def dossiers_xlsx(*, where: Where, period: Period, measure: str, title: str) -> IO[bytes]:
    """Write the facts behind ``measure`` of ``where`` over ``period`` as an XLSX file.

    Return the file, open at its start: a temporary file the caller streams
    and closes (closing deletes it). NotFound for an unknown measure.
    """
    facts = facts_behind(where=where, period=period, measure=measure)
    rows = facts.values_list(*(name for _h, name in DOSSIER_COLUMNS)).iterator(
        chunk_size=settings.REPORTS_EXPORT_CHUNK
    )
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Ho so")
    heading = WriteOnlyCell(sheet, value=title)
    heading.font = Font(bold=True)
    sheet.append([heading])
    sheet.append([WriteOnlyCell(sheet, value=h) for h, _n in DOSSIER_COLUMNS])
    zone = timezone.get_current_timezone()
    for row in rows:
        values = list(row)
        due = values[DUE_AT]
        if isinstance(due, dt.datetime):
            values[DUE_AT] = due.astimezone(zone).date()
        sheet.append(values)
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the caller closes it
    book.save(out)
    out.seek(0)
    return out
