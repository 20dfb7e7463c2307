"""Printable forms of a dossier (02-06) and the register (07), for staff who may see them."""

from __future__ import annotations

import tempfile
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from motcua.core.errors import DomainError
from motcua.staff.decorators import staff_required

from . import documents, register, selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_BYTES = 8 * 1024 * 1024  # a larger spreadsheet goes to a temporary file, not memory


def _pdf(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "backoffice/error.html", {"error": error.message}, status=error.status)


@require_GET
@staff_required
def form(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """Print form 02-06 of a dossier (``?n=1`` picks the first supplement request)."""
    index = request.GET.get("n", "")
    try:
        dossier = selectors.dossier_for_print(user=request.user, code=code)
        body = documents.form_pdf(dossier, form, index=int(index) if index.isdigit() else None)
    except DomainError as error:
        return _error(request, error)
    return _pdf(body, f"mau-{form}-{dossier.code}.pdf")


@require_GET
@staff_required
def register_page(request: HttpRequest) -> HttpResponseBase:
    """Choose a unit and a date range; download the register as PDF or spreadsheet."""
    units = register.register_units(user=request.user)
    today = timezone.localdate()
    start = request.GET.get("start") or today.replace(day=1).isoformat()
    end = request.GET.get("end") or today.isoformat()
    unit = request.GET.get("unit") or (str(units[0].pk) if units else "")
    context: dict[str, Any] = {"units": units, "start": start, "end": end, "unit": unit}
    if "format" not in request.GET:
        return render(request, "workflow/register.html", context)
    try:
        scope = register.register_range(user=request.user, unit_id=unit, start=start, end=end)
        name = f"so-theo-doi-{scope.unit.code}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}"
        if request.GET["format"] != "xlsx":
            return _pdf(register.register_pdf(scope), f"{name}.pdf")
    except DomainError as error:
        context["error"] = error.message
        return render(request, "workflow/register.html", context, status=error.status)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
    register.register_xlsx(scope, out)
    out.seek(0)
    response = FileResponse(out, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX)
    response["Cache-Control"] = "private, no-store"
    return response
