"""Periods of statistics: a month, a quarter, six months, a year, or any dates."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core.errors import ValidationFailed

BAD_PERIOD = gettext_lazy("Choose a valid period: the start must not be after the end.")
BAD_PERIOD_KIND = gettext_lazy("Unknown period: use month, quarter, half, year or dates.")
ROMAN = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end``, both included, with how it was asked for."""

    start: dt.date
    end: dt.date
    kind: str = "dates"
    number: int = 0

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValidationFailed(BAD_PERIOD)

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def label(self) -> str:
        """Return the period as reports name it (in the active language)."""
        y = self.start.year
        if self.kind == "month":
            return _("Month %(m)d/%(y)d") % {"m": self.number, "y": y}
        if self.kind == "quarter":
            return _("Quarter %(q)s/%(y)d") % {"q": ROMAN[self.number - 1], "y": y}
        if self.kind == "half":
            return (
                _("First six months of %(y)d")
                if self.number == 1
                else _("Last six months of %(y)d")
            ) % {"y": y}
        if self.kind == "year":
            return _("Year %(y)d") % {"y": y}
        return _("From %(a)s to %(b)s") % {
            "a": self.start.strftime("%d/%m/%Y"),
            "b": self.end.strftime("%d/%m/%Y"),
        }

    def previous_year(self) -> Period:
        """Return the same period a year earlier (29 February becomes the 28th)."""

        def back(d: dt.date) -> dt.date:
            day = min(d.day, calendar.monthrange(d.year - 1, d.month)[1])
            return d.replace(year=d.year - 1, day=day)

        return Period(back(self.start), back(self.end), self.kind, self.number)

    def months(self) -> list[dt.date]:
        """Return the first day of each month the period touches."""
        out = []
        cursor = self.start.replace(day=1)
        while cursor <= self.end:
            out.append(cursor)
            cursor = next_month(cursor)
        return out


def next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


def month_end(first: dt.date) -> dt.date:
    return next_month(first) - dt.timedelta(days=1)


def month(year: int, number: int) -> Period:
    first = dt.date(year, number, 1)
    return Period(first, month_end(first), "month", number)


def quarter(year: int, number: int) -> Period:
    first = dt.date(year, 3 * number - 2, 1)
    return Period(first, month_end(dt.date(year, 3 * number, 1)), "quarter", number)


def half(year: int, number: int) -> Period:
    first = dt.date(year, 1 if number == 1 else 7, 1)
    return Period(first, month_end(dt.date(year, 6 if number == 1 else 12, 1)), "half", number)


def year(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), "year", 0)


def period_of(
    kind: str,
    *,
    year_: int,
    number: int = 0,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Period:
    """Return the period of ``kind`` (month, quarter, half, year, dates); bad input raises."""
    try:
        if kind == "month":
            return month(year_, number)
        if kind == "quarter" and 1 <= number <= 4:
            return quarter(year_, number)
        if kind == "half" and number in (1, 2):
            return half(year_, number)
        if kind == "year":
            return year(year_)
        if kind == "dates" and start is not None and end is not None:
            return Period(start, end)
    except ValueError as error:
        raise ValidationFailed(BAD_PERIOD) from error
    raise ValidationFailed(BAD_PERIOD_KIND)


def split(period: Period) -> tuple[list[dt.date], list[tuple[dt.date, dt.date]]]:
    """Return the whole months inside ``period`` and the day ranges left at its edges."""
    months: list[dt.date] = []
    days: list[tuple[dt.date, dt.date]] = []
    for first in period.months():
        last = month_end(first)
        lo, hi = max(first, period.start), min(last, period.end)
        if lo == first and hi == last:
            months.append(first)
        else:
            days.append((lo, hi))
    return months, days
