"""HTML templates to PDF (WeasyPrint), and QR codes for printed documents (segno)."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from weasyprint import HTML


def qr_svg(payload: str, *, scale: int = 3) -> SafeString:
    """Return an inline SVG QR code of ``payload`` (segno escapes the data it encodes)."""
    qr = segno.make(payload, error="m")
    return mark_safe(qr.svg_inline(scale=scale, border=0))  # noqa: S308


def pdf_from_template(template: str, context: dict[str, Any]) -> bytes:
    """Render ``template`` with ``context`` and print it to PDF bytes."""
    html = render_to_string(template, context)
    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return pdf
