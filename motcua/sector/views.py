"""Staff pages of the sector figures, under /can-bo/thong-ke/nganh/.

Anyone with a staff role reads the grid of a unit and period; statisticians
and leaders at the province enter figures (one form for the grid), close
periods and import files; an administrator at the province reopens a closed
period. Each view parses its input, reads through ``selectors`` and writes
through one service; domain errors are shown next to the fields with their
status (400, 403, 404, 409), never a 500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core.errors import DomainError, Forbidden, NotFound, PayloadTooLarge, ValidationFailed
from motcua.core.numbers import number_text
from motcua.staff.decorators import staff_required
from motcua.staff.permissions import province_administrator, statistics_editor
from motcua.targets.selectors import home_province

from . import selectors, services
from .importing import ImportReport, read_rows, sector_figures_import
from .models import MetricKind

BAD_PERIOD = gettext_lazy("Choose a year, a quarter (2025-q1) or a month (2025-m03).")
NO_FILE = gettext_lazy("Choose a CSV or XLSX file.")
FILE_TOO_LARGE = gettext_lazy("The file is too large.")
PERIOD_RE = re.compile(r"(\d{4})(?:-q([1-4])|-m(0?[1-9]|1[0-2]))?", re.ASCII)


def parse_period(text: str) -> tuple[int, int | None, int | None]:
    """Return (year, quarter, month) of "2025", "2025-q1" or "2025-m03"; the current year if ""."""
    text = text.strip().lower()
    if not text:
        return timezone.localdate().year, None, None
    found = PERIOD_RE.fullmatch(text)
    if found is None:
        raise ValidationFailed(BAD_PERIOD, field_errors={"period": [BAD_PERIOD]})
    year = int(found.group(1))
    quarter = int(found.group(2)) if found.group(2) else None
    month = int(found.group(3)) if found.group(3) else None
    return services.period_parts(year, quarter, month)


def _period_key(year: int, quarter: int | None, month: int | None) -> str:
    if quarter:
        return f"{year}-q{quarter}"
    if month:
        return f"{year}-m{month:02d}"
    return str(year)


def _unit_id(request: HttpRequest, raw: str | None) -> int:
    if raw and raw.isascii() and raw.isdigit() and len(raw) < 19:
        return int(raw)
    if raw:
        raise ValidationFailed(
            services.UNKNOWN_UNIT, field_errors={"unit": [services.UNKNOWN_UNIT]}
        )
    home = home_province(user_id=request.user.pk or 0)
    if home is None:
        raise NotFound(services.UNKNOWN_UNIT)
    return home.pk


def _error_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "backoffice/error.html", {"error": error.message}, status=error.status)


def _grid_url(period: str, unit_id: int) -> str:
    return f"{reverse('sector:figures')}?{urlencode({'period': period, 'unit': str(unit_id)})}"


PARTS = (
    [("", gettext_lazy("Whole year"))]
    + [(f"-q{q}", gettext_lazy("Quarter %(q)d") % {"q": q}) for q in range(1, 5)]
    + [(f"-m{m:02d}", gettext_lazy("Month %(m)d") % {"m": m}) for m in range(1, 13)]
)


def _years(year: int) -> list[int]:
    this = timezone.localdate().year
    return sorted({*range(this - 7, this + 2), year}, reverse=True)


@dataclass(frozen=True)
class Line:
    """A row of the grid as the page shows it: the figure, what is in its boxes, its errors."""

    row: selectors.FigureRow
    value_text: str
    note_text: str
    errors: list[str]


def _lines(
    rows: list[selectors.FigureRow],
    posted: QueryDict | None = None,
    errors: dict[str, list[str]] | None = None,
) -> list[Line]:
    """Fill the boxes with the entered figures, or with what was posted when it was refused."""
    lines = []
    for row in rows:
        if posted is not None:
            value = posted.get(f"value-{row.code}", "")
            note = posted.get(f"note-{row.code}", "")
        else:
            entered = row.origin == "entered"
            value = number_text(row.value, 4, grouping=False) if entered else ""
            note = row.note
        lines.append(Line(row, value, note, (errors or {}).get(row.code, [])))
    return lines


def _grid_context(
    request: HttpRequest, year: int, quarter: int | None, month: int | None, unit_id: int
) -> dict[str, Any]:
    unit = selectors.unit_by_id(unit_id)
    if unit is None:
        raise NotFound(services.UNKNOWN_UNIT)
    editor = statistics_editor(request.user)
    return {
        "year": year,
        "quarter": quarter,
        "month": month,
        "period_key": _period_key(year, quarter, month),
        "period": selectors.sector_period(year=year, quarter=quarter, month=month),
        "periods": selectors.sector_periods(),
        "unit": unit,
        "units": selectors.reporting_units(around=unit),
        "lines": _lines(
            selectors.sector_figures(year=year, unit_id=unit.pk, quarter=quarter, month=month)
        ),
        "can_edit": editor,
        "can_reopen": province_administrator(request.user),
        "years": _years(year),
        "parts": PARTS,
    }


@require_GET
@staff_required
def figures(request: HttpRequest) -> HttpResponse:
    """Show the figures of a unit for a period, editable by statisticians while it is open."""
    raw = request.GET.get("period") or (
        request.GET.get("year", "")[:4] + request.GET.get("part", "")[:4]
    )
    try:
        year, quarter, month = parse_period(raw)
        unit_id = _unit_id(request, request.GET.get("unit"))
        context = _grid_context(request, year, quarter, month, unit_id)
    except DomainError as error:
        return _error_page(request, error)
    return render(request, "sector/figures.html", context)


def _entries(data: QueryDict, codes: list[str]) -> dict[str, tuple[Any, str]]:
    return {
        code: (data.get(f"value-{code}", "")[:40], data.get(f"note-{code}", "")[:500])
        for code in codes
        if f"value-{code}" in data
    }


@require_POST
@staff_required
def figures_save(request: HttpRequest) -> HttpResponse:
    """Save the grid: every figure typed, in one transaction; errors shown next to the fields."""
    try:
        year, quarter, month = parse_period(request.POST.get("period", ""))
        unit_id = _unit_id(request, request.POST.get("unit"))
        context = _grid_context(request, year, quarter, month, unit_id)
    except DomainError as error:
        return _error_page(request, error)
    codes = [line.row.code for line in context["lines"] if not line.row.metric.computed]
    try:
        changes = services.sector_figures_save(
            year=year,
            quarter=quarter,
            month=month,
            unit_id=unit_id,
            entries=_entries(request.POST, codes),
            actor=request.user,
        )
    except DomainError as error:
        errors = {k: [str(m) for m in v] for k, v in error.field_errors.items()}
        rows = [line.row for line in context["lines"]]
        context.update({"error": error, "lines": _lines(rows, request.POST, errors)})
        return render(request, "sector/figures.html", context, status=error.status)
    changed = sum(1 for c in changes if c.outcome != "unchanged")
    messages.success(request, _("%(n)d figures saved.") % {"n": changed})
    return redirect(_grid_url(context["period_key"], unit_id))


def _period_action(request: HttpRequest, pk: int, reopen: bool) -> HttpResponse:
    back = request.POST.get("unit", "")
    try:
        if reopen:
            period = services.sector_period_reopen(
                period_id=pk, reason=request.POST.get("reason", "")[:500], actor=request.user
            )
            messages.success(request, _("%(period)s reopened.") % {"period": period.label})
        else:
            period = services.sector_period_close(period_id=pk, actor=request.user)
            messages.success(request, _("%(period)s closed.") % {"period": period.label})
    except DomainError as error:
        return _error_page(request, error)
    unit_id = int(back) if back.isascii() and back.isdigit() and len(back) < 19 else None
    if unit_id is None:
        return redirect(f"{reverse('sector:figures')}?{urlencode({'period': period.key})}")
    return redirect(_grid_url(period.key, unit_id))


@require_POST
@staff_required
def period_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a period: no figure is entered or imported into it any more."""
    return _period_action(request, pk, reopen=False)


