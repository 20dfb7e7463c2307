"""The receipt and appointment slip (form 01 of Circular 03/2025/TT-VPCP) as a PDF."""

from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.utils import timezone

from motcua.core.pdf import pdf_from_template, qr_svg

from .fees import dossier_fee_lines
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
        "fee_lines": dossier_fee_lines(dossier=dossier),
        "qr_svg": qr_svg(receipt_qr_payload(dossier)),
        "received_at": timezone.localtime(dossier.received_at),
        "due_at": timezone.localtime(dossier.due_at),
        "size": size,
        "site_name": settings.SITE_NAME,
        "tracking_url": settings.SITE_URL.rstrip("/") + dossier_tracking_url(dossier),
    }
    return pdf_from_template("dossiers/receipt.html", context)
