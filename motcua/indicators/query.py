"""The subject and period a page or the API asks for, from the dashboard's query parameters.

``doi-tuong`` (province, agency, unit, procedure, commune; the province by
default), ``id`` (the home province by default), or the two as one
``chon=<kind>:<id>`` (the pages' select), ``gop`` (1: with the units
merged into it, the default; 0: alone), ``ky`` (month, quarter, half, year,
dates, or thang, quy, 6-thang, nam, ngay; the year by default), ``nam``,
``so`` (the month, quarter or half), ``tu`` and ``den`` (dd/mm/yyyy, for
dates). Bad input raises ValidationFailed (400), an unknown subject NotFound.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed
from motcua.staff.selectors import AnyUser
from motcua.statistics.periods import Period, period_of
from motcua.statistics.permissions import default_subject
from motcua.statistics.scopes import Subject, home_province, picked, subject_of

BAD_NUMBER = _("Enter a whole number.")
BAD_DATE = _("Enter a date as dd/mm/yyyy.")
KIND_ALIASES = {
    "thang": "month",
    "quy": "quarter",
    "6-thang": "half",
    "nam": "year",
    "ngay": "dates",
}


@dataclass(frozen=True)
class Asked:
    subject: Subject
    merged: bool
    period: Period
    kind: str  # the period's kind as asked (month, quarter, half, year, dates)

    def query(self) -> dict[str, str]:
        """Return the query parameters that ask for this again."""
        out = {
            "doi-tuong": self.subject.kind,
            "id": str(self.subject.id),
            "gop": "1" if self.merged else "0",
            "ky": self.kind,
            "nam": str(self.period.year),
        }
        if self.kind in ("month", "quarter", "half"):
            out["so"] = str(self.period.number)
        if self.kind == "dates":
            out["tu"] = self.period.start.strftime("%d/%m/%Y")
            out["den"] = self.period.end.strftime("%d/%m/%Y")
        return out


def _int(value: str, name: str) -> int:
    value = value.strip()
    if not value.isdigit() or len(value) > 9:
        raise ValidationFailed(BAD_NUMBER, field_errors={name: [str(BAD_NUMBER)]})
    return int(value)


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date()  # noqa: DTZ007 - a date only
    except ValueError as error:
        raise ValidationFailed(BAD_DATE, field_errors={name: [str(BAD_DATE)]}) from error


def asked(params: Mapping[str, str], user: AnyUser | None = None) -> Asked:
    """Return the subject and period ``params`` ask for (see the module's docstring)."""
    period_kind = params.get("ky", "").strip() or "year"
    period_kind = KIND_ALIASES.get(period_kind, period_kind)
    raw_year = params.get("nam", "").strip()
    year = _int(raw_year, "nam") if raw_year else timezone.localdate().year
    if not 1900 <= year <= 2999:
        raise ValidationFailed(BAD_NUMBER, field_errors={"nam": [str(BAD_NUMBER)]})
    raw_number = params.get("so", "").strip()
    number = _int(raw_number, "so") if raw_number else 0
    start = _date(params["tu"], "tu") if params.get("tu", "").strip() else None
    end = _date(params["den"], "den") if params.get("den", "").strip() else None
    period = period_of(period_kind, year_=year, number=number, start=start, end=end)
    kind, raw_id = picked(params.get("chon", ""))  # the page's one select, else its two parts
    if not kind:
        kind, raw_id = params.get("doi-tuong", "").strip(), params.get("id", "").strip()
    merged = params.get("gop", "1").strip() != "0"
    if raw_id:
        pk = _int(raw_id, "id")
        kind = kind or "province"
    elif not kind and user is not None:  # nothing asked: what the reader reads first
        kind, pk = default_subject(user)
    else:
        kind, pk = kind or "province", home_province().pk
    subject = subject_of(kind, pk, merged=merged)
    return Asked(subject, merged, period, period_kind)
