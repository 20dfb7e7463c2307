"""Numbers and comparisons as Vietnamese documents write them.

Dots between thousands and a comma before decimals (182.616; 72,6;
"50,3%"), and the words of a comparison: "tăng 12,5%", "giảm 3 hồ sơ",
"bằng năm trước". Shares (unit "%") change by percentage points, durations
by days, densities ("máy/100 dân") by their unit, counts by a percentage of
the previous value (by the count itself when the previous value was nought).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation

from motcua.core.numbers import number_text

MISSING = "—"
PERCENT = "%"
# Units whose change is told as a difference, not a percentage of the previous value.
ABSOLUTE_UNITS = frozenset({PERCENT, "ngày", "điểm"})


def vn_number(value: float | int | Decimal | None, decimals: int = 2) -> str:
    """Write ``value`` with dots between thousands and a decimal comma, trailing zeros dropped.

    182616 -> "182.616"; 72.6 -> "72,6"; 10.675 -> "10,68"; None -> "—".
    """
    if value is None:
        return MISSING
    # Rounded half up as documents are; then written as the site writes numbers in Vietnamese.
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    with translation.override("vi"):
        return number_text(number, decimals)


def vn_percent(value: float | int | Decimal | None, decimals: int = 1) -> str:
    """Write a percentage: 50.3 -> "50,3%"; None -> "—"."""
    return MISSING if value is None else f"{vn_number(value, decimals)}%"


def with_unit(value: float | int | Decimal | None, unit: str) -> str:
    """Write ``value`` with its unit: "182.616 hồ sơ", "50,3%", "72,6 máy/100 dân"."""
    if value is None:
        return MISSING
    if unit == PERCENT:
        return vn_percent(value)
    return f"{vn_number(value)} {unit}".strip()


def _absolute(unit: str) -> bool:
    return unit in ABSOLUTE_UNITS or "/" in unit


def change_words(
    value: float | int | Decimal | None,
    previous: float | int | Decimal | None,
    *,
    unit: str = "",
    same: str = "bằng năm trước",
) -> str:
    """Tell how ``value`` moved from ``previous``: "tăng 12,5%", "giảm 3 hồ sơ", ``same``.

    Shares move by percentage points ("tăng 2,1 điểm phần trăm"), durations by
    days ("giảm 1,5 ngày"), counts by a percentage of the previous value, or by
    the count itself when the previous value was nought. Returns "" when
    either value is unknown.
    """
    if value is None or previous is None:
        return ""
    now, before = Decimal(str(value)), Decimal(str(previous))
    if now == before:
        return same
    verb = "tăng" if now > before else "giảm"
    difference = abs(now - before)
    if unit == PERCENT:
        return f"{verb} {vn_number(difference, 1)} điểm phần trăm"
    if _absolute(unit) or before == 0:
        return f"{verb} {vn_number(difference)} {unit}".rstrip()
    return f"{verb} {vn_percent(100 * difference / abs(before))}"


def difference_words(
    value: float | int | Decimal | None,
    previous: float | int | Decimal | None,
    *,
    unit: str = "",
    same: str = "bằng năm trước",
) -> str:
    """Tell the difference itself: "tăng 12 hồ sơ", "giảm 3 hồ sơ", ``same``; "" when unknown."""
    if value is None or previous is None:
        return ""
    now, before = Decimal(str(value)), Decimal(str(previous))
    if now == before:
        return same
    verb = "tăng" if now > before else "giảm"
    if unit == PERCENT:
        return f"{verb} {vn_number(abs(now - before), 1)} điểm phần trăm"
    return f"{verb} {vn_number(abs(now - before))} {unit}".rstrip()


def compare_words(
    value: float | int | Decimal | None,
    previous: float | int | Decimal | None,
    *,
    unit: str = "",
    previous_year: int,
) -> str:
    """Compare with the previous year: "tăng 12,5% so với năm 2025", "bằng năm 2025"."""
    if value is None or previous is None:
        return f"chưa có số liệu năm {previous_year} để so sánh"
    words = change_words(value, previous, unit=unit, same="")
    return f"{words} so với năm {previous_year}" if words else f"bằng năm {previous_year}"
