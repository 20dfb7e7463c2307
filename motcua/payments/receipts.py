"""The electronic fee receipt (biên lai điện tử) as a PDF, and amounts in Vietnamese words.

The content Decree 123/2020/NĐ-CP (Article 32) and Circular 78/2021/TT-BTC
ask of a fee receipt: its name, the form symbol (ký hiệu mẫu) and series
(ký hiệu), its number; the collecting agency's name and tax code; the
payer's name, address and identification number; what was paid (the
dossiers and each fee line), the amount in figures and in words, how it was
paid; the date; who collected it.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone
from num2words import num2words

from motcua.catalog.templatetags.fee_tags import vnd_number
from motcua.core.pdf import pdf_from_template, place_date, qr_svg

from .models import Method, Receipt
from .selectors import payment_dossiers


def amount_in_words(amount: int) -> str:
    """Return ``amount`` đồng in Vietnamese words, capitalised: ``Tám nghìn đồng``."""
    words: str = num2words(amount, lang="vi")
    return words[:1].upper() + words[1:] + " đồng"


def vnd(amount: int) -> str:
    """Return ``amount`` with dots between thousands: ``1.250.000``."""
    return vnd_number(amount)


# An amount of money in a text: digits (or digits grouped with commas) before a currency word.
MONEY_IN_TEXT = re.compile(r"(?<![\d.,/])(\d{1,3}(?:,\d{3})+|\d{4,})(?=\s*(?:đồng|đ\b|VNĐ|VND))")


def vnd_in_text(text: str) -> str:
    """Return ``text`` with its amounts grouped the Vietnamese way: "1000000 đồng" ->
    "1.000.000 đồng", "1,250,000 đ" -> "1.250.000 đ"; other numbers (a year, a circular's
    number) are left alone."""
    return MONEY_IN_TEXT.sub(lambda m: vnd(int(m.group(1).replace(",", ""))), text)


def receipt_context(receipt: Receipt) -> dict[str, Any]:
    payment = receipt.payment
    dossiers = {d.pk: d for d in payment_dossiers(payment).select_related("procedure_version")}
    lines = list(payment.lines.order_by("dossier_id", "id"))
    groups = [
        {
            "dossier": dossiers[pk],
            "lines": [
                {"line": line, "amount": vnd(line.amount), "rule": vnd_in_text(line.rule_text)}
                for line in lines
                if line.dossier_id == pk
            ],
        }
        for pk in sorted(dossiers)
    ]
    method = {
        Method.ONLINE: f"Trực tuyến ({payment.gateway.upper()}, mã giao dịch "
        f"{payment.gateway_transaction or payment.reference})",
        Method.CASH: "Tiền mặt",
        Method.TRANSFER: "Chuyển khoản",
    }[Method(payment.method)]
    return {
        "receipt": receipt,
        "payment": payment,
        "agency": receipt.agency,
        "groups": groups,
        "total": vnd(payment.amount),
        "words": amount_in_words(payment.amount),
        "method": method,
        "place_date": place_date(receipt.agency, receipt.issued_at),
        "issued_at": timezone.localtime(receipt.issued_at),
        "qr_svg": qr_svg(f"{receipt.form_symbol}|{receipt.series}|{receipt.display_number}"),
    }


def receipt_pdf_bytes(receipt: Receipt) -> bytes:
    """Print ``receipt`` to PDF (A4, one page for a usual basket)."""
    return pdf_from_template("payments/print/receipt.html", receipt_context(receipt))
