"""Numbers as the active language writes them: "1.169.375" and "72,6" in Vietnamese.

Django's ``number_format`` groups thousands only when the locale's
``NUMBER_GROUPING`` says so, and Vietnamese's formats leave it at 0, so the
separators are read from the active language's formats here and the
grouping is always by three.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats, numberformat


def number_text(
    value: Decimal | int | float | None, places: int = 2, *, grouping: bool = True
) -> str:
    """Return ``value`` grouped by thousands, with at most ``places`` decimals (no trailing 0).

    ``None`` gives "". ``Decimal("1169375")`` -> "1.169.375", ``Decimal("72.60")`` ->
    "72,6" in Vietnamese ("72.6" in English). Without ``grouping`` (a value put back in an
    input): "1169375".
    """
    if value is None:
        return ""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    rounded = round(number, places)
    normal = rounded.normalize() if rounded != 0 else Decimal(0)
    exponent = normal.as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return numberformat.format(
        normal,
        str(formats.get_format("DECIMAL_SEPARATOR")),
        decimal_pos=decimals,
        grouping=3 if grouping else 0,
        thousand_sep=str(formats.get_format("THOUSAND_SEPARATOR")) if grouping else "",
        force_grouping=grouping,
    )
