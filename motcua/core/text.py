"""Text helpers for Vietnamese: search keys without diacritics."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without diacritics, with single spaces.

    "Đăng ký KHAI SINH" -> "dang ky khai sinh". "đ" is not a combining mark in
    Unicode, so it is mapped by hand.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


# --- Vietnamese alphabetical order ----------------------------------------------
#
# The order of the Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q
# r s t u ư v x y; f j w z of foreign words at their Latin places), then the
# tones (none, huyền, hỏi, ngã, sắc, nặng), then lower case before upper case:
# the three levels of ICU's "vi" collation (CLDR), so that lists sorted here and
# lists PostgreSQL sorts with the ICU collation agree.

_ALPHABET = (
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
)
_LETTER_WEIGHT = {letter: n for n, letter in enumerate(_ALPHABET)}
# Combining marks that make another letter of the alphabet (ă â ê ô ơ ư).
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
# Tone marks, in dictionary order: huyền, hỏi, ngã, sắc, nặng.
_TONE_WEIGHT = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

_SPACE, _PUNCTUATION, _DIGIT, _LETTER, _OTHER = 0, 1, 2, 3, 4

SortKey = tuple[tuple[tuple[int, int], ...], tuple[int, ...], tuple[int, ...]]


def _graphemes(text: str) -> list[tuple[str, int, bool]]:
    """Split ``text`` into (base letter with its letter mark, tone, upper case)."""
    out: list[tuple[str, int, bool]] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and out:
            base, tone, upper = out[-1]
            if ch in _LETTER_MARKS:
                out[-1] = (unicodedata.normalize("NFC", base + ch), tone, upper)
            else:
                out[-1] = (base, _TONE_WEIGHT.get(ch, tone), upper)
            continue
        out.append((ch.lower(), 0, ch != ch.lower()))
    return out


def _primary(letter: str) -> tuple[int, int]:
    if letter in _LETTER_WEIGHT:
        return (_LETTER, _LETTER_WEIGHT[letter])
    if letter.isdigit():
        return (_DIGIT, int(letter) if letter.isdecimal() else ord(letter))
    if letter.isspace():
        return (_SPACE, 0)
    if letter.isalpha():
        return (_OTHER, ord(letter))
    return (_PUNCTUATION, ord(letter))


def vi_sort_key(text: str) -> SortKey:
    """Return a key that sorts Vietnamese text in dictionary order.

    Letters first (ă after a, đ after d, ơ after ô, ư after u), then tones
    (ba < bà < bả < bã < bá < bạ < bác), then case (lower first); spaces and
    punctuation before digits before letters. Used where lists are sorted in
    Python and, through ``vi_compare``, as SQLite's "vi" collation.
    """
    graphemes = _graphemes(text)
    return (
        tuple(_primary(letter) for letter, _tone, _upper in graphemes),
        tuple(tone for _letter, tone, _upper in graphemes),
        tuple(int(upper) for _letter, _tone, upper in graphemes),
    )


@functools.lru_cache(maxsize=16_384)
def _cached_key(text: str) -> SortKey:
    return vi_sort_key(text)


def vi_compare(a: str, b: str) -> int:
    """Compare two texts in Vietnamese order: -1, 0 or 1 (SQLite's collation callback).

    SQLite calls it for every comparison of a sort: the keys of the names it
    meets (a catalogue's few thousand) are kept.
    """
    ka, kb = _cached_key(a), _cached_key(b)
    return (ka > kb) - (ka < kb)


# The name of the collation ORDER BY uses for Vietnamese order: an ICU collation on
# PostgreSQL (migration catalog 0007), ``vi_compare`` on SQLite (``register_vi_collation``).
VI_COLLATION = "vi"


def register_vi_collation(sender: object, connection: Any, **kwargs: object) -> None:
    """Give a new SQLite connection the "vi" collation (a ``connection_created`` receiver).

    SQLite has only byte order (BINARY), NOCASE (ASCII letters only) and RTRIM;
    a collation is a Python function registered on each connection.
    """
    if connection.vendor == "sqlite":
        connection.connection.create_collation(VI_COLLATION, vi_compare)
