"""The review written out: DOCX (python-docx, editable in an office suite) and PDF (WeasyPrint).

Both come from the same ``ReviewDocument`` rendered as text: the heading
block of an administrative document (Decree 30/2020/NĐ-CP), the title, the
sections with their bullets and charts (PNG in the DOCX, SVG in the PDF),
then the annex "Phụ lục: nguồn số liệu" listing every figure used, its
value, the indicator it comes from and how that is computed.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import _Cell

from motcua.core.pdf import pdf_from_template

from .charts import chart_image
from .document import NO_FIGURES, ReviewDocument
from .formatting import with_unit
from .providers import Figure

FONT = "Times New Roman"
ANNEX = "Phụ lục: nguồn số liệu"
ANNEX_HEADINGS = ("TT", "Số liệu", "Năm", "Năm trước", "Mã chỉ số", "Cách tính")
ANNEX_WIDTHS = (Cm(1), Cm(3.8), Cm(2.2), Cm(2.2), Cm(3), Cm(3.8))
SOURCES = {
    "statistics": "thống kê hồ sơ của hệ thống một cửa",
    "catalog": "danh mục thủ tục hành chính",
    "sector": "số liệu ngành",
    "targets": "chỉ tiêu năm",
}


def annex_rows(document: ReviewDocument) -> list[tuple[str, ...]]:
    """Return the annex's rows: number, figure, value, previous value, indicator, how."""
    return [
        (
            str(index),
            figure.label,
            with_unit(figure.value, figure.unit),
            with_unit(figure.previous_value, figure.unit)
            if figure.previous_value is not None
            else "",
            figure.source_indicator,
            _how(figure),
        )
        for index, figure in enumerate(document.annex, start=1)
    ]


def _how(figure: Figure) -> str:
    source = SOURCES.get(figure.source_indicator.partition(".")[0], "")
    parts = [figure.how, f"Nguồn: {source}" if source else ""]
    if figure.target_assessment:
        parts.append(figure.target_assessment)
    return ". ".join(p for p in parts if p)


def _font_only(style: Any, name: str) -> None:
    """Give ``style`` the font ``name`` for every script (the theme's fonts would win otherwise)."""
    style.font.name = name
    fonts = style.element.rPr.rFonts
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)


def _widths(table: Any, widths: tuple[Length, ...]) -> None:
    """Set the columns' widths in the grid (LibreOffice reads it) and in each cell (Word)."""
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _run(paragraph: Any, text: str, *, bold: bool = False, italic: bool = False) -> Any:
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    return run


def _centred(cell: _Cell, lines: list[tuple[str, bool]]) -> None:
    first = True
    for text, bold in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        _run(paragraph, text, bold=bold).font.size = Pt(12)


def review_docx(document: ReviewDocument) -> bytes:
    """Write ``document`` as DOCX bytes."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    for name in ("Heading 1", "Heading 2", "Title"):
        style = doc.styles[name]
        _font_only(style, FONT)
        style.font.color.rgb = RGBColor(0, 0, 0)
    doc.styles["Heading 1"].font.size = Pt(13)

    top = doc.add_table(rows=1, cols=2)
    top.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(top, (Cm(5.8), Cm(10.2)))
    _centred(top.cell(0, 0), [(document.issuer_parent, False), (document.issuer, True)])
    _centred(
        top.cell(0, 1),
        [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True), ("Độc lập - Tự do - Hạnh phúc", True)],
    )
    place = doc.add_paragraph()
    place.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(place, document.place_date, italic=True)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, "BÁO CÁO", bold=True)
    subtitle = doc.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(subtitle, document.title, bold=True)

    for part in document.sections:
        doc.add_heading(part.heading, level=1)
        if part.error:
            _run(doc.add_paragraph(), f"[Lỗi mẫu: {part.error}]", italic=True)
        for block in part.blocks:
            paragraph = doc.add_paragraph(
                str(block.text), style="List Bullet" if block.kind == "li" else None
            )
            if block.kind == "p":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
                paragraph.paragraph_format.first_line_indent = Cm(1)
        if part.chart is not None:
            if part.chart.empty:
                _run(doc.add_paragraph(), NO_FIGURES, italic=True)
            else:
                doc.add_picture(io.BytesIO(chart_image(part.chart)), width=Cm(16))
                doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_page_break()  # type: ignore[no-untyped-call]
    doc.add_heading(ANNEX, level=1)
    rows = annex_rows(document)
    table = doc.add_table(rows=1 + len(rows), cols=len(ANNEX_HEADINGS))
    table.style = doc.styles["Table Grid"]
    for column, text in enumerate(ANNEX_HEADINGS):
        cell = table.cell(0, column)
        _run(cell.paragraphs[0], text, bold=True)
    for index, row in enumerate(rows, start=1):
        for column, text in enumerate(row):
            table.cell(index, column).text = text
    _widths(table, ANNEX_WIDTHS)
    for row_ in table.rows:
        for cell in row_.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(10)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def review_pdf(document: ReviewDocument) -> bytes:
    """Print ``document`` to PDF bytes (the HTML template ``review/print/annual.html``)."""
    charts = {
        index: "data:image/svg+xml;base64,"
        + base64.b64encode(chart_image(part.chart, fmt="svg")).decode()
        for index, part in enumerate(document.sections)
        if part.chart is not None and not part.chart.empty
    }
    sections = [(part, charts.get(index)) for index, part in enumerate(document.sections)]
    context = {
        "doc": document,
        "sections": sections,
        "annex": annex_rows(document),
        "annex_title": ANNEX,
        "annex_headings": ANNEX_HEADINGS,
        "no_figures": NO_FIGURES,
    }
    return pdf_from_template("review/print/annual.html", context)


def chart_data_uri(document: ReviewDocument, index: int) -> str | None:
    """Return section ``index``'s chart as a PNG data URI (the HTML preview), or None."""
    chart = document.sections[index].chart
    if chart is None or chart.empty:
        return None
    return "data:image/png;base64," + base64.b64encode(chart_image(chart)).decode()
