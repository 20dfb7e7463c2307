"""Staff pages of the yearly targets, under /can-bo/thong-ke/chi-tieu/.

Anyone with a staff role reads the targets of a year; statisticians and
leaders at the province set, change and delete them (``services``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.core.errors import DomainError, ValidationFailed
from motcua.staff.decorators import staff_required
from motcua.staff.permissions import statistics_editor

from . import selectors, services


def _year(raw: str | None) -> int:
    if not raw:
        return timezone.localdate().year
    if not (raw.isascii() and raw.isdigit()) or len(raw) != 4:
        raise ValidationFailed(services.BAD_YEAR, field_errors={"year": [services.BAD_YEAR]})
    return services.check_year(int(raw))


def _id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def _context(request: HttpRequest, year: int, scope: str = "") -> dict[str, Any]:
    provinces, agencies = selectors.target_scopes()
    this = timezone.localdate().year
    home = selectors.home_province(user_id=request.user.pk or 0)
    return {
        "year": year,
        "years": sorted({*range(this - 5, this + 3), year}, reverse=True),
        "targets": selectors.targets_of_year(year=year),
        "indicators": selectors.indicators_active(),
        "provinces": [(f"p-{p.pk}", p.name) for p in provinces],
        "agencies": [(f"a-{a.pk}", a.name) for a in agencies],
        "scope": scope or (f"p-{home.pk}" if home is not None else ""),
        "can_edit": statistics_editor(request.user),
    }


def _list_url(year: int) -> str:
    return f"{reverse('targets:index')}?{urlencode({'year': year})}"


@require_GET
@staff_required
def target_list(request: HttpRequest) -> HttpResponse:
    """Show the targets of a year (the current one by default) and the form to set one."""
    try:
        year = _year(request.GET.get("year"))
    except DomainError as error:
        return render(request, "backoffice/error.html", {"error": error.message}, status=400)
    return render(request, "targets/list.html", _context(request, year))


@require_POST
@staff_required
def target_save(request: HttpRequest) -> HttpResponse:
    """Set the target of an indicator for a year, for a province or an agency."""
    data = request.POST
    try:
        year = _year(data.get("year"))
    except DomainError as error:
        return render(request, "backoffice/error.html", {"error": error.message}, status=400)
    scope = data.get("scope", "")
    try:
        services.target_set(
            indicator_code=data.get("indicator", "")[:60],
            year=year,
            value=data.get("value", "")[:40],
            province_id=_id(scope[2:]) if scope.startswith("p-") else None,
            agency_id=_id(scope[2:]) if scope.startswith("a-") else None,
            note=data.get("note", "")[:500],
            actor=request.user,
        )
    except DomainError as error:
        context = _context(request, year, scope)
        context.update(
            {
                "error": error,
                "field_errors": {k: [str(m) for m in v] for k, v in error.field_errors.items()},
                "posted": data,
            }
        )
        return render(request, "targets/list.html", context, status=error.status)
    messages.success(request, _("Target saved."))
    return redirect(_list_url(year))


@require_POST
@staff_required
def target_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a target."""
    try:
        year = _year(request.POST.get("year"))
        services.target_delete(target_id=pk, actor=request.user)
    except DomainError as error:
        return render(
            request, "backoffice/error.html", {"error": error.message}, status=error.status
        )
    messages.success(request, _("Target deleted."))
    return redirect(_list_url(year))
