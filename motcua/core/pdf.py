"""HTML templates to PDF (WeasyPrint), QR codes (segno), and the lines every document shares."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from weasyprint import HTML

# Words that open a province's official name but are not part of its place name.
_DIVISION_WORDS = ("Thành phố ", "Tỉnh ")
# Units named after a person keep their full official name (Decree 30/2020/NĐ-CP).
_NAMED_AFTER_PEOPLE = frozenset({"Hồ Chí Minh"})


def qr_svg(payload: str, *, scale: int = 3) -> SafeString:
    """Return an inline SVG QR code of ``payload`` (segno escapes the data it encodes)."""
    qr = segno.make(payload, error="m")
    return mark_safe(qr.svg_inline(scale=scale, border=0))  # noqa: S308


def pdf_from_template(template: str, context: dict[str, Any]) -> bytes:
    """Render ``template`` with ``context`` and print it to PDF bytes."""
    html = render_to_string(template, context)
    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return pdf


def vn_date(day: dt.date) -> str:
    """Write ``day`` as documents do: ``ngày 05 tháng 12 năm 2026``.

    Decree 30/2020/NĐ-CP: days below 10 and the months 1 and 2 take a leading zero.
    """
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_name(agency: Any = None) -> str:
    """Return the place name of a document issued by ``agency`` (an ``organisation.Agency``).

    ``MOTCUA_PLACE_NAME`` when set; else the name of the province where the
    agency sits, without "Tỉnh" or "Thành phố" ("Thành phố Đà Nẵng" -> "Đà
    Nẵng"), except for a unit named after a person ("Thành phố Hồ Chí Minh").
    """
    configured: str = settings.MOTCUA_PLACE_NAME
    if configured:
        return configured
    unit = getattr(agency, "administrative_unit", None)
    while unit is not None and unit.parent_id is not None:
        unit = unit.parent
    if unit is None:
        return ""
    name: str = unit.name
    for word in _DIVISION_WORDS:
        if name.startswith(word) and name[len(word) :] not in _NAMED_AFTER_PEOPLE:
            return name[len(word) :]
    return name


def place_date(agency: Any, at: dt.datetime | dt.date) -> str:
    """Return the place-and-date line of a document: ``Đà Nẵng, ngày 05 tháng 12 năm 2026``.

    A time is read in the local time zone.
    """
    day = timezone.localdate(at) if isinstance(at, dt.datetime) else at
    place = place_name(agency)
    return f"{place}, {vn_date(day)}" if place else vn_date(day)
