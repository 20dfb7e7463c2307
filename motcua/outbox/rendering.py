"""Render a message template from a small, fixed context, and fit an SMS to the gateway.

Templates are edited by administrators, so they run in an engine of their
own: Django's template language with its built-in tags and filters, no
loaders (``include`` and ``extends`` find nothing) and no tag libraries to
load; the context holds only the names in ``CONTEXT_NAMES``, never the
applicant's name, number or address (``otp`` and ``valid_minutes`` are the
one-time code's, empty in the other kinds).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError

CONTEXT_NAMES = (
    "code",
    "procedure",
    "agency",
    "submitted_at",
    "answer_by",
    "received_at",
    "due_at",
    "reason",
    "items",
    "tracking_url",
    "otp",
    "valid_minutes",
)
# Characters per SMS: GSM 7-bit (ASCII) 160 alone, 153 per part of a long one; UCS-2
# (Unicode, with Vietnamese diacritics) 70 alone, 67 per part.
_ASCII_SEGMENT = (160, 153)
_UNICODE_SEGMENT = (70, 67)

_engine = Engine(dirs=[], app_dirs=False, libraries={}, autoescape=False, debug=False)


def render_text(source: str, context: Mapping[str, Any]) -> str:
    """Render ``source`` with ``context`` (TemplateSyntaxError if the template is broken)."""
    template = _engine.from_string(source)
    return template.render(Context({name: context.get(name, "") for name in CONTEXT_NAMES}))


def check_template(source: str) -> None:
    """Raise TemplateSyntaxError unless ``source`` compiles and renders with sample values."""
    render_text(source, SAMPLE_CONTEXT)


def ascii_text(text: str) -> str:
    """Return ``text`` without diacritics, case kept: "Hồ sơ Đã nhận" -> "Ho so Da nhan"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.encode("ascii", "replace").decode("ascii")


def sms_limit(*, unicode: bool, segments: int) -> int:
    """Return how many characters fit in ``segments`` parts of an SMS."""
    single, part = _UNICODE_SEGMENT if unicode else _ASCII_SEGMENT
    return single if segments <= 1 else part * segments


def sms_text(text: str, *, unicode: bool, segments: int) -> str:
    """Return ``text`` fit for the gateway: one line, folded to ASCII unless ``unicode``,
    cut to ``segments`` parts."""
    text = " ".join(text.split())
    if not unicode:
        text = ascii_text(text)
    limit = sms_limit(unicode=unicode, segments=segments)
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return text


SAMPLE_CONTEXT: dict[str, Any] = {
    "code": "000.00.00.H47-261206-0001",
    "procedure": "Đăng ký khai sinh",
    "agency": "Trung tâm Phục vụ hành chính công",
    "submitted_at": "08:00 06/12/2026",
    "answer_by": "16:00 06/12/2026",
    "received_at": "09:00 06/12/2026",
    "due_at": "17:00 10/12/2026",
    "reason": "…",
    "items": ["Tờ khai (thiếu chữ ký)"],
    "tracking_url": "https://example.org/tra-cuu/000.00.00.H47-261206-0001/",
    "otp": "123456",
    "valid_minutes": 5,
}

__all__ = ["CONTEXT_NAMES", "TemplateSyntaxError", "check_template", "render_text", "sms_text"]
