"""Staff pages of the catalogue's statistics, under /can-bo/thong-ke/.

``online_provision_page``: the procedures offered online as of a date
(``?ngay=YYYY-MM-DD``), by level of government and by agency, with a CSV
download of the same table (``&tai=csv``). Any staff role may read it.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.catalog.history import (
    EARLIEST_DAY,
    SCHEME_LEGACY,
    ProvisionCounts,
    Tally,
    online_provision,
)
from motcua.core.errors import DomainError, NotFound, ValidationFailed
from motcua.organisation.models import Agency
from motcua.staff.decorators import staff_required

BAD_DATE = gettext_lazy("Enter a date as dd/mm/yyyy.")
DATE_OUT_OF_RANGE = gettext_lazy("Enter a date from 01/01/2000 to today.")
UNKNOWN_AGENCY = gettext_lazy("No agency has this number.")

Column = tuple[str, Callable[[Tally], int], Callable[[Tally], Decimal | None] | None]


def parse_day(value: str) -> dt.date:
    """Return the date of ``value`` (YYYY-MM-DD or dd/mm/yyyy), today when empty.

    Raises ``ValidationFailed`` (400) for anything else or a date outside 2000..today.
    """
    today = timezone.localdate()
    value = value.strip()
    if not value:
        return today
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
        if not EARLIEST_DAY <= day <= today:
            raise ValidationFailed(DATE_OUT_OF_RANGE, field_errors={"ngay": [DATE_OUT_OF_RANGE]})
        return day
    raise ValidationFailed(BAD_DATE, field_errors={"ngay": [BAD_DATE]})


def _columns(counts: ProvisionCounts) -> list[Column]:
    """Return the columns of the table: the scheme in force first, the other when it counts."""
    current: list[Column] = [
        (_("Fully online"), lambda t: t.full, lambda t: t.share_full),
        (_("Partially online"), lambda t: t.partial, lambda t: t.share_partial),
        (_("Not online"), lambda t: t.not_online, None),
    ]
    legacy: list[Column] = [
        (_("Level 1"), lambda t: t.level_1, None),
        (_("Level 2"), lambda t: t.level_2, None),
        (_("Level 3"), lambda t: t.level_3, lambda t: t.share_level_3),
        (_("Level 4"), lambda t: t.level_4, lambda t: t.share_level_4),
    ]
    total = counts.total
    if counts.scheme == SCHEME_LEGACY:
        return legacy + (current if total.full + total.partial + total.not_online else [])
    return current + (legacy if total.published - total.no_legacy_level else [])


def _share(value: Decimal | None) -> str:
    return "" if value is None else formats.number_format(value, 1) + " %"


def _table(counts: ProvisionCounts) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows (level of government, then agencies) the page and CSV show."""
    columns = _columns(counts)
    header = [_("Unit"), _("Published")]
    for label, _count, share in columns:
        header.append(label)
        if share is not None:
            header.append(_("%(level)s (share)") % {"level": label})

    def cells(name: str, tally: Tally) -> list[str]:
        out = [name, str(tally.published)]
        for _label, count, share in columns:
            out.append(str(count(tally)))
            if share is not None:
                out.append(_share(share(tally)))
        return out

    rows = [cells(_("Whole catalogue"), counts.total)]
    rows += [cells(str(level.label), level.tally) for level in counts.by_level]
    rows += [
        cells(a.name + ("" if a.is_active else " " + _("(former)")), a.tally)
        for a in counts.by_agency
    ]
    return header, rows


def _csv(counts: ProvisionCounts, header: list[str], rows: list[list[str]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"muc-do-truc-tuyen-{counts.as_of:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


@staff_required
def online_provision_page(request: HttpRequest) -> HttpResponse:
    """Counts and shares of the procedures offered online as of a date."""
    try:
        day = parse_day(request.GET.get("ngay", ""))
        agency_value = request.GET.get("co-quan", "").strip()
        agency: Agency | None = None
        if agency_value:
            if not agency_value.isdigit():
                raise NotFound(UNKNOWN_AGENCY)
            agency = Agency.objects.filter(pk=int(agency_value)).first()
            if agency is None:
                raise NotFound(UNKNOWN_AGENCY)
    except DomainError as error:
        return render(
            request, "backoffice/error.html", {"error": error.message}, status=error.status
        )
    merged = request.GET.get("gop") == "1"
    counts = online_provision(
        as_of=day, agency_ids=[agency.pk] if agency else None, under_successors=merged
    )
    header, rows = _table(counts)
    if request.GET.get("tai") == "csv":
        return _csv(counts, header, rows)
    return render(
        request,
        "catalog/statistics/online_provision.html",
        {
            "counts": counts,
            "day": day,
            "agency": agency,
            "agencies": Agency.objects.filter(is_active=True).order_by("level", "name"),
            "merged": merged,
            "header": header,
            "rows": rows,
            "legacy": counts.scheme == SCHEME_LEGACY,
        },
    )
