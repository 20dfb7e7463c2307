"""What a report is asked for, read from a query string (the page, its downloads and the API).

The page's parameters are the dashboard's: ``doi-tuong`` (province, agency,
unit, procedure, commune), ``id``, ``gop`` (0: without the units merged into
it; or ``chon=<kind>:<id>``, the page's one select), ``ky`` (month, quarter,
half, year, dates), ``nam``, ``so``, ``tu`` and
``den`` (dates: yyyy-mm-dd or dd/mm/yyyy), plus ``mau`` (the form's code).
The API spells them with underscores (``doi_tuong``) and ``form``.
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
from motcua.statistics.permissions import (
    default_subject,
    subject_check,
)
from motcua.statistics.scopes import Subject, picked, subject_of

from .models import ReportForm
from .selectors import form_for, forms_offered

BAD_NUMBER = _("Enter a whole number.")
BAD_DATE = _("Enter a date as dd/mm/yyyy.")
NO_FORM = _("No report form is set up yet.")
FIRST_YEAR, LAST_YEAR = 1990, 2100


@dataclass(frozen=True)
class ReportQuery:
    form: ReportForm
    subject: Subject
    period: Period
    merged: bool

    def params(self) -> dict[str, str]:
        """Return the page's query parameters that ask for this report again."""
        out = {
            "mau": self.form.code,
            "doi-tuong": self.subject.kind,
            "id": str(self.subject.id),
            "ky": self.period.kind,
            "nam": str(self.period.year),
        }
        if self.period.kind in ("month", "quarter", "half"):
            out["so"] = str(self.period.number)
        if self.period.kind == "dates":
            out["tu"], out["den"] = self.period.start.isoformat(), self.period.end.isoformat()
        if not self.merged:
            out["gop"] = "0"
        return out


def _get(data: Mapping[str, str], *names: str) -> str:
    for name in names:
        value = data.get(name)
        if value:
            return str(value).strip()
    return ""


def _int(value: str, name: str, low: int, high: int) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValidationFailed(BAD_NUMBER, field_errors={name: [BAD_NUMBER]})
    return int(value)


def _date(value: str, name: str) -> dt.date | None:
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
        if FIRST_YEAR <= day.year <= LAST_YEAR:
            return day
    raise ValidationFailed(BAD_DATE, field_errors={name: [BAD_DATE]})


def _default_subject(user: AnyUser) -> tuple[str, int]:
    return default_subject(user)


def period_from(data: Mapping[str, str]) -> Period:
    """Return the period asked for (the current quarter by default); ValidationFailed when bad."""
    today = timezone.localdate()
    kind = _get(data, "ky") or "quarter"
    year = _int(_get(data, "nam") or str(today.year), "nam", FIRST_YEAR, LAST_YEAR)
    default_number = {"month": today.month, "quarter": (today.month + 2) // 3, "half": 1}
    raw = _get(data, "so") or str(default_number.get(kind, 0))
    number = _int(raw, "so", 0, 12)
    return period_of(
        kind,
        year_=year,
        number=number,
        start=_date(_get(data, "tu"), "tu"),
        end=_date(_get(data, "den"), "den"),
    )


def query_from(data: Mapping[str, str], user: AnyUser) -> ReportQuery:
    """Return the report asked for by ``data`` that ``user`` may read.

    ValidationFailed (400) for bad input, NotFound (404) for an unknown
    form or subject, Forbidden (403) for a subject the user may not read.
    """
    period = period_from(data)
    kind, raw_id = picked(_get(data, "chon"))  # the page's one select, else its two parts
    if not kind:
        kind, raw_id = _get(data, "doi-tuong", "doi_tuong"), _get(data, "id")
    if kind and raw_id:
        pk = _int(raw_id, "id", 1, 2**62)
    elif kind or raw_id:
        raise ValidationFailed(BAD_NUMBER, field_errors={"id": [BAD_NUMBER]})
    else:
        kind, pk = _default_subject(user)
    merged = _get(data, "gop") != "0"
    subject = subject_of(kind, pk, merged=merged)
    subject_check(user, subject)
    code = _get(data, "mau", "form")
    if not code:
        offered = forms_offered()
        if not offered:
            raise ValidationFailed(NO_FORM)
        code = offered[0].code
    return ReportQuery(form_for(code, period.end), subject, period, merged)
