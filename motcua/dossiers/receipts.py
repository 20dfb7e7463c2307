"""The receipt and appointment slip (form 01 of Circular 03/2025/TT-VPCP) as a PDF."""

from __future__ import annotations

from typing import Literal

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from weasyprint import HTML

from .models import Dossier
from .selectors import dossier_tracking_url

PaperSize = Literal["A4", "A5"]


def receipt_qr_payload(dossier: Dossier) -> str:
    """Return what the receipt's QR code encodes: dossier code, procedure code, tracking link."""
    url = settings.SITE_URL.rstrip("/") + dossier_tracking_url(dossier)
    return f"{dossier.code}|{dossier.procedure.code}|{url}"


def receipt_pdf(dossier: Dossier, *, size: PaperSize = "A4") -> bytes:
    """Render the receipt of ``dossier`` as PDF bytes.

    Rendered on demand, not at submission, so submitting stays fast; the
    content only depends on data that does not change after intake.
    """
    qr = segno.make(receipt_qr_payload(dossier), error="m")
    components = list(dossier.components.all())
    version = dossier.procedure_version
    context = {
        "dossier": dossier,
        "version": version,
        "components": components,
        "fees": [
            (fee.get_kind_display(), f"{fee.amount:,}".replace(",", "."))
            for fee in version.fees.all()
        ],
        "qr_svg": mark_safe(qr.svg_inline(scale=3, border=0)),  # noqa: S308 - segno's own SVG
        "received_at": timezone.localtime(dossier.received_at),
        "due_at": timezone.localtime(dossier.due_at),
        "size": size,
        "site_name": settings.SITE_NAME,
        "tracking_url": settings.SITE_URL.rstrip("/") + dossier_tracking_url(dossier),
    }
    html = render_to_string("dossiers/receipt.html", context)
    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return pdf