@require_POST
@staff_required
def period_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen a closed period (an administrator at the province, with a reason)."""
    return _period_action(request, pk, reopen=True)


@require_http_methods(["GET", "POST"])
@staff_required
def figures_import(request: HttpRequest) -> HttpResponse:
    """Import figures from a CSV or XLSX file; show what each rejected row lacked."""
    report: ImportReport | None = None
    error: DomainError | None = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if not statistics_editor(request.user):
                raise Forbidden(services.NOT_EDITOR)
            if upload is None:
                raise ValidationFailed(NO_FILE, field_errors={"file": [NO_FILE]})
            if upload.size is None or upload.size > settings.SECTOR_IMPORT_MAX_BYTES:
                raise PayloadTooLarge(FILE_TOO_LARGE, field_errors={"file": [FILE_TOO_LARGE]})
            rows = read_rows(upload.name or "", upload.read())
            report = sector_figures_import(rows=rows, actor=request.user)
        except DomainError as exc:
            error = exc
    status = error.status if error is not None else 200
    return render(
        request,
        "sector/import.html",
        {"report": report, "error": error, "can_edit": statistics_editor(request.user)},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def metrics(request: HttpRequest) -> HttpResponse:
    """List the metrics; statisticians add one (a target indicator of its code comes with it)."""
    context: dict[str, Any] = {"kinds": MetricKind.choices}
    status = 200
    if request.method == "POST":
        try:
            metric = services.sector_metric_create(
                code=request.POST.get("code", "")[:80],
                name=request.POST.get("name", "")[:300],
                name_en=request.POST.get("name_en", "")[:300],
                unit_label=request.POST.get("unit_label", "")[:80],
                kind=request.POST.get("kind", "")[:20],
                numerator_code=request.POST.get("numerator", "")[:80],
                denominator_code=request.POST.get("denominator", "")[:80],
                source=request.POST.get("source", "")[:300],
                actor=request.user,
            )
        except DomainError as error:
            status = error.status
            context.update(
                {
                    "error": error,
                    "field_errors": {k: [str(m) for m in v] for k, v in error.field_errors.items()},
                    "posted": request.POST,
                }
            )
        else:
            messages.success(request, _("Metric %(name)s added.") % {"name": metric.name})
            return redirect("sector:metrics")
    context.update(
        {"metrics": selectors.metrics_all(), "can_edit": statistics_editor(request.user)}
    )
    return render(request, "sector/metrics.html", context, status=status)
