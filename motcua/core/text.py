"""Text helpers for Vietnamese: search keys without diacritics."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without diacritics, with single spaces.

    "Đăng ký KHAI SINH" -> "dang ky khai sinh". "đ" is not a combining mark in
    Unicode, so it is mapped by hand.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()
